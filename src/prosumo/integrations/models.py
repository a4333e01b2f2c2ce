"""API tokens for integrations and signed webhooks."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def new_webhook_secret() -> str:
    return secrets.token_urlsafe(32)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class Scope(models.TextChoices):
    """What a token may do (docs/api.md, "Scopes"); every endpoint needs one of them.

    ``read`` is in every token. Without ``staff`` a token acts as a plain member,
    whatever its member's role.
    """

    READ = "read", _("Read")
    WRITE = "write", _("Take part")
    STAFF = "staff", _("Staff powers")


class TokenEnd(models.TextChoices):
    """Why a token stopped working before its expiry."""

    REVOKED = "revoked", _("Revoked by its member")
    PASSWORD_CHANGED = "password_changed", _("The member's password changed")
    SUSPENDED = "suspended", _("The member was suspended")


class ApiToken(models.Model):
    """A bearer token acting as its member, within its scopes; only the SHA-256 of the token is stored."""

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80)
    prefix = models.CharField(max_length=12)
    digest = models.CharField(max_length=64, unique=True)
    scopes = models.CharField(max_length=40, default=Scope.READ, help_text="space-separated: read, write, staff")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=32, choices=TokenEnd.choices, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}...)"

    @property
    def scope_list(self) -> list[str]:
        return self.scopes.split()

    @staticmethod
    def new_raw_token() -> str:
        return "psm_" + secrets.token_urlsafe(32)


class Webhook(models.Model):
    url = models.URLField(max_length=500)
    secret = models.CharField(max_length=80, default=new_webhook_secret)
    verbs = models.JSONField(default=list, help_text="Event verbs to send, e.g. idea.submitted, idea.stage_changed")
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.url


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

    def __str__(self) -> str:
        return f"{self.payload.get('verb', '')} #{self.event_id} -> {self.webhook_id} ({self.status})"
