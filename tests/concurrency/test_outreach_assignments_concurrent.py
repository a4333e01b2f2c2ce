"""A member given an arm from many threads at once gets exactly one (PostgreSQL)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from prosumo.activity.models import Event
from prosumo.community.models import Member, Segment
from prosumo.outreach import services
from prosumo.outreach.models import Assignment


@pytest.mark.postgres_only
def test_parallel_assignments_give_each_member_one_arm(transactional_db, make_member, admin):
    if connection.vendor != "postgresql":
        pytest.skip(f"needs PostgreSQL; DATABASE_URL points at {connection.vendor} (make test-postgres runs it)")
    # given a running experiment of two arms for a segment of three members
    gold = Segment.objects.create(name="Gold", slug="gold")
    brief = services.brief_open(
        actor=admin,
        title="T",
        product="P",
        deadline=timezone.now() + timedelta(days=3),
        channels=["email"],
        languages=["en"],
    )
    first = services.message_propose(actor=admin, brief_id=brief.pk, text="First message", company=True)
    second = services.message_propose(actor=admin, brief_id=brief.pk, text="Second message", company=True)
    channel = services.channel_create(actor=admin, name="newsletter", kind="email")
    experiment = services.experiment_create(
        actor=admin, name="Race", arms=[(first.pk, channel.pk), (second.pk, channel.pk)], segment_id=gold.pk
    )
    services.experiment_start(actor=admin, experiment_id=experiment.pk)  # nobody in the segment yet
    members = [make_member() for _ in range(3)]
    Member.objects.filter(pk__in=[m.pk for m in members]).update(segment=gold)

    def assign(n: int) -> int:
        try:
            return services.assignment_make(experiment_id=experiment.pk, member_id=members[n % 3].pk).arm_id
        finally:
            connections.close_all()

    # when each member is assigned eight times at once from 24 threads
    with ThreadPoolExecutor(max_workers=8) as pool:
        arms = list(pool.map(assign, range(24)))
    # then each member has one assignment, every thread got that one arm, and one event was written per member
    rows = {a.member_id: a.arm_id for a in Assignment.objects.filter(experiment=experiment)}
    assert sorted(rows) == sorted(m.pk for m in members)
    assert arms == [rows[members[n % 3].pk] for n in range(24)]
    assert Event.objects.filter(verb="message.assigned").count() == 3
