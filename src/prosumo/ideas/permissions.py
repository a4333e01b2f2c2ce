"""Access to campaigns and ideas: a hidden object and a missing one give the same answer."""

from __future__ import annotations

from functools import cache
from typing import Any, Protocol, TypeVar, cast

from django.utils.translation import gettext

from prosumo.community.permissions import is_staff, require_member
from prosumo.core import statements
from prosumo.core.errors import InvalidInput, NotFound, PermissionDenied
from prosumo.core.input import id_in_range
from prosumo.ideas.models import Campaign, Idea
from prosumo.ideas.visibility import CAMPAIGN, IDEA


class CampaignFacts(Protocol):
    """What the visibility rule reads of a campaign: a Campaign, or the vote's typed row of its rules."""

    @property
    def pk(self) -> Any: ...
    @property
    def is_published(self) -> bool: ...
    @property
    def visibility(self) -> str: ...
    @property
    def segment_id(self) -> int | None: ...


class IdeaFacts(Protocol):
    """What the visibility rule reads of an idea: an Idea, or the vote's typed row of it."""

    @property
    def pk(self) -> Any: ...
    @property
    def author_id(self) -> int: ...
    @property
    def hidden(self) -> bool: ...
    @property
    def approved(self) -> bool: ...
    @property
    def campaign(self) -> CampaignFacts: ...


SomeIdea = TypeVar("SomeIdea", bound=IdeaFacts)


@cache
def _campaign_statement(by: str) -> tuple[str, statements.Part]:
    part = statements.Part(Campaign, "c", [f.attname for f in Campaign._meta.concrete_fields])
    column = statements.quoted_column(Campaign, by)
    return f"SELECT {part.columns()} FROM {statements.quoted_table(Campaign)} c WHERE c.{column} = %s", part  # noqa: S608 (names from model metadata, values bound)


def _campaign_by(by: str, value: int | str) -> Campaign | None:
    sql, part = _campaign_statement(by)
    found = statements.fetch(sql, [value], part)
    return cast(Campaign, part.instance(found[0][0])) if found and found[0][0] is not None else None


def access_campaign(actor: Any, campaign: int | str) -> Campaign:
    """The campaign a reference names, if the actor may see it, else NotFound.

    The rule is `CampaignQuerySet.named`'s: an int is an id; text is the slug of a campaign
    the actor may see, else, when it is all digits, an id (so a slug such as "2027" opens).
    Every list and idea page starts here, so the reads are statements written once: through
    the ORM it cost 0.44 ms more CPU, a quarter of a list page's (bench/RESULTS.md).
    """
    ref = str(campaign)
    if not isinstance(campaign, int):
        found = _campaign_by("slug", ref)
        if found is not None and campaign_visible(found, actor):
            return found
    if not (ref.isascii() and ref.isdigit()):  # ASCII only: "²".isdigit() is true, yet int("²") fails
        raise NotFound(gettext("No such campaign."))
    value = int(ref)
    found = _campaign_by("id", value) if id_in_range(value) else None
    if found is None or not campaign_visible(found, actor):
        raise NotFound(gettext("No such campaign."))
    return found


def check_takes_ideas(campaign: Campaign) -> Campaign:
    """The campaign if it takes ideas now (started, not ended); else InvalidInput ``campaign_closed``."""
    if not campaign.takes_ideas():
        raise InvalidInput(gettext("This campaign is not taking ideas now."), code="campaign_closed")
    return campaign


def campaign_visible(campaign: CampaignFacts, actor: Any) -> bool:
    """Whether the actor may see this campaign: the rule `ideas.visibility.CAMPAIGN`, for one loaded row."""
    return CAMPAIGN.holds(campaign, actor)


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


def idea_visible(idea: IdeaFacts, actor: Any) -> bool:
    """Whether the actor may read this idea, already loaded with its campaign: the rule `ideas.visibility.IDEA`.

    For the vote path, which reads the idea with a statement of its own; a test checks
    that this, `visible_to` and `Idea.readers` agree for every kind of reader and idea.
    """
    return IDEA.holds(idea, actor)


def check_idea_visible(actor: Any, idea: SomeIdea | None) -> SomeIdea:
    """The idea, loaded with its campaign, if the actor may see it; else NotFound."""
    if idea is None or not idea_visible(idea, actor):
        raise NotFound(gettext("No such idea."))
    return idea


def check_take_part(member: Any, idea: SomeIdea | None) -> SomeIdea:
    """The idea if the member may vote, comment or follow on it; else NotFound or PermissionDenied."""
    return _open_to_taking_part(check_idea_visible(member, idea))


def _open_to_taking_part(idea: SomeIdea) -> SomeIdea:
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


def can_see_opinion_groups(actor: Any) -> bool:
    """How each opinion group voted on an idea, and which ideas unite or divide them: staff only."""
    return is_staff(actor)


def can_decide_amendment(actor: Any, idea: Idea) -> bool:
    """Only the idea's author accepts, rejects or asks for changes to an amendment of it, whatever their role."""
    if not getattr(actor, "is_authenticated", False):
        return False
    return bool(actor.pk == idea.author_id)
