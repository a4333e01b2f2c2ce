"""Reads for API tokens and webhooks."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext

from prosumo.community.models import Member, Role
from prosumo.community.permissions import require_role
from prosumo.core.errors import NotFound
from prosumo.integrations.models import ApiToken, Webhook, WebhookDelivery


def tokens_of(*, member: Member) -> QuerySet[ApiToken]:
    """The member's tokens, newest first, revoked ones included (they show when they were revoked)."""
    return ApiToken.objects.filter(member=member).order_by("-created_at", "-id")


def tokens_active(*, member: Member) -> QuerySet[ApiToken]:
    """The member's tokens that still work (not revoked), in the model's order."""
    return member.api_tokens.filter(revoked_at__isnull=True)


def webhooks_for(*, actor: Member) -> QuerySet[Webhook]:
    """Every webhook, newest first; admins only."""
    require_role(actor, Role.ADMIN)
    return Webhook.objects.order_by("-created_at", "-id")


def deliveries_of(*, actor: Member, webhook_id: int, limit: int = 100) -> list[WebhookDelivery]:
    """A webhook's latest deliveries, newest first; admins only."""
    require_role(actor, Role.ADMIN)
    if not Webhook.objects.filter(pk=webhook_id).exists():
        raise NotFound(gettext("No such webhook."))
    return list(WebhookDelivery.objects.filter(webhook_id=webhook_id).order_by("-created_at", "-id")[:limit])
