"""Webhooks: registering them, and the deliveries each event owes them."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from prosumo.activity.models import Event
from prosumo.activity.verbs import VERBS
from prosumo.community.models import Member
from prosumo.core.errors import InvalidInput, NotFound
from prosumo.ideas.models import Campaign
from prosumo.integrations.destinations import destination_problem
from prosumo.integrations.models import Webhook, WebhookDelivery
from prosumo.integrations.permissions import require_webhook_admin

TOKEN_LAST_USED_PRECISION = timedelta(minutes=1)
WEBHOOK_VERBS = VERBS  # every verb of the event log (docs/events.md)
URL_MAX = 500


def webhook_create(*, actor: Member, url: str, verbs: list[str], campaign_ids: list[int] | None = None) -> Webhook:
    """Register a webhook for these verbs, and for the events of these campaigns only when ``campaign_ids`` names any."""
    admin = require_webhook_admin(actor)
    errors = {}
    url = url.strip()
    try:
        URLValidator(schemes=["http", "https"])(url)
        if len(url) > URL_MAX:
            raise ValidationError("too long")
    except ValidationError:
        errors["url"] = [
            gettext("Give an http:// or https:// address of at most {limit} characters.").format(limit=URL_MAX)
        ]
    else:
        problem = destination_problem(url)
        if problem is not None:
            errors["url"] = [problem]
    unknown = [v for v in verbs if v not in WEBHOOK_VERBS]
    if not verbs:
        errors["verbs"] = [gettext("Choose at least one event verb.")]
    elif unknown:
        errors["verbs"] = [
            gettext("Unknown event verbs: {names}. docs/events.md lists every verb.").format(names=", ".join(unknown))
        ]
    campaigns = list(dict.fromkeys(campaign_ids or []))
    missing = sorted(set(campaigns) - set(Campaign.objects.filter(pk__in=campaigns).values_list("pk", flat=True)))
    if missing:
        errors["campaign_ids"] = [gettext("No such campaign: {ids}.").format(ids=", ".join(str(i) for i in missing))]
    if errors:
        raise InvalidInput(gettext("The webhook was not saved."), fields=errors)
    return Webhook.objects.create(url=url, verbs=list(dict.fromkeys(verbs)), campaign_ids=campaigns, created_by=admin)


def webhook_deactivate(*, actor: Member, webhook_id: int) -> Webhook:
    """Stop sending to a webhook; its pending deliveries are not tried again."""
    require_webhook_admin(actor)
    with transaction.atomic():
        hook = Webhook.objects.select_for_update().filter(pk=webhook_id).first()
        if hook is None:
            raise NotFound(gettext("No such webhook."))
        hook.is_active = False
        hook.save(update_fields=["is_active"])
        WebhookDelivery.objects.filter(webhook=hook, status=WebhookDelivery.Status.PENDING).update(
            status=WebhookDelivery.Status.FAILED, next_attempt_at=None, last_error="webhook deactivated"
        )
    return hook


def sign(secret: str, body: bytes, timestamp: str) -> str:
    """HMAC-SHA256 over "timestamp.body", hex; receivers recompute it to trust a delivery."""
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def event_payload(event: Event) -> dict[str, Any]:
    """The JSON a webhook receives: the event row, plus the idea's title and address for idea events."""
    payload: dict[str, Any] = {
        "id": event.pk,
        "verb": event.verb,
        "occurred_at": event.occurred_at.isoformat(),
        "actor_id": event.actor_id,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "campaign_id": event.campaign_id,
        "details": event.details,
    }
    if event.object_type == "idea" and event.object_id is not None:
        from prosumo.ideas.models import Idea

        idea = Idea.objects.filter(pk=event.object_id).only("pk", "title", "stage").first()
        if idea is not None:
            payload["idea"] = {
                "id": idea.pk,
                "title": idea.title,
                "stage": idea.stage,
                "url": f"{settings.SITE_URL}/ideas/{idea.pk}/",
            }
    return payload


def webhook_verb_wanted(verb: str) -> bool:
    """Whether an active webhook asked for this verb: one small query, asked as an event is recorded."""
    return verb in WEBHOOK_VERBS and any(
        verb in verbs for verbs in Webhook.objects.filter(is_active=True).values_list("verbs", flat=True)
    )


def event_recorded(*, event: Event) -> None:
    """What integrations do with a new event, run from the event log's outbox after it commits: queue its webhooks."""
    webhooks_enqueue_for_event(event=event)


def webhooks_enqueue_for_event(*, event: Event) -> None:
    """Queue one delivery per active webhook that wants this verb, sent after commit.

    Idempotent: a delivery is unique per webhook and event, so running it again for the
    same event adds no delivery, and a delivery already tried is not tried again.
    """
    if event.verb not in WEBHOOK_VERBS:
        return
    hooks = [h for h in Webhook.objects.filter(is_active=True) if h.wants(event.verb, event.campaign_id)]
    if not hooks:
        return
    payload = json.loads(json.dumps(event_payload(event), default=str))
    WebhookDelivery.objects.bulk_create(
        [WebhookDelivery(webhook=h, event_id=event.pk, payload=payload, next_attempt_at=timezone.now()) for h in hooks],
        ignore_conflicts=True,
    )
    # Their first tries (deliver_webhook does nothing for a delivery already tried).
    untried = WebhookDelivery.objects.filter(
        event_id=event.pk, webhook__in=hooks, status=WebhookDelivery.Status.PENDING, attempts=0
    )
    ids = list(untried.values_list("pk", flat=True))
    from prosumo.integrations.tasks import deliver_webhook

    transaction.on_commit(lambda: [deliver_webhook.enqueue(i) for i in ids])
