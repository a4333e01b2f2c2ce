from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.db import transaction
from django.test import Client
from django.utils import timezone

from prosumo.activity.models import Event
from prosumo.community.models import EmailPreference, Member
from prosumo.community.services import invitation_create
from prosumo.core.models import OutgoingMail
from prosumo.ideas.services import comment_post, idea_follow, idea_revise, stage_change
from prosumo.notifications import services
from prosumo.notifications.models import Notification
from prosumo.notifications.tasks import send_daily_digests
from tests.browser.smtp import send_to, smtp_server


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


def test_one_click_unsubscribe_works_without_a_session_or_csrf_token(member):
    # given a mail client that POSTs RFC 8058's body to the List-Unsubscribe address, with no cookies
    client = Client(enforce_csrf_checks=True)
    url = f"/notifications/unsubscribe/{member.unsubscribe_token}/"
    # when it asks to see the page, nothing changes
    page = client.get(url)
    assert page.status_code == 200
    assert "Stop emails" in page.content.decode()
    member.refresh_from_db()
    assert member.email_preference == EmailPreference.IMMEDIATE
    # when it posts the one-click body
    response = client.post(url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    # then the member is unsubscribed, and it is recorded
    assert response.status_code == 200
    member.refresh_from_db()
    assert member.email_preference == EmailPreference.NONE
    event = Event.objects.get(verb="member.unsubscribed")
    assert (event.actor_id, event.object_id, event.details) == (
        member.pk,
        member.pk,
        {"from": "immediate", "kinds": ["news", "outreach"]},
    )
    # and a second click changes nothing more
    assert (
        client.post(url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded").status_code
        == 200
    )
    assert Event.objects.filter(verb="member.unsubscribed").count() == 1


def test_unsubscribe_with_an_unknown_token_changes_nothing(member):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/notifications/unsubscribe/not-a-token/",
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 404
    assert set(Member.objects.values_list("email_preference", flat=True)) == {EmailPreference.IMMEDIATE}
    assert not Event.objects.filter(verb="member.unsubscribed").exists()


def test_every_notification_email_carries_the_one_click_headers(idea, reviewer, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        stage_change(actor=reviewer, idea_id=idea.pk, to_stage="under_review", message="We are on it, thank you.")
    [message] = mail.outbox
    url = f"{settings.SITE_URL}/notifications/unsubscribe/{idea.author.unsubscribe_token}/news/"
    assert message.extra_headers["List-Unsubscribe"] == f"<{url}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.extra_headers["Message-ID"] == OutgoingMail.objects.get(to=idea.author.email).message_id


def daily(member: Any) -> Any:
    member.email_preference = EmailPreference.DAILY
    member.save(update_fields=["email_preference"])
    return member


def test_a_digest_that_runs_days_late_misses_nothing(
    idea, reviewer, make_member, time_machine, django_capture_on_commit_callbacks
):
    # given a digest member told of a comment on Monday and of a stage change on Tuesday
    time_machine.move_to(datetime(2026, 11, 30, 9, tzinfo=UTC), tick=False)
    author = daily(idea.author)
    with django_capture_on_commit_callbacks(execute=True):
        comment_post(actor=make_member(), idea_id=idea.pk, body="First comment here")
    time_machine.move_to(datetime(2026, 12, 1, 9, tzinfo=UTC), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        stage_change(actor=reviewer, idea_id=idea.pk, to_stage="under_review", message="We are on it, thank you.")
    mail.outbox.clear()
    # when the digest runs four days later
    time_machine.move_to(datetime(2026, 12, 5, 9, tzinfo=UTC), tick=False)
    assert send_daily_digests.call() == 1
    # then both are in it, once
    [digest] = mail.outbox
    assert digest.subject == "[Prosumo] 2 updates on ideas you follow"
    assert "commented on" in digest.body
    assert "is now: Under review" in digest.body
    assert set(Notification.objects.filter(recipient=author).values_list("digest_pending", flat=True)) == {False}
    assert Notification.objects.filter(recipient=author, emailed_at__isnull=True).count() == 0
    assert send_daily_digests.call() == 0
    assert len(mail.outbox) == 1


def test_the_digest_pages_through_members_and_mails_each_notification_once(
    idea, make_member, monkeypatch, django_capture_on_commit_callbacks
):
    # given 8 digest members following an idea, one of whom reads in the app and one who turns email off,
    # and batches of 3 members
    monkeypatch.setattr(services, "DIGEST_BATCH", 3)
    followers = [daily(make_member()) for _ in range(8)]
    for follower in followers:
        idea_follow(actor=follower, idea_id=idea.pk)
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(2):
            idea_revise(actor=idea.author, idea_id=idea.pk, title=idea.title, body=f"{idea.body} Revision {n}.")
    reader, quitter = followers[0], followers[1]
    Notification.objects.filter(recipient=reader).update(read_at=timezone.now())
    quitter.email_preference = EmailPreference.NONE
    quitter.save(update_fields=["email_preference"])
    mail.outbox.clear()
    # when the digest runs
    report = services.digests_send()
    # then the 6 others got one digest each with both revisions, in 3 batches of at most 3 mails
    assert (report.digests, report.batches, report.most_mail_in_flight) == (6, 3, 3)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(f.email for f in followers[2:])
    assert {m.subject for m in mail.outbox} == {"[Prosumo] 2 updates on ideas you follow"}
    # and nothing waits any more; only what was mailed is marked so
    assert not Notification.objects.filter(digest_pending=True).exists()
    assert set(Notification.objects.filter(emailed_at__isnull=False).values_list("recipient_id", flat=True)) == {
        f.pk for f in followers[2:]
    }
    # and a second run mails nobody
    assert services.digests_send().digests == 0
    assert len(mail.outbox) == 6


def test_a_name_stored_with_a_line_break_does_not_stop_the_mail(
    settings, idea, make_member, django_capture_on_commit_callbacks
):
    # given a name written before the rule existed, and three members to tell
    commenter = make_member()
    Member.objects.filter(pk=commenter.pk).update(display_name="Ana\r\nBcc: everyone@example.org")
    followers = [make_member() for _ in range(2)]
    for follower in followers:
        idea_follow(actor=follower, idea_id=idea.pk)
    with smtp_server() as box:
        send_to(settings, box)
        # when that member comments
        with django_capture_on_commit_callbacks(execute=True):
            comment_post(actor=Member.objects.get(pk=commenter.pk), idea_id=idea.pk, body="Lighter poles?")
    # then the author and both followers got the email, its subject on one line and no header added
    received = box.received()
    assert sorted(str(m["To"]) for m in received) == sorted([idea.author.email, *(f.email for f in followers)])
    for message in received:
        assert message["Subject"].strip() == f"[Prosumo] Ana Bcc: everyone@example.org commented on “{idea.title}”"
        assert message["Bcc"] is None
    assert set(OutgoingMail.objects.values_list("status", flat=True)) == {"sent"}


def invite_then_fail(admin: Any) -> None:
    with transaction.atomic():
        invitation_create(actor=admin, email="lost@example.org")
        raise RuntimeError("the page failed after inviting")


def test_an_invitation_is_queued_with_the_invitation_and_sent_after_commit(admin, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with pytest.raises(RuntimeError):
        invite_then_fail(admin)
    assert OutgoingMail.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invitation_create(actor=admin, email="friend@example.org")
    row = OutgoingMail.objects.get()
    assert (row.key, row.kind, row.to, row.status) == (
        f"invitation:{invitation.pk}",
        "invitation",
        "friend@example.org",
        "sent",
    )
    [message] = mail.outbox
    assert message.subject == "You are invited to Prosumo"
    assert f"/invite/{invitation.token}/" in message.body


def test_a_long_digest_lists_the_first_items_and_counts_the_rest(
    idea, reviewer, make_member, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(services, "DIGEST_ITEMS_SHOWN", 1)
    daily(idea.author)
    with django_capture_on_commit_callbacks(execute=True):
        comment_post(actor=make_member(), idea_id=idea.pk, body="First comment here")
        comment_post(actor=make_member(), idea_id=idea.pk, body="Second comment here")
        stage_change(actor=reviewer, idea_id=idea.pk, to_stage="under_review", message="We are on it, thank you.")
    mail.outbox.clear()
    assert send_daily_digests.call() == 1
    [digest] = mail.outbox
    assert digest.subject == "[Prosumo] 3 updates on ideas you follow"
    assert digest.body.count(f"{settings.SITE_URL}/ideas/{idea.pk}/") == 1
    assert f"And 2 more: {settings.SITE_URL}/notifications/" in digest.body
    assert Notification.objects.filter(recipient=idea.author, emailed_at__isnull=True).count() == 0
