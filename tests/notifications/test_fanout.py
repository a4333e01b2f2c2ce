"""Notifications fan out in a task: the request writes one row, the task tells everyone once, in batches."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from prosumo.community.models import EmailPreference, Member
from prosumo.core.models import OutgoingMail
from prosumo.ideas.models import Follow, Vote
from prosumo.ideas.services import comment_post, stage_change
from prosumo.notifications import services
from prosumo.notifications.models import Fanout, Notification
from prosumo.notifications.tasks import fan_out, resume_fan_outs


def crowd(idea: Any, count: int, *, prefix: str, preference: str = EmailPreference.IMMEDIATE) -> list[Member]:
    """`count` members who follow the idea and support it (written directly: this is the test's setting)."""
    members = Member.objects.bulk_create(
        [
            Member(email=f"{prefix}{n}@example.org", display_name=f"{prefix} {n}", email_preference=preference)
            for n in range(count)
        ]
    )
    Follow.objects.bulk_create([Follow(idea=idea, member=m) for m in members])
    Vote.objects.bulk_create([Vote(idea=idea, member=m, value=1) for m in members[: count // 2]])
    return members


def queries_of_a_stage_change(idea: Any, reviewer: Any) -> int:
    with CaptureQueriesContext(connection) as captured:
        stage_change(actor=reviewer, idea_id=idea.pk, to_stage="under_review", message="We are looking at it.")
    return len(captured.captured_queries)


def test_a_stage_change_costs_the_request_the_same_for_3_or_300_involved(make_idea, member, reviewer):
    # given two ideas, one with 3 followers and one with 300
    few, many = make_idea(member), make_idea(member)
    crowd(few, 3, prefix="few")
    crowd(many, 300, prefix="many")
    # when each is moved (the fan-out task would run after the commit, which these requests never reach)
    counted = queries_of_a_stage_change(few, reviewer), queries_of_a_stage_change(many, reviewer)
    # then both cost the same queries, and no notification was written in the request
    assert counted[0] == counted[1]
    assert Notification.objects.filter(verb="idea.stage_changed").count() == 0
    assert list(Fanout.objects.order_by("pk").values_list("audience", "audience_id", "exclude_id", "finished_at")) == [
        ("idea.involved", few.pk, reviewer.pk, None),
        ("idea.involved", many.pk, reviewer.pk, None),
    ]


def test_the_task_tells_everyone_once_in_batches_and_twice_changes_nothing(
    idea, reviewer, monkeypatch, django_capture_on_commit_callbacks
):
    # given 20 involved members, 5 of whom take the daily digest and 3 no email, and batches of 7
    monkeypatch.setattr(services, "FANOUT_BATCH", 7)
    immediate = crowd(idea, 12, prefix="now")
    daily = crowd(idea, 5, prefix="daily", preference=EmailPreference.DAILY)
    silent = crowd(idea, 3, prefix="silent", preference=EmailPreference.NONE)
    mail.outbox.clear()
    # when the idea is moved and the task runs after the commit
    with django_capture_on_commit_callbacks(execute=True):
        stage_change(actor=reviewer, idea_id=idea.pk, to_stage="under_review", message="We are looking at it.")
    # then the author and the 20 are told once each, in 4 batches
    fanout = Fanout.objects.get()
    told = list(Notification.objects.filter(fanout=fanout).values_list("recipient_id", flat=True))
    assert sorted(told) == sorted([idea.author_id, *(m.pk for m in immediate + daily + silent)])
    assert fanout.finished_at is not None
    assert fanout.done_through == max(told)
    # and only those who want email at once got one; the digest members' wait for their digest
    assert sorted(m.to[0] for m in mail.outbox) == sorted([idea.author.email, *(m.email for m in immediate)])
    assert set(Notification.objects.filter(digest_pending=True).values_list("recipient_id", flat=True)) == {
        m.pk for m in daily
    }
    # when the task runs again, even from the start
    Fanout.objects.filter(pk=fanout.pk).update(done_through=0, finished_at=None)
    written = fan_out.call(fanout.pk)
    # then nobody is told twice
    assert written == 0
    assert Notification.objects.filter(fanout=fanout).count() == 21
    assert len(mail.outbox) == 13
    assert OutgoingMail.objects.filter(kind="notification").count() == 13


def test_a_finished_fan_out_is_left_alone(idea, make_member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        comment_post(actor=make_member(), idea_id=idea.pk, body="Could it fold smaller?")
    fanout = Fanout.objects.get()
    before = list(Notification.objects.values_list("pk", "recipient_id"))
    assert fan_out.call(fanout.pk) == 0
    assert list(Notification.objects.values_list("pk", "recipient_id")) == before == [(before[0][0], idea.author_id)]


def test_notify_refuses_an_unknown_audience(db):
    with pytest.raises(ValueError, match=r"unknown audience 'idea\.everyone'"):
        services.notify(audience=("idea.everyone", 1), verb="x", title={"key": "idea.revised", "values": {}})
    assert Fanout.objects.count() == 0


def test_a_fan_out_whose_task_never_finished_is_resumed(idea, reviewer, monkeypatch, time_machine):
    # given a stage change whose fan-out task died after its first batch of 3
    time_machine.move_to(datetime(2026, 11, 30, 12, tzinfo=UTC), tick=False)
    monkeypatch.setattr(services, "FANOUT_BATCH", 3)
    members = crowd(idea, 7, prefix="told")
    stage_change(actor=reviewer, idea_id=idea.pk, to_stage="under_review", message="We are looking at it.")
    fanout = Fanout.objects.get()
    assert services._fanout_batch(fanout.pk)[1] == 3
    # when the periodic resume runs before five minutes have passed, it leaves it to its task
    time_machine.shift(timedelta(minutes=4))
    assert resume_fan_outs.call() == 0
    # and after, it finishes the job
    time_machine.shift(timedelta(minutes=1))
    assert resume_fan_outs.call() == 5
    told = sorted(Notification.objects.filter(fanout=fanout).values_list("recipient_id", flat=True))
    assert told == sorted([idea.author_id, *(m.pk for m in members)])
    fanout.refresh_from_db()
    assert fanout.finished_at is not None
    assert resume_fan_outs.call() == 0
