"""Fixtures for pairwise campaigns: a running one with three ideas, made through the services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.api.conftest import bearer, call  # the API tests' request helpers

__all__ = ["bearer", "call"]


@pytest.fixture
def pairwise(make_campaign: Callable[..., Any]) -> Any:
    return make_campaign(voting_mode="pairwise")


@pytest.fixture
def three(pairwise: Any, make_idea: Callable[..., Any], make_member: Callable[..., Any]) -> list[Any]:
    """Ideas A, B and C of the pairwise campaign, each by its own author, in this order of ids."""
    return [
        make_idea(
            make_member(),
            in_campaign=pairwise,
            title=f"Idea {name}: a lantern for the tent",
            body=f"Idea {name} hangs a small lantern from the roof of the tent so families can read.",
        )
        for name in "ABC"
    ]
