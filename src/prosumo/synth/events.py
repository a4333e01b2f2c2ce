"""The event log: blocks of events per verb, page traffic (visits and views), final ordering."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa

from prosumo.synth.ideas import Ideas
from prosumo.synth.people import People
from prosumo.synth.sampling import DAY_US, decayed_cumulative, group_first, masked_int, prefix_choice, repeat_ranges
from prosumo.synth.schema import CONTRACT_SCHEMAS, VERBS
from prosumo.synth.words import CHANNELS

VIEWS_PER_VISIT = 0.9


@dataclass
class Block:
    """Events of one verb; member/idea/campaign columns hold row indices (-1 = null)."""

    verb: str
    time_us: np.ndarray
    actor: np.ndarray
    object_type: str | None = None
    object_id: np.ndarray | None = None  # ids, already offset
    target: np.ndarray | None = None
    campaign: np.ndarray | None = None
    channel: np.ndarray | None = None  # int codes into words.CHANNELS, -1 = null
    value: np.ndarray | None = None
    details: pa.Array | None = None


@dataclass
class EventLog:
    """Collects blocks and turns them into the contract's ``events`` table."""

    start_us: int
    blocks: list[Block] = field(default_factory=list)

    def to_us(self, days: np.ndarray) -> np.ndarray:
        """Days since the start -> microseconds since the epoch (int64)."""
        return self.start_us + np.rint(np.asarray(days) * DAY_US).astype(np.int64)

    def add(self, verb: str, days: np.ndarray, actor: np.ndarray, **columns: Any) -> None:
        """Append a block; ``days`` are times in days since the start."""
        self.blocks.append(Block(verb, self.to_us(days), np.asarray(actor, dtype=np.int64), **columns))

    def add_us(self, verb: str, time_us: np.ndarray, actor: np.ndarray, **columns: Any) -> None:
        """Append a block whose times are already in microseconds."""
        self.blocks.append(
            Block(verb, np.asarray(time_us, dtype=np.int64), np.asarray(actor, dtype=np.int64), **columns)
        )

    def count(self) -> int:
        """Events collected so far."""
        return sum(len(b.time_us) for b in self.blocks)

    def to_table(self) -> pa.Table:
        """All blocks as one table ordered by time, then verb, then insertion; ids from 1."""
        time = np.concatenate([b.time_us for b in self.blocks])
        verb_rank = np.concatenate([np.full(len(b.time_us), VERBS.index(b.verb), dtype=np.int8) for b in self.blocks])
        # one int64 key (time x 16 + verb rank) sorted stably: insertion order breaks the remaining ties
        order = np.argsort(time * 16 + verb_rank, kind="stable")

        def column(name: str, fill: Any, dtype: Any) -> np.ndarray:
            parts = []
            for b in self.blocks:
                values = getattr(b, name)
                parts.append(
                    np.full(len(b.time_us), fill, dtype=dtype) if values is None else np.asarray(values, dtype=dtype)
                )
            return np.concatenate(parts)[order]

        def member_ids(values: np.ndarray) -> pa.Array:
            return masked_int(np.where(values >= 0, values + 1, -1))

        verbs = pa.DictionaryArray.from_arrays(pa.array(verb_rank[order]), pa.array(VERBS)).cast(pa.string())
        type_names = sorted({b.object_type for b in self.blocks if b.object_type is not None})
        type_codes = np.concatenate(
            [
                np.full(
                    len(b.time_us), -1 if b.object_type is None else type_names.index(b.object_type), dtype=np.int32
                )
                for b in self.blocks
            ]
        )[order]
        channel_codes = column("channel", -1, np.int32)
        details = pa.concat_arrays(
            [
                pa.nulls(len(b.time_us), pa.string()) if b.details is None else b.details.cast(pa.string())
                for b in self.blocks
            ]
        ).take(pa.array(order))
        value = column("value", np.nan, np.float64)
        campaign = column("campaign", -1, np.int64)
        return pa.table(
            {
                "event_id": pa.array(np.arange(1, len(time) + 1, dtype=np.int64)),
                "occurred_at": pa.array(time[order], type=pa.int64()).cast(
                    CONTRACT_SCHEMAS["events"].field("occurred_at").type
                ),
                "actor_id": member_ids(column("actor", -1, np.int64)),
                "verb": verbs,
                "object_type": _decode(type_codes, type_names),
                "object_id": masked_int(column("object_id", -1, np.int64)),
                "target_member_id": member_ids(column("target", -1, np.int64)),
                "campaign_id": masked_int(np.where(campaign >= 0, campaign + 1, -1)),
                "channel": _decode(channel_codes, list(CHANNELS)),
                "value": pa.array(value, mask=np.isnan(value)),
                "details": details,
            },
            schema=CONTRACT_SCHEMAS["events"],
        )


def _decode(codes: np.ndarray, names: list[str]) -> pa.Array:
    """Integer codes (-1 = null) -> Arrow strings, without a Python loop per row."""
    indices = pa.array(codes.astype(np.int32), mask=codes < 0)
    return pa.DictionaryArray.from_arrays(indices, pa.array(names, type=pa.string())).cast(pa.string())


def make_traffic(
    rng: np.random.Generator,
    people: People,
    ideas: Ideas,
    log: EventLog,
    days: float,
    activity: list[tuple[np.ndarray, np.ndarray]],
    viewing: list[tuple[np.ndarray, np.ndarray, np.ndarray]],
    events_target: int | None,
) -> None:
    """Add ``member.visited`` (one per member per UTC day) and ``idea.viewed`` (one per member, idea, day).

    Every day on which a member acts on the platform has a visit at or before the first
    action; every vote or comment comes with a view of its idea that day. Extra visits and
    views come from a per-member daily visit rate; with ``events_target`` the rate is scaled
    so the whole log has about that many events (extra views trimmed to hit it).
    """
    act_member = np.concatenate([m for m, _ in activity])
    act_us = np.concatenate([t for _, t in activity])
    view_member = np.concatenate([m for m, _, _ in viewing])
    view_idea = np.concatenate([i for _, i, _ in viewing])
    view_us = np.concatenate([t for _, _, t in viewing])
    n_days = int(np.ceil(days)) + 2
    base_day = log.start_us // DAY_US

    def visit_keys(member: np.ndarray, us: np.ndarray) -> np.ndarray:
        return member.astype(np.int64) * n_days + (us // DAY_US - base_day)

    mandatory_visits = len(np.unique(visit_keys(act_member, act_us)))
    view_key = visit_keys(view_member, view_us) * (len(ideas.created) + 1) + view_idea
    mandatory_views = len(np.unique(view_key))

    rate = np.where(people.is_staff, 0.3, np.where(people.superuser, 0.15, np.where(people.contributor, 0.04, 0.01)))
    rate = rate * rng.lognormal(0.0, 0.8, people.n)
    tenure = days - people.joined
    scale = 1.0
    if events_target is not None:
        fixed = log.count() + mandatory_visits + mandatory_views
        base = float((rate * tenure).sum()) * (1.0 + VIEWS_PER_VISIT)
        scale = max(events_target - fixed, 0) / base * 1.3 if base > 0 else 0.0
    extra = rng.poisson(rate * tenure * scale)
    owner, _ = repeat_ranges(extra)
    extra_t = people.joined[owner] + rng.random(len(owner)) * tenure[owner]
    extra_us = log.to_us(extra_t)

    # views during extra visits: ideas already created, popular and recent ones first
    n_views = rng.poisson(VIEWS_PER_VISIT, len(owner))
    visit_of_view, _ = repeat_ranges(n_views)
    when = extra_t[visit_of_view]
    cumulative = decayed_cumulative(ideas.created, np.exp(0.5 * ideas.quality), 30.0)
    pick = prefix_choice(rng, cumulative, np.searchsorted(ideas.created, when, side="left"))
    ok = pick >= 0
    v_us = extra_us[visit_of_view][ok]
    day_end = (v_us // DAY_US + 1) * DAY_US - 1
    room = np.minimum(np.minimum(day_end, log.to_us(np.array([days]))[0]) - v_us, DAY_US // 50)
    v_us = v_us + (rng.random(len(v_us)) * np.maximum(room, 0)).astype(np.int64)
    e_view_member, e_view_idea = owner[visit_of_view][ok], pick[ok]

    # visits: first moment of each member-day
    all_member = np.concatenate([act_member, owner])
    all_us = np.concatenate([act_us, extra_us])
    key = visit_keys(all_member, all_us)
    order = np.lexsort((all_us, key))
    first = group_first(key[order])
    rows = order[first]
    visit_member, visit_us = all_member[rows], all_us[rows]

    # views: first per member-idea-day; mandatory ones are never trimmed
    vm = np.concatenate([view_member, e_view_member])
    vi = np.concatenate([view_idea, e_view_idea])
    vt = np.concatenate([view_us, v_us])
    mandatory = np.r_[np.ones(len(view_member), dtype=bool), np.zeros(len(e_view_member), dtype=bool)]
    key = visit_keys(vm, vt) * (len(ideas.created) + 1) + vi
    order = np.lexsort((vt, key))
    rows = order[group_first(key[order])]
    vm, vi, vt, mandatory = vm[rows], vi[rows], vt[rows], mandatory[rows]
    if events_target is not None:
        surplus = log.count() + len(visit_member) + len(vm) - events_target
        optional = np.flatnonzero(~mandatory)
        if surplus > 0 and len(optional):
            drop = rng.choice(optional, min(surplus, len(optional)), replace=False)
            keep = np.ones(len(vm), dtype=bool)
            keep[drop] = False
            vm, vi, vt = vm[keep], vi[keep], vt[keep]
            surplus -= len(drop)
        if surplus > 0:
            # then visits on days with neither an action nor a remaining view
            needed = np.union1d(visit_keys(act_member, act_us), visit_keys(vm, vt))
            optional = np.flatnonzero(~np.isin(visit_keys(visit_member, visit_us), needed))
            drop = rng.choice(optional, min(surplus, len(optional)), replace=False)
            keep = np.ones(len(visit_member), dtype=bool)
            keep[drop] = False
            visit_member, visit_us = visit_member[keep], visit_us[keep]

    log.add_us("member.visited", visit_us, visit_member)
    log.add_us(
        "idea.viewed",
        vt,
        vm,
        object_type="idea",
        object_id=vi + 1,
        target=ideas.author[vi],
        campaign=ideas.campaign[vi],
    )
