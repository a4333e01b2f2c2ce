"""API tokens and webhooks."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from django.db import transaction
from django.utils import timezone

from prosumo.activity.models import Event
from prosumo.community.models import Member, Role
from prosumo.community.permissions import require_member, require_role
from prosumo.core.errors import InvalidInput, NotFound
from prosumo.integrations.models import ApiToken, Webhook, WebhookDelivery, hash_token

WEBHOOK_VERBS = ("idea.submitted", "idea.stage_changed")


def token_create(*, actor: Member, name: str) -> tuple[ApiToken, str]:
    """A new token for the actor; the raw token is returned once and never stored."""
    member = require_member(actor)
    name = name.strip()
    if not 1 <= len(name) <= 80:
        raise InvalidInput("Name the token (1 to 80 characters).", fields={"name": ["length"]})
    raw = ApiToken.new_raw_token()
    token = ApiToken.objects.create(member=member, name=name, prefix=raw[:10], digest=hash_token(raw))
    return token, raw


def token_revoke(*, actor: Member, token_id: int) -> None:
    member = require_member(actor)
    updated = ApiToken.objects.filter(pk=token_id, member=member, revoked_at__isnull=True).update(revoked_at=timezone.now())
    if not updated:
        raise NotFound("No such token.")


def token_authenticate(raw: str) -> Member | None:
    token = ApiToken.objects.select_related("member").filter(digest=hash_token(raw), revoked_at__isnull=True).first()
    if token is None or not token.member.is_active:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.member


def webhook_create(*, actor: Member, url: str, verbs: list[str]) -> Webhook:
    admin = require_role(actor, Role.ADMIN)
    errors = {}
    if not url.startswith(("http://", "https://")):
        errors["url"] = ["The address starts with http:// or https://."]
    unknown = [v for v in verbs if v not in WEBHOOK_VERBS]
    if not verbs or unknown:
        errors["verbs"] = [f"Choose among {', '.join(WEBHOOK_VERBS)}."]
    if errors:
        raise InvalidInput("The webhook was not saved.", fields=errors)
    return Webhook.objects.create(url=url, verbs=verbs, created_by=admin)


def sign(secret: str, body: bytes, timestamp: str) -> str:
    """HMAC-SHA256 over "timestamp.body", hex; receivers recompute it to trust a delivery."""
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def event_payload(event: Event) -> dict[str, Any]:
    return {
        "id": event.pk,
        "verb": event.verb,
        "occurred_at": event.occurred_at.isoformat(),
        "actor_id": event.actor_id,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "campaign_id": event.campaign_id,
        "details": event.details,
    }


def webhooks_enqueue_for_event(*, event: Event) -> None:
    """Queue one delivery per active webhook that wants this verb, sent after commit."""
    if event.verb not in WEBHOOK_VERBS:
        return
    hooks = [h for h in Webhook.objects.filter(is_active=True) if event.verb in h.verbs]
    if not hooks:
        return
    payload = json.loads(json.dumps(event_payload(event), default=str))
    deliveries = WebhookDelivery.objects.bulk_create(
        [WebhookDelivery(webhook=h, event_id=event.pk, payload=payload, next_attempt_at=timezone.now()) for h in hooks]
    )
    from prosumo.integrations.tasks import deliver_webhook

    ids = [d.pk for d in deliveries]
    transaction.on_commit(lambda: [deliver_webhook.enqueue(i) for i in ids])
