"""JSON endpoints for the signed-in member, notifications, customer import, tokens and webhooks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils.translation import gettext
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from prosumo.community import imports, services
from prosumo.community.auth import needs
from prosumo.community.http import MemberRequest
from prosumo.community.models import Member, Role, Scope
from prosumo.community.permissions import access_customer_import, require_member, require_role, require_staff
from prosumo.community.selectors import (
    customer_imports_for,
    member_for_staff,
    members_search,
    segment_named,
    segments_with_counts,
)
from prosumo.community.terms import terms_accepted, terms_current
from prosumo.core.errors import InvalidInput, NotFound
from prosumo.core.input import BodyIn
from prosumo.core.paging import PER_PAGE_MAX, page_of
from prosumo.core.schemas import ERRORS, ErrorOut

router = Router(tags=["members"])


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
    outreach_email: bool = Field(description="whether the member gets messages from the community team")
    open_data_name: bool = Field(description="whether your name goes into the site's open data (else a pseudonym)")
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
    outreach_email: bool | None = None
    open_data_name: bool | None = None


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


class TermsOut(Schema):
    number: int
    text: str
    text_sha256: str
    published_at: datetime
    accepted: bool


@router.get("/terms", response={200: TermsOut, **ERRORS}, auth=needs(Scope.READ))
def terms(request: MemberRequest) -> Any:
    """The current contribution terms, and whether you accepted them (docs/ip.md)."""
    member = require_member(request.user)
    version = terms_current()
    if version is None:
        raise NotFound(gettext("No contribution terms are published."), code="no_terms")
    return {
        "number": version.number,
        "text": version.text,
        "text_sha256": version.text_sha256,
        "published_at": version.published_at,
        "accepted": terms_accepted(member, version),
    }


# --- members and segments, for staff --------------------------------------------


class MemberStaffOut(Schema):
    """A member as staff see them: the address too, and where they stand."""

    id: int
    name: str = Field(description="the name other members see")
    display_name: str
    email: str
    role: str
    segment_id: int | None
    channel: str
    country: str
    locale: str
    date_joined: datetime
    is_active: bool
    suspended_at: datetime | None


class MemberPageOut(Schema):
    items: list[MemberStaffOut]
    count: int
    page: int
    pages: int


class MemberParams(Schema):
    q: str = Field("", max_length=200, description="a part of the email address or display name")
    segment_id: int | None = Field(None, ge=1, description="only members of this segment")
    role: str = Field("", description="only members with this role: member, moderator, reviewer or admin")
    page: int = Field(1, ge=1, description="1 for the first page")
    per_page: int = Field(20, ge=1, le=PER_PAGE_MAX, description="1 to 100")


class SegmentOut(Schema):
    id: int
    name: str
    slug: str
    description: str
    member_count: int


class MemberSegmentIn(BodyIn):
    segment_id: int | None = Field(..., ge=1, description="the segment, or null for none")


@router.get("/members", response={200: MemberPageOut, **ERRORS}, auth=needs(Scope.STAFF))
def members_list(request: MemberRequest, params: Query[MemberParams]) -> Any:
    """Members, oldest first, paged; search by a part of the email or name, filter by segment and role."""
    require_staff(request.user)
    if params.role and params.role not in Role.values:
        raise InvalidInput(
            gettext("Unknown role {role!r}; choose one of {names}.").format(
                role=params.role, names=", ".join(Role.values)
            ),
            fields={"role": ["unknown"]},
        )
    if params.segment_id is not None:
        segment_named(params.segment_id)
    found = members_search(q=params.q, segment_id=params.segment_id, role=params.role)
    return page_of(found, page=params.page, per_page=params.per_page)


@router.get("/members/{member_id}", response={200: MemberStaffOut, **ERRORS}, auth=needs(Scope.STAFF))
def members_get(request: MemberRequest, member_id: int) -> Any:
    require_staff(request.user)
    return member_for_staff(member_id)


@router.put("/members/{member_id}/segment", response={200: MemberStaffOut, **ERRORS}, auth=needs(Scope.STAFF))
def members_segment(request: MemberRequest, member_id: int, payload: MemberSegmentIn) -> Any:
    """Put a member in a segment, or take them out of theirs (`null`); admins only. Written as `member.segment_changed`."""
    require_role(request.user, Role.ADMIN)
    member = member_for_staff(member_id)
    segment = segment_named(payload.segment_id) if payload.segment_id is not None else None
    return services.member_set_segment(actor=request.user, member=member, segment=segment)


@router.get("/segments", response={200: list[SegmentOut], **ERRORS}, auth=needs(Scope.STAFF))
def segments_list(request: MemberRequest) -> Any:
    """Every segment, by name, with how many members it holds; `GET /api/members?segment_id=` lists them."""
    require_staff(request.user)
    return list(segments_with_counts())
