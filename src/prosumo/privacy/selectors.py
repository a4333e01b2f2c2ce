"""Reads for members' own data."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext

from prosumo.community.models import Member
from prosumo.core.errors import Conflict, NotFound
from prosumo.privacy.models import MemberExport, MemberExportFile


def latest_export(*, member: Member) -> MemberExport | None:
    return MemberExport.objects.filter(member=member).first()


def export_file(*, export: MemberExport, now: datetime) -> bytes:
    """The zip of a ready export; Conflict while it is being built, NotFound once it has expired."""
    if export.is_active:
        raise Conflict(gettext("Your copy is still being prepared."), code="export_not_ready")
    if export.state != MemberExport.State.READY or (export.expires_at is not None and export.expires_at <= now):
        raise NotFound(gettext("This copy has expired; ask for a new one."))
    stored = MemberExportFile.objects.filter(export=export).values_list("data", flat=True).first()
    if stored is None:
        raise NotFound(gettext("This copy has expired; ask for a new one."))
    return bytes(stored)
