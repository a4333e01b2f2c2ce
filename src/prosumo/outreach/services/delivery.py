"""Sending an experiment's email arms: in batches from a task, each in the member's language, with unsubscribe.

Never in the request: staff ask for the mail (`experiment_mail`), and the `mail_experiments`
task queues at most `BATCH` emails per experiment per run, each through the mail outbox
(idempotent: an assignment's email has one key), so the mail server sees a steady rate;
the periodic run sends the rest, minute by minute.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext

from prosumo.activity.services import event_record
from prosumo.core.errors import Conflict
from prosumo.core.mail import MailDraft, mail_queue
from prosumo.notifications.services import unsubscribe_url
from prosumo.outreach.models import Assignment, ChannelKind, Experiment, ExperimentStatus
from prosumo.outreach.permissions import require_outreach_staff
from prosumo.outreach.services.experiments import link_token, locked_experiment

#: The most emails one experiment queues per run of the task (the periodic run is every minute).
BATCH = 200


def experiment_mail(*, actor: Any, experiment_id: int) -> Experiment:
    """Staff ask for a running experiment's email arms to be sent; a task sends them in batches."""
    staff = require_outreach_staff(actor)
    with transaction.atomic():
        experiment = locked_experiment(experiment_id)
        if experiment.status != ExperimentStatus.RUNNING:
            raise Conflict(gettext("This experiment is not running."), code="experiment_not_running")
        if experiment.mail_requested_at is not None:
            raise Conflict(gettext("This experiment's email is being sent already."), code="mail_requested")
        if not experiment.arms.filter(channel__kind=ChannelKind.EMAIL).exists():
            raise Conflict(gettext("This experiment has no arm in an email channel."), code="no_email_arm")
        experiment.mail_requested_at = timezone.now()
        experiment.save(update_fields=["mail_requested_at"])
        event_record(
            verb="message.mail_requested",
            actor_id=staff.pk,
            object_type="experiment",
            object_id=experiment.pk,
            details={"experiment": experiment.pk},
        )
        from prosumo.outreach.tasks import mail_experiments

        transaction.on_commit(lambda: mail_experiments.enqueue())
    return experiment


def _draft(assignment: Assignment) -> MailDraft:
    member = assignment.member
    message = assignment.arm.message
    token = link_token(assignment)
    link = f"{settings.SITE_URL}/o/{token}/"
    unsubscribe = unsubscribe_url(member, "outreach")
    language = member.locale or settings.LANGUAGE_CODE
    with translation.override(language):
        subject = f"[{settings.SITE_NAME}] {message.brief.product}"
        context = {"member": member, "text": message.text, "link": link, "unsubscribe_url": unsubscribe}
        body = render_to_string("outreach/email/message.txt", context)
        # The HTML part carries the tracking image (docs/outreach.md, "Seen"): its first load is the exposure.
        html = render_to_string(
            "outreach/email/message.html",
            {**context, "subject": subject, "language": language, "pixel": f"{link}p.gif"},
        )
    return MailDraft(
        key=f"outreach:{assignment.pk}",
        kind="outreach",
        to=member.email,
        subject=subject,
        body=body,
        html_body=html,
        headers={"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )


def mail_batch(*, experiment_id: int, batch: int | None = None) -> int:
    """Queue the next emails of an experiment's email arms (idempotent); how many were queued.

    Members who stopped the community team's messages, or left, are skipped and never mailed; the message is the
    one of the member's arm, in the language of the member's settings.
    """
    with transaction.atomic():
        experiment = (
            Experiment.objects.select_for_update()
            .filter(pk=experiment_id, status=ExperimentStatus.RUNNING, mail_requested_at__isnull=False)
            .first()
        )
        if experiment is None:
            return 0
        due = list(
            Assignment.objects.select_related("member", "arm__message__brief")
            .filter(experiment=experiment, arm__channel__kind=ChannelKind.EMAIL, mailed_at__isnull=True)
            .filter(member__is_active=True, member__erased_at__isnull=True)
            .filter(member__outreach_email=True)
            .exclude(member__email="")
            .order_by("pk")[: batch or BATCH]
        )
        mail_queue([_draft(a) for a in due])
        Assignment.objects.filter(pk__in=[a.pk for a in due]).update(mailed_at=timezone.now())
    return len(due)


def mail_due() -> dict[int, int]:
    """One batch for each running experiment whose email was asked for: {experiment id: emails queued}."""
    ids = Experiment.objects.filter(status=ExperimentStatus.RUNNING, mail_requested_at__isnull=False).values_list(
        "pk", flat=True
    )
    return {pk: mail_batch(experiment_id=pk) for pk in list(ids)}
