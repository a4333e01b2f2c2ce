"""Prosumo: co-creation with prosumers."""
