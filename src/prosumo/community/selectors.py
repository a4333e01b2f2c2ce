"""Reads for the community pages and endpoints."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet
from django.utils.translation import gettext

from prosumo.community.models import ApiToken, CustomerImport, Member, Role, Segment
from prosumo.community.permissions import has_role
from prosumo.core.errors import NotFound

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


def member_of_profile(member_id: int) -> Member:
    """An active member whose profile anyone may open; NotFound for a closed account or no account."""
    member = Member.objects.filter(pk=member_id, is_active=True).first()
    if member is None:
        raise NotFound(gettext("No such member."))
    return member


def member_for_staff(member_id: int) -> Member:
    """Any member, closed or suspended accounts too, for a staff action; NotFound when there is none."""
    member = Member.objects.filter(pk=member_id).first()
    if member is None:
        raise NotFound(gettext("No such member."))
    return member


def members_by_id(ids: Iterable[int | None]) -> dict[int, Member]:
    """The members with these ids (None and unknown ids left out), by id."""
    return {m.pk: m for m in Member.objects.filter(pk__in={i for i in ids if i})}


def segment_names() -> list[str]:
    """Every segment's name, in order."""
    return list(Segment.objects.order_by("name").values_list("name", flat=True))


def member_channels() -> list[str]:
    """The channels members came through (not empty), in order."""
    return sorted({c for c in Member.objects.values_list("channel", flat=True).distinct() if c})


def tokens_active(*, member: Member) -> QuerySet[ApiToken]:
    """The member's tokens that still work (not revoked), in the model's order."""
    return member.api_tokens.filter(revoked_at__isnull=True)
