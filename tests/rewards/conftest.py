"""Fixtures for rewards: rules set through the service, as staff set them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from prosumo.ideas.services import coauthor_invite, coauthor_respond, idea_merge, stage_change
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


@pytest.fixture
def after_commit(django_capture_on_commit_callbacks: Any) -> Callable[[], Any]:
    """``with after_commit(): service(...)`` runs what the service left to after its commit.

    Awards are a reaction to events: a reaction may run in the event's transaction or from
    a task enqueued when it commits; inside a test's transaction nothing commits, so this
    runs those callbacks when the block ends, either way.
    """
    return lambda: django_capture_on_commit_callbacks(execute=True)


def ledger_rows() -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Every posting and entry, for asserting that a refused action wrote nothing."""
    from prosumo.rewards.models import Entry, Posting

    postings = list(Posting.objects.order_by("id").values_list("id", "kind", "member_id", "points", "reason"))
    entries = list(Entry.objects.order_by("id").values_list("id", "posting_id", "account_id", "points"))
    return postings, entries


MESSAGE = "Moving it along for everyone."


def launch(admin: Any, idea: Any) -> None:
    for stage in ("under_review", "accepted", "in_development", "launched"):
        stage_change(actor=admin, idea_id=idea.pk, to_stage=stage, message=MESSAGE)
    idea.refresh_from_db()


@pytest.fixture
def product(make_idea: Callable[..., Any], make_member: Callable[..., Any], admin: Any) -> tuple[Any, ...]:
    """A launched idea by A with co-author B (30%), into which C's idea was merged."""
    a, b, c = make_member(display_name="Ana"), make_member(display_name="Bo"), make_member(display_name="Cy")
    idea = make_idea(a)
    offer = coauthor_invite(actor=a, idea_id=idea.pk, member_id=b.pk, share=30)
    coauthor_respond(actor=b, coauthor_id=offer.pk, accept=True)
    merged = make_idea(c, title="A tent with poles that fold into the bag")
    idea_merge(actor=admin, source_id=merged.pk, target_id=idea.pk, message="The same idea, told twice.")
    launch(admin, idea)
    return idea, a, b, c
