"""Database backends: Django's own, with what Prosumo needs added."""
