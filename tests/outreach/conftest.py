"""Fixtures for the outreach tests: an open brief."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tests.api.conftest import bearer, call  # the API tests' request helpers

__all__ = ["bearer", "call"]


@pytest.fixture
def make_brief(admin: Any) -> Callable[..., Any]:
    from prosumo.outreach.services import brief_open

    def make(**overrides: Any) -> Any:
        values: dict[str, Any] = {
            "title": "Spring launch",
            "product": "Trail tent",
            "deadline": timezone.now() + timedelta(days=7),
            "channels": ["email", "social"],
            "languages": ["en", "es"],
            "tone": "warm",
            "length_min": 10,
            "length_max": 120,
        }
        return brief_open(actor=admin, **(values | overrides))

    return make


@pytest.fixture
def brief(make_brief: Callable[..., Any]) -> Any:
    return make_brief()
