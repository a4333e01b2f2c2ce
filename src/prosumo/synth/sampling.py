"""Vectorised sampling helpers shared by the generator's steps (numpy only, no loops per row)."""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

DAY_US = 86_400_000_000


def sigmoid(x: np.ndarray) -> np.ndarray:
    """Logistic function ``1 / (1 + exp(-x))``, elementwise."""
    return 1.0 / (1.0 + np.exp(-x))


def bass_inverse_cdf(u: np.ndarray, p: float, q: float) -> np.ndarray:
    """Adoption time (in periods) at cumulative share ``u`` of the Bass diffusion model.

    The Bass CDF is ``F(t) = (1 - e^{-(p+q)t}) / (1 + (q/p) e^{-(p+q)t})`` (Bass 1969);
    solving ``F(t) = u`` gives ``t = -ln((1 - u) / (1 + (q/p) u)) / (p + q)``.

    >>> round(float(bass_inverse_cdf(np.array([0.5]), 0.03, 0.38)[0]), 3)
    6.604
    """
    return -np.log((1.0 - u) / (1.0 + (q / p) * u)) / (p + q)


def bass_cdf(t: float, p: float, q: float) -> float:
    """Bass cumulative adoption share at time ``t`` (periods)."""
    e = math.exp(-(p + q) * t)
    return (1.0 - e) / (1.0 + (q / p) * e)


def likert_pmf(mean: float, sd: float) -> np.ndarray:
    """Probabilities of scores 1..7 from ``clip(round(N(mean, sd)), 1, 7)``."""
    cuts = np.array([1.5, 2.5, 3.5, 4.5, 5.5, 6.5])
    cdf = np.array([0.5 * (1.0 + math.erf((c - mean) / (sd * math.sqrt(2.0)))) for c in cuts])
    return np.diff(np.concatenate([[0.0], cdf, [1.0]]))


def likert(rng: np.random.Generator, mean: np.ndarray | float, sd: float, size: int) -> np.ndarray:
    """Integer scores 1..7 drawn as ``clip(round(N(mean, sd)), 1, 7)`` (float64)."""
    return np.clip(np.rint(rng.normal(mean, sd, size)), 1.0, 7.0)


@lru_cache(maxsize=8)
def _linear_predictor_distribution(
    coefficients: tuple[float, ...],
    tier_effects: tuple[float, ...],
    tier_probs: tuple[float, ...],
    mean: float,
    sd: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Exact distribution of ``tier_effect + sum_k beta_k (s_k - 4)`` over independent scores."""
    pmf = likert_pmf(mean, sd)
    centred = np.arange(1, 8) - 4.0
    values: np.ndarray = np.zeros(1)
    probs: np.ndarray = np.ones(1)
    for beta in coefficients:
        values = (values[:, None] + beta * centred[None, :]).ravel()
        probs = (probs[:, None] * pmf[None, :]).ravel()
        # merge equal values to keep the support small
        values, inverse = np.unique(np.round(values, 12), return_inverse=True)
        probs = np.bincount(inverse, weights=probs)
    values = (values[:, None] + np.asarray(tier_effects)[None, :]).ravel()
    probs = (probs[:, None] * np.asarray(tier_probs)[None, :]).ravel()
    return values, probs


def calibrate_intercept(
    target: float,
    coefficients: tuple[float, ...],
    tier_effects: tuple[float, ...],
    tier_probs: tuple[float, ...],
    mean: float,
    sd: float,
) -> float:
    """Intercept ``a`` with ``E[sigmoid(a + x)] = target`` over the exact distribution of ``x``.

    ``x = tier_effect + sum_k beta_k (s_k - 4)``, scores ``s_k`` i.i.d. Likert (see
    :func:`likert_pmf`), tier drawn with ``tier_probs``. Solved by bisection to 1e-12.
    """
    values, probs = _linear_predictor_distribution(coefficients, tier_effects, tier_probs, mean, sd)
    lo, hi = -20.0, 20.0
    for _ in range(80):
        mid = 0.5 * (lo + hi)
        if float(np.dot(probs, sigmoid(mid + values))) < target:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def prefix_choice(
    rng: np.random.Generator,
    cumulative: np.ndarray,
    eligible: np.ndarray,
) -> np.ndarray:
    """Draw one index per row among the first ``eligible[i]`` items, weighted.

    ``cumulative`` is the running sum of non-negative item weights (items sorted by the
    time they appear); row ``i`` draws item ``j < eligible[i]`` with probability
    ``w_j / cumulative[eligible[i] - 1]``. Rows with ``eligible == 0`` get -1.
    """
    eligible = np.asarray(eligible, dtype=np.int64)
    out = np.full(eligible.shape, -1, dtype=np.int64)
    ok = eligible > 0
    if not ok.any() or len(cumulative) == 0:
        return out
    totals = cumulative[eligible[ok] - 1]
    u = rng.random(int(ok.sum())) * totals
    idx = np.searchsorted(cumulative, u, side="right")
    out[ok] = np.minimum(idx, eligible[ok] - 1)
    return out


def decayed_cumulative(times: np.ndarray, weights: np.ndarray, tau: float) -> np.ndarray:
    """Cumulative weights ``w_j e^{t_j / tau}`` for recency-weighted :func:`prefix_choice`.

    At any later time ``t`` the weight of item ``j`` is proportional to
    ``w_j e^{-(t - t_j)/tau}``; the common factor ``e^{-t/tau}`` cancels, so one running
    sum serves every draw.
    """
    scaled = weights * np.exp((times - times.max(initial=0.0)) / tau)
    return np.cumsum(scaled)


def uniform_between(rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Uniform draws in ``[lo, hi]`` elementwise (``hi < lo`` gives ``lo``)."""
    return lo + rng.random(len(lo)) * np.maximum(hi - lo, 0.0)


def repeat_ranges(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Owner index and rank within owner for ``counts[i]`` repetitions of each owner ``i``."""
    counts = np.asarray(counts, dtype=np.int64)
    owner = np.repeat(np.arange(len(counts)), counts)
    starts = np.cumsum(counts) - counts
    rank = np.arange(len(owner)) - starts[owner]
    return owner, rank


def group_first(keys: np.ndarray) -> np.ndarray:
    """Boolean mask of the first row of each run of equal keys (keys already sorted)."""
    first = np.ones(len(keys), dtype=bool)
    if len(keys) > 1:
        first[1:] = keys[1:] != keys[:-1]
    return first


def json_objects(fields: list[tuple[str, pa.Array | np.ndarray, str]]) -> pa.Array:
    """Build one compact JSON object per row from typed columns, in Arrow (no Python loop).

    ``fields`` holds ``(key, values, kind)`` with kind ``"int"``, ``"float"``, ``"bool"``
    or ``"str"``; nulls become JSON ``null``. String values must need no escaping
    (controlled vocabularies only; free text goes through :func:`json.dumps`).
    """
    parts: list[pa.Array | str] = []
    for position, (key, values, kind) in enumerate(fields):
        parts.append(("{" if position == 0 else ", ") + f'"{key}": ')
        array = values if isinstance(values, pa.Array | pa.ChunkedArray) else pa.array(values)
        if kind == "bool":
            text = pc.if_else(array, "true", "false")
        elif kind == "str":
            text = pc.binary_join_element_wise('"', array.cast(pa.string()), '"', "")
        else:
            text = array.cast(pa.string())
        parts.append(pc.fill_null(text, "null"))
    parts.append("}")
    return pc.binary_join_element_wise(*parts, "")


def masked_int(values: np.ndarray, null: np.ndarray | None = None) -> pa.Array:
    """Arrow int64 array from ``values`` with nulls where ``null`` is true (or values < 0)."""
    values = np.asarray(values, dtype=np.int64)
    mask = values < 0 if null is None else np.asarray(null, dtype=bool)
    return pa.array(values, type=pa.int64(), mask=mask)
