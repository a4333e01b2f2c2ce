"""Signed webhooks (API tokens are a member's credentials: prosumo.community.models)."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models


def new_webhook_secret() -> str:
    return secrets.token_urlsafe(32)


class Webhook(models.Model):
    url = models.URLField(max_length=500)
    secret = models.CharField(max_length=80, default=new_webhook_secret)
    verbs = models.JSONField(default=list, help_text="Event verbs to send, e.g. idea.submitted, idea.stage_changed")
    campaign_ids = models.JSONField(
        default=list, blank=True, help_text="Only events of these campaigns; empty: every event, with a campaign or not"
    )
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.url

    def wants(self, verb: str, campaign_id: int | None) -> bool:
        """Whether an event with this verb and campaign is for this webhook: its verbs, and its campaigns if it names any."""
        return verb in self.verbs and (not self.campaign_ids or campaign_id in self.campaign_ids)


class WebhookDelivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending"
        DELIVERED = "delivered"
        FAILED = "failed"

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.BigIntegerField()
    payload = models.JSONField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        # A retried reaction cannot owe a receiver the same event twice.
        constraints = [models.UniqueConstraint(fields=["webhook", "event_id"], name="delivery_once_per_event")]

    def __str__(self) -> str:
        return f"{self.payload.get('verb', '')} #{self.event_id} -> {self.webhook_id} ({self.status})"
