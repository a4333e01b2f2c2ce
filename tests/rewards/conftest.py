"""Fixtures for rewards: rules set through the service, as staff set them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.api.conftest import bearer, call  # the API tests' request helpers

__all__ = ["bearer", "call"]


@pytest.fixture
def set_rule(admin: Any) -> Callable[..., Any]:
    from prosumo.rewards.services import rule_set

    def make(trigger: str, points: int, *, campaign: Any = None, daily_cap: int = 0) -> Any:
        return rule_set(
            actor=admin,
            campaign_id=campaign.pk if campaign is not None else None,
            trigger=trigger,
            points=points,
            daily_cap=daily_cap,
        )

    return make


def ledger_rows() -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Every posting and entry, for asserting that a refused action wrote nothing."""
    from prosumo.rewards.models import Entry, Posting

    postings = list(Posting.objects.order_by("id").values_list("id", "kind", "member_id", "points", "reason"))
    entries = list(Entry.objects.order_by("id").values_list("id", "posting_id", "account_id", "points"))
    return postings, entries
