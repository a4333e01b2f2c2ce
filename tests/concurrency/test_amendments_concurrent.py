"""Two accepts at once give one revision and one co-author (PostgreSQL)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from prosumo.activity.models import Event
from prosumo.core.errors import Conflict
from prosumo.ideas.models import Amendment, CoAuthor, Idea, IdeaRevision
from prosumo.ideas.services import amendment_accept, amendment_propose, campaign_create, idea_submit

BODY = "Pre-bent poles attached to the fabric so that the tent unfolds like an umbrella."


def _at_once(actions: list) -> list[str]:
    """Run the actions in threads released together; what each did: "ok" or the refusal's code."""
    start = threading.Barrier(len(actions))

    def run(action) -> str:
        try:
            start.wait(timeout=10)
            action()
            return "ok"
        except Conflict as exc:
            return exc.code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(actions)) as pool:
        return sorted(pool.map(run, actions))


@pytest.mark.postgres_only
def test_two_accepts_at_once_give_one_revision(transactional_db, make_member, admin):
    if connection.vendor != "postgresql":
        pytest.skip(
            f"needs PostgreSQL row locks; DATABASE_URL points at {connection.vendor} (make test-postgres runs it)"
        )
    # given an idea, one amendment to it, and a second amendment written against the same text
    campaign = campaign_create(actor=admin, title="Tents", brief="Make tents better.")
    author = make_member()
    idea = idea_submit(actor=author, campaign_id=campaign.pk, title="A self-pitching tent", body=BODY)
    first, second = (
        amendment_propose(actor=make_member(), idea_id=idea.pk, title=idea.title, body=f"{BODY}\n\nChange {n}.")
        for n in (1, 2)
    )
    # when the author's two tabs accept the first one at the same moment, and the second one too
    outcomes = _at_once(
        [
            lambda: amendment_accept(actor=author, amendment_id=first.pk),
            lambda: amendment_accept(actor=author, amendment_id=first.pk),
            lambda: amendment_accept(actor=author, amendment_id=second.pk),
        ]
    )
    # then exactly one accept went through; the other two saw it done (the same one) or the text moved on
    assert IdeaRevision.objects.filter(idea=idea).count() == 2
    assert Idea.objects.get(pk=idea.pk).revision == 2
    assert Amendment.objects.filter(status="accepted").count() == 1
    assert CoAuthor.objects.filter(idea=idea).count() == 1
    assert Event.objects.filter(verb="idea.amendment_accepted").count() == 1
    taken = Amendment.objects.get(status="accepted")
    assert Idea.objects.get(pk=idea.pk).body == taken.body
    if taken.pk == first.pk:
        assert outcomes == ["amendment_decided", "ok", "out_of_date"]
    else:
        assert outcomes == ["ok", "out_of_date", "out_of_date"]
