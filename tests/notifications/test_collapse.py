"""Quick stage moves of one idea send one email per follower: the collapse window of the notification task."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from django.core import mail

from prosumo.core.models import OutgoingMail
from prosumo.core.tasks import retry_mail
from prosumo.ideas.services import comment_post, stage_change
from prosumo.notifications.models import Notification

START = datetime(2026, 11, 30, 12, tzinfo=UTC)


def test_five_quick_moves_send_one_email_saying_where_the_idea_stands(
    settings: Any, time_machine: Any, idea: Any, reviewer: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # given a two-minute collapse window
    settings.PROSUMO_NOTIFICATION_COLLAPSE_SECONDS = 120
    time_machine.move_to(START, tick=False)
    mail.outbox.clear()
    # when a reviewer moves the idea five times within a minute
    for n, stage in enumerate(["under_review", "open", "under_review", "accepted", "in_development"]):
        time_machine.move_to(START + timedelta(seconds=12 * n), tick=False)
        with django_capture_on_commit_callbacks(execute=True):
            stage_change(actor=reviewer, idea_id=idea.pk, to_stage=stage, message=f"Move number {n + 1} of five.")
    # then the author has five notifications in the app, and no email yet
    assert Notification.objects.filter(recipient=idea.author, verb="idea.stage_changed").count() == 5
    assert mail.outbox == []
    waiting = OutgoingMail.objects.get(to=idea.author.email)
    assert waiting.next_attempt_at == START + timedelta(seconds=120)
    # when the window has passed and the periodic retry runs
    time_machine.move_to(START + timedelta(seconds=121), tick=False)
    retry_mail.call()
    # then one email went, telling the last move
    assert [m.to for m in mail.outbox] == [[idea.author.email]]
    assert mail.outbox[0].subject.endswith(f"“{idea.title}” is now: In development")
    assert "Move number 5 of five." in mail.outbox[0].body
    assert "Move number 4" not in mail.outbox[0].body


def test_a_move_after_the_window_sends_its_own_email(
    settings: Any, time_machine: Any, idea: Any, reviewer: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.PROSUMO_NOTIFICATION_COLLAPSE_SECONDS = 120
    time_machine.move_to(START, tick=False)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        stage_change(actor=reviewer, idea_id=idea.pk, to_stage="under_review", message="First look at it.")
    time_machine.move_to(START + timedelta(seconds=121), tick=False)
    retry_mail.call()
    # when the next move comes after the first email went
    with django_capture_on_commit_callbacks(execute=True):
        stage_change(actor=reviewer, idea_id=idea.pk, to_stage="accepted", message="We will build it.")
    time_machine.move_to(START + timedelta(seconds=242), tick=False)
    retry_mail.call()
    # then each move had its own email
    assert [m.subject.rsplit(": ", 1)[1] for m in mail.outbox] == ["Under review", "Accepted"]


def test_other_news_is_not_held_back(
    settings: Any, idea: Any, make_member: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # given the window, a comment on the idea still reaches its author at once
    settings.PROSUMO_NOTIFICATION_COLLAPSE_SECONDS = 120
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        comment_post(actor=make_member(), idea_id=idea.pk, body="Love the umbrella trick.")
    assert [m.to for m in mail.outbox] == [[idea.author.email]]
