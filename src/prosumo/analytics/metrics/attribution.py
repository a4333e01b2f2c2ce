"""Multi-touch channel attribution: the Shapley value of each channel in members' journeys.

A member's *journey* is the set of distinct channels that touched them up to their
first contribution (or up to now, when they never contributed). The game is
v(S) = conversions from journeys whose channels all lie in S, and each channel is
credited with its Shapley value in that game (METRICS.md 4a). First-touch and
last-touch credit are computed beside it for comparison.

The game is summarised by the distinct journey types (channel set -> conversions),
so the cost depends on the number of channels and distinct journeys, not on the
number of members. This module has no ``section``: the channels section reports it.
"""

from __future__ import annotations

import math
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from prosumo.analytics.dataset import Dataset
from prosumo.analytics.metrics.activity import CONTRIBUTION_VERBS, people, tagged_events

__all__ = [
    "EXACT_MAX_CHANNELS",
    "MAX_CHANNELS",
    "attribution_table",
    "coalition_values",
    "journey_types",
    "journeys_to_masks",
    "shapley_exact",
    "shapley_from_journeys",
    "shapley_sampled",
]

#: Exact enumeration of the 2^n coalitions up to this many channels; sampling above.
EXACT_MAX_CHANNELS = 12
#: Channels kept apart in journeys (bits of an int64 mask); rarer ones become OTHER.
MAX_CHANNELS = 62
#: Permutations drawn when sampling.
SAMPLES = 20_000
UNKNOWN = "(unknown)"
OTHER = "(other)"


def coalition_values(masks: Any, conversions: Any, n: int) -> np.ndarray:
    """v(S) for every coalition S of n channels, as an array indexed by the bitmask of S.

    v(S) = sum of ``conversions`` over the journey types J with J a subset of S
    (bit i of a mask = channel i). Computed with the sum-over-subsets recurrence
    (for each channel i, every coalition holding i adds the value of the same
    coalition without i): O(n 2^n).

    Examples
    --------
    >>> coalition_values([0b01, 0b10, 0b11], [3, 1, 2], 2).tolist()
    [0.0, 3.0, 1.0, 6.0]
    """
    if n < 0 or n > 30:
        raise ValueError(f"coalition values need 0 <= n <= 30 channels, got {n}")
    masks = np.asarray(masks, dtype="int64")
    conversions = np.asarray(conversions, dtype="float64")
    if len(masks) and (masks.min() < 0 or masks.max() >= 1 << n):
        raise ValueError(f"journey masks must lie in [0, 2^{n})")
    v = np.zeros(1 << n)
    np.add.at(v, masks, conversions)
    for i in range(n):
        # view v as (high bits, bit i, low bits) and add the bit-i-off half to the on half
        view = v.reshape(-1, 2, 1 << i)
        view[:, 1, :] += view[:, 0, :]
    return v


def shapley_exact(v: Any) -> np.ndarray:
    """Shapley value of each player from v(S) for all 2^n coalitions (indexed by bitmask).

    phi_i = sum_{S subset of N without i} |S|! (n - |S| - 1)! / n! [v(S + i) - v(S)].

    Source: Shapley (1953), "A value for n-person games"; METRICS.md 6a (formula) and
    4a (channel credit).

    Examples
    --------
    The glove game {L, R1, R2} of METRICS.md 6: a pair (L with an R) is worth 1.

    >>> v = [0, 0, 0, 1, 0, 1, 0, 1]  # bit 0 = L, bit 1 = R1, bit 2 = R2
    >>> shapley_exact(v).round(4).tolist()
    [0.6667, 0.1667, 0.1667]
    """
    v = np.asarray(v, dtype="float64")
    size = len(v)
    n = size.bit_length() - 1
    if size != 1 << n:
        raise ValueError(f"v must have 2^n entries, got {size}")
    coalitions = np.arange(size)
    sizes = _popcount(coalitions)
    weight = np.array([math.factorial(s) * math.factorial(n - s - 1) / math.factorial(n) for s in range(n)])
    phi = np.zeros(n)
    for i in range(n):
        without = coalitions[(coalitions >> i) & 1 == 0]
        phi[i] = float((weight[sizes[without]] * (v[without | (1 << i)] - v[without])).sum())
    return phi


def _popcount(x: np.ndarray) -> np.ndarray:
    count = np.zeros(len(x), dtype="int64")
    y = x.copy()
    while y.any():
        count += y & 1
        y >>= 1
    return count


def shapley_sampled(
    masks: Any, conversions: Any, n: int, samples: int = SAMPLES, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Shapley values of the journey game estimated from random orders of the channels.

    For a random order of the channels, adding them one at a time, a journey type J
    starts to count in v exactly when the last of its channels (in that order) joins;
    so that channel's marginal contribution is the sum of the conversions of the
    journeys it completes. phi_i is the mean marginal contribution over ``samples``
    uniformly random orders (numpy ``default_rng(seed)``), an unbiased estimate.

    Source: Castro, Gomez & Tejada (2009), "Polynomial calculation of the Shapley
    value based on sampling", Computers & Operations Research 36(5).

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        The estimates and their Monte Carlo standard errors.

    Examples
    --------
    >>> v = coalition_values([0b01, 0b10, 0b11], [3, 1, 2], 2)
    >>> values, errors = shapley_sampled([0b01, 0b10, 0b11], [3, 1, 2], 2, samples=200)
    >>> values.round(3).tolist(), shapley_exact(v).tolist()
    ([3.99, 2.01], [4.0, 2.0])
    """
    if samples < 2:
        raise ValueError("sampling needs at least 2 orders")
    members = _mask_matrix(masks, n)
    conversions = np.asarray(conversions, dtype="float64")
    keep = members.any(axis=1)  # the empty journey is worth v(empty) and credits no one
    members, conversions = members[keep], conversions[keep]
    rng = np.random.default_rng(seed)
    total = np.zeros(n)
    total_sq = np.zeros(n)
    chunk = max(1, 2_000_000 // max(1, len(conversions) * n))
    done = 0
    while done < samples:
        m = min(chunk, samples - done)
        position = rng.permuted(np.tile(np.arange(n), (m, 1)), axis=1)  # position of each channel
        # position of each journey's channels, -1 where the channel is not in it
        pos = np.where(members[None, :, :], position[:, None, :], -1)
        last = pos.argmax(axis=2)  # the channel that completes each journey, per order
        credit = np.zeros((m, n))
        np.add.at(credit, (np.repeat(np.arange(m), last.shape[1]), last.ravel()), np.tile(conversions, m))
        total += credit.sum(axis=0)
        total_sq += (credit**2).sum(axis=0)
        done += m
    mean = total / samples
    var = np.maximum(total_sq / samples - mean**2, 0.0) * samples / (samples - 1)
    return mean, np.sqrt(var / samples)


def _mask_matrix(masks: Any, n: int) -> np.ndarray:
    bits: np.ndarray = np.asarray(masks, dtype="int64")
    return ((bits[:, None] >> np.arange(n)[None, :]) & 1).astype(bool)


def shapley_from_journeys(
    masks: Any,
    conversions: Any,
    n: int,
    *,
    exact_max: int = EXACT_MAX_CHANNELS,
    samples: int = SAMPLES,
    seed: int = 0,
) -> tuple[np.ndarray, str]:
    """Shapley value of each of n channels in the game v(S) = conversions of journeys inside S.

    Exact (:func:`coalition_values` then :func:`shapley_exact`) for n <= ``exact_max``;
    above that, :func:`shapley_sampled` with ``samples`` random orders and ``seed``.
    The values sum to v(N) - v(empty) (efficiency; exactly when exact).

    Returns
    -------
    (numpy.ndarray, str)
        One value per channel, and ``"exact"`` or ``"sampled (K orders)"``.

    Examples
    --------
    >>> values, method = shapley_from_journeys([0b01, 0b10, 0b11], [3, 1, 2], 2)
    >>> values.tolist(), method
    ([4.0, 2.0], 'exact')
    """
    if n == 0:
        return np.zeros(0), "exact"
    if n <= exact_max:
        return shapley_exact(coalition_values(masks, conversions, n)), "exact"
    phi, _ = shapley_sampled(masks, conversions, n, samples=samples, seed=seed)
    return phi, f"sampled ({samples:,} orders)"


def journeys_to_masks(journeys: Any, channels: list[str]) -> np.ndarray:
    """Bitmasks of channel sets: bit i set when ``channels[i]`` is in the journey.

    Examples
    --------
    >>> journeys_to_masks([{"ads"}, {"ads", "mail"}], ["ads", "mail"]).tolist()
    [1, 3]
    """
    index = {c: i for i, c in enumerate(channels)}
    return np.array([sum(1 << index[c] for c in set(j)) for j in journeys], dtype="int64")


def _touches(ds: Dataset) -> ir.Table:
    """Every channel touch of a non-staff member: ``member_id, channel, at``.

    The member's own ``channel`` at ``joined_at`` (first touch by the contract) and
    each event of theirs that carries a channel (``member.joined``, visits through a
    tracked link, ...).
    """
    members = people(ds.members)
    staff_free = members.select("member_id")
    own = members.filter(members.channel.notnull()).select(
        member_id=members.member_id, channel=members.channel, at=members.joined_at
    )
    ev = ds.events
    ev = ev.filter(ev.channel.notnull() & ev.actor_id.notnull())
    from_events = ev.select(member_id=ev.actor_id, channel=ev.channel, at=ev.occurred_at)
    from_events = from_events.semi_join(staff_free, from_events.member_id == staff_free.member_id)
    return ibis.union(own, from_events, distinct=False)


def journey_types(ds: Dataset, max_channels: int = MAX_CHANNELS) -> tuple[pd.DataFrame, list[str]]:
    """Members' journeys up to their first contribution, counted by type.

    A member converts at their first contribution (a vote, comment, idea, revision or
    co-authorship credited to them: the channel section's activation). Their journey
    is the set of distinct channels of their touches (see ``_touches``) at or before
    that moment (all touches when they never contributed); a member with no touch
    has the journey {(unknown)}. First touch = the channel of the earliest touch,
    last touch = of the latest one in the journey (ties: the channel first in
    alphabetical order). Channels beyond the ``max_channels`` - 1 most frequent are
    merged into ``(other)``.

    Returns
    -------
    (pandas.DataFrame, list of str)
        ``mask, first_touch, last_touch, converted, members`` (one row per distinct
        combination; bit i of ``mask`` = the i-th channel of the list) and the
        channels, in alphabetical order.

    Examples
    --------
    >>> from prosumo.analytics.examples import example_dataset
    >>> ds = example_dataset()
    >>> types, channels = journey_types(ds)
    >>> channels, types[["mask", "converted", "members"]].to_dict("records")
    (['ads', 'search'],
     [{'mask': 1, 'converted': True, 'members': 2},
      {'mask': 2, 'converted': False, 'members': 1},
      {'mask': 2, 'converted': True, 'members': 1}])
    """
    members = people(ds.members)
    ev = ds.events
    # filter by verb first: only contributions can convert, so the scan stays cheap
    contributions = tagged_events(ev.filter(ev.verb.isin(CONTRIBUTION_VERBS)))
    converted = contributions.group_by("member_id").aggregate(converted_at=contributions.occurred_at.min())

    touches = _touches(ds)
    joined = touches.left_join(converted, touches.member_id == converted.member_id)
    kept = joined.filter(joined.converted_at.isnull() | (joined.at <= joined.converted_at))
    pairs = kept.group_by([kept.member_id, kept.channel]).aggregate(
        first_at=kept.at.min(), last_at=kept.at.max(), converted=kept.converted_at.notnull().max()
    )
    cached = pairs.cache()  # read four times below
    pairs = cached

    counts = pairs.group_by("channel").aggregate(n=ibis._.count()).execute()
    counts = counts.sort_values(["n", "channel"], ascending=[False, True])
    names = counts["channel"].tolist()
    if len(names) > max_channels:
        names = [*names[: max_channels - 1], OTHER]
        pairs = pairs.mutate(channel=ibis.cases((pairs.channel.isin(names[:-1]), pairs.channel), else_=OTHER))
        pairs = pairs.group_by(["member_id", "channel"]).aggregate(
            first_at=pairs.first_at.min(), last_at=pairs.last_at.max(), converted=pairs.converted.max()
        )
    untouched = members.anti_join(pairs, members.member_id == pairs.member_id)
    untouched = untouched.left_join(converted, untouched.member_id == converted.member_id)
    if int(untouched.count().execute()):
        names.append(UNKNOWN)
        lone = untouched.select(
            member_id=untouched.member_id,
            channel=ibis.literal(UNKNOWN),
            first_at=untouched.joined_at,
            last_at=untouched.joined_at,
            converted=untouched.converted_at.notnull(),
        )
        pairs = ibis.union(pairs, lone, distinct=False)
    channels = sorted(set(names))
    bit = pairs.channel.cases(*[(c, 1 << i) for i, c in enumerate(channels)], else_=0).cast("int64")
    per_member = pairs.group_by("member_id").aggregate(
        mask=bit.sum(), first_at=pairs.first_at.min(), last_at=pairs.last_at.max(), converted=pairs.converted.max()
    )
    first = pairs.join(per_member, [pairs.member_id == per_member.member_id, pairs.first_at == per_member.first_at])
    first = first.group_by(first.member_id).aggregate(first_touch=first.channel.min())
    last = pairs.join(per_member, [pairs.member_id == per_member.member_id, pairs.last_at == per_member.last_at])
    last = last.group_by(last.member_id).aggregate(last_touch=last.channel.min())
    out = per_member.join(first, "member_id").join(last, "member_id")
    out = out.select("mask", "first_touch", "last_touch", "converted")
    types = out.group_by(["mask", "first_touch", "last_touch", "converted"]).aggregate(members=ibis._.count())
    frame = types.execute().sort_values(["mask", "first_touch", "last_touch", "converted"], ignore_index=True)
    cached.release()  # now, not whenever the garbage collector runs (maybe in another thread)
    frame["mask"] = frame["mask"].astype("int64")
    frame["members"] = frame["members"].astype("int64")
    frame["converted"] = frame["converted"].astype(bool)
    return frame, channels


def attribution_table(types: pd.DataFrame, channels: list[str], seed: int = 0) -> pd.DataFrame:
    """Per channel: Shapley, first-touch and last-touch conversions, from :func:`journey_types`.

    Columns: ``channel``; ``members_touched`` (members whose journey holds the
    channel) and ``conversions_touched`` (those of them who converted);
    ``shapley_conversions`` phi_c of the game v(S) = conversions from journeys whose
    channels all lie in S (:func:`shapley_from_journeys`); ``shapley_share`` =
    phi_c / sum phi; ``first_touch_conversions`` and ``last_touch_conversions``
    (converted members whose first / last touch was c); ``method`` (exact or
    sampled). Sorted by Shapley conversions, largest first.

    Source: METRICS.md 4a ("credit multi-touch journeys with the Shapley value").

    Examples
    --------
    >>> from prosumo.analytics.examples import example_dataset
    >>> ds = example_dataset()
    >>> types, channels = journey_types(ds)
    >>> attribution_table(types, channels)[["channel", "shapley_conversions", "first_touch_conversions"]].to_dict("records")
    [{'channel': 'ads', 'shapley_conversions': 2.0, 'first_touch_conversions': 2},
     {'channel': 'search', 'shapley_conversions': 1.0, 'first_touch_conversions': 1}]
    """
    n = len(channels)
    conv = types[types["converted"]]
    by_mask = conv.groupby("mask")["members"].sum()
    phi, method = shapley_from_journeys(by_mask.index.to_numpy(), by_mask.to_numpy(), n, seed=seed)
    bits = _mask_matrix(types["mask"].to_numpy(), n)
    weights = types["members"].to_numpy(dtype="float64")
    converted = types["converted"].to_numpy()
    touched = weights @ bits
    touched_conv = (weights * converted) @ bits
    first = conv.groupby("first_touch")["members"].sum()
    last = conv.groupby("last_touch")["members"].sum()
    total = phi.sum()
    out = pd.DataFrame(
        {
            "channel": channels,
            "members_touched": touched.astype("int64"),
            "conversions_touched": touched_conv.astype("int64"),
            "shapley_conversions": phi,
            "shapley_share": phi / total if total > 0 else np.full(n, np.nan),
            "first_touch_conversions": first.reindex(channels).fillna(0).astype("int64").to_numpy(),
            "last_touch_conversions": last.reindex(channels).fillna(0).astype("int64").to_numpy(),
            "method": method,
        }
    )
    return out.sort_values(["shapley_conversions", "channel"], ascending=[False, True], ignore_index=True)
