"""Webhook delivery with retries and exponential backoff."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from prosumo.integrations.models import WebhookDelivery
from prosumo.integrations.services import sign

MAX_ATTEMPTS = 8
BASE_DELAY_SECONDS = 30
TIMEOUT_SECONDS = 10


def backoff(attempt: int) -> timedelta:
    """30 s, 1 min, 2 min, 4 min ... after the 1st, 2nd, 3rd failure."""
    return timedelta(seconds=BASE_DELAY_SECONDS * 2 ** (attempt - 1))


def attempt_delivery(delivery: WebhookDelivery) -> bool:
    body = json.dumps(delivery.payload, separators=(",", ":")).encode()
    timestamp = str(int(time.time()))
    request = urllib.request.Request(  # noqa: S310 - the address is an admin-configured http(s) URL
        delivery.webhook.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "Prosumo-Webhook/1",
            "X-Prosumo-Event": delivery.payload.get("verb", ""),
            "X-Prosumo-Delivery": str(delivery.pk),
            "X-Prosumo-Timestamp": timestamp,
            "X-Prosumo-Signature": "sha256=" + sign(delivery.webhook.secret, body, timestamp),
        },
    )
    delivery.attempts += 1
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            ok = 200 <= response.status < 300
            error = "" if ok else f"HTTP {response.status}"
    except (urllib.error.URLError, OSError) as exc:
        ok, error = False, str(exc)[:500]
    now = timezone.now()
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


@task()
def deliver_webhook(delivery_id: int) -> bool:
    delivery = WebhookDelivery.objects.select_related("webhook").filter(
        pk=delivery_id, status=WebhookDelivery.Status.PENDING
    ).first()
    if delivery is None:
        return False
    return attempt_delivery(delivery)


@task()
def retry_webhooks() -> int:
    """Retry pending deliveries whose backoff has passed (run by the worker's scheduler)."""
    due = WebhookDelivery.objects.select_related("webhook").filter(
        status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=timezone.now(), attempts__gt=0
    )
    return sum(attempt_delivery(d) for d in due)
