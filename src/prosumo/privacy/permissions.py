"""Who may reach a copy of a member's data: that member alone."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext

from prosumo.core.errors import NotAuthenticated, NotFound, PermissionDenied
from prosumo.privacy.models import MemberExport


def require_account(actor: Any) -> Any:
    """A signed-in member whose account is open; a suspended member may still see and erase their data."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise NotAuthenticated(gettext("Please sign in first."))
    if not actor.is_active or actor.erased_at is not None:
        raise PermissionDenied(gettext("This account is closed."))
    return actor


def access_member_export(actor: Any, export_id: int) -> MemberExport:
    """The actor's own copy of their data; anyone else, staff included, is told it does not exist."""
    member = require_account(actor)
    export = MemberExport.objects.filter(pk=export_id, member=member).first()
    if export is None:
        raise NotFound(gettext("No such export."))
    return export
