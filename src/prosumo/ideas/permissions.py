"""Access to campaigns and ideas: a hidden object and a missing one give the same answer."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext

from prosumo.community.permissions import can_moderate, is_staff, require_member
from prosumo.core.errors import NotFound, PermissionDenied
from prosumo.ideas.models import Campaign, CoAuthorStatus, Idea, Visibility


def access_campaign(actor: Any, campaign: int | str) -> Campaign:
    """The campaign a reference names (an id or a slug: `CampaignQuerySet.named`) if the actor may see it, else NotFound."""
    found = Campaign.objects.visible_to(actor).named(campaign).first()
    if found is None:
        raise NotFound(gettext("No such campaign."))
    return found


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
    """The idea if the actor may see it (`Idea.objects.visible_to`), else NotFound.

    With `lock`, the idea's row is locked for the rest of the transaction (votes and
    stage changes take it so that two of them on one idea never interleave).
    """
    qs = Idea.objects.visible_to(actor)
    if lock:
        # Writers need the campaign's rules, not the author's profile: a narrower row to lock and read.
        qs = qs.select_related("campaign").select_for_update(of=("self",))
    else:
        qs = qs.select_related("campaign", "author")
    idea = qs.filter(pk=idea_id).first()
    if idea is None:
        # A hidden campaign or idea gives the same answer as a missing one: its existence is not revealed either.
        raise NotFound(gettext("No such idea."))
    return idea


def idea_visible(idea: Idea, actor: Any) -> bool:
    """Whether the actor may read this idea, already loaded with its campaign: `Idea.objects.visible_to` for one.

    For the vote path, which reads the idea with a statement of its own; a test checks
    that this, `visible_to` and `Idea.readers` agree for every kind of reader and idea.
    """
    if not campaign_visible(idea.campaign, actor):
        return False
    own = getattr(actor, "pk", None) is not None and actor.pk == idea.author_id
    if idea.hidden and not (own or can_moderate(actor)):
        return False
    if idea.approved:
        return True
    return own or is_staff(actor) or _asked_to_coauthor(actor, idea)


def _asked_to_coauthor(actor: Any, idea: Idea) -> bool:
    if not getattr(actor, "is_authenticated", False):
        return False
    return idea.coauthors.filter(member_id=actor.pk).exclude(status=CoAuthorStatus.DECLINED).exists()


def check_idea_visible(actor: Any, idea: Idea | None) -> Idea:
    """The idea, loaded with its campaign, if the actor may see it; else NotFound."""
    if idea is None or not idea_visible(idea, actor):
        raise NotFound(gettext("No such idea."))
    return idea


def check_take_part(member: Any, idea: Idea | None) -> Idea:
    """The idea if the member may vote, comment or follow on it; else NotFound or PermissionDenied."""
    return _open_to_taking_part(check_idea_visible(member, idea))


def _open_to_taking_part(idea: Idea) -> Idea:
    if idea.hidden:
        raise PermissionDenied(gettext("This idea is hidden by the moderators."), code="idea_hidden")
    return idea


def access_idea_to_take_part(actor: Any, idea_id: int, *, lock: bool = False) -> Idea:
    """The idea, for a member who wants to vote, comment or follow; it must still be open to that."""
    member = require_member(actor)
    return _open_to_taking_part(access_idea(member, idea_id, lock=lock))


def can_edit_idea(actor: Any, idea: Idea) -> bool:
    if not getattr(actor, "is_authenticated", False):
        return False
    if actor.pk == idea.author_id:
        return True
    if idea.coauthors.filter(member_id=actor.pk, status="accepted").exists():
        return True
    return is_staff(actor)
