"""Narrow a community dataset to a segment, campaign, channel or period, on Arrow tables."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

FILTERS = ("segment", "campaign", "channel", "since", "until")


def filter_key(filters: dict[str, Any]) -> str:
    return "&".join(f"{k}={filters[k]}" for k in FILTERS if filters.get(k) not in (None, ""))[:200] or "all"


def _in(table: pa.Table, column: str, allowed: pa.Array) -> pa.ChunkedArray:
    """True where ``column`` names one of ``allowed``; a missing value is outside."""
    return pc.fill_null(pc.is_in(table[column], value_set=allowed), False)


def _keep(table: pa.Table, column: str, allowed: pa.Array) -> pa.Table:
    return table.filter(_in(table, column, allowed))


def _ids(table: pa.Table, column: str) -> pa.Array:
    return table[column].combine_chunks() if table.num_rows else pa.array([], pa.int64())


def _inside(column: pa.ChunkedArray, allowed: pa.Array) -> pa.ChunkedArray:
    """True where the value is among ``allowed``; a missing value is inside (it refers to nothing)."""
    return pc.or_kleene(pc.is_null(column), pc.is_in(column, value_set=allowed))


def _empty_outside(table: pa.Table, column: str, allowed: pa.Array) -> pa.Table:
    """The table with every ``column`` value that is not among ``allowed`` made empty."""
    if column not in table.column_names or not table.num_rows:
        return table
    col = table[column]
    kept = pc.if_else(pc.fill_null(pc.is_in(col, value_set=allowed), True), col, pa.nulls(len(col), col.type))
    return table.set_column(table.column_names.index(column), column, kept)


def _moment(bound: Any, type_: pa.DataType) -> pa.Scalar:
    return pa.scalar(datetime.fromisoformat(str(bound)), type=type_)


def subset(tables: dict[str, pa.Table], filters: dict[str, Any]) -> dict[str, pa.Table]:
    """The tables narrowed to a segment, channel, campaign and period, still a consistent dataset.

    * **Who**: a segment or channel keeps the members in it, plus staff (who are never
      part of a group, but whose answers and stage changes belong to its ideas); a
      period drops members who joined at or after its end.
    * **Which ideas**: a campaign keeps its ideas; a period the ideas submitted inside
      it; a segment or channel the ideas whose submitter and every credited co-author
      are in the group (an idea shared with someone outside the group is left out
      rather than shown with part of its credit).
    * **What happened**: events by the members kept (or by the platform), in the
      campaign (or in none) and inside the period; an event about an idea left out is
      left out too.
    * **The rest follows**: co-authorships and stage changes of the ideas kept; orders
      and survey answers of the members kept (orders whole, so before/after comparisons
      keep their history); channel spend of the channel. A reference that would point
      outside the subset (a referrer, the member an event was aimed at, the idea an
      order came from, the idea another was merged into) is emptied, as for data the
      dataset never had: every reference in the subset is known (docs/dataset.md).
    """
    out = dict(tables)
    members = out["members"]
    by_group = bool(filters.get("segment") or filters.get("channel"))
    keep = pa.array([True] * members.num_rows)
    for name in ("segment", "channel"):
        if filters.get(name):
            keep = pc.and_(keep, pc.fill_null(pc.equal(members[name], filters[name]), False))
    if by_group and "is_staff" in members.column_names:
        keep = pc.or_(keep, pc.fill_null(members["is_staff"], False))
    until, since = filters.get("until"), filters.get("since")
    if until and "joined_at" in members.column_names:
        keep = pc.and_(
            keep, pc.fill_null(pc.less(members["joined_at"], _moment(until, members["joined_at"].type)), True)
        )
    members = members.filter(keep)
    member_ids = _ids(members, "member_id")

    ideas = out["ideas"]
    ideas = _keep(ideas, "author_id", member_ids)
    if filters.get("campaign"):
        ideas = ideas.filter(pc.fill_null(pc.equal(ideas["campaign_id"], int(filters["campaign"])), False))
    for bound, compare in ((since, pc.greater_equal), (until, pc.less)):
        if bound:
            ideas = ideas.filter(compare(ideas["created_at"], _moment(bound, ideas["created_at"].type)))
    authors = out.get("idea_authors")
    if authors is not None and authors.num_rows:
        outsiders = authors.filter(pc.invert(pc.fill_null(pc.is_in(authors["member_id"], value_set=member_ids), False)))
        if outsiders.num_rows:
            ideas = ideas.filter(pc.invert(pc.is_in(ideas["idea_id"], value_set=_ids(outsiders, "idea_id"))))
    idea_ids = _ids(ideas, "idea_id")

    events = out["events"]
    events = events.filter(_inside(events["actor_id"], member_ids))
    if filters.get("campaign"):
        campaign = int(filters["campaign"])
        events = events.filter(
            pc.or_kleene(pc.equal(events["campaign_id"], campaign), pc.is_null(events["campaign_id"]))
        )
    for bound, compare in ((since, pc.greater_equal), (until, pc.less)):
        if bound:
            events = events.filter(compare(events["occurred_at"], _moment(bound, events["occurred_at"].type)))
    if "object_type" in events.column_names and "object_id" in events.column_names:
        about_idea = pc.fill_null(pc.equal(events["object_type"], "idea"), False)
        events = events.filter(
            pc.or_(pc.invert(about_idea), pc.fill_null(pc.is_in(events["object_id"], value_set=idea_ids), False))
        )
    events = _empty_outside(events, "target_member_id", member_ids)

    for name, column in (("idea_authors", "idea_id"), ("idea_stages", "idea_id")):
        if out.get(name) is not None and out[name].num_rows:
            out[name] = _keep(out[name], column, idea_ids)
    if out.get("idea_stages") is not None:
        out["idea_stages"] = _empty_outside(out["idea_stages"], "actor_id", member_ids)
    for name in ("outcomes", "surveys"):
        if out.get(name) is not None and out[name].num_rows:
            out[name] = _keep(out[name], "member_id", member_ids)
    if out.get("outcomes") is not None:
        out["outcomes"] = _empty_outside(out["outcomes"], "from_idea_id", idea_ids)
    if filters.get("channel") and out.get("costs") is not None and out["costs"].num_rows:
        out["costs"] = out["costs"].filter(pc.fill_null(pc.equal(out["costs"]["channel"], filters["channel"]), False))
    out["members"] = _empty_outside(members, "referred_by", member_ids)
    out["ideas"] = _empty_outside(ideas, "merged_into", idea_ids)
    out["events"] = events
    _narrow_ip_and_pools(out, filters)
    return out


# --- intellectual property and royalty pools (docs/dataset.md) ----------------------------------------------------


def _before(table: pa.Table, column: str, until: Any) -> pa.Table:
    moment = pa.scalar(datetime.fromisoformat(str(until)), type=table[column].type)
    return table.filter(pc.less(table[column], moment))


def _narrow_ip_and_pools(out: dict[str, pa.Table], filters: dict[str, Any]) -> None:
    """The terms, proof log, flags and pools of the members and ideas kept, so the subset refers to no one it lacks.

    Terms published and accepted before ``until`` stay (a version published before the
    period is still the current one in it); proof-log entries and flags go with their
    idea, and an author, flagger or earlier idea outside the subset is emptied. A pool
    stays only whole: when its idea, a contributor or a payee is outside, the whole pool
    goes, since splitting it again among part of its contributors would show other
    amounts than the rules give; its payouts are those paid in the period.
    """
    members, ideas = _ids(out["members"], "member_id"), _ids(out["ideas"], "idea_id")
    until = filters.get("until")

    def present(name: str) -> pa.Table | None:
        table = out.get(name)
        return table if table is not None and table.num_rows else None

    if (versions := present("terms_versions")) is not None and until:
        out["terms_versions"] = _before(versions, "published_at", until)
    if (accepted := present("terms_acceptances")) is not None:
        accepted = _keep(accepted, "member_id", members)
        out["terms_acceptances"] = _before(accepted, "accepted_at", until) if until and accepted.num_rows else accepted
    if (log := present("proof_log")) is not None:
        out["proof_log"] = _empty_outside(_keep(log, "idea_id", ideas), "member_id", members)
    if (flags := present("ip_flags")) is not None:
        flags = _keep(flags, "idea_id", ideas)
        out["ip_flags"] = _empty_outside(_empty_outside(flags, "earlier_idea_id", ideas), "member_id", members)
    pools = present("royalty_pools")
    if pools is None:
        return
    given, paid = present("pool_contributions"), present("pool_payouts")
    whole = _keep(pools, "idea_id", ideas)
    for part in (given, paid):
        if part is not None:
            outside = part.filter(pc.invert(_in(part, "member_id", members)))
            whole = whole.filter(pc.invert(_in(whole, "pool_id", _ids(outside, "pool_id"))))
    kept = _ids(whole, "pool_id")
    out["royalty_pools"] = whole
    if given is not None:
        out["pool_contributions"] = _keep(given, "pool_id", kept)
    if paid is not None:
        paid = _keep(paid, "pool_id", kept)
        since = filters.get("since")
        if since and paid.num_rows:
            moment = pa.scalar(datetime.fromisoformat(str(since)), type=paid["paid_at"].type)
            paid = paid.filter(pc.greater_equal(paid["paid_at"], moment))
        out["pool_payouts"] = _before(paid, "paid_at", until) if until and paid.num_rows else paid
