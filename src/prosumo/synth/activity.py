"""Votes and comments: who votes on and discusses which idea, when.

Each contributor gets a first contribution shortly after joining (so the planted
contributor flag is what the event log shows), then a Zipf-like number of further votes
and comments. Ideas are picked among those already created, weighted by popularity and
recency (:func:`prefix_choice` over :func:`decayed_cumulative`), and only while support is
open. Replies pick their parent comment with weight :data:`PROSUMER_INFLUENCE` when the
parent's author is a prosumer, which plants the reply side of the influence check.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from prosumo.synth.ideas import Ideas, Stages
from prosumo.synth.people import PROSUMER_INFLUENCE, People
from prosumo.synth.profile import BENCH, Profile
from prosumo.synth.sampling import decayed_cumulative, prefix_choice, repeat_ranges, sigmoid

RECENCY_DAYS = 30.0
WITHDRAW_SHARE = 0.06
CHANGE_SHARE = 0.05
MERGE_CONSENT = 0.85


def first_contribution_time(rng: np.random.Generator, people: People, days: float) -> np.ndarray:
    """Planned time of each contributor's first vote (NaN for non-contributors)."""
    t = people.joined + rng.exponential(7.0, people.n)
    late = t > days
    t[late] = people.joined[late] + rng.random(int(late.sum())) * (days - people.joined[late])
    return np.where(people.contributor, t, np.nan)


def _pick_ideas(
    rng: np.random.Generator,
    ideas: Ideas,
    close: np.ndarray | None,
    cumulative: np.ndarray,
    time: np.ndarray,
    member: np.ndarray,
    rounds: int = 6,
    opens: np.ndarray | None = None,
) -> np.ndarray:
    """Idea index per row (or -1): created (and opened) before ``time``, not the member's own, still open."""
    chosen = np.full(len(time), -1, dtype=np.int64)
    pending = np.arange(len(time))
    for _ in range(rounds):
        if len(pending) == 0:
            break
        eligible = np.searchsorted(ideas.created, time[pending], side="left")
        pick = prefix_choice(rng, cumulative, eligible)
        safe = np.maximum(pick, 0)
        ok = (pick >= 0) & (ideas.author[safe] != member[pending])
        if close is not None:
            ok &= time[pending] <= close[safe]
        if opens is not None:
            ok &= time[pending] >= opens[safe]
        chosen[pending[ok]] = pick[ok]
        pending = pending[~ok]
    return chosen


@dataclass
class Votes:
    """Vote events (long) and the resulting current vote state."""

    # events
    member: np.ndarray
    idea: np.ndarray
    time: np.ndarray
    value: np.ndarray
    kind: np.ndarray  # 0 cast, 1 carried by merge, 2 withdrawn by merge, 3 withdrawn, 4 changed
    origin: np.ndarray  # carried: source idea; merge-withdrawn: target idea; else -1
    # state
    state_member: np.ndarray
    state_idea: np.ndarray
    state_value: np.ndarray
    state_time: np.ndarray
    carried_count: np.ndarray  # per idea: supporters carried into it by merges


def _spread(rng: np.random.Generator, start: np.ndarray, days: float, power: float) -> np.ndarray:
    """Times between ``start`` and ``days``: ``start + U ** (1 / power) * (days - start)``, U uniform."""
    u = rng.random(len(start))
    if power != 1.0:
        u = u ** (1.0 / power)
    return start + u * (days - start)


def _dedupe_earliest(member: np.ndarray, idea: np.ndarray, time: np.ndarray, n_members: int) -> np.ndarray:
    """Row indices keeping the earliest row per (member, idea)."""
    key = idea.astype(np.int64) * (n_members + 1) + member
    order = np.lexsort((time, key))
    first = np.r_[True, key[order][1:] != key[order][:-1]]
    return np.sort(order[first])


def make_votes(
    rng: np.random.Generator,
    people: People,
    ideas: Ideas,
    stages: Stages,
    first: np.ndarray,
    days: float,
    profile: Profile = BENCH,
) -> Votes:
    """Votes with support/up-down/score semantics, merges carrying supporters, and changes."""
    m = len(ideas.created)
    author_super = people.superuser[ideas.author]
    popularity = np.exp(0.7 * ideas.quality) * np.where(ideas.lead, 1.5, 1.0) * np.where(author_super, 1.5, 1.0)
    cumulative = decayed_cumulative(ideas.created, popularity, RECENCY_DAYS)

    engager = people.contributor & ~people.superuser
    counts = np.zeros(people.n, dtype=np.int64)
    counts[engager] = 1 + rng.poisson(rng.lognormal(np.log(profile.engager_votes), 1.0, int(engager.sum())))
    counts[people.superuser] = 3 + rng.poisson(
        rng.lognormal(np.log(profile.superuser_votes), 0.9, int(people.superuser.sum()))
    )
    member, rank = repeat_ranges(counts)
    start = first[member]
    time = np.where(rank == 0, start, _spread(rng, start, days, profile.activity_power))
    # in the demo an idea takes votes once a moderator opened it; the bench votes from submission
    opens = None if profile.waiting_window is None else stages.opened
    idea = _pick_ideas(rng, ideas, stages.close, cumulative, time, member, opens=opens)

    # the first vote must happen: fall back to an idea that stays open to the end
    missing = np.flatnonzero((idea < 0) & (rank == 0))
    available = ideas.created if opens is None else opens
    open_to_end = np.flatnonzero((stages.close >= days) & (available < days - 1e-3))
    if len(missing) and len(open_to_end):
        fallback = open_to_end[rng.integers(0, len(open_to_end), len(missing))]
        base = np.maximum(time[missing], available[fallback])
        time[missing] = base + rng.random(len(missing)) * np.minimum(0.5, days - base)
        ok = ideas.author[fallback] != member[missing]
        idea[missing[ok]] = fallback[ok]
    keep = idea >= 0
    member, idea, time = member[keep], idea[keep], time[keep]
    keep = _dedupe_earliest(member, idea, time, people.n)
    member, idea, time = member[keep], idea[keep], time[keep]

    mode = ideas.mode[idea]
    quality = ideas.quality[idea]
    up = np.where(rng.random(len(idea)) < sigmoid(1.2 + 0.8 * quality), 1.0, -1.0)
    score = np.clip(np.rint(3.0 + 0.9 * quality + rng.normal(0.0, 0.8, len(idea))), 1.0, 5.0)
    value = np.where(mode == 0, 1.0, np.where(mode == 1, up, score))

    # merges: withdraw from the merged idea, carry to the target with consent
    into = stages.merged_into[idea]
    on_merged = into >= 0
    merge_time = stages.merge_time[idea]
    target = np.maximum(into, 0)
    consent = on_merged & (rng.random(len(idea)) < MERGE_CONSENT) & (ideas.author[target] != member)
    c_member, c_idea, c_time, c_value, c_origin = (
        member[consent],
        into[consent],
        merge_time[consent],
        value[consent],
        idea[consent],
    )
    all_member = np.concatenate([member, c_member])
    all_idea = np.concatenate([idea, c_idea])
    all_time = np.concatenate([time, c_time])
    keep = _dedupe_earliest(all_member, all_idea, all_time, people.n)
    is_direct = keep < len(member)
    direct = keep[is_direct]
    carried = keep[~is_direct] - len(member)
    member_d, idea_d, time_d, value_d = member[direct], idea[direct], time[direct], value[direct]
    on_merged_d = on_merged[direct]

    # active votes after merges, then withdrawals and changes
    a_member = np.concatenate([member_d[~on_merged_d], c_member[carried]])
    a_idea = np.concatenate([idea_d[~on_merged_d], c_idea[carried]])
    a_time = np.concatenate([time_d[~on_merged_d], c_time[carried]])
    a_value = np.concatenate([value_d[~on_merged_d], c_value[carried]])
    a_mode = ideas.mode[a_idea]
    r = rng.random(len(a_idea))
    withdraw = (a_mode != 2) & (r < WITHDRAW_SHARE)
    change = ((a_mode == 1) | (a_mode == 2)) & (r >= WITHDRAW_SHARE) & (r < WITHDRAW_SHARE + CHANGE_SHARE)
    later = a_time + rng.random(len(a_idea)) * np.maximum(np.minimum(stages.close[a_idea], days) - a_time, 0.0)
    rerate = np.clip(a_value + np.where(rng.random(len(a_idea)) < 0.5, -1.0, 1.0), 1.0, 5.0)
    rerate = np.where(rerate == a_value, 6.0 - a_value, rerate)
    new_value = np.where(a_mode == 1, -a_value, rerate)

    withdrawn_merge = on_merged_d
    kind = np.concatenate(
        [
            np.zeros(len(direct), dtype=np.int8),
            np.ones(len(carried), dtype=np.int8),
            np.full(int(withdrawn_merge.sum()), 2, dtype=np.int8),
            np.full(int(withdraw.sum()), 3, dtype=np.int8),
            np.full(int(change.sum()), 4, dtype=np.int8),
        ]
    )
    ev_member = np.concatenate(
        [member_d, c_member[carried], member_d[withdrawn_merge], a_member[withdraw], a_member[change]]
    )
    ev_idea = np.concatenate([idea_d, c_idea[carried], idea_d[withdrawn_merge], a_idea[withdraw], a_idea[change]])
    ev_time = np.concatenate(
        [time_d, c_time[carried], stages.merge_time[idea_d[withdrawn_merge]], later[withdraw], later[change]]
    )
    ev_value = np.concatenate(
        [value_d, c_value[carried], -value_d[withdrawn_merge], -a_value[withdraw], new_value[change]]
    )
    ev_origin = np.concatenate(
        [
            np.full(len(direct), -1),
            c_origin[carried],
            stages.merged_into[idea_d[withdrawn_merge]],
            np.full(int(withdraw.sum()), -1),
            np.full(int(change.sum()), -1),
        ]
    ).astype(np.int64)

    stay = ~withdraw
    state_value = np.where(change, new_value, a_value)[stay]
    state_time = np.where(change, later, a_time)[stay]
    carried_count = np.bincount(c_idea[carried], minlength=m)
    return Votes(
        ev_member,
        ev_idea,
        ev_time,
        ev_value,
        kind,
        ev_origin,
        a_member[stay],
        a_idea[stay],
        state_value,
        state_time,
        carried_count,
    )


@dataclass
class Comments:
    """Comments in creation order; ``parent`` indexes this table (-1 = top level)."""

    author: np.ndarray
    idea: np.ndarray
    parent: np.ndarray
    time: np.ndarray
    builds_on: np.ndarray
    template: np.ndarray


def make_comments(
    rng: np.random.Generator,
    people: People,
    ideas: Ideas,
    first: np.ndarray,
    days: float,
    profile: Profile = BENCH,
    opens: np.ndarray | None = None,
) -> Comments:
    """Top-level comments by contributors, then two waves of replies.

    ``opens`` (per idea, inf while unopened): when given, an idea takes comments only
    once it is open.
    """
    cumulative = decayed_cumulative(ideas.created, np.exp(0.5 * ideas.quality), RECENCY_DAYS)
    engager = people.contributor & ~people.superuser
    counts = np.zeros(people.n, dtype=np.int64)
    talk = engager & (rng.random(people.n) < profile.talk_share)
    counts[talk] = 1 + rng.poisson(rng.lognormal(np.log(profile.talker_comments), 0.8, int(talk.sum())))
    counts[people.superuser] = 1 + rng.poisson(
        rng.lognormal(np.log(profile.superuser_comments), 0.8, int(people.superuser.sum()))
    )
    author, _ = repeat_ranges(counts)
    start = first[author]
    time = _spread(rng, start, days, profile.activity_power)
    idea = _pick_ideas(rng, ideas, None, cumulative, time, author, opens=opens)
    keep = idea >= 0
    author, idea, time = author[keep], idea[keep], time[keep]
    parent = np.full(len(author), -1, dtype=np.int64)
    builds_on = rng.random(len(author)) < 0.25

    pool = np.flatnonzero(people.contributor)
    pool_weights = np.cumsum(people.activity[pool])
    prosumer = people.superuser
    wave_start, wave_share = 0, 0.6
    for _ in range(2):
        parents = np.arange(wave_start, len(author))
        n_replies = round(wave_share * len(parents))
        wave_start = len(author)
        if n_replies == 0 or len(parents) == 0:
            break
        weight = np.where(prosumer[author[parents]], PROSUMER_INFLUENCE, 1.0)
        chosen = parents[rng.choice(len(parents), n_replies, p=weight / weight.sum())]
        r_time = time[chosen] + rng.exponential(1.5, n_replies)
        ok = r_time <= days
        chosen, r_time = chosen[ok], r_time[ok]
        r_author = np.full(len(chosen), -1, dtype=np.int64)
        pending = np.arange(len(chosen))
        for _ in range(4):
            eligible = np.searchsorted(people.joined[pool], r_time[pending], side="left")
            pick = prefix_choice(rng, pool_weights, eligible)
            candidate = np.where(pick >= 0, pool[np.maximum(pick, 0)], -1)
            good = (candidate >= 0) & (candidate != author[chosen[pending]])
            r_author[pending[good]] = candidate[good]
            pending = pending[~good]
        ok = r_author >= 0
        author = np.concatenate([author, r_author[ok]])
        idea = np.concatenate([idea, idea[chosen[ok]]])
        time = np.concatenate([time, r_time[ok]])
        parent = np.concatenate([parent, chosen[ok]])
        builds_on = np.concatenate([builds_on, rng.random(int(ok.sum())) < 0.10])
        wave_share = 0.3

    order = np.argsort(time, kind="stable")
    position = np.empty_like(order)
    position[order] = np.arange(len(order))
    parent = np.where(parent >= 0, position[np.maximum(parent, 0)], -1)[order]
    template = rng.integers(0, 1 << 30, len(order))
    return Comments(author[order], idea[order], parent, time[order], builds_on[order], template)
