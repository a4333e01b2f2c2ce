"""Who may see a campaign or an idea: the rule, written once, read as SQL for many rows and in Python for one.

The rule is made of clauses, and each clause states one condition in both its forms, side
by side: ``where(viewer)``, a filter on the rows (or True or False, when the viewer alone
decides it: staff see every campaign, a visitor is in no segment), and
``holds(row, viewer)``, the same condition for one row already loaded. `all_of` and
`any_of` put clauses together; `CAMPAIGN` and `IDEA` below are the rule itself.

`Campaign.objects.visible_to` and `Idea.objects.visible_to` read the SQL form; the vote
path and `access_campaign`, which load their row with a statement of their own, read the
Python form through `ideas.permissions.campaign_visible` and `idea_visible`. A test
checks that both forms give the same answer for every kind of viewer, campaign and idea.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from prosumo.community.permissions import can_moderate, is_staff
from prosumo.ideas.models import Campaign, CoAuthor, CoAuthorStatus, Visibility

Where = Q | bool


@dataclass(frozen=True)
class Clause:
    """One condition: ``where(viewer)`` for querysets, ``holds(row, viewer)`` for one loaded row."""

    where: Callable[[Any], Where]
    holds: Callable[[Any, Any], bool]


def all_of(*clauses: Clause) -> Clause:
    """Every clause holds; in SQL, a clause the viewer decides is dropped (True) or ends the rule (False)."""
    return _joined(clauses, operator.and_, neutral=True)


def any_of(*clauses: Clause) -> Clause:
    """One clause holds, tried in order (in Python, a clause that needs a query comes last)."""
    return _joined(clauses, operator.or_, neutral=False)


def _joined(clauses: tuple[Clause, ...], join: Callable[[Any, Any], Any], *, neutral: bool) -> Clause:
    """The clauses joined by `join`: one that is `neutral` adds nothing, one that is its opposite decides alone."""
    decisive = not neutral

    def where(viewer: Any) -> Where:
        parts = []
        for clause in clauses:
            part = clause.where(viewer)
            if part is decisive:
                return decisive
            if part is not neutral:
                parts.append(part)
        return functools.reduce(join, parts) if parts else neutral

    def holds(row: Any, viewer: Any) -> bool:
        for clause in clauses:  # a loop: the vote path calls this, and all() on a generator costs more
            if bool(clause.holds(row, viewer)) is decisive:
                return decisive
        return neutral

    return Clause(where, holds)


def viewer_is(check: Callable[[Any], bool]) -> Clause:
    """A condition on the viewer alone, decided before any row is read."""
    return Clause(lambda viewer: check(viewer), lambda row, viewer: check(viewer))


def field_is(name: str, value: Any) -> Clause:
    """A condition on one of the row's own fields."""
    return Clause(lambda viewer: Q(**{name: value}), lambda row, viewer: getattr(row, name) == value)


def signed_in(viewer: Any) -> bool:
    return bool(getattr(viewer, "is_authenticated", False))


# --- campaigns ------------------------------------------------------------------------------

in_their_segment = Clause(
    # A segment campaign with no segment is for nobody (`segment_id=None` would match members without one).
    lambda viewer: (
        Q(visibility=Visibility.SEGMENT, segment_id=viewer.segment_id) if viewer.segment_id is not None else False
    ),
    lambda campaign, viewer: (
        campaign.visibility == Visibility.SEGMENT
        and campaign.segment_id is not None
        and campaign.segment_id == viewer.segment_id
    ),
)

invited = Clause(
    lambda viewer: Q(visibility=Visibility.INVITATION, invitees=viewer),
    lambda campaign, viewer: (
        campaign.visibility == Visibility.INVITATION
        and Campaign.invitees.through.objects.filter(campaign_id=campaign.pk, member_id=viewer.pk).exists()
    ),
)

CAMPAIGN = any_of(
    viewer_is(is_staff),  # unpublished campaigns too
    all_of(
        field_is("is_published", True),
        any_of(
            field_is("visibility", Visibility.PUBLIC),
            all_of(viewer_is(signed_in), any_of(in_their_segment, invited)),
        ),
    ),
)


# --- ideas ----------------------------------------------------------------------------------

in_a_visible_campaign = Clause(
    lambda viewer: (
        rule
        if isinstance(rule := CAMPAIGN.where(viewer), bool)
        else Q(campaign__in=Campaign.objects.filter(rule).values("pk"))
    ),
    lambda idea, viewer: CAMPAIGN.holds(idea.campaign, viewer),
)

their_own = Clause(
    lambda viewer: Q(author_id=viewer.pk) if signed_in(viewer) else False,
    lambda idea, viewer: signed_in(viewer) and idea.author_id == viewer.pk,
)

asked_to_coauthor = Clause(  # invited or accepted
    lambda viewer: Q(pk__in=_coauthorships(viewer).values("idea_id")) if signed_in(viewer) else False,
    lambda idea, viewer: signed_in(viewer) and _coauthorships(viewer).filter(idea_id=idea.pk).exists(),
)


def _coauthorships(viewer: Any) -> Any:
    return CoAuthor.objects.filter(member_id=viewer.pk).exclude(status=CoAuthorStatus.DECLINED)


IDEA = all_of(
    in_a_visible_campaign,
    # a hidden idea only to moderators, admins and its author
    any_of(field_is("hidden", False), viewer_is(can_moderate), their_own),
    # an idea not approved (waiting in premoderation, or refused there) only to staff, its author and co-authors
    any_of(field_is("approved", True), viewer_is(is_staff), their_own, asked_to_coauthor),
)
