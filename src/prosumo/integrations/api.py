"""API tokens and webhooks in the JSON API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, Router, Schema, Status

from prosumo.community.auth import SESSION_ONLY, needs
from prosumo.community.http import MemberRequest
from prosumo.community.limits import rate_limited
from prosumo.community.models import Scope
from prosumo.community.permissions import require_member
from prosumo.community.selectors import tokens_of
from prosumo.community.tokens import token_create, token_revoke
from prosumo.core.input import BodyIn, Id
from prosumo.core.schemas import ERRORS, LIMITED
from prosumo.integrations.selectors import deliveries_of, webhooks_for
from prosumo.integrations.services import webhook_create, webhook_deactivate

router = Router(tags=["members"])


class TokenIn(BodyIn):
    name: str
    scopes: list[str] = Field(
        default_factory=list,
        description="What the token may do besides reading: `write` (take part), `staff` (staff powers; staff only). "
        "Every token can `read`.",
    )
    expires_at: datetime | None = Field(
        default=None, strict=False, description="When it stops working (with a time zone); never when omitted."
    )


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    scopes: list[str]
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None
    revoked_reason: str = Field(description="revoked, password_changed or suspended; empty while it works")

    @staticmethod
    def resolve_scopes(obj: Any) -> list[str]:
        return list(obj.scope_list)


class TokenCreatedOut(Schema):
    id: int
    name: str
    prefix: str
    scopes: list[str]
    expires_at: datetime | None
    token: str = Field(description="Shown once; only its SHA-256 digest is stored.")


class WebhookIn(BodyIn):
    url: str
    verbs: list[str] = Field(description="event verbs to send: any of docs/events.md")
    campaign_ids: list[Id] = Field(
        default_factory=list, description="only the events of these campaigns; empty or left out: every event"
    )


class WebhookOut(Schema):
    id: int
    url: str
    verbs: list[str]
    campaign_ids: list[int]
    is_active: bool
    created_at: datetime


class WebhookCreatedOut(WebhookOut):
    secret: str = Field(description="Signs every delivery; shown when the webhook is created.")


class DeliveryOut(Schema):
    id: int
    event_id: int
    verb: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_error: str
    delivered_at: datetime | None
    created_at: datetime

    @staticmethod
    def resolve_verb(obj: Any) -> str:
        return str(obj.payload.get("verb", ""))


@router.get("/tokens", response={200: list[TokenOut], **ERRORS}, auth=needs(Scope.READ))
def tokens(request: MemberRequest) -> Any:
    return list(tokens_of(member=require_member(request.user)))


@router.post("/tokens", response={201: TokenCreatedOut, **ERRORS, **LIMITED}, auth=SESSION_ONLY)
@rate_limited("token")
def tokens_create(request: MemberRequest, payload: TokenIn) -> Any:
    """Create a token from a signed-in session (with its CSRF token); a token cannot create another."""
    token, raw = token_create(
        actor=request.user, name=payload.name, scopes=payload.scopes, expires_at=payload.expires_at
    )
    return Status(
        201,
        {
            "id": token.pk,
            "name": token.name,
            "prefix": token.prefix,
            "scopes": token.scope_list,
            "expires_at": token.expires_at,
            "token": raw,
        },
    )


@router.delete("/tokens/{token_id}", response={200: dict, **ERRORS}, auth=needs(Scope.WRITE))
def tokens_revoke(request: MemberRequest, token_id: Id) -> Any:
    token_revoke(actor=request.user, token_id=token_id)
    return {"revoked": True}


@router.get("/webhooks", response={200: list[WebhookOut], **ERRORS}, auth=needs(Scope.STAFF))
def webhooks(request: MemberRequest) -> Any:
    return list(webhooks_for(actor=request.user))


@router.post("/webhooks", response={201: WebhookCreatedOut, **ERRORS}, auth=needs(Scope.STAFF))
def webhooks_create(request: MemberRequest, payload: WebhookIn) -> Any:
    return Status(
        201,
        webhook_create(actor=request.user, url=payload.url, verbs=payload.verbs, campaign_ids=payload.campaign_ids),
    )


@router.delete("/webhooks/{webhook_id}", response={200: WebhookOut, **ERRORS}, auth=needs(Scope.STAFF))
def webhooks_deactivate(request: MemberRequest, webhook_id: Id) -> Any:
    return webhook_deactivate(actor=request.user, webhook_id=webhook_id)


@router.get("/webhooks/{webhook_id}/deliveries", response={200: list[DeliveryOut], **ERRORS}, auth=needs(Scope.STAFF))
def webhook_deliveries(request: MemberRequest, webhook_id: Id) -> Any:
    return deliveries_of(actor=request.user, webhook_id=webhook_id)
