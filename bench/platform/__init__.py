"""The platform benchmark: idea lists and votes over HTTP on a large PostgreSQL community."""
