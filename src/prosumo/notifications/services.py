"""Telling members what happened: in-app notifications, and email through a task."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from prosumo.community.models import EmailPreference, Member
from prosumo.core.phrases import english
from prosumo.notifications.models import Notification


def notify(
    *,
    recipient_ids: Iterable[int],
    verb: str,
    title: Mapping[str, Any],
    body: str | Mapping[str, Any] = "",
    url: str = "",
    event_id: int | None = None,
    exclude_id: int | None = None,
) -> list[Notification]:
    """Create one notification per recipient (once each) and queue immediate emails after commit.

    `title` is a phrase (`prosumo.core.phrases.phrase`), worded in each recipient's
    language when shown; `body` is a member's or staff's own text, or a phrase too.
    """
    ids = {i for i in recipient_ids if i is not None and i != exclude_id}
    if not ids:
        return []
    now = timezone.now()
    recipients = list(Member.objects.filter(pk__in=ids, is_active=True).only("pk", "email_preference"))
    body_phrase = body if isinstance(body, Mapping) else {}
    fields = {
        "verb": verb,
        "title": english(title)[:200],
        "title_phrase": dict(title),
        "body": english(body_phrase) if body_phrase else str(body),
        "body_phrase": dict(body_phrase),
        "url": url,
        "event_id": event_id,
        "created_at": now,
    }
    created = Notification.objects.bulk_create([Notification(recipient_id=m.pk, **fields) for m in recipients])
    immediate = [
        n.pk for n, m in zip(created, recipients, strict=True) if m.email_preference == EmailPreference.IMMEDIATE
    ]
    if immediate:
        from prosumo.notifications.tasks import send_notification_emails

        transaction.on_commit(lambda: send_notification_emails.enqueue(immediate))
    return created


def notifications_mark_read(*, member: Member, ids: list[int] | None = None) -> int:
    qs = Notification.objects.filter(recipient=member, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())


def member_unsubscribe(*, token: str) -> Member | None:
    member = Member.objects.filter(unsubscribe_token=token).first()
    if member is None:
        return None
    member.email_preference = EmailPreference.NONE
    member.save(update_fields=["email_preference"])
    return member
