"""Benchmarks: `python -m bench [platform|analytics] [options]` (see bench/README.md)."""
