"""Reads for the community pages and endpoints."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext

from prosumo.community.models import ApiToken, CustomerImport, Invitation, Member, Role, Segment
from prosumo.community.permissions import has_role
from prosumo.core.errors import InvalidInput, NotFound

IMPORTS_LISTED = 20

# What the apps above add to a member's profile page and to an invitation's page: each
# registers, in its AppConfig.ready(), a callable that gives more of the page's context.
_profile_parts: list[Callable[[Member, Any], dict[str, Any]]] = []
_invitation_parts: list[Callable[[Invitation], dict[str, Any]]] = []


def profile_part_register(part: Callable[[Member, Any], dict[str, Any]]) -> None:
    """Add ``part(member, viewer)`` to the profile page's context: what the viewer may see of the member there.

    A part may name templates of its own under ``profile_sections``: the page includes
    them, in the order the apps registered, after the member's figures.
    """
    if part not in _profile_parts:
        _profile_parts.append(part)


def invitation_part_register(part: Callable[[Invitation], dict[str, Any]]) -> None:
    """Add ``part(invitation)`` to the invitation page's context: what it offers besides joining."""
    if part not in _invitation_parts:
        _invitation_parts.append(part)


def profile_page(*, member_id: int, viewer: Any) -> dict[str, Any]:
    """The profile page's context: the member (`member_of_profile`) and what each app above adds for the viewer."""
    member = member_of_profile(member_id)
    context: dict[str, Any] = {"profile": member}
    sections: list[str] = []
    for part in _profile_parts:
        extra = dict(part(member, viewer))
        sections += extra.pop("profile_sections", [])
        context.update(extra)
    context["profile_sections"] = sections
    return context


def invitation_open(token: str) -> Invitation:
    """The invitation this token opens, while nobody has taken it up; NotFound otherwise."""
    invite = Invitation.objects.filter(token=token, accepted_at__isnull=True).first()
    if invite is None:
        raise NotFound(gettext("No such invitation."))
    return invite


def invitation_page(invitation: Invitation) -> dict[str, Any]:
    """What the invitation's page says it offers, from each app above (a campaign, for ideas)."""
    context: dict[str, Any] = {}
    for part in _invitation_parts:
        context.update(part(invitation))
    return context


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


def members_search(*, q: str = "", segment_id: int | None = None, role: str = "") -> QuerySet[Member]:
    """Members for staff, oldest first: by a part of their email or display name, their segment, their role.

    Erased accounts are left out: nothing personal is left to list.
    """
    found = Member.objects.filter(erased_at__isnull=True).select_related("segment").order_by("id")
    q = q.strip()
    if q:
        found = found.filter(Q(email__icontains=q) | Q(display_name__icontains=q))
    if segment_id is not None:
        found = found.filter(segment_id=segment_id)
    if role:
        found = found.filter(role=role)
    return found


def segments_with_counts() -> QuerySet[Segment]:
    """Every segment, by name, with `member_count`: its members not erased."""
    return Segment.objects.annotate(member_count=Count("members", filter=Q(members__erased_at__isnull=True))).order_by(
        "name"
    )


def segment_named(segment_id: int) -> Segment:
    """The segment with this id; an unknown one is a 400 on ``segment_id``, as a bad choice in a form is."""
    segment = Segment.objects.filter(pk=segment_id).first()
    if segment is None:
        raise InvalidInput(gettext("There is no such segment."), fields={"segment_id": ["unknown"]})
    return segment
