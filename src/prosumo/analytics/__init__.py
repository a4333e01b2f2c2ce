"""Prosumer analytics: answers the platform's eight questions from a community dataset.

A plain library: it never imports Django, so it can analyse any community's export
and run where the data is (DuckDB in process by default, Apache Spark when asked).
"""
