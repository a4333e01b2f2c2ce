"""Webhook delivery with retries and exponential backoff.

A delivery is first tried by ``deliver_webhook``, enqueued after the commit of
the change that caused it; a failure schedules the next try ``backoff(n)`` later,
and ``retry_webhooks`` (run every minute by the worker's scheduler) sends the
ones that are due. After ``MAX_ATTEMPTS`` failures the delivery is ``failed``
and keeps the last error. Each try first claims its delivery with a conditional
UPDATE, so two workers never send the same try twice.

A claim lasts ``PROSUMO_WEBHOOK_CLAIM_SECONDS`` (60 s), well past a try's timeout. A try whose worker died before recording it (killed
in the middle of the POST) leaves its claim to expire, and ``retry_webhooks`` then
sends the delivery again, first tries included; so does a delivery whose first try
was never queued (the process stopped between the commit and the enqueue). A receiver
may therefore see a delivery twice, with the same ``X-Prosumo-Delivery`` id
(docs/api.md). Both tasks run on the "webhooks" queue, so a slow receiver delays
other webhooks at most, never mail.
"""

from __future__ import annotations

import http.client
import json
import logging
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django_tasks import task

from prosumo.integrations.destinations import DestinationRefused, post
from prosumo.integrations.models import WebhookDelivery
from prosumo.integrations.services import sign

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BASE_DELAY_SECONDS = 30
# The errors a failed try keeps besides "HTTP <status>": the same words for a closed port,
# a timeout, a failed name lookup or a broken TLS handshake.
NOT_ALLOWED = "not sent: the address is not one webhooks may reach"
NO_ANSWER = "no answer: the receiver could not be reached or did not answer in time"


def backoff(attempt: int) -> timedelta:
    """Wait before the next try after the ``attempt``-th failure: 30 s x 2^(attempt-1).

    30 s, 1 min, 2 min, 4 min, 8 min, 16 min, 32 min: the 8th try comes
    about 63.5 minutes after the first.
    """
    return timedelta(seconds=BASE_DELAY_SECONDS * 2 ** (attempt - 1))


def _claim(delivery: WebhookDelivery, now: datetime) -> bool:
    """Take this try for ourselves; False if another worker took it first, or holds a claim still running."""
    claimed = (
        WebhookDelivery.objects.filter(
            pk=delivery.pk,
            status=WebhookDelivery.Status.PENDING,
            attempts=delivery.attempts,
            next_attempt_at=delivery.next_attempt_at,
        )
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(next_attempt_at=now + timedelta(seconds=settings.PROSUMO_WEBHOOK_CLAIM_SECONDS))
    )
    return bool(claimed)


def attempt_delivery(delivery: WebhookDelivery, *, now: datetime | None = None) -> bool:
    """POST the signed payload once and record the outcome; True when the receiver answered 2xx.

    The address is checked and connected to as prosumo.integrations.destinations says
    (public addresses only, no redirects). The error kept on a failed try is one of three,
    whatever the network said: the receiver's HTTP status, ``NOT_ALLOWED`` or
    ``NO_ANSWER``, so the deliveries list cannot be used to tell open ports from closed
    ones; the network's own words go to the log, for the operator.
    """
    now = now or timezone.now()
    body = json.dumps(delivery.payload, separators=(",", ":")).encode()
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Prosumo-Webhook/1",
        "X-Prosumo-Event": delivery.payload.get("verb", ""),
        "X-Prosumo-Delivery": str(delivery.pk),
        "X-Prosumo-Timestamp": timestamp,
        "X-Prosumo-Signature": "sha256=" + sign(delivery.webhook.secret, body, timestamp),
    }
    delivery.attempts += 1
    try:
        status = post(
            delivery.webhook.url, body=body, headers=headers, timeout=settings.PROSUMO_WEBHOOK_TIMEOUT_SECONDS
        )
    except DestinationRefused as exc:
        logger.warning("Webhook delivery %s not sent: %s", delivery.pk, exc)
        ok, error = False, NOT_ALLOWED
    except (OSError, http.client.HTTPException, UnicodeError, ValueError) as exc:
        logger.info("Webhook delivery %s to %s failed: %r", delivery.pk, delivery.webhook.url, exc)
        ok, error = False, NO_ANSWER
    else:
        ok = 200 <= status < 300
        error = "" if ok else f"HTTP {status}"
    if ok:
        delivery.status = WebhookDelivery.Status.DELIVERED
        delivery.delivered_at = now
        delivery.next_attempt_at = None
    elif delivery.attempts >= MAX_ATTEMPTS:
        delivery.status = WebhookDelivery.Status.FAILED
        delivery.next_attempt_at = None
    else:
        delivery.next_attempt_at = now + backoff(delivery.attempts)
    delivery.last_error = error
    delivery.save(update_fields=["attempts", "status", "delivered_at", "next_attempt_at", "last_error"])
    return ok


def _now(value: str | None) -> datetime:
    if value is None:
        return timezone.now()
    parsed = parse_datetime(value)
    if parsed is None or parsed.tzinfo is None:
        raise ValueError(f"now={value!r} is not an ISO 8601 time with a timezone")
    return parsed


@task(queue_name="webhooks")
def deliver_webhook(delivery_id: int) -> bool:
    """The first try of a delivery; does nothing if it was already tried."""
    now = timezone.now()
    delivery = (
        WebhookDelivery.objects.select_related("webhook")
        .filter(pk=delivery_id, status=WebhookDelivery.Status.PENDING, attempts=0)
        .first()
    )
    if delivery is None or not _claim(delivery, now):
        return False
    return attempt_delivery(delivery, now=now)


@task(queue_name="webhooks")
def retry_webhooks(now: str | None = None) -> int:
    """Send the pending deliveries that are due; returns how many got through.

    Due: the backoff after a failed try has passed, or a try's claim expired without an
    outcome (its worker died), or the first try has not happened a claim's length after
    the delivery was created (it was never queued). ``now`` (ISO 8601, with timezone) replaces the clock, for
    replaying a schedule.
    """
    moment = _now(now)
    due = (
        WebhookDelivery.objects.select_related("webhook")
        .filter(status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=moment)
        # a first try is left to deliver_webhook for a claim's length after the delivery was created
        .filter(
            Q(attempts__gt=0) | Q(created_at__lte=moment - timedelta(seconds=settings.PROSUMO_WEBHOOK_CLAIM_SECONDS))
        )
        .order_by("next_attempt_at", "id")
    )
    return sum(attempt_delivery(d, now=moment) for d in due if _claim(d, moment))
