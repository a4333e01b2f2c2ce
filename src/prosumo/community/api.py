"""JSON endpoints for the signed-in member, notifications, customer import, tokens and webhooks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import File, Router, Schema
from ninja.files import UploadedFile

from prosumo.community import services
from prosumo.community.permissions import require_member
from prosumo.ideas.schemas import ErrorOut
from prosumo.integrations.services import token_create, token_revoke, webhook_create
from prosumo.notifications.models import Notification
from prosumo.notifications.services import notifications_mark_read

router = Router(tags=["members"])
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class MeOut(Schema):
    id: int
    email: str
    display_name: str
    locale: str
    country: str
    bio: str
    interests: list[str]
    role: str
    channel: str
    referral_code: str
    email_preference: str


class MeIn(Schema):
    display_name: str | None = None
    locale: str | None = None
    country: str | None = None
    bio: str | None = None
    interests: list[str] | None = None
    email_preference: str | None = None


class NotificationOut(Schema):
    id: int
    verb: str
    title: str
    body: str
    url: str
    created_at: datetime
    read_at: datetime | None


class NotificationsOut(Schema):
    unread: int
    items: list[NotificationOut]


class ReadIn(Schema):
    ids: list[int] | None = None


class ImportOut(Schema):
    created: int
    updated: int
    matched: int


class TokenIn(Schema):
    name: str


class WebhookIn(Schema):
    url: str
    verbs: list[str]


@router.get("/me", response={200: MeOut, **ERRORS})
def me(request: HttpRequest) -> Any:
    return require_member(request.user)


@router.patch("/me", response={200: MeOut, **ERRORS})
def me_update(request: HttpRequest, payload: MeIn) -> Any:
    changes = {k: v for k, v in payload.dict().items() if v is not None}
    return services.member_update_profile(member=require_member(request.user), **changes)


@router.get("/notifications", response={200: NotificationsOut, **ERRORS})
def notifications(request: HttpRequest) -> Any:
    member = require_member(request.user)
    qs = Notification.objects.filter(recipient=member)
    return {"unread": qs.filter(read_at__isnull=True).count(), "items": list(qs[:50])}


@router.post("/notifications/read", response={200: dict, **ERRORS})
def notifications_read(request: HttpRequest, payload: ReadIn) -> Any:
    return {"marked": notifications_mark_read(member=require_member(request.user), ids=payload.ids)}


@router.post("/customers/import", response={200: ImportOut, **ERRORS})
def customers_import(request: HttpRequest, file: File[UploadedFile], dry_run: bool = False) -> Any:
    return services.customers_import_csv(actor=request.user, data=file.read(), dry_run=dry_run)


@router.post("/tokens", response={201: dict, **ERRORS})
def tokens_create(request: HttpRequest, payload: TokenIn) -> Any:
    token, raw = token_create(actor=request.user, name=payload.name)
    return 201, {"id": token.pk, "name": token.name, "token": raw}


@router.delete("/tokens/{token_id}", response={200: dict, **ERRORS})
def tokens_revoke(request: HttpRequest, token_id: int) -> Any:
    token_revoke(actor=request.user, token_id=token_id)
    return {"revoked": True}


@router.post("/webhooks", response={201: dict, **ERRORS})
def webhooks_create(request: HttpRequest, payload: WebhookIn) -> Any:
    hook = webhook_create(actor=request.user, url=payload.url, verbs=payload.verbs)
    return 201, {"id": hook.pk, "url": hook.url, "verbs": hook.verbs, "secret": hook.secret}
