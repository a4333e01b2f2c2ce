"""Reads for the community pages and endpoints."""

from __future__ import annotations

from django.db.models import QuerySet

from prosumo.community.models import ApiToken, CustomerImport, Member, Role
from prosumo.community.permissions import has_role

IMPORTS_LISTED = 20


def customer_imports_for(actor: Member) -> QuerySet[CustomerImport]:
    """The latest customer imports, newest first, for an admin; none for anyone else."""
    if not has_role(actor, Role.ADMIN):
        return CustomerImport.objects.none()
    return CustomerImport.objects.select_related("requested_by")[:IMPORTS_LISTED]


def member_with_address(email: str) -> Member | None:
    """The active member who signs in with this address, whatever its case; None when nobody does.

    Only for the person the address belongs to (an invitation's link): telling anyone
    else whether an address has an account is what docs/security.md forbids.
    """
    return Member.objects.filter(email__iexact=email.strip(), is_active=True).first()


def tokens_of(*, member: Member) -> QuerySet[ApiToken]:
    """The member's tokens, newest first, revoked ones included (they show when they were revoked)."""
    return ApiToken.objects.filter(member=member).order_by("-created_at", "-id")
