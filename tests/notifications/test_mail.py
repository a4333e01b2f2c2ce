from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from prosumo.community.models import EmailPreference
from prosumo.ideas.services import comment_post, stage_change
from prosumo.notifications.models import Notification
from prosumo.notifications.tasks import send_daily_digests


def test_digest_members_get_one_email_a_day(idea, reviewer, make_member, django_capture_on_commit_callbacks):
    author = idea.author
    author.email_preference = EmailPreference.DAILY
    author.save(update_fields=["email_preference"])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        comment_post(actor=make_member(), idea_id=idea.pk, body="First comment here")
        stage_change(actor=reviewer, idea_id=idea.pk, to_stage="under_review", message="We are on it, thank you.")
    assert [m for m in mail.outbox if author.email in m.to] == []
    assert send_daily_digests.call() == 1
    digest = [m for m in mail.outbox if author.email in m.to]
    assert len(digest) == 1
    assert "2 updates" in digest[0].subject
    assert send_daily_digests.call() == 0


def test_one_click_unsubscribe_stops_mail(idea, reviewer, django_capture_on_commit_callbacks):
    author = idea.author
    client = Client()
    assert client.get(f"/notifications/unsubscribe/{author.unsubscribe_token}/").status_code == 200
    assert client.post(f"/notifications/unsubscribe/{author.unsubscribe_token}/").status_code == 200
    author.refresh_from_db()
    assert author.email_preference == EmailPreference.NONE
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        stage_change(actor=reviewer, idea_id=idea.pk, to_stage="under_review", message="We are on it, thank you.")
    assert mail.outbox == []
    assert Notification.objects.filter(recipient=author).exists()  # still told in the app
    assert client.post("/notifications/unsubscribe/not-a-token/").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_database_queue_runs_in_the_worker(idea, reviewer, settings, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult
    from typer.testing import CliRunner

    from prosumo.cli import app

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        stage_change(actor=reviewer, idea_id=idea.pk, to_stage="under_review", message="We are on it, thank you.")
    assert mail.outbox == []  # queued, not sent in the request
    assert DBTaskResult.objects.filter(status="READY").exists()
    result = CliRunner().invoke(app, ["worker", "--batch", "--no-schedule"])
    assert result.exit_code == 0, result.output
    assert [m.to for m in mail.outbox] == [[idea.author.email]]
    assert not DBTaskResult.objects.filter(status="READY").exists()
