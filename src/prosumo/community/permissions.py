"""Who may do what. Each check returns quietly or raises; see docs/permissions.md."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext

from prosumo.community.models import STAFF_ROLES, CustomerImport, Member, Role
from prosumo.core.errors import NotAuthenticated, NotFound, PermissionDenied


def require_member(actor: Any) -> Member:
    """An active, signed-in member who is not suspended."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise NotAuthenticated(gettext("Please sign in first."))
    if not actor.is_active:
        raise PermissionDenied(gettext("This account is closed."))
    if actor.is_suspended:
        raise PermissionDenied(gettext("Your account is suspended, so you cannot take part for now."), code="suspended")
    return actor  # type: ignore[no-any-return]


def has_role(actor: Any, *roles: str) -> bool:
    """Whether the actor holds one of the roles; a closed or suspended account holds none."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    return bool(actor.holds_role(*roles))


def require_role(actor: Any, *roles: str) -> Member:
    member = require_member(actor)
    if not has_role(member, *roles):
        raise PermissionDenied(gettext("You do not have permission to do that."))
    return member


def can_moderate(actor: Any) -> bool:
    return has_role(actor, Role.MODERATOR, Role.ADMIN)


def can_review(actor: Any) -> bool:
    return has_role(actor, Role.REVIEWER, Role.ADMIN)


def can_manage_campaigns(actor: Any) -> bool:
    return has_role(actor, Role.ADMIN)


def can_import_customers(actor: Any) -> bool:
    return has_role(actor, Role.ADMIN)


def is_staff(actor: Any) -> bool:
    """`Member.is_staff`, for any actor: a visitor is not staff."""
    return has_role(actor, *STAFF_ROLES)


def require_staff(actor: Any) -> Member:
    """A member of staff (moderator, reviewer or admin), for the staff API: anyone else gets 403."""
    return require_role(actor, *STAFF_ROLES)


def require_staff_page(actor: Any) -> None:
    """Staff pages are for staff; to anyone else they do not exist (404, not 403)."""
    if not is_staff(actor):
        raise NotFound(gettext("Not found."))


def access_customer_import(actor: Any, import_id: int) -> CustomerImport:
    """A customer import, for an admin; anyone else is told it does not exist."""
    if not has_role(actor, Role.ADMIN):
        raise NotFound(gettext("No such import."))
    job = CustomerImport.objects.filter(pk=import_id).first()
    if job is None:
        raise NotFound(gettext("No such import."))
    return job
