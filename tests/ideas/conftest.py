"""Fixtures of the ideas tests."""

from __future__ import annotations

import pytest

from prosumo.ideas import similarity


@pytest.fixture
def process_store(db):
    """Skip where the vectors are searched in pgvector: the test is about each process's own copy of them.

    Such tests run on SQLite and on PostgreSQL without pgvector (make test runs both);
    test_similarity_pgvector.py covers the pgvector store.
    """
    if similarity.uses_pgvector():
        pytest.skip("about the in-process store, which a server with pgvector does not use")
