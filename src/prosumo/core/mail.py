"""Outgoing mail: queued in the transaction of what caused it, sent and retried by tasks.

Every email the site sends is first a row of `OutgoingMail`, written with
`mail_queue` inside the transaction of the change it tells about (an invitation, a
notification, a digest), so a mail is never lost between a commit and a task: if the
process dies after the commit, the row is there for the next worker.

`mail_deliver` sends rows. It claims up to `CLAIM_BATCH` due rows at a time with one
conditional UPDATE (status ``sending``, a random claim token, one more attempt, and
``next_attempt_at`` moved to when the claim lapses), sends each over one SMTP
connection, and records each outcome as soon as the server answers:

* accepted: ``sent``;
* refused for good (the recipient or the content refused with a 5xx, or a message
  that cannot be written): ``failed`` at once;
* anything else (server down, timeout, 4xx): ``pending`` again, ``backoff(attempts)``
  later; after `MAX_ATTEMPTS` tries, ``failed``.

One bad message never stops the others: its error is recorded on its own row and the
loop goes on. `retry_mail` (every minute, declared in `core/apps.py`) sends what is due and
takes back rows whose claim lapsed: a worker that died while sending. Such a row is
sent again, under the same Message-ID, so if the server had accepted it just before
the worker died the recipient gets a second copy that mail systems can recognise as
the same message (docs/operations.md, "Mail").
"""

from __future__ import annotations

import logging
import secrets
import smtplib
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import format_datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from prosumo.core import statements
from prosumo.core.models import OutgoingMail
from prosumo.core.validators import is_control

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
BASE_DELAY_SECONDS = 60
CLAIM_BATCH = 50
ERROR_MAX = 1000
SENT_FIELDS = ("status", "sent_at", "next_attempt_at", "claim")
Status = OutgoingMail.Status


def backoff(attempt: int) -> timedelta:
    """Wait after the ``attempt``-th failed try: 1 min x 2^(attempt-1).

    1, 2, 4, ... 256 minutes: the 10th and last try comes about 8.5 hours after the first.
    """
    return timedelta(seconds=BASE_DELAY_SECONDS * 2 ** (attempt - 1))


def one_line(text: str) -> str:
    """Text for a header: every run of whitespace and control characters becomes one space."""
    return " ".join("".join(" " if is_control(c) else c for c in text).split())


@dataclass(frozen=True)
class MailDraft:
    """An email to queue: `key` says what it is for (``invitation:12``); a key is queued once."""

    key: str
    kind: str
    to: str
    subject: str
    body: str
    headers: dict[str, str] = field(default_factory=dict)
    html_body: str = ""  # an HTML alternative to `body` (outreach's email arms); empty: text only
    send_after: datetime | None = None  # held back until then (a notification's collapse window); None: at once


def _message_id_domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def mail_queue(drafts: Sequence[MailDraft], *, send: bool = True) -> list[int]:
    """Write one row per draft whose key is new, in the caller's transaction; their ids, in order.

    With `send`, a `deliver_mail` task for the new rows is enqueued when the transaction
    commits; a caller that sends the rows itself (a batch job) passes ``send=False`` and
    calls `mail_deliver` after its commit.
    """
    if not drafts:
        return []
    known = set(OutgoingMail.objects.filter(key__in=[d.key for d in drafts]).values_list("key", flat=True))
    now = timezone.now()
    domain = _message_id_domain()
    rows = []
    for draft in drafts:
        if draft.key in known:
            continue
        known.add(draft.key)
        rows.append(
            OutgoingMail(
                key=draft.key,
                kind=draft.kind,
                to=draft.to,
                subject=one_line(draft.subject),
                body=draft.body,
                html_body=draft.html_body,
                # Fixed here, so every try sends the same message: the same Message-ID and Date.
                headers={**draft.headers, "Date": format_datetime(now)},
                message_id=f"<{draft.kind}.{secrets.token_hex(12)}@{domain}>",
                created_at=now,
                next_attempt_at=draft.send_after or now,
            )
        )
    ids = [row.pk for row in OutgoingMail.objects.bulk_create(rows)]
    if send and ids:
        from prosumo.core.tasks import deliver_mail

        transaction.on_commit(lambda: deliver_mail.enqueue(ids))
    return ids


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0

    def add(self, other: DeliveryReport) -> None:
        self.sent += other.sent
        self.retrying += other.retrying
        self.failed += other.failed


def _due(now: datetime) -> Q:
    # A row is due when it waits for its next try, or when a sender's claim on it has lapsed.
    return Q(status__in=[Status.PENDING, Status.SENDING], next_attempt_at__lte=now, attempts__lt=MAX_ATTEMPTS)


def _claim(candidates: QuerySet[OutgoingMail], now: datetime) -> tuple[str, list[OutgoingMail]]:
    """Take up to CLAIM_BATCH due rows for this sender with one conditional UPDATE."""
    token = secrets.token_hex(16)
    ids = list(
        candidates.filter(_due(now)).order_by("next_attempt_at", "id").values_list("pk", flat=True)[:CLAIM_BATCH]
    )
    if not ids:
        return token, []
    OutgoingMail.objects.filter(_due(now), pk__in=ids).update(
        status=Status.SENDING,
        claim=token,
        attempts=F("attempts") + 1,
        next_attempt_at=now + timedelta(seconds=settings.PROSUMO_MAIL_CLAIM_SECONDS),
    )
    return token, list(OutgoingMail.objects.filter(claim=token, status=Status.SENDING).order_by("id"))


def _permanent(exc: Exception) -> bool:
    """True when trying again cannot help: the server refused this recipient or this content for good."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPDataError):
        return exc.smtp_code >= 500
    return isinstance(exc, ValueError)  # a header or address that cannot be written (BadHeaderError)


def _describe(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:ERROR_MAX]


def _record_sent(row: OutgoingMail) -> None:
    # One UPDATE per message, as soon as the server said OK: the window in which a dead
    # worker leaves a delivered message looking unsent stays one message wide. A statement
    # written once (`core.statements`): compiling it per message cost as much as the rest
    # of the bookkeeping (bench/RESULTS.md, "Mail").
    row.status, row.sent_at, row.next_attempt_at, row.claim = Status.SENT, timezone.now(), None, ""
    statements.update(row, SENT_FIELDS)


def _record_failure(row: OutgoingMail, token: str, error: str, *, permanent: bool) -> str:
    """Put the row back for a later try, or give up on it; returns its new status."""
    if permanent or row.attempts >= MAX_ATTEMPTS:
        status, next_at = Status.FAILED, None
    else:
        status, next_at = Status.PENDING, timezone.now() + backoff(row.attempts)
    OutgoingMail.objects.filter(pk=row.pk, claim=token).update(
        status=status, next_attempt_at=next_at, claim="", last_error=error
    )
    logger.warning("mail %s to %s: %s (%s, try %d)", row.pk, row.to, error, status, row.attempts)
    return str(status)


def _email(row: OutgoingMail) -> EmailMessage:
    email = EmailMultiAlternatives(
        subject=row.subject,
        body=row.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[row.to],
        headers={**row.headers, "Message-ID": row.message_id},
    )
    if row.html_body:
        email.attach_alternative(row.html_body, "text/html")
    return email


def _open_connection() -> BaseEmailBackend:
    connection = get_connection(fail_silently=False)
    connection.open()
    return connection


def _close_quietly(connection: BaseEmailBackend | None) -> None:
    try:
        if connection is not None:
            connection.close()
    except Exception:  # noqa: S110 - closing a broken connection: nothing left to do
        pass


def _connection_lost(exc: Exception) -> bool:
    """True when the connection cannot carry the next message (a refusal leaves it usable)."""
    return isinstance(exc, smtplib.SMTPServerDisconnected) or (
        isinstance(exc, OSError) and not isinstance(exc, smtplib.SMTPException)
    )


def _send_claimed(rows: list[OutgoingMail], token: str) -> tuple[DeliveryReport, bool]:
    """Send claimed rows, one connection for all while it lasts; (report, whether the server was reached)."""
    report = DeliveryReport()

    def failed(row: OutgoingMail, error: str, *, permanent: bool) -> None:
        status = _record_failure(row, token, error, permanent=permanent)
        report.failed += status == Status.FAILED
        report.retrying += status == Status.PENDING

    connection: BaseEmailBackend | None = None
    try:
        for index, row in enumerate(rows):
            if connection is None:
                try:
                    connection = _open_connection()
                except Exception as exc:  # the server is down or refuses us: the rest waits for its next try
                    error = "could not connect to the mail server: " + _describe(exc)
                    for waiting in rows[index:]:
                        failed(waiting, error, permanent=False)
                    return report, False
            try:
                connection.send_messages([_email(row)])
            except Exception as exc:  # one bad message never stops the others
                failed(row, _describe(exc), permanent=_permanent(exc))
                if _connection_lost(exc):
                    _close_quietly(connection)
                    connection = None
                continue
            _record_sent(row)
            report.sent += 1
    finally:
        _close_quietly(connection)
    return report, True


def mail_deliver(*, ids: Iterable[int] | None = None, budget_seconds: float | None = None) -> DeliveryReport:
    """Send the due rows among `ids` (or every due row), claim by claim, until none is left.

    With `budget_seconds`, stop claiming once that much time has passed (the periodic
    retry leaves the rest to its next run). Stops early when the server cannot be
    reached: the claimed rows wait for their next try, the others keep theirs.
    """
    started = time.monotonic()
    candidates = OutgoingMail.objects.all() if ids is None else OutgoingMail.objects.filter(pk__in=list(ids))
    report = DeliveryReport()
    while budget_seconds is None or time.monotonic() - started < budget_seconds:
        token, rows = _claim(candidates, timezone.now())
        if not rows:
            break
        sent, reachable = _send_claimed(rows, token)
        report.add(sent)
        if not reachable:
            break
    return report


def mail_give_up_lapsed() -> int:
    """Fail the rows whose last allowed try was cut short (the worker died while sending it)."""
    return OutgoingMail.objects.filter(
        status=Status.SENDING, next_attempt_at__lte=timezone.now(), attempts__gte=MAX_ATTEMPTS
    ).update(
        status=Status.FAILED,
        next_attempt_at=None,
        claim="",
        last_error="The worker stopped while sending the last try; the message may or may not have arrived.",
    )


def mail_retry_now(*, ids: Iterable[int]) -> list[int]:
    """Staff sends failed or waiting mail again now, with a fresh count of tries; the ids queued."""
    with transaction.atomic():
        rows = OutgoingMail.objects.filter(pk__in=list(ids), status__in=[Status.FAILED, Status.PENDING])
        queued = list(rows.values_list("pk", flat=True))
        rows.update(status=Status.PENDING, attempts=0, next_attempt_at=timezone.now(), claim="")
        if queued:
            from prosumo.core.tasks import deliver_mail

            transaction.on_commit(lambda: deliver_mail.enqueue(queued))
    return queued


PRUNE_BATCH = 5000


def mail_prune() -> int:
    """Delete sent mail older than `PROSUMO_MAIL_KEEP_DAYS`, a batch at a time; failed mail stays for staff."""
    cutoff = timezone.now() - timedelta(days=settings.PROSUMO_MAIL_KEEP_DAYS)
    deleted = 0
    while True:
        ids = list(
            OutgoingMail.objects.filter(status=Status.SENT, sent_at__lt=cutoff).values_list("pk", flat=True)[
                :PRUNE_BATCH
            ]
        )
        if not ids:
            return deleted
        deleted += OutgoingMail.objects.filter(pk__in=ids).delete()[0]
