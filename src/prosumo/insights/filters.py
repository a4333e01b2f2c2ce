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
    _narrow_ip_and_pools(out, filters)
    return out


# --- intellectual property and royalty pools (docs/dataset.md) ----------------------------------------------------


def _ids(table: pa.Table, column: str) -> pa.Array:
    return table[column].combine_chunks() if table.num_rows else pa.array([], pa.int64())


def _in(table: pa.Table, column: str, allowed: pa.Array) -> pa.ChunkedArray:
    return pc.fill_null(pc.is_in(table[column], value_set=allowed), False)


def _emptied(table: pa.Table, column: str, allowed: pa.Array) -> pa.Table:
    """The table with ``column`` emptied where it names an id outside ``allowed``."""
    col = table[column]
    kept = pc.if_else(pc.or_(_in(table, column, allowed), pc.is_null(col)), col, pa.scalar(None, col.type))
    return table.set_column(table.schema.get_field_index(column), column, kept)


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
        accepted = accepted.filter(_in(accepted, "member_id", members))
        out["terms_acceptances"] = _before(accepted, "accepted_at", until) if until and accepted.num_rows else accepted
    if (log := present("proof_log")) is not None:
        out["proof_log"] = _emptied(log.filter(_in(log, "idea_id", ideas)), "member_id", members)
    if (flags := present("ip_flags")) is not None:
        flags = flags.filter(_in(flags, "idea_id", ideas))
        out["ip_flags"] = _emptied(_emptied(flags, "earlier_idea_id", ideas), "member_id", members)
    pools = present("royalty_pools")
    if pools is None:
        return
    given, paid = present("pool_contributions"), present("pool_payouts")
    whole = pools.filter(_in(pools, "idea_id", ideas))
    for part in (given, paid):
        if part is not None:
            outside = part.filter(pc.invert(_in(part, "member_id", members)))
            whole = whole.filter(pc.invert(_in(whole, "pool_id", _ids(outside, "pool_id"))))
    kept = _ids(whole, "pool_id")
    out["royalty_pools"] = whole
    if given is not None:
        out["pool_contributions"] = given.filter(_in(given, "pool_id", kept))
    if paid is not None:
        paid = paid.filter(_in(paid, "pool_id", kept))
        since = filters.get("since")
        if since and paid.num_rows:
            moment = pa.scalar(datetime.fromisoformat(str(since)), type=paid["paid_at"].type)
            paid = paid.filter(pc.greater_equal(paid["paid_at"], moment))
        out["pool_payouts"] = _before(paid, "paid_at", until) if until and paid.num_rows else paid
