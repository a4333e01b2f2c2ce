"""Appends to the proof log from many threads at once never repeat or skip an index (PostgreSQL)."""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from prosumo.ideas.services import comment_post, idea_submit
from prosumo.provenance.models import LogEntry, LogState
from prosumo.provenance.services import entry_append


@pytest.mark.postgres_only
def test_parallel_appends_take_each_index_once_on_postgresql(transactional_db, make_member, make_campaign):
    if connection.vendor != "postgresql":
        pytest.skip(
            f"needs PostgreSQL row locks; DATABASE_URL points at {connection.vendor} (make test-postgres runs it)"
        )
    # given 24 comments on an idea, none logged yet
    member = make_member()
    campaign = make_campaign()
    idea = idea_submit(actor=member, campaign_id=campaign.pk, title="Logged from many threads", body="Body " * 5)
    comments = [comment_post(actor=member, idea_id=idea.pk, body=f"Comment {n}").pk for n in range(24)]
    LogEntry.objects.all().delete()
    LogState.objects.all().delete()

    def append_all(seed: int) -> list[int]:
        order = comments[:]
        random.Random(seed).shuffle(order)
        try:
            return [entry_append(kind="comment", object_id=pk).index for pk in order]
        finally:
            connections.close_all()

    # when 8 threads log all of them at once, each in its own order
    with ThreadPoolExecutor(max_workers=8) as pool:
        seen = list(pool.map(append_all, range(8)))
    # then each comment has one entry, the indexes run 0..23 with no gap or repeat,
    # and every thread was told the same index for the same comment
    rows = list(LogEntry.objects.order_by("index").values_list("index", "object_id"))
    assert [index for index, _ in rows] == list(range(24))
    assert sorted(pk for _, pk in rows) == sorted(comments)
    assert LogState.objects.get().size == 24
    assert all(sorted(indexes) == list(range(24)) for indexes in seen)
