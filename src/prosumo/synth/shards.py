"""A community too large for memory, generated as independent shards written one after another.

:func:`prosumo.synth.generate_to_parquet` splits a community of more than ``shard_members``
members into shards of nearly equal size. Shard ``k`` is a whole community of its own
(its own staff, campaigns, ideas and traffic) generated with the seed :func:`shard_seed`
gives; its ids are then moved past those of the shards before it (:func:`offset_tables`),
so that every id column stays unique across the dataset and every reference (foreign
keys, and the ids inside ``events.details``, ``members.attributes`` and the "idea #N" of
merge messages) still points into its own shard. :func:`merge_truth` joins the shards'
planted truths.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

#: The most members generated in memory at once (a shard of a million peaks under 4 GiB).
SHARD_MEMBERS = 1_000_000
#: Catalogue products have ids below this; the product launched from idea ``i`` has id ``LAUNCHED + i``.
LAUNCHED = 1000


@dataclass(frozen=True)
class Offsets:
    """What to add to each kind of id of one shard (zero for the first)."""

    members: int = 0
    campaigns: int = 0
    ideas: int = 0
    comments: int = 0
    events: int = 0

    def after(self, tables: dict[str, pa.Table], comments: int) -> Offsets:
        """The offsets of the next shard, given this shard's tables and comment count."""
        return Offsets(
            members=self.members + tables["members"].num_rows,
            campaigns=self.campaigns + tables["campaigns"].num_rows,
            ideas=self.ideas + tables["ideas"].num_rows,
            comments=self.comments + comments,
            events=self.events + tables["events"].num_rows,
        )


def shard_sizes(members: int, shard_members: int) -> list[int]:
    """``members`` split into the fewest shards of at most ``shard_members``, sizes differing by at most one."""
    count = max(1, math.ceil(members / shard_members))
    base, extra = divmod(members, count)
    return [base + (1 if k < extra else 0) for k in range(count)]


def shard_seed(seed: int, index: int) -> int:
    """The seed of shard ``index``: a 32-bit draw from ``SeedSequence([seed, index])``."""
    return int(np.random.SeedSequence([seed, index]).generate_state(1)[0])


def _shift(values: pa.ChunkedArray | pa.Array, offset: int) -> pa.Array | pa.ChunkedArray:
    return values if offset == 0 else pc.add(values, pa.scalar(offset, pa.int64()))


def _shift_products(values: pa.ChunkedArray | pa.Array, ideas: int) -> Any:
    """Launched products (ids above ``LAUNCHED``) follow their idea's id; catalogue ids stay."""
    if ideas == 0:
        return values
    return pc.if_else(pc.greater(values, LAUNCHED), pc.add(values, pa.scalar(ideas, pa.int64())), values)


def _shift_in_text(
    texts: pa.ChunkedArray | pa.Array, before: str, offset: int, *, launched: bool = False, pad: int = 0
) -> Any:
    """Add ``offset`` to the first whole number that follows ``before`` in each text (nulls stay null).

    ``launched`` shifts only numbers above ``LAUNCHED`` (product ids); ``pad`` left-pads
    the new number with zeros to that width, as customer numbers are written.
    """
    if offset == 0:
        return texts
    parts = pc.extract_regex(texts, r"(?s)^(?P<head>.*?" + before + r")(?P<number>\d+)(?P<tail>.*)$")
    found = pc.is_valid(parts)
    number = pc.cast(pc.struct_field(parts, "number"), pa.int64())
    moved = _shift_products(number, offset) if launched else _shift(number, offset)
    moved_text = pc.cast(moved, pa.string())
    if pad:
        moved_text = pc.utf8_lpad(moved_text, pad, "0")
    rebuilt = pc.binary_join_element_wise(
        pc.struct_field(parts, "head"), moved_text, pc.struct_field(parts, "tail"), ""
    )
    return pc.if_else(found, rebuilt, texts)


def _replace(table: pa.Table, **columns: Any) -> pa.Table:
    for name, values in columns.items():
        table = table.set_column(table.schema.get_field_index(name), table.schema.field(name), values)
    return table


def offset_tables(tables: dict[str, pa.Table], offsets: Offsets) -> dict[str, pa.Table]:
    """One shard's contract tables with every id moved by ``offsets`` (the same tables when all are zero)."""
    if offsets == Offsets():
        return tables
    m, c, i, k, e = offsets.members, offsets.campaigns, offsets.ideas, offsets.comments, offsets.events
    out = dict(tables)
    members = tables["members"]
    attributes = members["attributes"]
    for before in ('"handle": "member', '"handle": "staff', '"email": "member', '"email": "staff'):
        attributes = _shift_in_text(attributes, before, m)
    attributes = _shift_in_text(attributes, '"customer_id": "C', m, pad=7)
    out["members"] = _replace(
        members,
        member_id=_shift(members["member_id"], m),
        referred_by=_shift(members["referred_by"], m),
        attributes=attributes,
    )
    out["campaigns"] = _replace(tables["campaigns"], campaign_id=_shift(tables["campaigns"]["campaign_id"], c))
    ideas = tables["ideas"]
    out["ideas"] = _replace(
        ideas,
        idea_id=_shift(ideas["idea_id"], i),
        campaign_id=_shift(ideas["campaign_id"], c),
        author_id=_shift(ideas["author_id"], m),
        merged_into=_shift(ideas["merged_into"], i),
    )
    authors = tables["idea_authors"]
    out["idea_authors"] = _replace(
        authors, idea_id=_shift(authors["idea_id"], i), member_id=_shift(authors["member_id"], m)
    )
    stages = tables["idea_stages"]
    out["idea_stages"] = _replace(
        stages,
        idea_id=_shift(stages["idea_id"], i),
        actor_id=_shift(stages["actor_id"], m),
        message=_shift_in_text(stages["message"], "idea #", i),
    )
    events = tables["events"]
    kind = events["object_type"]
    object_id = events["object_id"]
    object_id = pc.if_else(
        pc.equal(kind, "member"),
        _shift(object_id, m),
        pc.if_else(
            pc.equal(kind, "idea"),
            _shift(object_id, i),
            pc.if_else(
                pc.equal(kind, "comment"),
                _shift(object_id, k),
                pc.if_else(pc.equal(kind, "product"), _shift_products(object_id, i), object_id),
            ),
        ),
    )
    details = events["details"]
    for key, offset in (
        ("carried_from", i),
        ("into", i),
        ("idea_id", i),
        ("parent_id", k),
        ("from_idea", i),
    ):
        details = _shift_in_text(details, f'"{key}": ', offset)
    details = _shift_in_text(details, '"product": ', i, launched=True)
    details = _shift_in_text(details, "idea #", i)
    out["events"] = _replace(
        events,
        event_id=_shift(events["event_id"], e),
        actor_id=_shift(events["actor_id"], m),
        object_id=object_id,
        target_member_id=_shift(events["target_member_id"], m),
        campaign_id=_shift(events["campaign_id"], c),
        details=details,
    )
    outcomes = tables["outcomes"]
    out["outcomes"] = _replace(
        outcomes,
        member_id=_shift(outcomes["member_id"], m),
        product_id=_shift_products(outcomes["product_id"], i),
        from_idea_id=_shift(outcomes["from_idea_id"], i),
    )
    out["surveys"] = _replace(tables["surveys"], member_id=_shift(tables["surveys"]["member_id"], m))
    return out


#: Truth entries that list member ids (moved by the shard's member offset and joined).
ID_LISTS = ("member_ids", "prosumer_ids")
#: Truth numbers that grow with the members (summed over shards, even when written as floats).
SUMMED = ("m",)


def merge_truth(truths: list[dict[str, Any]], offsets: list[Offsets], seed: int) -> dict[str, Any]:
    """One truth for a sharded community (see ``docs/synthetic-data.md``, "Communities in shards").

    Counts (integers, and the Bass market size ``m``) are summed; lists of member ids are
    joined, each moved by its shard's member offset; an entry equal in every shard (the
    planted parameters, texts) is kept; the channels' ``realized_rate`` is recomputed from
    the summed counts; any other number that differs between shards (a realised rate or
    ratio, a calibrated intercept) is the mean of the shards' figures weighted by their
    members. ``shards`` records each shard's seed, members and first ids.
    """
    weights = [float(t["members"]) for t in truths]

    def merge(values: list[Any], key: str) -> Any:
        first = values[0]
        if key in ID_LISTS:
            return [mid + off.members for v, off in zip(values, offsets, strict=True) for mid in v]
        if isinstance(first, dict):
            return {name: merge([v[name] for v in values], name) for name in first}
        if key in SUMMED:
            return round(sum(values), 2)
        if all(v == first for v in values):
            return copy.deepcopy(first)
        if isinstance(first, bool) or not all(isinstance(v, int | float) for v in values if v is not None):
            return copy.deepcopy(first)
        if all(isinstance(v, int) for v in values):
            return sum(values)
        known = [(v, w) for v, w in zip(values, weights, strict=True) if v is not None]
        return round(sum(v * w for v, w in known) / sum(w for _, w in known), 5)

    merged: dict[str, Any] = {
        name: merge([t[name] for t in truths], name) for name in truths[0] if name not in ("seed", "members")
    }
    merged = {
        "generator": merged.pop("generator"),
        "seed": seed,
        "members": sum(t["members"] for t in truths),
        **merged,
    }
    for realised in merged["channels"]["realized"].values():
        realised["realized_rate"] = (
            round(realised["contributors"] / realised["members"], 5) if realised["members"] else None
        )
    merged["shards"] = [
        {
            "seed": t["seed"],
            "members": t["members"],
            "first_member_id": off.members + 1,
            "first_idea_id": off.ideas + 1,
            "first_campaign_id": off.campaigns + 1,
            "first_event_id": off.events + 1,
        }
        for t, off in zip(truths, offsets, strict=True)
    ]
    return merged
