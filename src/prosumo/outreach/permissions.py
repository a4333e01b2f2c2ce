"""Who may see and write messages; see docs/permissions.md."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext

from prosumo.community.models import Member
from prosumo.community.permissions import is_staff, require_member
from prosumo.core.errors import NotFound, PermissionDenied
from prosumo.outreach.models import Message, MessageBrief


def briefs_visible_to(member: Member) -> QuerySet[MessageBrief]:
    """Staff see every brief; a member sees those for everyone and those for their own segment."""
    briefs = MessageBrief.objects.select_related("segment")
    if is_staff(member):
        return briefs
    return briefs.filter(Q(segment__isnull=True) | Q(segment_id=member.segment_id))


def require_outreach_staff(actor: Any) -> Member:
    """Staff (moderators, reviewers, admins) open briefs, shortlist and edit messages, and write the company's."""
    member = require_member(actor)
    if not is_staff(member):
        raise PermissionDenied(gettext("Only staff can do that."))
    return member


def staff_page(actor: Any) -> Member:
    """The outreach staff pages do not exist for anyone else (as every staff page answers)."""
    if not is_staff(actor):
        raise NotFound(gettext("Not found."))
    return actor  # type: ignore[no-any-return]


def access_brief(actor: Any, brief_id: int) -> tuple[Member, MessageBrief]:
    """A signed-in member and a brief they may see; a brief they may not see is missing to them."""
    member = require_member(actor)
    brief = briefs_visible_to(member).filter(pk=brief_id).first()
    if brief is None:
        raise NotFound(gettext("No such brief."))
    return member, brief


def access_message(actor: Any, message_id: int, *, lock: bool = False) -> tuple[Member, Message]:
    """A signed-in member and a message whose brief they may see (locked for the caller's transaction when ``lock``)."""
    member = require_member(actor)
    messages = Message.objects.select_for_update() if lock else Message.objects.select_related("brief", "author")
    message = messages.filter(pk=message_id, brief__in=briefs_visible_to(member)).first()
    if message is None:
        raise NotFound(gettext("No such message."))
    return member, message


def can_revise(member: Member, message: Message) -> bool:
    """Any member who sees an open brief improves its drafts; once shortlisted, only staff edit a message."""
    if is_staff(member):
        return True
    return not message.shortlisted and message.brief.open and not message.company


def is_staff_edit(member: Member, message: Message) -> bool:
    """A revision that is the company's edit, not a member's contribution: staff changing a shortlisted or company
    message someone else wrote. It is marked "staff edit" and asks for no contribution terms."""
    return is_staff(member) and (message.shortlisted or message.company) and member.pk != message.author_id
