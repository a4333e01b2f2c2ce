"""Orders (the ``outcomes`` table) and acquisition spend (the ``costs`` table).

Members are customers first: their orders start at the window's start, before they join
the community, which gives every co-creator a pre-period. Planted co-creation uplift: a
member's orders arrive as a Poisson process with monthly
rate ``BASE_RATE[tier] * frailty`` (frailty ~ Gamma(2, 0.5), mean 1), multiplied by
:data:`SPEND_MULTIPLIER` from the member's first contribution on. The amount of an
order does not depend on participation, so expected monthly spend rises by the same
factor. Because gold and silver members take part more often (tier is in the
participation model) and also buy more, a naive comparison of co-creators with
non-participants overstates the effect; matching on tier, or a difference in
differences, recovers it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np

from prosumo.synth import words
from prosumo.synth.ideas import Ideas, Stages
from prosumo.synth.people import People

MONTH_DAYS = 30.4375
BASE_RATE = {"bronze": 0.06, "silver": 0.15, "gold": 0.35}
SPEND_MULTIPLIER = 1.25
LAUNCHED_SHARE = 0.15
LAUNCH_MARKUP = 1.1
COST_PER_JOIN = {"email": 2.0, "social": 6.0, "search": 9.0, "referral": 5.0, "event": 40.0, "partner": 12.0}


@dataclass
class Orders:
    """One row per order."""

    member: np.ndarray
    product_id: np.ndarray
    time: np.ndarray
    amount: np.ndarray
    from_idea: np.ndarray  # idea index or -1
    monthly_rate: np.ndarray  # per member: expected orders per month before taking part
    expected_amount: float


def catalogue() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Base products: ids 1.., product line index and price (line price x variant factor)."""
    lines = np.repeat(np.arange(len(words.PRODUCTS)), len(words.VARIANTS))
    factors = np.tile([f for _, f in words.VARIANTS], len(words.PRODUCTS))
    prices = np.round(np.array([words.PRODUCTS[i].price for i in lines]) * factors, 2)
    return np.arange(1, len(lines) + 1, dtype=np.int64), lines, prices


def expected_base_amount() -> float:
    """Expected amount of an order of a catalogue product (quantity and discount included)."""
    _, lines, prices = catalogue()
    weights = np.asarray(words.PRODUCT_POPULARITY)[lines]
    return float(np.dot(weights, prices) / weights.sum()) * 1.15 * (1 - 0.2 * 0.1)


def make_orders(
    rng: np.random.Generator,
    people: People,
    ideas: Ideas,
    stages: Stages,
    first: np.ndarray,
    days: float,
) -> Orders:
    """Orders of every non-staff member; ``first`` is each member's first contribution (NaN none)."""
    regular = ~people.is_staff
    base = np.array([BASE_RATE[t] for t in words.TIERS])[np.maximum(people.tier, 0)]
    monthly = np.where(regular, base * rng.gamma(2.0, 0.5, people.n), 0.0)
    switch = np.where(np.isnan(first), days, first)
    # members were customers before they joined the community: orders run from the window's start
    pre_days = np.maximum(switch, 0.0)
    post_days = np.maximum(days - switch, 0.0)
    n_pre = rng.poisson(monthly * pre_days / MONTH_DAYS)
    n_post = rng.poisson(monthly * SPEND_MULTIPLIER * post_days / MONTH_DAYS)
    member = np.concatenate([np.repeat(np.arange(people.n), n_pre), np.repeat(np.arange(people.n), n_post)])
    lo = np.concatenate([np.zeros(int(n_pre.sum())), np.repeat(switch, n_post)])
    span = np.concatenate([np.repeat(pre_days, n_pre), np.repeat(post_days, n_post)])
    time = np.minimum(lo + rng.random(len(member)) * span, days)

    ids, lines, prices = catalogue()
    popularity = np.asarray(words.PRODUCT_POPULARITY)[lines]
    product = rng.choice(len(ids), len(member), p=popularity / popularity.sum())
    product_id = ids[product]
    price = prices[product]
    from_idea = np.full(len(member), -1, dtype=np.int64)

    launched = np.flatnonzero(~np.isnan(stages.launch_time))
    launched = launched[np.argsort(stages.launch_time[launched], kind="stable")]
    if len(launched):
        available = np.searchsorted(stages.launch_time[launched], time, side="left")
        take = (available > 0) & (rng.random(len(member)) < LAUNCHED_SHARE)
        pick = launched[np.floor(rng.random(int(take.sum())) * available[take]).astype(np.int64)]
        from_idea[take] = pick
        product_id[take] = 1000 + pick + 1
        line_price = np.array([p.price for p in words.PRODUCTS])
        price[take] = np.round(line_price[ideas.product[pick]] * LAUNCH_MARKUP, 2)

    quantity = np.where(rng.random(len(member)) < 0.15, 2.0, 1.0)
    discount = np.where(rng.random(len(member)) < 0.1, 0.8, 1.0)
    amount = np.round(price * quantity * discount, 2)
    order = np.argsort(time, kind="stable")
    return Orders(
        member[order], product_id[order], time[order], amount[order], from_idea[order], monthly, expected_base_amount()
    )


def month_starts(start: datetime, end: datetime) -> list[datetime]:
    """First instants of the calendar months overlapping ``[start, end)``, plus ``end``."""
    edges = [start]
    cursor = start.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    while True:
        cursor = (
            cursor.replace(year=cursor.year + 1, month=1)
            if cursor.month == 12
            else cursor.replace(month=cursor.month + 1)
        )
        if cursor >= end:
            break
        edges.append(cursor)
    edges.append(end)
    return edges


def make_costs(
    rng: np.random.Generator,
    people: People,
    start: datetime,
    end: datetime,
    days: float,
) -> tuple[list[str], list[datetime], list[datetime], list[float]]:
    """Monthly acquisition spend per channel: joins x cost per join x noise (+-15%)."""
    edges = month_starts(start, end)
    offsets = np.array([(e - start).total_seconds() / 86400.0 for e in edges])
    regular = ~people.is_staff
    period = np.clip(np.searchsorted(offsets, people.joined, side="right") - 1, 0, len(edges) - 2)
    channel_rows, starts, ends, spend = [], [], [], []
    for code, channel in enumerate(words.CHANNELS):
        joins = np.bincount(period[regular & (people.channel == code)], minlength=len(edges) - 1)
        noise = rng.uniform(0.85, 1.15, len(joins))
        for k, count in enumerate(joins):
            channel_rows.append(channel)
            starts.append(edges[k])
            ends.append(edges[k + 1])
            spend.append(round(float(count * COST_PER_JOIN[channel] * noise[k]), 2))
    return channel_rows, starts, ends, spend
