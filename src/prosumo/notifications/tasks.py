"""Notifications and mail go out from tasks, never inside a request."""

from __future__ import annotations

from django.db import transaction
from django_tasks import task

from prosumo.community.models import Invitation
from prosumo.community.services import invitation_draft
from prosumo.core.mail import mail_deliver, mail_queue
from prosumo.notifications.services import digests_send, fanout_deliver, fanouts_resume, notifications_email_now


@task()
def fan_out(fanout_id: int) -> int:
    """Write a fan-out's notifications and send its immediate emails; idempotent."""
    return fanout_deliver(fanout_id=fanout_id)


@task()
def resume_fan_outs() -> int:
    """Finish the fan-outs a dead worker left half done (their task never came back); how many notifications."""
    return fanouts_resume()


@task(queue_name="bulk")
def send_daily_digests() -> int:
    """One email per digest member with every notification waiting for them; how many were queued."""
    return digests_send().digests


@task()
def send_notification_emails(notification_ids: list[int]) -> int:
    """Kept for tasks queued before the outgoing mail existed: email these notifications once each."""
    return notifications_email_now(ids=notification_ids)


@task()
def send_invitation(invitation_id: int) -> None:
    """Kept for tasks queued before the outgoing mail existed: queue and send the invitation's email once."""
    invitation = Invitation.objects.select_related("invited_by").filter(pk=invitation_id).first()
    if invitation is None or invitation.accepted_at:
        return
    with transaction.atomic():
        ids = mail_queue([invitation_draft(invitation)], send=False)
    mail_deliver(ids=ids)
