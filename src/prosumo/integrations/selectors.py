"""Reads for webhooks."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext

from prosumo.community.models import Member
from prosumo.core.errors import NotFound
from prosumo.integrations.models import Webhook, WebhookDelivery
from prosumo.integrations.permissions import require_webhook_admin


def webhooks_for(*, actor: Member) -> QuerySet[Webhook]:
    """Every webhook, newest first; admins only."""
    require_webhook_admin(actor)
    return Webhook.objects.order_by("-created_at", "-id")


def deliveries_of(*, actor: Member, webhook_id: int, limit: int = 100) -> list[WebhookDelivery]:
    """A webhook's latest deliveries, newest first; admins only."""
    require_webhook_admin(actor)
    if not Webhook.objects.filter(pk=webhook_id).exists():
        raise NotFound(gettext("No such webhook."))
    return list(WebhookDelivery.objects.filter(webhook_id=webhook_id).order_by("-created_at", "-id")[:limit])
