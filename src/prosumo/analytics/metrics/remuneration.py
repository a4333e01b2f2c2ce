"""Question 6: how are contributors rewarded, and does a reward bring them back?

Reads the two reward verbs of the event log: ``reward.granted`` (points: the event's
value is the number of points) and ``royalty.paid`` (money: the value is in cents, read
here in currency units), each crediting its target member, or its actor when it has no
target. Points and money are kept apart: they are never added together.

* per contributor: points and money received, how many awards and payments;
* per idea: points and money paid for it, the revenue of the products that came from it
  (``outcomes.from_idea_id``) and the share of that revenue returned to its contributors;
* participation after a first reward: rewarded members against comparable members not
  yet rewarded (same month, same prior activity), the difference in contributions over
  the following months, with its 95% interval;
* per royalty pool (the optional ``royalty_pools``, ``pool_contributions`` and
  ``pool_payouts`` tables): the net sales entered (``royalty.sales_entered``), what it
  paid and the share of those sales returned to the product's contributors; and what
  each contributor received under the rule chosen against what each other rule (equal,
  declared shares, role weights, Shapley) would have paid from the same payments, with
  the platform's own split arithmetic (:mod:`prosumo.rewards.credit`, which needs no Django).

Source: METRICS.md 6 (remuneration); the comparison is our own design, in the spirit of
the matched comparison of question 8.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from prosumo.analytics.dataset import SPLIT_RULES, Dataset
from prosumo.analytics.metrics.activity import CONTRIBUTION_VERBS, month_index, people, tagged_events
from prosumo.analytics.metrics.precision import enough_for_interval, too_few_note
from prosumo.rewards import credit, splits

POINTS_VERB = "reward.granted"
MONEY_VERB = "royalty.paid"
SALES_VERB = "royalty.sales_entered"
#: Prior contributions (in the months before) that make members comparable: 0, 1, 2-4, 5-9, 10 or more.
PRIOR_BUCKETS: tuple[tuple[int, int], ...] = ((0, 0), (1, 1), (2, 4), (5, 9), (10, 1 << 62))
Z95 = 1.959963984540054


def rewards(ds: Dataset) -> ir.Table:
    """Every reward event: ``member_id, idea_id, occurred_at, points, money``.

    ``idea_id`` is the event's object when it is an idea (else null); ``points`` is
    the value of a ``reward.granted`` (else 0), ``money`` the value of a
    ``royalty.paid`` divided by 100 (else 0).
    """
    ev = ds.events.filter(ds.events.verb.isin((POINTS_VERB, MONEY_VERB)))
    value = ev.value.fill_null(0.0)
    return ev.select(
        member_id=ibis.coalesce(ev.target_member_id, ev.actor_id),
        idea_id=ibis.cases((ev.object_type == "idea", ev.object_id), else_=ibis.null("int64")),
        occurred_at=ev.occurred_at,
        points=ibis.cases((ev.verb == POINTS_VERB, value), else_=0.0),
        money=ibis.cases((ev.verb == MONEY_VERB, value / 100.0), else_=0.0),
        is_points=(ev.verb == POINTS_VERB).cast("int64"),
        is_money=(ev.verb == MONEY_VERB).cast("int64"),
    )


def per_contributor(ds: Dataset) -> pd.DataFrame:
    """Per rewarded member: ``member_id, points, money, awards, payments, first_rewarded_at``.

    Sorted by money, then points (largest first), then member id.

    Examples
    --------
    >>> from prosumo.analytics.examples import example_dataset
    >>> table = per_contributor(example_dataset(rewards=True))
    >>> table.drop(columns="first_rewarded_at").to_dict("records")
    [{'member_id': 1, 'points': 100.0, 'money': 30.0, 'awards': 1, 'payments': 1},
     {'member_id': 2, 'points': 50.0, 'money': 10.0, 'awards': 1, 'payments': 1}]
    >>> str(table["first_rewarded_at"].min())
    '2024-01-14 12:00:00+00:00'
    """
    r = rewards(ds).filter(lambda t: t.member_id.notnull())
    table = (
        r.group_by("member_id")
        .aggregate(
            points=r.points.sum(),
            money=r.money.sum(),
            awards=r.is_points.sum(),
            payments=r.is_money.sum(),
            first_rewarded_at=r.occurred_at.min(),
        )
        .execute()
    )
    table = table.astype({"member_id": "int64", "points": "float64", "money": "float64"})
    table = table.astype({"awards": "int64", "payments": "int64"})
    return table.sort_values(["money", "points", "member_id"], ascending=[False, False, True]).reset_index(drop=True)


def per_idea(ds: Dataset) -> pd.DataFrame:
    """Per idea rewarded or sold: ``idea_id, status, contributors, points, money, revenue, returned_share``.

    ``contributors`` counts the members rewarded for the idea; ``revenue`` sums the
    outcomes whose ``from_idea_id`` is the idea (null without an ``outcomes`` table);
    ``returned_share`` = money / revenue (null without revenue).

    Examples
    --------
    >>> from prosumo.analytics.examples import example_dataset
    >>> per_idea(example_dataset(rewards=True)).to_dict("records")
    [{'idea_id': 10, 'status': 'launched', 'contributors': 2, 'points': 150.0, 'money': 40.0, 'revenue': 4000.0, 'returned_share': 0.01}]
    """
    r = rewards(ds).filter(lambda t: t.idea_id.notnull())
    paid = r.group_by("idea_id").aggregate(
        contributors=r.member_id.nunique(), points=r.points.sum(), money=r.money.sum()
    )
    table = paid.execute()
    if ds.outcomes is not None:
        o = ds.outcomes.filter(ds.outcomes.from_idea_id.notnull())
        sold = o.group_by(idea_id=o.from_idea_id).aggregate(revenue=o.amount.sum()).execute()
        table = table.merge(sold, on="idea_id", how="outer")
    else:
        table["revenue"] = np.nan
    statuses = ds.ideas.select("idea_id", "status").execute()
    table = table.merge(statuses, on="idea_id", how="left")
    table["contributors"] = table["contributors"].fillna(0).astype("int64")
    table[["points", "money"]] = table[["points", "money"]].fillna(0.0).astype("float64")
    table["revenue"] = table["revenue"].astype("float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        share = table["money"] / table["revenue"].where(table["revenue"] > 0)
    table["returned_share"] = share.round(6)
    table["idea_id"] = table["idea_id"].astype("int64")
    columns = ["idea_id", "status", "contributors", "points", "money", "revenue", "returned_share"]
    return table[columns].sort_values(["money", "idea_id"], ascending=[False, True]).reset_index(drop=True)


def _bucket(prior: np.ndarray) -> np.ndarray:
    out = np.zeros(len(prior), dtype="int64")
    for index, (low, high) in enumerate(PRIOR_BUCKETS):
        out[(prior >= low) & (prior <= high)] = index
    return out


def _bucket_label(index: int) -> str:
    low, high = PRIOR_BUCKETS[index]
    if low == high:
        return str(low)
    return f"{low}+" if index == len(PRIOR_BUCKETS) - 1 else f"{low}-{high}"


def participation_after_reward(ds: Dataset, months: int = 3) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Contributions in the ``months`` after a first reward, against comparable members not yet rewarded.

    For each calendar month m in which members got their first reward (points or
    money), when the ``months`` months after m lie within the data:

    * *rewarded*: members whose first reward fell in month m;
    * *comparable*: members who had joined by month m and got no reward until month
      m + ``months`` had ended (each month m compares anew, so one member can be
      comparable for several months);
    * both are grouped by their contributions in the ``months`` months before m
      (:data:`PRIOR_BUCKETS`), and compared on their contributions in months
      m + 1 .. m + ``months`` (the month of the reward itself is left out: it mixes
      what led to the reward with what followed it).

    The difference is the rewarded-weighted mean of the per-group differences; its
    95% interval is normal, from the groups' variances. With fewer than
    :data:`~prosumo.analytics.metrics.precision.MIN_GROUP_FOR_INTERVAL` rewarded or
    comparable members there is no interval, and ``note`` says why. Staff are left out.

    Returns
    -------
    (pandas.DataFrame, dict)
        Per prior-activity group with rewarded members: ``prior, rewarded,
        comparable, rewarded_after, comparable_after, difference``; and the summary:
        ``months, rewarded, comparable, difference, low_95, high_95, note`` (nulls when no
        group has both; no interval, and a note, below the minimum).

    Examples
    --------
    >>> from prosumo.analytics.examples import example_dataset
    >>> table, summary = participation_after_reward(example_dataset(rewards=True), months=1)
    >>> table.to_dict("records")
    [{'prior': '0', 'rewarded': 2, 'comparable': 2, 'rewarded_after': 1.0, 'comparable_after': 0.0, 'difference': 1.0}]
    >>> summary
    {'months': 1, 'rewarded': 2, 'comparable': 2, 'difference': 1.0, 'low_95': None, 'high_95': None, 'note': 'No 95% interval for the difference in contributions after a reward: rewarded 2, comparable 2 members; each group needs at least 10.'}
    """
    members = people(ds.members)
    joined = members.select(member_id=members.member_id, joined=month_index(members.joined_at)).execute()
    tagged = tagged_events(ds.events)
    c = tagged.filter(tagged.verb.isin(CONTRIBUTION_VERBS))
    c = c.select(member_id=c.member_id, month=month_index(c.occurred_at))
    counts = c.group_by(["member_id", "month"]).aggregate(n=ibis._.count()).execute()
    r = rewards(ds)
    first = r.group_by("member_id").aggregate(first=month_index(r.occurred_at.min())).execute()
    last = int(month_index(ds.events.occurred_at.max()).execute())

    index = pd.Index(joined["member_id"].astype("int64"))
    joined_month = joined["joined"].to_numpy(dtype="int64")
    first_month = np.full(len(index), np.iinfo("int64").max, dtype="int64")
    at = index.get_indexer(first["member_id"].astype("int64"))
    first_month[at[at >= 0]] = first["first"].to_numpy(dtype="int64")[at >= 0]
    counts = counts[counts["member_id"].isin(index)]
    # Only members with a contribution or a reward need a row of monthly counts; the others count zero.
    active = np.zeros(len(index), dtype=bool)
    active[index.get_indexer(counts["member_id"].astype("int64"))] = True
    active |= first_month != np.iinfo("int64").max
    rows = np.flatnonzero(active)
    earliest = [last, int(joined_month.min(initial=last)), int(first["first"].min()) if len(first) else last]
    if len(counts):
        earliest.append(int(counts["month"].min()))
    start = min(earliest) - months
    grid = np.zeros((len(rows), last - start + 2), dtype="int64")
    row_of = np.full(len(index), -1, dtype="int64")
    row_of[rows] = np.arange(len(rows))
    np.add.at(
        grid,
        (row_of[index.get_indexer(counts["member_id"].astype("int64"))], counts["month"].to_numpy("int64") - start + 1),
        counts["n"].to_numpy("int64"),
    )
    cumulative = grid.cumsum(axis=1)  # cumulative[:, k] = contributions in months before start + k

    def window(m: int, length: int) -> np.ndarray:
        counted: np.ndarray = cumulative[:, m + length - start] - cumulative[:, m - start]
        return counted

    groups = len(PRIOR_BUCKETS)
    stats = {side: np.zeros((groups, 3)) for side in ("rewarded", "comparable")}  # n, sum, sum of squares
    for m in sorted(set(first_month[first_month <= last - months].tolist())):
        prior, after = window(m - months, months), window(m + 1, months)
        bucket = _bucket(prior)
        treated = first_month[rows] == m
        eligible = (joined_month[rows] <= m) & (first_month[rows] > m + months)
        for side, mask in (("rewarded", treated), ("comparable", eligible)):
            np.add.at(stats[side][:, 0], bucket[mask], 1)
            np.add.at(stats[side][:, 1], bucket[mask], after[mask])
            np.add.at(stats[side][:, 2], bucket[mask], after[mask] ** 2)
        # members with neither a contribution nor a reward: comparable, no prior and nothing after
        idle = int(((~active) & (joined_month <= m)).sum())
        stats["comparable"][0, 0] += idle

    table = pd.DataFrame(
        {
            "prior": [_bucket_label(b) for b in range(groups)],
            "rewarded": stats["rewarded"][:, 0].astype("int64"),
            "comparable": stats["comparable"][:, 0].astype("int64"),
        }
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        for side in ("rewarded", "comparable"):
            n, total, squares = stats[side].T
            table[f"{side}_after"] = total / n
            table[f"_{side}_var"] = np.where(n > 1, (squares - total**2 / n) / np.maximum(n - 1, 1), 0.0)
    table["difference"] = table["rewarded_after"] - table["comparable_after"]
    both = (table["rewarded"] > 0) & (table["comparable"] > 0)
    weights = table["rewarded"].where(both, 0).astype("float64")
    summary: dict[str, Any] = {
        "months": months,
        "rewarded": int(table["rewarded"].sum()),
        "comparable": int(table["comparable"].where(table["rewarded"] > 0, 0).sum()),
        "difference": None,
        "low_95": None,
        "high_95": None,
        "note": None,
    }
    if weights.sum() > 0:
        w = weights / weights.sum()
        difference = float((w * table["difference"].where(both, 0.0)).sum())
        variance = float(
            (
                w**2
                * (
                    table["_rewarded_var"] / table["rewarded"].clip(lower=1)
                    + table["_comparable_var"] / table["comparable"].clip(lower=1)
                )
            )
            .where(both, 0.0)
            .sum()
        )
        half = Z95 * variance**0.5
        summary.update(difference=round(difference, 6))
        if enough_for_interval(summary["rewarded"], summary["comparable"]):
            summary.update(low_95=round(difference - half, 6), high_95=round(difference + half, 6))
        else:
            summary["note"] = too_few_note(
                "the difference in contributions after a reward",
                {"rewarded": summary["rewarded"], "comparable": summary["comparable"]},
            )
    table = table[table["rewarded"] > 0].drop(columns=["_rewarded_var", "_comparable_var"]).reset_index(drop=True)
    return table, summary


POOL_COLUMNS = ["pool_id", "idea_id", "split_rule", "currency", "net_sales", "paid", "returned_share"]
SPLIT_COLUMNS = ["pool_id", "idea_id", "member_id", "currency", "split_rule", "received", *SPLIT_RULES]


def pools(ds: Dataset) -> pd.DataFrame:
    """Per royalty pool: ``pool_id, idea_id, split_rule, currency, net_sales, paid, returned_share``.

    ``net_sales`` sums the ``royalty.sales_entered`` events of the pool's idea (their
    value is in cents; here in currency units, null when none: a prize pool);
    ``paid`` sums its payouts; ``returned_share`` = paid / net sales. Empty without
    the pool tables.

    Examples
    --------
    >>> from prosumo.analytics.examples import example_dataset
    >>> pools(example_dataset(pools=True)).to_dict("records")
    [{'pool_id': 1, 'idea_id': 10, 'split_rule': 'shares', 'currency': 'EUR', 'net_sales': nan, 'paid': 40.0,
      'returned_share': nan}]
    """
    if ds.royalty_pools is None or ds.pool_payouts is None:
        return pd.DataFrame(columns=POOL_COLUMNS)
    table = ds.royalty_pools.select("pool_id", "idea_id", "split_rule", "currency").execute()
    p = ds.pool_payouts
    paid = p.group_by("pool_id").aggregate(paid_cents=p.amount_cents.sum()).execute()
    ev = ds.events
    entered = ev.filter((ev.verb == SALES_VERB) & ev.object_id.notnull())
    sales = entered.group_by(idea_id=entered.object_id).aggregate(sales_cents=entered.value.sum()).execute()
    table = table.merge(paid, on="pool_id", how="left").merge(sales, on="idea_id", how="left")
    table["paid"] = (table["paid_cents"].fillna(0).astype("float64") / 100).round(2)
    table["net_sales"] = (table["sales_cents"].astype("float64") / 100).round(2)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = table["paid"] / table["net_sales"].where(table["net_sales"] > 0)
    table["returned_share"] = share.astype("float64").round(6)
    table = table.astype({"pool_id": "int64", "idea_id": "int64"})
    return table[POOL_COLUMNS].sort_values("pool_id").reset_index(drop=True)


def _split_or_none(amount: int, weights: dict[int, Any]) -> dict[int, int] | None:
    try:
        return splits.largest_remainder(amount, weights)
    except splits.SplitError:  # under this rule nobody has a positive weight: it would pay nobody
        return None


def split_rules(ds: Dataset) -> pd.DataFrame:
    """Per pool and contributor: what they ``received``, and what each rule would have paid from the same payments.

    Each payment of a pool (a sales period, or the prize) is split again among the
    pool's contributors (``pool_contributions``) under each rule, in cents by the
    largest-remainder method, with the pool's merged-ideas percent and role weights,
    exactly as the platform splits it (:func:`prosumo.rewards.credit.weights`,
    :func:`prosumo.rewards.splits.largest_remainder`); the parts are summed over the
    payments. Amounts are in the pool's currency units. A rule under which nobody has a
    positive weight pays nobody (null). ``received`` is what the payouts paid; it equals
    the chosen rule's column unless the contributors changed after a payment.

    Examples
    --------
    >>> from prosumo.analytics.examples import example_dataset
    >>> split_rules(example_dataset(pools=True)).drop(columns=["pool_id", "idea_id", "currency"]).to_dict("records")
    [{'member_id': 1, 'split_rule': 'shares', 'received': 22.4, 'equal': 20.0, 'shares': 22.4, 'roles': 20.0,
      'shapley': 31.2},
     {'member_id': 2, 'split_rule': 'shares', 'received': 17.6, 'equal': 20.0, 'shares': 17.6, 'roles': 20.0,
      'shapley': 8.8}]
    """
    if ds.royalty_pools is None or ds.pool_payouts is None or ds.pool_contributions is None:
        return pd.DataFrame(columns=SPLIT_COLUMNS)
    pool_rows = ds.royalty_pools.execute().sort_values("pool_id")
    given = ds.pool_contributions.execute()
    payouts = ds.pool_payouts.execute()
    payouts["period"] = payouts["period_id"].astype("Int64").fillna(-1)  # -1: the prize, paid once
    rows: list[dict[str, Any]] = []
    for pool in pool_rows.itertuples():
        found = [
            credit.Contribution(
                int(c.member_id),
                int(c.idea_id),
                bool(c.is_author),
                Decimal(repr(float(c.share_percent))),
                bool(c.merged),
            )
            for c in given[given["pool_id"] == pool.pool_id].itertuples()
        ]
        paid = payouts[payouts["pool_id"] == pool.pool_id]
        received = paid.groupby("member_id")["amount_cents"].sum()
        payments = paid.groupby("period")["amount_cents"].sum()
        weights_given = json.loads(pool.role_weights) if isinstance(pool.role_weights, str) else None
        totals: dict[str, dict[int, int] | None] = {}
        for rule in SPLIT_RULES:
            weights = (
                credit.weights(rule, found, merged_percent=int(pool.merged_percent), role_weights=weights_given)
                if found
                else {}
            )
            total: dict[int, int] | None = {}
            for amount in payments.to_numpy(dtype="int64"):
                parts = _split_or_none(int(amount), weights) if weights else None
                if parts is None or total is None:
                    total = None
                    break
                for member, cents in parts.items():
                    total[member] = total.get(member, 0) + cents
            totals[rule] = total
        members = sorted({c.member_id for c in found} | {int(m) for m in received.index})
        for member in members:
            row: dict[str, Any] = {
                "pool_id": int(pool.pool_id),
                "idea_id": int(pool.idea_id),
                "member_id": member,
                "currency": pool.currency,
                "split_rule": pool.split_rule,
                "received": round(int(received.get(member, 0)) / 100, 2),
            }
            for rule in SPLIT_RULES:
                total = totals[rule]
                row[rule] = None if total is None else round(total.get(member, 0) / 100, 2)
            rows.append(row)
    table = pd.DataFrame(rows, columns=SPLIT_COLUMNS)
    return table.astype({rule: "float64" for rule in SPLIT_RULES})


@dataclass(frozen=True)
class RemunerationFigures:
    """Remuneration: who received what, for which ideas and pools, participation after a reward, and the split rules."""

    contributors: pd.DataFrame
    ideas: pd.DataFrame
    participation: pd.DataFrame
    summary: dict[str, Any]
    pools: pd.DataFrame
    splits: pd.DataFrame


def compute(ds: Dataset) -> RemunerationFigures:
    """The remuneration figures: :func:`per_contributor`, :func:`per_idea`, :func:`participation_after_reward`.

    The summary adds ``recipients``, ``points`` and ``money`` (totals, never added
    together), ``median_money`` (per paid member), the ``returned_share`` of revenue
    over the ideas that have revenue and were paid for, and the comparison's figures
    under ``participation``.

    Examples
    --------
    >>> from prosumo.analytics.examples import example_dataset
    >>> figures = compute(example_dataset(rewards=True))
    >>> {k: figures.summary[k] for k in ("recipients", "points", "money", "median_money", "returned_share")}
    {'recipients': 2, 'points': 150.0, 'money': 40.0, 'median_money': 20.0, 'returned_share': 0.01}
    """
    contributors = per_contributor(ds)
    ideas = per_idea(ds)
    participation, compared = participation_after_reward(ds)
    paid = contributors[contributors["money"] > 0]["money"]
    sold = ideas[(ideas["revenue"] > 0) & (ideas["money"] > 0)]
    summary = {
        "recipients": len(contributors),
        "points": float(contributors["points"].sum()),
        "money": round(float(contributors["money"].sum()), 2),
        "median_money": round(float(paid.median()), 2) if len(paid) else None,
        "returned_share": round(float(sold["money"].sum() / sold["revenue"].sum()), 6) if len(sold) else None,
        "participation": compared,
    }
    pool_table = pools(ds)
    split_table = split_rules(ds)
    sold_pools = pool_table[pool_table["net_sales"].astype("float64") > 0]
    summary["pools"] = len(pool_table)
    summary["pool_returned_share"] = (
        round(float(sold_pools["paid"].sum() / sold_pools["net_sales"].sum()), 6) if len(sold_pools) else None
    )
    # How far the rule chosen moved money: the largest amount one contributor would have gained or lost under another.
    shifts = [
        (split_table[rule].astype("float64") - split_table["received"].astype("float64")).abs().max()
        for rule in SPLIT_RULES
        if len(split_table)
    ]
    finite = [float(x) for x in shifts if not pd.isna(x)]
    summary["largest_change_under_another_rule"] = round(max(finite), 2) if finite else None
    return RemunerationFigures(
        contributors=contributors,
        ideas=ideas,
        participation=participation,
        summary=summary,
        pools=pool_table,
        splits=split_table,
    )
