"""JSON endpoints for the signed-in member, notifications, customer import, tokens and webhooks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils.translation import gettext
from ninja import Field, File, Router, Schema, Status
from ninja.files import UploadedFile

from prosumo.community import services
from prosumo.community.models import Role
from prosumo.community.permissions import require_member, require_role
from prosumo.core.errors import InvalidInput
from prosumo.core.http import MemberRequest
from prosumo.core.input import BodyIn, Id
from prosumo.ideas.schemas import ErrorOut
from prosumo.integrations.selectors import deliveries_of, tokens_of, webhooks_for
from prosumo.integrations.services import token_create, token_revoke, webhook_create, webhook_deactivate
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


class MeIn(BodyIn):
    display_name: str | None = None
    locale: str | None = None
    country: str | None = None
    bio: str | None = None
    interests: list[str] | None = None
    email_preference: str | None = None


class NotificationOut(Schema):
    """Title and body in the language of the request (Accept-Language)."""

    id: int
    verb: str
    title: str
    body: str
    url: str
    created_at: datetime
    read_at: datetime | None

    @staticmethod
    def resolve_title(obj: Notification) -> str:
        return obj.display_title

    @staticmethod
    def resolve_body(obj: Notification) -> str:
        return obj.display_body


class NotificationsOut(Schema):
    unread: int
    items: list[NotificationOut]


class ReadIn(BodyIn):
    ids: list[Id] | None = None


class ImportOut(Schema):
    created: int
    updated: int
    matched: int


class TokenIn(BodyIn):
    name: str


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreatedOut(Schema):
    id: int
    name: str
    prefix: str
    token: str = Field(description="Shown once; only its SHA-256 digest is stored.")


class WebhookIn(BodyIn):
    url: str
    verbs: list[str]


class WebhookOut(Schema):
    id: int
    url: str
    verbs: list[str]
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


@router.get("/me", response={200: MeOut, **ERRORS})
def me(request: MemberRequest) -> Any:
    return require_member(request.user)


@router.patch("/me", response={200: MeOut, **ERRORS})
def me_update(request: MemberRequest, payload: MeIn) -> Any:
    changes = {k: v for k, v in payload.dict().items() if v is not None}
    return services.member_update_profile(member=require_member(request.user), **changes)


@router.get("/notifications", response={200: NotificationsOut, **ERRORS})
def notifications(request: MemberRequest) -> Any:
    member = require_member(request.user)
    qs = Notification.objects.filter(recipient=member)
    return {"unread": qs.filter(read_at__isnull=True).count(), "items": list(qs[:50])}


@router.post("/notifications/read", response={200: dict, **ERRORS})
def notifications_read(request: MemberRequest, payload: ReadIn) -> Any:
    return {"marked": notifications_mark_read(member=require_member(request.user), ids=payload.ids)}


@router.post("/customers/import", response={200: ImportOut, **ERRORS})
def customers_import(request: MemberRequest, file: File[UploadedFile], dry_run: bool = False) -> Any:
    require_role(request.user, Role.ADMIN)
    try:
        text = file.read().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            gettext("{name}: the file is not UTF-8 text (byte {byte}); save the CSV as UTF-8.").format(
                name=file.name, byte=exc.start
            ),
            fields={"file": ["encoding"]},
        ) from exc
    return services.customers_import_csv(actor=request.user, data=text, dry_run=dry_run)


@router.get("/tokens", response={200: list[TokenOut], **ERRORS})
def tokens(request: MemberRequest) -> Any:
    return list(tokens_of(member=require_member(request.user)))


@router.post("/tokens", response={201: TokenCreatedOut, **ERRORS})
def tokens_create(request: MemberRequest, payload: TokenIn) -> Any:
    token, raw = token_create(actor=request.user, name=payload.name)
    return Status(201, {"id": token.pk, "name": token.name, "prefix": token.prefix, "token": raw})


@router.delete("/tokens/{token_id}", response={200: dict, **ERRORS})
def tokens_revoke(request: MemberRequest, token_id: Id) -> Any:
    token_revoke(actor=request.user, token_id=token_id)
    return {"revoked": True}


@router.get("/webhooks", response={200: list[WebhookOut], **ERRORS})
def webhooks(request: MemberRequest) -> Any:
    return list(webhooks_for(actor=request.user))


@router.post("/webhooks", response={201: WebhookCreatedOut, **ERRORS})
def webhooks_create(request: MemberRequest, payload: WebhookIn) -> Any:
    return Status(201, webhook_create(actor=request.user, url=payload.url, verbs=payload.verbs))


@router.delete("/webhooks/{webhook_id}", response={200: WebhookOut, **ERRORS})
def webhooks_deactivate(request: MemberRequest, webhook_id: Id) -> Any:
    return webhook_deactivate(actor=request.user, webhook_id=webhook_id)


@router.get("/webhooks/{webhook_id}/deliveries", response={200: list[DeliveryOut], **ERRORS})
def webhook_deliveries(request: MemberRequest, webhook_id: Id) -> Any:
    return deliveries_of(actor=request.user, webhook_id=webhook_id)
