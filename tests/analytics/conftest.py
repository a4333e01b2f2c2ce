"""Fixtures of the analytics tests that reach a Spark cluster."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.analytics.spark_server import spark_connect_server
from tests.migrated import shared_folder


@pytest.fixture(scope="session")
def spark_connect(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The ``sc://host:port`` of one Spark Connect server for the whole run (local mode, two cores)."""
    with spark_connect_server(shared_folder(tmp_path_factory)) as url:
        yield url
