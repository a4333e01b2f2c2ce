"""Narrow a community dataset to a segment, campaign, channel or period, on Arrow tables."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

FILTERS = ("segment", "campaign", "channel", "since", "until")


def filter_key(filters: dict[str, Any]) -> str:
    return "&".join(f"{k}={filters[k]}" for k in FILTERS if filters.get(k) not in (None, ""))[:200] or "all"


def _keep(table: pa.Table, column: str, allowed: pa.Array) -> pa.Table:
    return table.filter(pc.is_in(table[column], value_set=allowed))


def subset(tables: dict[str, pa.Table], filters: dict[str, Any]) -> dict[str, pa.Table]:
    """The tables restricted to the members of a segment/channel and the ideas and events of a campaign/period.

    Members outside the segment or channel drop out together with their events, ideas
    and orders; a campaign keeps its ideas and the events about them (plus every
    member's joins, visits and orders, which belong to no campaign); a period keeps
    events and ideas inside [since, until).
    """
    out = dict(tables)
    members = out["members"]
    if filters.get("segment"):
        members = members.filter(pc.equal(members["segment"], filters["segment"]))
    if filters.get("channel"):
        members = members.filter(pc.equal(members["channel"], filters["channel"]))
    out["members"] = members
    ids = members["member_id"].combine_chunks() if members.num_rows else pa.array([], pa.int64())
    events = out["events"]
    ideas = out["ideas"]
    if filters.get("segment") or filters.get("channel"):
        events = events.filter(
            pc.or_kleene(pc.is_in(events["actor_id"], value_set=ids), pc.is_null(events["actor_id"]))
        )
        ideas = _keep(ideas, "author_id", ids)
        for name, column in (("outcomes", "member_id"), ("surveys", "member_id"), ("idea_authors", "member_id")):
            if out.get(name) is not None and out[name].num_rows:
                out[name] = _keep(out[name], column, ids)
    if filters.get("campaign"):
        campaign = int(filters["campaign"])
        ideas = ideas.filter(pc.equal(ideas["campaign_id"], campaign))
        events = events.filter(
            pc.or_kleene(pc.equal(events["campaign_id"], campaign), pc.is_null(events["campaign_id"]))
        )
    since, until = filters.get("since"), filters.get("until")
    for bound, compare in ((since, pc.greater_equal), (until, pc.less)):
        if bound:
            moment = pa.scalar(datetime.fromisoformat(str(bound)), type=events["occurred_at"].type)
            events = events.filter(compare(events["occurred_at"], moment))
            ideas = ideas.filter(compare(ideas["created_at"], pa.scalar(moment.as_py(), type=ideas["created_at"].type)))
    idea_ids = ideas["idea_id"].combine_chunks() if ideas.num_rows else pa.array([], pa.int64())
    for name in ("idea_authors", "idea_stages"):
        if out.get(name) is not None and out[name].num_rows:
            out[name] = _keep(out[name], "idea_id", idea_ids)
    out["ideas"] = ideas
    out["events"] = events
    return out
