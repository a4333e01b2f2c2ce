"""Fixtures for participatory budgets: a running budget campaign of 100.00 EUR with three costed ideas."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.api.conftest import bearer, call  # the API tests' request helpers

__all__ = ["bearer", "call"]


@pytest.fixture
def budgeted(make_campaign: Callable[..., Any], admin: Any) -> Any:
    from prosumo.budgets.services import budget_set

    campaign = make_campaign(voting_mode="budget")
    budget_set(actor=admin, campaign_id=campaign.pk, amount_cents=100_00, currency="EUR")
    return campaign


@pytest.fixture
def costed(budgeted: Any, make_idea: Callable[..., Any], make_member: Callable[..., Any], admin: Any) -> list[Any]:
    """Ideas A (60.00), B (50.00) and C (30.00), in this order of ids."""
    from prosumo.budgets.services import cost_set

    ideas = []
    for name, cents in (("A", 60_00), ("B", 50_00), ("C", 30_00)):
        idea = make_idea(
            make_member(),
            in_campaign=budgeted,
            title=f"Idea {name}: a shelter for the campsite",
            body=f"Idea {name} builds a shelter where families can cook when it rains.",
        )
        cost_set(actor=admin, idea_id=idea.pk, amount_cents=cents)
        ideas.append(idea)
    return ideas
