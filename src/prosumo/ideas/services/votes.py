"""Votes: one per member per idea, changed or withdrawn, counted exactly under concurrency.

Every vote takes the idea's row lock (SELECT ... FOR UPDATE on PostgreSQL; SQLite
takes its write lock at BEGIN IMMEDIATE), reads the member's current vote, and
writes the vote, the tallies and the ranking keys together. Two votes on one idea
therefore never interleave, and the tallies always equal the votes table.

Voting is the busiest write of the site, so its statements are written once
(`prosumo.core.statements`) rather than compiled by the ORM on every vote: one
read locks the idea and brings its campaign's rules and the member's vote, then
one write each for the vote, the tallies and the event.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from functools import cache
from typing import Any, cast

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext

from prosumo.activity.services import event_record
from prosumo.community.models import Member
from prosumo.community.permissions import require_member
from prosumo.core import statements
from prosumo.core.errors import InvalidInput, NotFound
from prosumo.ideas import tallies
from prosumo.ideas.models import VOTABLE_STAGES, Campaign, Idea, TallyFigures, Vote, VotingMode
from prosumo.ideas.permissions import check_take_part


@dataclass(slots=True)
class VoteRules:
    """The campaign's columns a vote reads: who may see it, and how it counts votes."""

    id: int
    is_published: bool
    visibility: str
    segment_id: int | None
    voting_mode: str
    support_threshold: int
    support_gates: list[dict[str, Any]]

    @property
    def pk(self) -> int:
        return self.id


@dataclass(slots=True)
class LockedIdea(TallyFigures):
    """The idea's columns a vote reads and writes, read under its row lock, with its campaign's rules.

    The vote changes the tallies and the ranking keys here and writes them back; a
    support threshold reached reads the whole idea to move it (`support_progress`).
    """

    id: int
    campaign_id: int
    author_id: int
    stage: str
    hidden: bool
    approved: bool
    created_at: datetime
    support_count: int
    up_count: int
    down_count: int
    score_sum: int
    score_count: int
    rank_top: float
    rank_hot: float
    rank_trending: float
    gate_index: int
    gate_deadline: datetime | None
    campaign: VoteRules

    @property
    def pk(self) -> int:
        return self.id


@dataclass(frozen=True, slots=True)
class VoteResult:
    """What a vote leaves: the idea with its new tallies, and the member's vote on it (None once withdrawn)."""

    idea: LockedIdea
    value: int | None


def _check_value(mode: str, value: int) -> None:
    if mode == VotingMode.PAIRWISE:
        # a pairwise campaign's members compare ideas two at a time (prosumo.pairwise), never vote on one
        raise InvalidInput(
            gettext("This campaign compares ideas in pairs: choose between two ideas on its pairs page."),
            code="pairwise_campaign",
        )
    if mode == VotingMode.BUDGET:
        # members of a budget campaign spend its budget over ideas on a ballot (prosumo.budgets)
        raise InvalidInput(
            gettext("In this campaign members spend a budget over ideas: fill in your ballot on its budget page."),
            code="budget_campaign",
        )
    allowed = {VotingMode.SUPPORT: {1}, VotingMode.UPDOWN: {1, -1}, VotingMode.SCORE: {1, 2, 3, 4, 5}}[VotingMode(mode)]
    if value not in allowed:
        raise InvalidInput(
            gettext("In this campaign a vote is one of {values}.").format(values=sorted(allowed)),
            fields={"value": ["invalid"]},
            code="invalid_vote",
        )


LOCKED_IDEA_COLUMNS = tuple(f.name for f in fields(LockedIdea) if f.name != "campaign")
VOTE_RULES_COLUMNS = tuple(f.name for f in fields(VoteRules))


@cache
def _lock_parts() -> tuple[statements.Part, statements.Part, statements.Part]:
    return (
        statements.Part(Idea, "i", LOCKED_IDEA_COLUMNS),
        statements.Part(Campaign, "c", VOTE_RULES_COLUMNS),
        statements.Part(Vote, "v", tuple(f.attname for f in Vote._meta.concrete_fields)),
    )


@cache
def _lock_sql(vendor: str) -> str:
    idea, campaign, _ = _lock_parts()
    qn = connection.ops.quote_name
    lock = " FOR UPDATE OF i" if connection.features.has_select_for_update_of else ""
    return (
        f"SELECT {idea.columns()}, {campaign.columns()}"  # noqa: S608 (names from model metadata, values bound)
        f" FROM {statements.quoted_table(Idea)} i"
        f" JOIN {statements.quoted_table(Campaign)} c ON c.{qn('id')} = i.{qn('campaign_id')}"
        f" WHERE i.{qn('id')} = %s{lock}"
    )


@cache
def _vote_sql(vendor: str) -> str:
    qn = connection.ops.quote_name
    vote = _lock_parts()[2]
    return (
        f"SELECT {vote.columns()} FROM {statements.quoted_table(Vote)} v"  # noqa: S608 (names from model metadata, values bound)
        f" WHERE v.{qn('idea_id')} = %s AND v.{qn('member_id')} = %s"
    )


def _lock_for_vote(member: Member, idea_id: int) -> tuple[LockedIdea, Vote | None]:
    """Lock the idea the member may vote on; return it (with its campaign's rules) and the member's vote, if any.

    Call inside a transaction. The vote is read by a second statement, after the lock
    is held: on PostgreSQL a statement that waited for the lock still sees the other
    tables as they were when it began, and would miss a vote committed meanwhile.
    """
    idea = _lock_idea(idea_id)
    check_take_part(member, idea)
    assert idea is not None  # check_take_part refused a missing idea
    return idea, _vote_in_locked(idea, member)


def _lock_idea(idea_id: int) -> LockedIdea | None:
    """Lock the idea's row and read it with its campaign's rules; None when there is no such idea."""
    idea_part, campaign_part, _ = _lock_parts()
    found = statements.fetch(_lock_sql(connection.vendor), [int(idea_id)], idea_part, campaign_part)
    if not found:
        return None
    idea, campaign = found[0]
    assert idea is not None  # an inner join: both sides are there
    assert campaign is not None
    return LockedIdea(*idea, campaign=VoteRules(*campaign))  # type: ignore[misc]  # the columns, in the fields' order


def _vote_in_locked(idea: LockedIdea, member: Member) -> Vote | None:
    part = _lock_parts()[2]
    votes = statements.fetch(_vote_sql(connection.vendor), [idea.id, member.pk], part)
    return cast(Vote, part.instance(votes[0][0])) if votes and votes[0][0] is not None else None


def _tallies(idea: Idea | LockedIdea) -> dict[str, Any]:
    return {name: getattr(idea, name) for name in tallies.FIELDS}


def vote_cast(*, actor: Member, idea_id: int, value: int = 1) -> VoteResult:
    """Cast or change the member's vote on an idea. Casting the same vote again changes nothing."""
    member = require_member(actor)
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(gettext("A vote is a whole number."), fields={"value": ["invalid"]}, code="invalid_vote")
    with transaction.atomic():
        idea, vote = _lock_for_vote(member, idea_id)
        mode = idea.campaign.voting_mode
        _check_value(mode, value)
        if idea.stage not in VOTABLE_STAGES:
            raise InvalidInput(gettext("This idea is not open for votes now."), code="voting_closed")
        if vote is not None and vote.value == value:
            return VoteResult(idea, value)
        now = timezone.now()
        previous = None
        counts = tallies.of(idea)
        if vote is not None:
            previous = vote.value
            counts = tallies.vote_removed(counts, mode=mode, value=vote.value, at=vote.updated_at)
            vote.value = value
            statements.update(vote, ["value", "updated_at"])
        else:
            vote = statements.insert(Vote(idea_id=idea.id, member_id=member.pk, value=value))
        tallies.store(idea, tallies.vote_added(counts, mode=mode, value=value, at=vote.updated_at), mode=mode)
        statements.update_row(Idea, idea.id, _tallies(idea))
        event_record(
            verb="idea.rated" if mode == VotingMode.SCORE else "idea.supported",
            actor_id=member.pk,
            object_type="idea",
            object_id=idea.id,
            target_member_id=idea.author_id,
            campaign_id=idea.campaign_id,
            channel=member.channel,
            value=value,
            details={"previous": previous} if previous is not None else {},
            occurred_at=now,
        )
        if mode == VotingMode.SUPPORT:
            from prosumo.ideas.services.stages import support_progress

            support_progress(idea=idea)
    return VoteResult(idea, value)  # the locked row, with the tallies as this vote left them


def vote_withdraw(*, actor: Member, idea_id: int) -> VoteResult:
    """Withdraw the member's vote; returns the idea with its new tallies. Withdrawing twice changes nothing."""
    member = require_member(actor)
    with transaction.atomic():
        idea, vote = _lock_for_vote(member, idea_id)
        if vote is not None:
            vote_withdraw_locked(idea=idea, vote=vote, mode=idea.campaign.voting_mode)
    return VoteResult(idea, None)


def votes_withdraw_all(*, member: Member, details: dict[str, object] | None = None) -> int:
    """Withdraw every vote of a member, whatever they may see or do now; returns how many.

    For an account being erased (prosumo.privacy): its votes leave the tallies the way any
    withdrawn vote does, under each idea's lock (taken in id order, so two of these never
    wait on each other), with one `idea.support_withdrawn` each. Visibility and suspension
    are not checked: the member is not acting, their votes are being taken back.
    """
    with transaction.atomic():
        idea_ids = list(Vote.objects.filter(member=member).order_by("idea_id").values_list("idea_id", flat=True))
        withdrawn = 0
        for idea_id in idea_ids:
            idea = _lock_idea(idea_id)
            vote = _vote_in_locked(idea, member) if idea is not None else None
            if idea is not None and vote is not None:
                vote_withdraw_locked(idea=idea, vote=vote, mode=idea.campaign.voting_mode, details=details)
                withdrawn += 1
    return withdrawn


def vote_withdraw_locked(
    *, idea: Idea | LockedIdea, vote: Vote, mode: str, details: dict[str, object] | None = None
) -> None:
    """Remove a vote from an idea whose row the caller has locked (a withdrawal, or a merge's carried vote)."""
    tallies.store(
        idea, tallies.vote_removed(tallies.of(idea), mode=mode, value=vote.value, at=vote.updated_at), mode=mode
    )
    statements.update_row(Idea, idea.id, _tallies(idea))
    value = vote.value
    member_id = vote.member_id
    statements.delete(vote)
    event_record(
        verb="idea.support_withdrawn",
        actor_id=member_id,
        object_type="idea",
        object_id=idea.id,
        target_member_id=idea.author_id,
        campaign_id=idea.campaign_id,
        value=value,
        details=details or {},
    )


def vote_of(*, member: Member, idea_id: int) -> Vote:
    vote = Vote.objects.filter(idea_id=idea_id, member=member).first()
    if vote is None:
        raise NotFound(gettext("You have not voted on this idea."))
    return vote
