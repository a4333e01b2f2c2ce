"""Mail goes out from tasks, never inside a request."""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext
from django_tasks import task

from prosumo.community.models import EmailPreference, Invitation, Member
from prosumo.notifications.models import Notification


def _unsubscribe_url(member: Member) -> str:
    return f"{settings.SITE_URL}/notifications/unsubscribe/{member.unsubscribe_token}/"


def _message(
    member: Member, subject: Callable[[], str], template: str, context: dict[str, object]
) -> EmailMultiAlternatives:
    """An email in the member's language: `subject` is called, and the body rendered, in it."""
    unsubscribe = _unsubscribe_url(member)
    with translation.override(member.locale or settings.LANGUAGE_CODE):
        body = render_to_string(
            template, {**context, "member": member, "unsubscribe_url": unsubscribe, "site_url": settings.SITE_URL}
        )
        subject_text = f"[{settings.SITE_NAME}] {subject()}"
    return EmailMultiAlternatives(
        subject=subject_text,
        body=body,
        to=[member.email],
        headers={"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )


@task()
def send_notification_emails(notification_ids: list[int]) -> int:
    """Email each notification not emailed yet, to members who want immediate mail. Idempotent."""
    sent = 0
    pending = Notification.objects.filter(
        pk__in=notification_ids, emailed_at__isnull=True, recipient__email_preference=EmailPreference.IMMEDIATE
    ).select_related("recipient")
    with get_connection() as connection:
        for notification in pending:
            message = _message(
                notification.recipient,
                functools.partial(lambda n: n.display_title, notification),
                "notifications/email/notification.txt",
                {"notification": notification},
            )
            message.connection = connection
            message.send()
            Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
            sent += 1
    return sent


def _digest_subject(count: int) -> str:
    return ngettext("%(count)d update on ideas you follow", "%(count)d updates on ideas you follow", count) % {
        "count": count
    }


@task()
def send_daily_digests() -> int:
    """One email per digest member with what they have not been emailed in the last day."""
    since = timezone.now() - timedelta(days=1)
    pending = (
        Notification.objects.filter(
            emailed_at__isnull=True,
            read_at__isnull=True,
            created_at__gte=since,
            recipient__email_preference=EmailPreference.DAILY,
        )
        .select_related("recipient")
        .order_by("recipient_id", "created_at")
    )
    grouped: dict[int, list[Notification]] = defaultdict(list)
    for n in pending:
        grouped[n.recipient_id].append(n)
    with get_connection() as connection:
        for items in grouped.values():
            member = items[0].recipient
            message = _message(
                member,
                functools.partial(_digest_subject, len(items)),
                "notifications/email/digest.txt",
                {"notifications": items},
            )
            message.connection = connection
            message.send()
            Notification.objects.filter(pk__in=[n.pk for n in items]).update(emailed_at=timezone.now())
    return len(grouped)


@task()
def send_invitation(invitation_id: int) -> None:
    invitation = Invitation.objects.select_related("invited_by", "campaign").filter(pk=invitation_id).first()
    if invitation is None or invitation.accepted_at:
        return
    with translation.override(settings.LANGUAGE_CODE):  # not a member yet: the site's language
        body = render_to_string(
            "notifications/email/invitation.txt",
            {
                "invitation": invitation,
                "url": f"{settings.SITE_URL}/invite/{invitation.token}/",
                "site_name": settings.SITE_NAME,
            },
        )
        subject = gettext("You are invited to {site}").format(site=settings.SITE_NAME)
    EmailMultiAlternatives(subject=subject, body=body, to=[invitation.email]).send()
