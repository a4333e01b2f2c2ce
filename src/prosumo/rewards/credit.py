"""Who contributed to a launched idea, and each contributor's weight under a pool's split rule.

Plain Python, no Django: the services read the contributions from the ideas tables and
pass them here; `splits.largest_remainder` turns the weights into cents.

A launched idea's contributors are its author and accepted co-authors with their
declared shares (the author keeps what they did not give away), and the same for every
idea merged into it, directly or through another merged idea. The ideas merged in
share `merged_percent` of the pool equally; the launched idea keeps the rest (all of it
when nothing was merged into it).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from prosumo.rewards import splits

AUTHOR, COAUTHOR, MERGED = "author", "coauthor", "merged"
DEFAULT_ROLE_WEIGHTS = {AUTHOR: 3, COAUTHOR: 2, MERGED: 1}


@dataclass(frozen=True)
class Contribution:
    """A member's declared share (percent) of one idea in the launched idea's lineage."""

    member_id: int
    idea_id: int
    is_author: bool
    share: Decimal
    merged: bool  # an idea merged into the launched one, not the launched idea itself

    @property
    def role(self) -> str:
        if self.merged:
            return MERGED
        return AUTHOR if self.is_author else COAUTHOR


def idea_worth(contributions: Sequence[Contribution], merged_percent: int) -> dict[int, Fraction]:
    """What each idea of the lineage is worth, as a part of the whole (they add up to 1)."""
    launched = {c.idea_id for c in contributions if not c.merged}
    merged = sorted({c.idea_id for c in contributions if c.merged})
    if not merged:
        return dict.fromkeys(launched, Fraction(1))
    part = Fraction(merged_percent, 100)
    worth = dict.fromkeys(launched, 1 - part)
    worth.update(dict.fromkeys(merged, part / len(merged)))
    return worth


def roles_of(contributions: Sequence[Contribution]) -> dict[int, list[str]]:
    roles: dict[int, list[str]] = {}
    for c in contributions:
        held = roles.setdefault(c.member_id, [])
        if c.role not in held:
            held.append(c.role)
    return {member: sorted(held) for member, held in roles.items()}


def weights(
    rule: str,
    contributions: Sequence[Contribution],
    *,
    merged_percent: int = 20,
    role_weights: Mapping[str, int] | None = None,
) -> dict[int, Fraction]:
    """Each contributor's weight under `rule` (equal, shares, roles, shapley)."""
    members = sorted({c.member_id for c in contributions})
    if rule == "equal":
        return dict.fromkeys(members, Fraction(1))
    if rule == "roles":
        given = dict(DEFAULT_ROLE_WEIGHTS if role_weights is None else role_weights)
        return {m: splits.role_weight(held, given) for m, held in roles_of(contributions).items()}
    worth = idea_worth(contributions, merged_percent)
    if rule == "shares":
        found = dict.fromkeys(members, Fraction(0))
        for c in contributions:
            found[c.member_id] += worth[c.idea_id] * Fraction(c.share) / 100
        return found
    if rule == "shapley":
        return splits.shapley_values(members, design_value(contributions, worth))
    raise splits.SplitError(f"Unknown split rule {rule!r}.")


def design_value(
    contributions: Sequence[Contribution], worth: Mapping[int, Fraction]
) -> Callable[[frozenset[int]], Fraction]:
    """v(S): how much of the launched design the contributors in S could have made together.

    An idea counts only if its author is in S, and then in the proportion of its declared
    shares held by S; an idea merged in counts only if the launched idea's author is in S
    too (it was merged into their idea). So a co-author adds value with their author, the
    author of a merged idea with the launched idea's author, and someone who contributed
    nothing adds nothing to any coalition.
    """
    authors = {c.idea_id: c.member_id for c in contributions if c.is_author}
    launched_authors = {c.member_id for c in contributions if c.is_author and not c.merged}

    def value(coalition: frozenset[int]) -> Fraction:
        total = Fraction(0)
        for c in contributions:
            if c.member_id not in coalition or authors.get(c.idea_id) not in coalition:
                continue
            if c.merged and not (launched_authors & coalition):
                continue
            total += worth[c.idea_id] * Fraction(c.share) / 100
        return total

    return value


def credit_names(contributions: Sequence[Contribution]) -> list[int]:
    """Contributors in credit order: the launched idea's author, its co-authors, then the merged ideas' people."""
    order: list[int] = []
    ranked = sorted(contributions, key=lambda c: (c.merged, not c.is_author, -c.share, c.idea_id, c.member_id))
    for c in ranked:
        if c.member_id not in order:
            order.append(c.member_id)
    return order
