"""JSON endpoints for a member's own data: a copy to download, and erasing the account."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from ninja import Router, Schema, Status

from prosumo.community.auth import needs
from prosumo.community.http import MemberRequest
from prosumo.community.models import Scope
from prosumo.core.errors import NotFound
from prosumo.core.files import download_response
from prosumo.core.input import BodyIn, Id
from prosumo.core.schemas import ErrorOut
from prosumo.privacy import selectors, services
from prosumo.privacy.models import MemberExport
from prosumo.privacy.permissions import access_member_export, require_account

router = Router(tags=["your data"])
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class ExportOut(Schema):
    """A copy of your data; `download_url` is set once `state` is `ready`, until `expires_at`."""

    id: int
    state: str
    requested_at: datetime
    ready_at: datetime | None
    expires_at: datetime | None
    size_bytes: int
    download_url: str | None

    @staticmethod
    def resolve_download_url(obj: MemberExport) -> str | None:
        if obj.state != MemberExport.State.READY:
            return None
        return reverse("api:my_data_export_download", kwargs={"export_id": obj.pk})


class EraseIn(BodyIn):
    password: str | None = None
    confirm_email: str | None = None
    remove_content: bool = False


class ErasedOut(Schema):
    erased: bool
    member_id: int


@router.post("/me/export", response={202: ExportOut, **ERRORS}, auth=needs(Scope.WRITE))
def export_request(request: MemberRequest) -> Any:
    """Ask for a copy of your data: 202 with the export, built in the background.

    Poll `GET /api/me/export` until `state` is `ready` (or `failed`), then download it from
    `download_url`. Asking again while one is being built returns that one.
    """
    return Status(202, services.member_export_request(actor=request.user))


@router.get("/me/export", response={200: ExportOut, **ERRORS}, auth=needs(Scope.READ))
def export_latest(request: MemberRequest) -> Any:
    """Your latest copy and its state; 404 when you have none (or it expired)."""
    export = selectors.latest_export(member=require_account(request.user))
    if export is None:
        raise NotFound(gettext("You have no copy of your data; ask for one with POST /api/me/export."))
    return export


@router.get(
    "/me/export/{export_id}/download",
    response={200: None, 409: ErrorOut, **ERRORS},
    url_name="my_data_export_download",
    auth=needs(Scope.READ),
)
def export_download(request: MemberRequest, export_id: Id) -> HttpResponse:
    """The zip; only for the member it belongs to (anyone else gets 404). 409 `export_not_ready` while it is built."""
    export = access_member_export(request.user, export_id)
    data = selectors.export_file(export=export, now=timezone.now())
    return download_response(data, content_type="application/zip", file_name=export.file_name)


@router.post("/me/erase", response={200: ErasedOut, 409: ErrorOut, **ERRORS}, auth=needs(Scope.WRITE))
def erase(request: MemberRequest, payload: EraseIn) -> Any:
    """Erase your account; confirm with your password (`confirm_email` for an account without one).

    Your personal data goes; ideas and comments stay under "former member" unless
    `remove_content` is true. 400 `wrong_password`; 409 `last_admin` for the only admin.
    """
    member = services.member_erase(
        actor=request.user,
        member=request.user,
        password=payload.password,
        confirm_email=payload.confirm_email,
        remove_content=payload.remove_content,
    )
    return {"erased": True, "member_id": member.pk}
