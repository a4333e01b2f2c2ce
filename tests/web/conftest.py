"""Pages switch the thread's language per request; put it back so that no later test runs in Spanish."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _language_reset() -> Iterator[None]:
    yield
    translation.deactivate()
