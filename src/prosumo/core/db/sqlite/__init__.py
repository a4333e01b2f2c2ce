"""Django's SQLite backend that waits out a locked database instead of failing (see base.py)."""
