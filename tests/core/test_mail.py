"""Outgoing mail through a real SMTP server: sent once, isolated per message, retried with backoff, seen by staff."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from prosumo.core import mail as outgoing
from prosumo.core.mail import MAX_ATTEMPTS, MailDraft, backoff, mail_deliver, mail_queue
from prosumo.core.models import OutgoingMail
from prosumo.core.tasks import prune_mail, retry_mail
from tests.browser.smtp import Mailbox, free_port, send_to, smtp_server

START = datetime(2026, 11, 30, 12, tzinfo=UTC)


@pytest.fixture
def clock(time_machine: Any, db: Any) -> Any:
    time_machine.move_to(START, tick=False)
    return time_machine


@pytest.fixture
def smtp(settings: Any, db: Any) -> Iterator[Mailbox]:
    with smtp_server() as box:
        send_to(settings, box)
        yield box


def draft(n: int, **fields: Any) -> MailDraft:
    values = {"key": f"test:{n}", "kind": "test", "to": f"person{n}@example.org", "subject": f"Hello {n}"}
    values.update(fields)
    return MailDraft(body=f"Body {n}\n", **values)


def queue(*drafts: MailDraft) -> list[int]:
    with transaction.atomic():
        return mail_queue(list(drafts), send=False)


def statuses() -> dict[str, tuple[str, int]]:
    return {m.to: (m.status, m.attempts) for m in OutgoingMail.objects.all()}


def test_queued_mail_is_sent_after_commit_once_under_its_message_id(smtp, django_capture_on_commit_callbacks):
    # given a mail queued in a transaction
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        ids = mail_queue([draft(1, headers={"List-Unsubscribe": "<https://example.org/u/1/>"})])
        assert smtp.received() == []  # nothing leaves before the commit
    # then the server received it once, under the row's Message-ID and headers
    row = OutgoingMail.objects.get(pk=ids[0])
    [message] = smtp.received()
    assert message["Message-ID"] == row.message_id
    assert (message["To"], message["Subject"], message["List-Unsubscribe"]) == (
        "person1@example.org",
        "Hello 1",
        "<https://example.org/u/1/>",
    )
    assert (row.status, row.attempts, row.claim, row.next_attempt_at) == ("sent", 1, "", None)
    assert row.sent_at is not None
    # and queuing the same key again, or delivering again, sends nothing
    assert queue(draft(1)) == []
    assert mail_deliver(ids=ids).sent == 0
    assert len(smtp.received()) == 1
    assert OutgoingMail.objects.count() == 1


def queue_then_fail() -> None:
    with transaction.atomic():
        mail_queue([draft(1)])
        raise RuntimeError("the change failed")


def test_a_rolled_back_change_queues_no_mail(db):
    with pytest.raises(RuntimeError):
        queue_then_fail()
    assert OutgoingMail.objects.count() == 0


def test_one_bad_message_never_stops_the_others(settings, db):
    # given a server that refuses one recipient for good, and a message whose address cannot be written
    with smtp_server(refused={"gone@example.org"}) as smtp:
        send_to(settings, smtp)
        queue(draft(1), draft(2, to="gone@example.org"), draft(3, to="bad\n@example.org"), draft(4))
        # when they are delivered
        report = mail_deliver()
    # then the two good ones arrived and the other two failed, each with its own error
    assert sorted(str(m["To"]) for m in smtp.received()) == ["person1@example.org", "person4@example.org"]
    assert (report.sent, report.failed, report.retrying) == (2, 2, 0)
    assert statuses() == {
        "person1@example.org": ("sent", 1),
        "gone@example.org": ("failed", 1),
        "bad\n@example.org": ("failed", 1),
        "person4@example.org": ("sent", 1),
    }
    assert OutgoingMail.objects.get(to="gone@example.org").last_error.startswith("SMTPRecipientsRefused: ")
    assert "550" in OutgoingMail.objects.get(to="gone@example.org").last_error
    assert OutgoingMail.objects.get(to="bad\n@example.org").last_error.startswith("ValueError: ")


def test_a_subject_with_line_breaks_is_sent_on_one_line(smtp):
    queue(draft(1, subject="Ana\r\nBcc: everyone@example.org commented"))
    mail_deliver()
    [message] = smtp.received()
    assert message["Subject"] == "Ana Bcc: everyone@example.org commented"
    assert message["Bcc"] is None


def test_mail_waits_while_the_server_is_down_and_goes_when_it_is_back(settings, clock):
    # given two mails and no server listening
    port = free_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 5
    queue(draft(1), draft(2))
    # when they are tried
    report = mail_deliver()
    # then both wait a minute for the next try, with the reason
    assert (report.sent, report.retrying) == (0, 2)
    assert statuses() == {"person1@example.org": ("pending", 1), "person2@example.org": ("pending", 1)}
    for row in OutgoingMail.objects.all():
        assert row.next_attempt_at == START + timedelta(minutes=1)
        assert row.last_error.startswith("could not connect to the mail server: ")
    # and a retry before then tries nothing
    assert retry_mail.call() == 0
    assert set(OutgoingMail.objects.values_list("attempts", flat=True)) == {1}
    # when the server is back and the minute has passed
    with smtp_server(port=port) as smtp:
        clock.shift(timedelta(minutes=1))
        sent = retry_mail.call()
    # then both went, on their second try
    assert sent == 2
    assert sorted(str(m["To"]) for m in smtp.received()) == ["person1@example.org", "person2@example.org"]
    assert statuses() == {"person1@example.org": ("sent", 2), "person2@example.org": ("sent", 2)}


def test_backoff_doubles_from_a_minute() -> None:
    assert [backoff(n) for n in (1, 2, 3, 9)] == [timedelta(minutes=m) for m in (1, 2, 4, 256)]


def test_after_the_last_try_the_mail_fails_and_staff_can_send_it_again(settings, clock, admin, client):
    # given a mail and a server that stays down through every try
    port = free_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 5
    [mail_id] = queue(draft(1))
    for attempt in range(1, MAX_ATTEMPTS + 1):
        mail_deliver()
        row = OutgoingMail.objects.get()
        assert row.attempts == attempt
        if attempt < MAX_ATTEMPTS:
            assert (row.status, row.next_attempt_at) == ("pending", timezone.now() + backoff(attempt))
            clock.shift(backoff(attempt))
    # then it has failed, with the error and no next try
    row = OutgoingMail.objects.get()
    assert (row.status, row.attempts, row.next_attempt_at) == ("failed", MAX_ATTEMPTS, None)
    assert retry_mail.call() == 0
    # and staff see it in the admin, with the error
    client.force_login(admin)
    page = client.get("/admin/core/outgoingmail/?status__exact=failed").content.decode()
    assert "person1@example.org" in page
    assert "could not connect to the mail server" in page
    # when the server is back and staff send it again
    response = client.post(
        "/admin/core/outgoingmail/", {"action": "send_again", "_selected_action": [mail_id]}, follow=True
    )
    assert response.status_code == 200
    assert "Queued again: 1." in response.content.decode()
    assert statuses() == {"person1@example.org": ("pending", 0)}
    with smtp_server(port=port) as smtp:
        assert retry_mail.call() == 1
    # then it went, on a fresh count of tries
    assert [str(m["To"]) for m in smtp.received()] == ["person1@example.org"]
    assert statuses() == {"person1@example.org": ("sent", 1)}


def test_a_mail_whose_sender_died_is_sent_again_under_the_same_message_id(settings, clock, smtp):
    # given a mail claimed by a worker that then died (its claim is never released)
    settings.PROSUMO_MAIL_CLAIM_SECONDS = 600
    queue(draft(1))
    _, claimed = outgoing._claim(OutgoingMail.objects.all(), timezone.now())
    assert [(m.status, m.attempts) for m in claimed] == [("sending", 1)]
    # when the retry runs before the claim lapses, nothing is sent
    assert retry_mail.call() == 0
    assert smtp.received() == []
    # when it runs after the claim lapsed
    clock.shift(timedelta(seconds=600))
    assert retry_mail.call() == 1
    # then the mail went once, under the Message-ID it was queued with
    row = OutgoingMail.objects.get()
    assert [m["Message-ID"] for m in smtp.received()] == [row.message_id]
    assert (row.status, row.attempts, row.claim) == ("sent", 2, "")


def test_a_mail_cut_short_on_its_last_try_fails_with_a_warning(settings, clock, smtp):
    queue(draft(1))
    OutgoingMail.objects.update(attempts=MAX_ATTEMPTS - 1)
    outgoing._claim(OutgoingMail.objects.all(), timezone.now())
    clock.shift(timedelta(seconds=settings.PROSUMO_MAIL_CLAIM_SECONDS))
    assert retry_mail.call() == 0
    row = OutgoingMail.objects.get()
    assert (row.status, row.attempts, row.next_attempt_at) == ("failed", MAX_ATTEMPTS, None)
    assert row.last_error.startswith("The worker stopped while sending the last try")
    assert smtp.received() == []


def test_sent_mail_is_pruned_after_the_days_it_is_kept_and_failed_mail_stays(settings, clock, smtp):
    settings.PROSUMO_MAIL_KEEP_DAYS = 30
    queue(draft(1), draft(2, to="gone@example.org"))
    smtp.refused.add("gone@example.org")
    mail_deliver()
    queue(draft(3))
    clock.shift(timedelta(days=30))
    mail_deliver()  # the third is sent thirty days after the first
    assert prune_mail.call() == 0  # the first is exactly 30 days old: kept
    clock.shift(timedelta(seconds=1))
    assert prune_mail.call() == 1
    assert statuses() == {"gone@example.org": ("failed", 1), "person3@example.org": ("sent", 1)}
