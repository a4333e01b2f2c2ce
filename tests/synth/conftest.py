"""Communities generated once per test session (the generator is deterministic)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from prosumo.synth import Community, generate

START = datetime(2025, 1, 1, tzinfo=UTC)
END = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture(scope="session")
def demo() -> Community:
    """The demo community: 300 members over one year."""
    return generate(seed=7, members=300, start=START, end=END)


@pytest.fixture(scope="session")
def town() -> Community:
    """A larger community (20,000 members) where planted rates can be measured."""
    return generate(seed=11, members=20_000, start=START, end=END)
