"""JSON endpoints for the signed-in member, notifications, customer import, tokens and webhooks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, File, Router, Schema, Status
from ninja.files import UploadedFile

from prosumo.community import imports, services
from prosumo.community.limits import rate_limited
from prosumo.community.models import Member, Role
from prosumo.community.permissions import access_customer_import, require_member, require_role
from prosumo.community.selectors import customer_imports_for
from prosumo.core.http import MemberRequest
from prosumo.core.input import BodyIn, Id
from prosumo.ideas.schemas import ErrorOut
from prosumo.integrations.auth import SESSION_ONLY, needs
from prosumo.integrations.models import Scope
from prosumo.integrations.selectors import deliveries_of, tokens_of, webhooks_for
from prosumo.integrations.services import token_create, token_revoke, webhook_create, webhook_deactivate
from prosumo.notifications.models import Notification
from prosumo.notifications.services import notifications_mark_read

router = Router(tags=["members"])
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
LIMITED: dict[int, Any] = {429: ErrorOut}  # endpoints under a rate limit (docs/security.md, "Limits")


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
    avatar_url: str = Field(description="The avatar's address, empty when the member has none")

    @staticmethod
    def resolve_avatar_url(obj: Member) -> str:
        return obj.avatar.url if obj.avatar else ""


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


class ImportJobOut(Schema):
    """A customer import and how far it has got; `created`, `updated` and `matched` are final once `state` is `done`."""

    id: int
    state: str = Field(description="queued, checking, writing, done, rejected, cancelled or failed")
    dry_run: bool
    file_name: str
    size_bytes: int
    rows_expected: int = Field(description="lines after the header, known before checking")
    rows_total: int | None = Field(description="rows in the file, once every row is checked")
    rows_checked: int
    rows_written: int
    created: int = Field(alias="created_count")
    updated: int = Field(alias="updated_count")
    matched: int = Field(alias="matched_count")
    message: str
    errors: list[str] = Field(description="the first 1,000 problems, each with its line and column")
    error_count: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


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


@router.get("/me", response={200: MeOut, **ERRORS}, auth=needs(Scope.READ))
def me(request: MemberRequest) -> Any:
    return require_member(request.user)


@router.patch("/me", response={200: MeOut, **ERRORS}, auth=needs(Scope.WRITE))
def me_update(request: MemberRequest, payload: MeIn) -> Any:
    changes = {k: v for k, v in payload.dict().items() if v is not None}
    return services.member_update_profile(member=require_member(request.user), **changes)


@router.post("/me/avatar", response={200: MeOut, **ERRORS}, auth=needs(Scope.WRITE))
def me_avatar(request: MemberRequest, file: File[UploadedFile]) -> Any:
    """Upload a new avatar (multipart, field `file`); the one it replaces is deleted.

    A PNG, JPEG, GIF or WebP image of at most `PROSUMO_MAX_AVATAR_BYTES` (2 MiB), its type
    read from its bytes. A refused file gives 400 `invalid` with `fields.avatar` one of
    `empty`, `too_large`, `type`.
    """
    return services.member_update_profile(member=require_member(request.user), avatar=file)


@router.delete("/me/avatar", response={200: MeOut, **ERRORS}, auth=needs(Scope.WRITE))
def me_avatar_remove(request: MemberRequest) -> Any:
    """Remove the avatar; its file is deleted."""
    return services.member_update_profile(member=require_member(request.user), avatar=None)


@router.get("/notifications", response={200: NotificationsOut, **ERRORS}, auth=needs(Scope.READ))
def notifications(request: MemberRequest) -> Any:
    member = require_member(request.user)
    qs = Notification.objects.filter(recipient=member)
    return {"unread": qs.filter(read_at__isnull=True).count(), "items": list(qs[:50])}


@router.post("/notifications/read", response={200: dict, **ERRORS}, auth=needs(Scope.WRITE))
def notifications_read(request: MemberRequest, payload: ReadIn) -> Any:
    return {"marked": notifications_mark_read(member=require_member(request.user), ids=payload.ids)}


def _import_create(request: MemberRequest, file: UploadedFile, dry_run: bool) -> Any:
    require_role(request.user, Role.ADMIN)
    name = file.name or "upload.csv"
    imports.size_check(file_name=name, size=file.size or 0)
    job = imports.customer_import_create(actor=request.user, file_name=name, data=file.read(), dry_run=dry_run)
    return Status(202, job)


@router.post("/customers/imports", response={202: ImportJobOut, 409: ErrorOut, **ERRORS}, auth=needs(Scope.STAFF))
def customer_imports_create(request: MemberRequest, file: File[UploadedFile], dry_run: bool = False) -> Any:
    """Start an import of a customer CSV; 202 with the job, which a background worker checks and writes.

    Poll `GET /api/customers/imports/{id}` until `state` is `done`, `rejected`, `cancelled`
    or `failed`. A file that is too large, not UTF-8, empty or without the required columns
    is refused here with 400; a bad row rejects the job (`errors` names each by line and column).
    """
    return _import_create(request, file, dry_run)


@router.post(
    "/customers/import", response={202: ImportJobOut, 409: ErrorOut, **ERRORS}, deprecated=True, auth=needs(Scope.STAFF)
)
def customers_import(request: MemberRequest, file: File[UploadedFile], dry_run: bool = False) -> Any:
    """The former name of `POST /api/customers/imports`; it answers the same way (202 with the job)."""
    return _import_create(request, file, dry_run)


@router.get("/customers/imports", response={200: list[ImportJobOut], **ERRORS}, auth=needs(Scope.STAFF))
def customer_imports_list(request: MemberRequest) -> Any:
    require_role(request.user, Role.ADMIN)
    return list(customer_imports_for(request.user))


@router.get("/customers/imports/{import_id}", response={200: ImportJobOut, **ERRORS}, auth=needs(Scope.STAFF))
def customer_imports_get(request: MemberRequest, import_id: int) -> Any:
    return access_customer_import(request.user, import_id)


@router.post(
    "/customers/imports/{import_id}/cancel",
    response={200: ImportJobOut, 409: ErrorOut, **ERRORS},
    auth=needs(Scope.STAFF),
)
def customer_imports_cancel(request: MemberRequest, import_id: int) -> Any:
    """Cancel an import that is queued or being checked (nothing was written); 409 once it is writing or has ended."""
    access_customer_import(request.user, import_id)
    return imports.customer_import_cancel(actor=request.user, import_id=import_id)


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
    return Status(201, webhook_create(actor=request.user, url=payload.url, verbs=payload.verbs))


@router.delete("/webhooks/{webhook_id}", response={200: WebhookOut, **ERRORS}, auth=needs(Scope.STAFF))
def webhooks_deactivate(request: MemberRequest, webhook_id: Id) -> Any:
    return webhook_deactivate(actor=request.user, webhook_id=webhook_id)


@router.get("/webhooks/{webhook_id}/deliveries", response={200: list[DeliveryOut], **ERRORS}, auth=needs(Scope.STAFF))
def webhook_deliveries(request: MemberRequest, webhook_id: Id) -> Any:
    return deliveries_of(actor=request.user, webhook_id=webhook_id)
