"""Access to campaigns and ideas: a hidden object and a missing one give the same answer."""

from __future__ import annotations

from functools import cache
from typing import Any, cast

from django.utils.translation import gettext

from prosumo.community.permissions import can_moderate, is_staff, require_member
from prosumo.core import statements
from prosumo.core.errors import NotFound, PermissionDenied
from prosumo.core.input import id_in_range
from prosumo.ideas.models import Campaign, Idea, Visibility


@cache
def _campaign_statement(by: str) -> tuple[str, statements.Part]:
    part = statements.Part(Campaign, "c", [f.name for f in Campaign._meta.concrete_fields])
    column = statements.quoted_column(Campaign, by)
    return f"SELECT {part.columns()} FROM {statements.quoted_table(Campaign)} c WHERE c.{column} = %s", part  # noqa: S608 (names from model metadata, values bound)


def access_campaign(actor: Any, campaign_id: int | str) -> Campaign:
    """The campaign if the actor may see it, else NotFound; accepts an id or a slug.

    Every list and idea page starts here, so the read is a statement written once.
    """
    ref = str(campaign_id)
    value: int | str = ref
    by = "slug"
    if ref.isascii() and ref.isdigit():  # ASCII only: "²".isdigit() is true, yet int("²") fails
        by, value = "id", int(ref)
        if not id_in_range(value):  # no row has it, and the database driver cannot even send it
            raise NotFound(gettext("No such campaign."))
    sql, part = _campaign_statement(by)
    found = statements.fetch(sql, [value], part)
    campaign = cast(Campaign | None, found[0][0] if found else None)
    if campaign is None or not campaign_visible(campaign, actor):
        raise NotFound(gettext("No such campaign."))
    return campaign


def campaign_visible(campaign: Campaign, actor: Any) -> bool:
    """Whether the actor may see this campaign; the same rule as `Campaign.objects.visible_to`."""
    if is_staff(actor):
        return True
    if not campaign.is_published:
        return False
    if campaign.visibility == Visibility.PUBLIC:
        return True
    if not getattr(actor, "is_authenticated", False):
        return False
    if campaign.visibility == Visibility.SEGMENT:
        return campaign.segment_id is not None and campaign.segment_id == actor.segment_id
    return campaign.invitees.filter(pk=actor.pk).exists()


def access_idea(actor: Any, idea_id: int, *, lock: bool = False) -> Idea:
    """The idea if the actor may see it, else NotFound.

    With `lock`, the idea's row is locked for the rest of the transaction (votes and
    stage changes take it so that two of them on one idea never interleave).
    """
    if lock:
        # Writers need the campaign's rules, not the author's profile: a narrower row to lock and read.
        qs = Idea.objects.select_related("campaign").select_for_update(of=("self",))
    else:
        qs = Idea.objects.select_related("campaign", "author")
    return check_idea_visible(actor, qs.filter(pk=idea_id).first())


def check_idea_visible(actor: Any, idea: Idea | None) -> Idea:
    """The idea, loaded with its campaign, if the actor may see it; else NotFound."""
    # A hidden campaign gives the same answer as a missing idea: its existence is not revealed either.
    if idea is None or not campaign_visible(idea.campaign, actor):
        raise NotFound(gettext("No such idea."))
    if idea.hidden and not (can_moderate(actor) or getattr(actor, "pk", None) == idea.author_id):
        raise NotFound(gettext("No such idea."))
    return idea


def check_take_part(member: Any, idea: Idea | None) -> Idea:
    """The idea if the member may vote, comment or follow on it; else NotFound or PermissionDenied."""
    idea = check_idea_visible(member, idea)
    if idea.hidden:
        raise PermissionDenied(gettext("This idea is hidden by the moderators."), code="idea_hidden")
    return idea


def access_idea_to_take_part(actor: Any, idea_id: int, *, lock: bool = False) -> Idea:
    """The idea, for a member who wants to vote, comment or follow; it must still be open to that."""
    member = require_member(actor)
    return check_take_part(member, access_idea(member, idea_id, lock=lock))


def can_edit_idea(actor: Any, idea: Idea) -> bool:
    if not getattr(actor, "is_authenticated", False):
        return False
    if actor.pk == idea.author_id:
        return True
    if idea.coauthors.filter(member_id=actor.pk, status="accepted").exists():
        return True
    return is_staff(actor)
