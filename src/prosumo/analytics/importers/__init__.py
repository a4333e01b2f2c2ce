"""Importers that turn other platforms' exports into community datasets."""
