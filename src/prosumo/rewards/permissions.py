"""Who may do what with points and pools; see docs/permissions.md ("Rewards")."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext

from prosumo.community.models import Member, Role
from prosumo.community.permissions import has_role, is_staff, require_member
from prosumo.core.errors import NotFound, PermissionDenied


def can_manage_rewards(actor: Any) -> bool:
    """Admins set the reward rules, record spends and corrections, and run royalty pools."""
    return has_role(actor, Role.ADMIN)


def require_rewards_admin(actor: Any) -> Member:
    member = require_member(actor)
    if not can_manage_rewards(member):
        raise PermissionDenied(gettext("Only an admin can change rewards."))
    return member


def can_mark_improvements(actor: Any) -> bool:
    """Moderators and admins mark a comment as having improved its idea."""
    return has_role(actor, Role.MODERATOR, Role.ADMIN)


def require_improvement_marker(actor: Any) -> Member:
    member = require_member(actor)
    if not can_mark_improvements(member):
        raise PermissionDenied(gettext("Only a moderator or an admin can mark a comment as an improvement."))
    return member


def staff_page(actor: Any) -> Member:
    """Staff pages are for staff; to anyone else they do not exist (as every staff page answers)."""
    if not is_staff(actor):
        raise NotFound(gettext("Not found."))
    return actor  # type: ignore[no-any-return]
