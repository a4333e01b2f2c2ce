"""Helpers for the JSON API tests: token headers, JSON requests, and a count of every row the API can write."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

TEST_TOKEN = "tests"


@pytest.fixture
def bearer(db: Any) -> Callable[[Any], dict[str, str]]:
    """Headers carrying an API token of the given member, one per member and test.

    The token has every scope its member may give it (``staff`` for staff), so that it acts
    with the member's whole role. Tokens made here are left out of ``row_counts``, so a
    request's own credentials never count as a change.
    """
    from prosumo.community.permissions import is_staff
    from prosumo.community.tokens import token_create

    made: dict[int, str] = {}

    def make(member: Any) -> dict[str, str]:
        if member.pk not in made:
            scopes = ["write", "staff"] if is_staff(member) else ["write"]
            _, made[member.pk] = token_create(actor=member, name=TEST_TOKEN, scopes=scopes)
        return {"Authorization": f"Bearer {made[member.pk]}"}

    return make


@pytest.fixture
def call(bearer: Callable[[Any], dict[str, str]]) -> Callable[..., Any]:
    """``call(method, path, body=None, as_member=None, raw=None)``: one API request through the test client.

    ``as_member`` sends that member's token; ``raw`` sends these bytes as the body instead of ``body`` as JSON.
    """

    def send(method: str, path: str, body: Any = None, *, as_member: Any = None, raw: bytes | None = None) -> Any:
        headers = bearer(as_member) if as_member is not None else {}
        data = raw if raw is not None else (json.dumps(body) if body is not None else "")
        response = Client().generic(method, path, data=data, content_type="application/json", headers=headers)
        return response

    return send


def row_counts() -> dict[str, Any]:
    """How many rows every table the API writes holds, and every idea's tallies."""
    from prosumo.activity.models import Event
    from prosumo.community.models import ApiToken, CustomerRecord, Member, Segment, TermsAcceptance
    from prosumo.ideas.models import (
        Amendment,
        Attachment,
        Campaign,
        CoAuthor,
        Comment,
        DismissedDuplicate,
        Flag,
        Follow,
        Idea,
        IdeaLineage,
        IdeaRevision,
        StageChange,
        Vote,
    )
    from prosumo.integrations.models import Webhook, WebhookDelivery
    from prosumo.notifications.models import Notification

    models = [
        Event,
        CustomerRecord,
        Member,
        Segment,
        Amendment,
        Attachment,
        Campaign,
        CoAuthor,
        Comment,
        DismissedDuplicate,
        Flag,
        Follow,
        Idea,
        IdeaLineage,
        IdeaRevision,
        StageChange,
        Vote,
        ApiToken,
        Webhook,
        WebhookDelivery,
        Notification,
        TermsAcceptance,
    ]
    counts = {m.__name__: m.objects.count() for m in models}
    counts["ApiToken"] = ApiToken.objects.exclude(name=TEST_TOKEN).count()
    # The middleware notes a signed-in member's first visit of the day, whatever the request does.
    counts["Event"] = Event.objects.exclude(verb__in=["member.visited", "idea.viewed"]).count()
    counts["revoked_tokens"] = ApiToken.objects.filter(revoked_at__isnull=False).count()
    counts["unread"] = Notification.objects.filter(read_at__isnull=True).count()
    for idea in Idea.objects.order_by("pk"):
        counts[f"idea {idea.pk}"] = (
            idea.stage,
            idea.title,
            idea.support_count,
            idea.up_count,
            idea.down_count,
            idea.score_sum,
            idea.score_count,
            idea.comment_count,
            idea.follower_count,
            idea.revision,
            idea.hidden,
        )
    return counts


@pytest.fixture
def unchanged(db: Any) -> Callable[[], Any]:
    """``with unchanged(): ...`` fails if the block wrote any row the API can write."""
    import contextlib

    @contextlib.contextmanager
    def block() -> Any:
        before = row_counts()
        yield
        assert row_counts() == before

    return block


def error(response: Any, status: int, code: str) -> dict[str, Any]:
    """Assert the response is the JSON error ``code`` with ``status``; return the body."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert body["code"] == code, body
    assert body["message"]
    return body
