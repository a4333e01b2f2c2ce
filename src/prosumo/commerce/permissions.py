"""Who may bring in the company's commercial data; see docs/permissions.md ("Orders and channel spend")."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext

from prosumo.community.models import Member, Role
from prosumo.community.permissions import has_role, is_staff, require_member
from prosumo.core.errors import NotFound, PermissionDenied


def can_manage_commerce(actor: Any) -> bool:
    """Admins import orders and record channel spend: figures about money, like royalties."""
    return has_role(actor, Role.ADMIN)


def require_commerce_admin(actor: Any) -> Member:
    member = require_member(actor)
    if not can_manage_commerce(member):
        raise PermissionDenied(gettext("Only an admin can import orders or record spend."))
    return member


def staff_page(actor: Any) -> Member:
    """Staff pages are for staff; to anyone else they do not exist (as every staff page answers)."""
    if not is_staff(actor):
        raise NotFound(gettext("Not found."))
    return actor  # type: ignore[no-any-return]
