"""Question 1: how involved is each segment in collecting, processing and analysing?

Three views, each per group of members (``segment`` by default; ``channel`` and
``country`` work the same way):

* the funnel visited -> voted -> commented -> submitted -> co-authored -> accepted;
* the involvement index: the share of Orbit-weighted activity in each stage;
* participation inequality: Gini of contribution counts and the 90-9-1 shares.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from prosumo.analytics.dataset import Dataset
from prosumo.analytics.metrics.activity import (
    FUNNEL_STEPS,
    STAGES,
    STEP_COLUMNS,
    contributions_per_member,
    member_steps,
    people,
    tagged_events,
)

NO_GROUP = "(none)"
ALL = "(all)"


def _grouped_people(ds: Dataset, by: str) -> ir.Table:
    """Non-staff members with their group label (``(none)`` when the column is null)."""
    members = people(ds.members)
    return members.select(member_id=members.member_id, group=members[by].cast("string").fill_null(NO_GROUP))


#: What each funnel step counts, written beside it in the report.
STEP_DEFINITIONS: dict[str, str] = {
    "visited": "members with any activity (a visit, a view, a vote, a comment, an idea)",
    "voted": "members who cast a vote of any kind (support, up or down, a score) or withdrew one",
    "commented": "members who posted a comment",
    "submitted": "members who submitted an idea",
    "co-authored": "members named co-author of someone else's idea",
    "accepted": "members credited on an idea accepted, in development or launched",
}


# The top p% of n members is round(p x n) members (halves up), at least one: the
# nearest whole number of members to the share asked for. Ceiling(p x n) would take 2
# members (1.6%) for the top 1% of 126, doubling the share it claims to show.
def top_members(p: float, n: float) -> int:
    """Members in the top share ``p`` of ``n`` members: round(p x n), at least 1 (0 when n is 0).

    Examples
    --------
    >>> top_members(0.01, 126), top_members(0.10, 126), top_members(0.01, 4), top_members(0.01, 250)
    (1, 13, 1, 3)
    """
    if n <= 0:
        return 0
    return max(1, int(np.floor(p * n + 0.5)))


def funnel(ds: Dataset, by: str = "segment") -> pd.DataFrame:
    """Involvement funnel per group of members.

    For each group *g* and step *k* of visited -> voted -> commented -> submitted ->
    co-authored -> accepted:

    * ``did`` = members of *g* who did step *k* at least once;
    * ``reached`` = members whose deepest step is *k* or later (the classic funnel,
      monotone by construction, so it can credit a step nobody took: a member who
      submitted an idea "reached" voting without a vote);
    * ``share`` = did_k / size_g: the members who took the step themselves, so a step
      nobody took is 0;
    * ``conversion`` = members who did both step *k* and step *k-1* / did_{k-1} (for
      *visited*, did / size); empty when nobody did step *k-1*;
    * ``definition`` = what the step counts, in words (:data:`STEP_DEFINITIONS`).

    Source: the involvement funnel of DESIGN.md task 1; stage placement after the
    Orbit model's activity ladder [METRICS.md 1a]. Staff are excluded. One engine
    query over the per-member step flags of
    :func:`~prosumo.analytics.metrics.activity.member_steps`.

    Parameters
    ----------
    ds:
        A :class:`~prosumo.analytics.dataset.Dataset`.
    by:
        Member column to group by (``segment``, ``channel``, ``country``).

    Returns
    -------
    pandas.DataFrame
        ``group, step, step_order, size, did, reached, share, conversion``; one row per
        group and step (zeros included).

    Examples
    --------
    >>> from prosumo.analytics.examples import example_dataset
    >>> ds = example_dataset()
    >>> f = funnel(ds)
    >>> f[f["group"] == "makers"].set_index("step")["reached"].to_dict()
    {'visited': 2, 'voted': 2, 'commented': 2, 'submitted': 2, 'co-authored': 1, 'accepted': 1}
    """
    grouped = _grouped_people(ds, by)
    steps = member_steps(ds)
    j = grouped.left_join(steps, grouped.member_id == steps.member_id)
    deepest = j.deepest.fill_null(-1)
    aggs: dict[str, Any] = {"size": j.count()}
    for i, col in enumerate(STEP_COLUMNS):
        aggs[f"did_{i}"] = j[col].fill_null(0).sum()
        aggs[f"reached_{i}"] = ibis.cases((deepest >= i, 1), else_=0).sum()
        before = j[STEP_COLUMNS[i - 1]].fill_null(0) if i else ibis.literal(1)
        aggs[f"both_{i}"] = (j[col].fill_null(0) * before).sum()
    wide = j.group_by("group").aggregate(**aggs).execute()
    rows = []
    for i, step in enumerate(FUNNEL_STEPS):
        part = wide[["group", "size", f"did_{i}", f"reached_{i}", f"both_{i}"]].rename(
            columns={f"did_{i}": "did", f"reached_{i}": "reached", f"both_{i}": "both"}
        )
        previous = part["did"] if i == 0 else wide[f"did_{i - 1}"]
        rows.append(part.assign(step=step, step_order=i, previous=part["size"] if i == 0 else previous))
    out = pd.concat(rows, ignore_index=True).sort_values(["group", "step_order"], ignore_index=True)
    out = out.astype({"did": "int64", "reached": "int64", "size": "int64", "step_order": "int64"})
    out["share"] = out["did"] / out["size"]
    previous = out["previous"].astype("float64")
    out["conversion"] = np.where(previous > 0, out["both"] / previous.replace(0, 1), np.nan)
    out["definition"] = out["step"].map(STEP_DEFINITIONS)
    cols = ["group", "step", "step_order", "size", "did", "reached", "share", "conversion", "definition"]
    return out[cols]


def involvement_index(ds: Dataset, by: str = "segment") -> pd.DataFrame:
    """Involvement index by stage (collect / process / analyse) per group of members.

    Each event a member is credited with carries an Orbit-style weight w_a (1-12,
    :data:`~prosumo.analytics.metrics.activity.VERB_STAGE_WEIGHT`). For group *g*
    and stage *s*:

    I_gs = sum_{a in s} w_a / sum_a w_a  (the shares of a group sum to 1)

    and ``points_per_member`` = sum_a w_a / size_g; ``penetration`` = members with at
    least one event / size_g.

    Source: stage split and weights after the Orbit model (weights 1-12) [METRICS.md
    1a]; the share formula is our design choice.

    Returns
    -------
    pandas.DataFrame
        ``group, size, active, penetration, points_per_member, collect, process,
        analyse`` (the three stage shares).

    Examples
    --------
    >>> from prosumo.analytics.examples import example_dataset
    >>> ds = example_dataset()
    >>> involvement_index(ds).set_index("group")[["collect", "process", "analyse"]].round(3).to_dict("index")
    {'buyers': {'collect': 0.333, 'process': 0.667, 'analyse': 0.0},
     'makers': {'collect': 0.057, 'process': 0.257, 'analyse': 0.686}}
    """
    grouped = _grouped_people(ds, by)
    tagged = tagged_events(ds.events).filter(ibis._.stage.notnull())
    per_member = tagged.group_by("member_id").aggregate(
        **{s: ibis.cases((tagged.stage == s, tagged.weight), else_=0).sum() for s in STAGES}
    )
    j = grouped.left_join(per_member, grouped.member_id == per_member.member_id)
    wide = (
        j.group_by("group")
        .aggregate(
            size=j.count(),
            active=ibis.cases((j.member_id_right.notnull(), 1), else_=0).sum(),
            **{s: j[s].fill_null(0).sum() for s in STAGES},
        )
        .execute()
        .sort_values("group", ignore_index=True)
    )
    pts = wide[list(STAGES)].astype("float64")
    total = pts.sum(axis=1)
    out = wide[["group", "size", "active"]].astype({"size": "int64", "active": "int64"})
    out["penetration"] = out["active"] / out["size"]
    out["points_per_member"] = total / out["size"]
    shares = pts.div(total.replace(0, np.nan), axis=0)
    return pd.concat([out, shares], axis=1)[["group", "size", "active", "penetration", "points_per_member", *STAGES]]


def _inequality_from_frequencies(values: np.ndarray, counts: np.ndarray) -> dict[str, float]:
    """Gini and rank-bucket shares from a frequency table of contribution counts.

    Members holding the same value occupy a block of ranks a..b (1-based, ascending);
    their part of sum_i (2i - n - 1) x_(i) is x [b(b+1) - (a-1)a - (n+1)(b-a+1)], so
    the Gini is exact without listing members.
    """
    order = np.argsort(values, kind="stable")
    x = values[order].astype("float64")
    c = counts[order].astype("float64")
    n = c.sum()
    total = float((x * c).sum())
    b = np.cumsum(c)
    a = b - c + 1
    gini_num = float((x * (b * (b + 1) - (a - 1) * a - (n + 1) * (b - a + 1))).sum())

    def top_share(k: float) -> float:
        # sum of the k largest values: walk blocks from the top
        rev_x, rev_c = x[::-1], c[::-1]
        taken = np.minimum(rev_c, np.maximum(k - (np.cumsum(rev_c) - rev_c), 0))
        return float((rev_x * taken).sum())

    k1, k10 = top_members(0.01, n), top_members(0.10, n)
    top1, top10 = top_share(k1), top_share(k10)
    lurkers = float(c[x == 0].sum())
    if total == 0:
        return {
            "members": n,
            "top1_members": k1,
            "top10_members": k10,
            "contributions": 0.0,
            "gini": np.nan,
            "top1": np.nan,
            "next9": np.nan,
            "rest90": np.nan,
            "lurkers": lurkers / n if n else np.nan,
        }
    return {
        "members": n,
        "top1_members": k1,
        "top10_members": k10,
        "contributions": total,
        "gini": gini_num / (n * total),
        "top1": top1 / total,
        "next9": (top10 - top1) / total,
        "rest90": (total - top10) / total,
        "lurkers": lurkers / n,
    }


def participation_inequality(ds: Dataset, by: str = "segment") -> pd.DataFrame:
    """Participation inequality per group and over all members: Gini and 90-9-1 shares.

    With x_(1) <= ... <= x_(n) the contribution counts of the group's n members
    (zeros included; a contribution is a vote, comment, idea, revision or
    co-authorship):

    Gini G = sum_i (2i - n - 1) x_(i) / (n sum_i x_i)

    ``top1`` = share of contributions made by the :func:`top_members` (0.01, n) most
    active members (round(0.01 n), at least 1; counted in ``top1_members``), ``next9``
    = by the following members up to round(0.10 n) (``top10_members``), ``rest90`` =
    by the others; ``lurkers`` = share of members with no contribution.

    The engine returns only the frequency table (group, count value, members); the
    Gini and shares follow exactly from it, tied blocks at once.

    Source: Gini as in the standard mean-difference form; 90-9-1 buckets after
    Nielsen (2006) "Participation inequality" [METRICS.md 1c].

    Returns
    -------
    pandas.DataFrame
        ``group, members, top1_members, top10_members, contributions, gini, top1,
        next9, rest90, lurkers``; the row ``(all)`` covers every member.

    Examples
    --------
    >>> from prosumo.analytics.examples import example_dataset
    >>> ds = example_dataset()
    >>> participation_inequality(ds)[["group", "members", "contributions", "gini"]].round(3).to_dict("records")
    [{'group': '(all)', 'members': 4, 'contributions': 9, 'gini': 0.417},
     {'group': 'buyers', 'members': 2, 'contributions': 2, 'gini': 0.5},
     {'group': 'makers', 'members': 2, 'contributions': 7, 'gini': 0.214}]
    """
    counts = contributions_per_member(ds)
    grouped = _grouped_people(ds, by)
    j = counts.join(grouped, counts.member_id == grouped.member_id)
    freq = j.group_by(["group", "contributions"]).aggregate(n=ibis._.count()).execute()
    rows = []
    everyone = freq.groupby("contributions", as_index=False)["n"].sum()
    rows.append(
        {"group": ALL, **_inequality_from_frequencies(everyone["contributions"].to_numpy(), everyone["n"].to_numpy())}
    )
    for group, part in freq.groupby("group", sort=True):
        rows.append(
            {"group": group, **_inequality_from_frequencies(part["contributions"].to_numpy(), part["n"].to_numpy())}
        )
    out = pd.DataFrame(rows)
    return out.astype({"members": "int64", "contributions": "int64", "top1_members": "int64", "top10_members": "int64"})


@dataclass(frozen=True)
class InvolvementFigures:
    """Question 1 per segment: the funnel, the stage index and participation inequality."""

    funnel: pd.DataFrame
    index: pd.DataFrame
    inequality: pd.DataFrame


def compute(ds: Dataset) -> InvolvementFigures:
    """Question 1's tables per segment (:func:`funnel`, :func:`involvement_index`, :func:`participation_inequality`).

    Examples
    --------
    >>> from prosumo.analytics.examples import example_dataset
    >>> ds = example_dataset()
    >>> figures = compute(ds)
    >>> figures.funnel.shape, list(figures.index["group"])
    ((12, 9), ['buyers', 'makers'])
    """
    return InvolvementFigures(funnel=funnel(ds), index=involvement_index(ds), inequality=participation_inequality(ds))
