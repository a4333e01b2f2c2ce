"""Influence: do prosumers influence other members more than the average member does?

The interaction graph (comment replies, support of others' ideas, co-authorship,
referrals) is built in the engine as a weighted edge list, then scored with igraph
(compiled C): PageRank and k-core. The influence ratio compares prosumers with the
other members, with a bootstrap 95% interval; the seeds claim 4-6x.
"""

from __future__ import annotations

from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
import igraph as ig
import numpy as np
import pandas as pd

from prosumo.analytics.dataset import Dataset
from prosumo.analytics.metrics.activity import (
    COAUTHOR_VERBS,
    current_supports,
    idea_credits,
    is_accepted,
    people,
    tagged_events,
)
from prosumo.analytics.metrics.precision import TOO_FEW, enough_for_interval
from prosumo.analytics.metrics.relationship import member_levels

#: Groups above this size have their bootstrap means drawn from the normal limit.
EXACT_BOOTSTRAP_MAX = 50_000
CLAIM = (4.0, 6.0)


def interaction_edges(ds: Dataset) -> ir.Table:
    """Weighted, directed interaction edges between non-staff members (an Ibis table).

    An edge src -> dst means src paid attention to dst (so dst gains influence):

    * ``reply``: a comment by src whose target is dst (the member replied to or the
      idea's author);
    * ``support``: src supports an idea of dst today, one per idea (a positive vote
      that stands: :func:`~prosumo.analytics.metrics.activity.current_supports`; a
      down vote, a Pol.is disagree or pass, a low score or a withdrawn vote is no link);
    * ``coauthor``: src and dst are credited on the same idea (both directions;
      from ``idea_authors``, else ``idea.coauthor_added`` events);
    * ``referral``: dst referred src (``member.referred`` events and
      ``members.referred_by``, counted once per pair).

    Self-loops and staff are left out; weight = number of interactions.

    Returns
    -------
    ibis.Table
        ``src, dst, kind, weight``.

    Examples
    --------
    >>> from prosumo.analytics.examples import example_dataset
    >>> ds = example_dataset()
    >>> interaction_edges(ds).execute().sort_values(["src", "dst"]).to_dict("records")
    [{'src': 2, 'dst': 1, 'kind': 'referral', 'weight': 1}]
    """
    ev = ds.events
    replies = ev.filter(ev.verb == "comment.posted").select(
        src=ev.actor_id, dst=ev.target_member_id, kind=ibis.literal("reply")
    )
    standing = current_supports(ev)
    support = standing.select(src=standing.member_id, dst=standing.author_id, kind=ibis.literal("support"))
    if ds.idea_authors is not None:
        a = ds.idea_authors.select("idea_id", "member_id")
        o = a.view()
        pairs = a.join(o, [a.idea_id == o.idea_id, a.member_id != o.member_id])
        coauthor = pairs.select(src=pairs.member_id, dst=pairs.member_id_right, kind=ibis.literal("coauthor"))
    else:
        added = ev.filter(ev.verb.isin(COAUTHOR_VERBS))
        one = added.select(src=added.actor_id, dst=added.target_member_id, kind=ibis.literal("coauthor"))
        two = added.select(src=added.target_member_id, dst=added.actor_id, kind=ibis.literal("coauthor"))
        coauthor = ibis.union(one, two, distinct=False)
    referred_ev = ev.filter(ev.verb == "member.referred").select(
        src=ev.target_member_id, dst=ev.actor_id, kind=ibis.literal("referral")
    )
    m = ds.members
    referred_by = m.filter(m.referred_by.notnull()).select(
        src=m.member_id, dst=m.referred_by, kind=ibis.literal("referral")
    )
    referrals = ibis.union(referred_ev, referred_by, distinct=True)
    edges = ibis.union(replies, support, coauthor, referrals, distinct=False)
    edges = edges.filter(edges.src.notnull() & edges.dst.notnull() & (edges.src != edges.dst))
    staff = ds.members.filter(ds.members.is_staff).select("member_id")
    edges = edges.filter(~edges.src.isin(staff.member_id) & ~edges.dst.isin(staff.member_id))
    return edges.group_by(["src", "dst", "kind"]).aggregate(weight=ibis._.count())


def graph_scores(
    n: int, src: np.ndarray, dst: np.ndarray, weight: np.ndarray | None = None, directed: bool = True
) -> pd.DataFrame:
    """PageRank and k-core number of every vertex 0..n-1, computed by igraph.

    PageRank (damping 0.85, weighted when ``weight`` is given, dangling vertices
    spread uniformly): PR = (1-d)/n + d sum_j PR_j w_ji / w_j. Coreness: the largest k
    such that the vertex lies in the k-core of the undirected simple graph (Seidman
    1983; k-shell predicts spreading better than degree, Kitsak et al. 2010).

    Source: Brin & Page (1998); METRICS.md E4 check: karate club (unweighted) gives
    PageRank 0.1009 for vertex 33 and 0.0970 for vertex 0, and a largest core of 4.

    Examples
    --------
    >>> graph_scores(3, np.array([0, 1]), np.array([2, 2])).round(3).to_dict("list")
    {'pagerank': [0.213, 0.213, 0.574], 'coreness': [1, 1, 1]}
    """
    # add_edges reads an (E, 2) integer array about twice as fast as the constructor
    # reads the same pairs (as an array or as a list)
    g = ig.Graph(n=n, directed=directed)
    g.add_edges(np.column_stack([src, dst]).astype("int64"))
    if weight is not None:
        g.es["weight"] = np.asarray(weight, dtype="float64")
    pr = np.asarray(g.pagerank(damping=0.85, weights="weight" if weight is not None else None))
    simple = g.as_undirected(mode="collapse") if directed else g.simplify(multiple=True, loops=True, combine_edges=None)
    core = np.asarray(simple.coreness(mode="all"))
    return pd.DataFrame({"pagerank": pr, "coreness": core})


def member_graph_scores(ds: Dataset) -> pd.DataFrame:
    """PageRank, coreness and referrals made for every non-staff member.

    ``influence`` = PageRank x n (the average member has 1), so ratios read directly.

    Returns
    -------
    pandas.DataFrame
        ``member_id, pagerank, influence, coreness, referrals, in_weight``.

    Examples
    --------
    >>> from prosumo.analytics.examples import example_dataset
    >>> ds = example_dataset()
    >>> member_graph_scores(ds).sort_values("member_id")[["member_id", "coreness"]].to_dict("records")
    [{'member_id': 1, 'coreness': 1},
     {'member_id': 2, 'coreness': 1},
     {'member_id': 3, 'coreness': 0},
     {'member_id': 4, 'coreness': 0}]
    """
    ids = np.sort(people(ds.members).select("member_id").to_pyarrow().column("member_id").to_numpy())
    edges = interaction_edges(ds).cache()  # read twice below
    summed = edges.group_by(["src", "dst"]).aggregate(weight=edges.weight.sum()).to_pyarrow()
    src = _positions(ids, summed.column("src").to_numpy())
    dst = _positions(ids, summed.column("dst").to_numpy())
    w = summed.column("weight").to_numpy().astype("float64")
    scores = graph_scores(len(ids), src, dst, w, directed=True)
    referral = (
        edges.filter(edges.kind == "referral")
        .group_by(member_id=edges.dst)
        .aggregate(referrals=edges.weight.sum())
        .execute()
    )
    edges.release()  # now, not whenever the garbage collector runs (maybe in another thread)
    out = pd.DataFrame({"member_id": ids})
    out["pagerank"] = scores["pagerank"].to_numpy()
    out["influence"] = out["pagerank"] * len(ids)
    out["coreness"] = scores["coreness"].to_numpy()
    out["in_weight"] = np.bincount(dst, weights=w, minlength=len(ids))
    out = out.merge(referral, on="member_id", how="left")
    out["referrals"] = out["referrals"].fillna(0).astype("int64")
    return out


def _positions(ids: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Index of each value in the sorted, distinct ``ids`` (all values are among them)."""
    if len(ids) and ids[-1] - ids[0] == len(ids) - 1:
        shifted: np.ndarray = values - ids[0]  # ids form one run of consecutive integers
        return shifted
    return np.searchsorted(ids, values)


def prosumers(ds: Dataset) -> ir.Table:
    """Prosumers: members credited on an accepted idea, or who reached the top level.

    A prosumer (i) is credited (as author or co-author) on an idea whose stage is
    accepted, in development or launched, or (ii) was at the Orbit top level
    (leader: contributor on 30+ active days in a quarter) in at least one month.
    Both say the member produced something the company or the community valued.

    Returns
    -------
    ibis.Table
        ``member_id`` (distinct, non-staff).

    Examples
    --------
    >>> from prosumo.analytics.examples import example_dataset
    >>> ds = example_dataset()
    >>> prosumers(ds).execute().sort_values("member_id").to_dict("records")
    [{'member_id': 1}]
    """
    credits = idea_credits(ds)
    ideas = ds.ideas
    accepted = credits.join(ideas, credits.idea_id == ideas.idea_id).filter(is_accepted(ideas.status))
    by_idea = accepted.select(member_id=accepted.member_id)
    # a leader is a contributor (an analyse act), so only those members' levels matter
    tagged = tagged_events(ds.events)
    analysers = tagged.filter(tagged.stage == "analyse").select("member_id").distinct()
    levels = member_levels(ds, members=analysers)
    leaders = levels.filter(levels.level == 4).select("member_id")
    staff_free = people(ds.members).select("member_id")
    union = ibis.union(by_idea, leaders, distinct=True)
    return union.semi_join(staff_free, union.member_id == staff_free.member_id)


def ratio_of_means(x: np.ndarray, y: np.ndarray, draws: int = 2000, seed: int = 0) -> tuple[float, float, float]:
    """Ratio of means mean(x)/mean(y) with a percentile bootstrap 95% interval.

    Members are resampled with replacement within each group, ``draws`` times. For a
    group larger than :data:`EXACT_BOOTSTRAP_MAX` the resampled mean is drawn from
    its normal limit N(mean, s^2/n), which is what resampling converges to, so a
    million members cost no more than a thousand.

    Source: Efron & Tibshirani (1993), ch. 13 (percentile interval); METRICS.md E4.

    Examples
    --------
    >>> tuple(round(v, 2) for v in ratio_of_means(np.array([4.0, 6.0, 5.0]), np.array([1.0, 1.0, 1.0]), draws=200))
    (5.0, 4.0, 6.0)
    """
    x = np.asarray(x, dtype="float64")
    y = np.asarray(y, dtype="float64")
    if len(x) == 0 or len(y) == 0 or y.mean() == 0:
        return float("nan"), float("nan"), float("nan")
    rng = np.random.default_rng(seed)
    mx = _boot_means(x, draws, rng)
    my = _boot_means(y, draws, rng)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = mx / my
    ratios = ratios[np.isfinite(ratios)]
    low, high = np.percentile(ratios, [2.5, 97.5])
    return float(x.mean() / y.mean()), float(low), float(high)


def _boot_means(v: np.ndarray, draws: int, rng: np.random.Generator) -> np.ndarray:
    n = len(v)
    if n > EXACT_BOOTSTRAP_MAX:
        return rng.normal(v.mean(), v.std(ddof=1) / np.sqrt(n), size=draws)
    means = np.empty(draws)
    chunk = max(1, 5_000_000 // n)
    for start in range(0, draws, chunk):
        stop = min(draws, start + chunk)
        idx = rng.integers(0, n, size=(stop - start, n))
        means[start:stop] = v[idx].mean(axis=1)
    return means


def influence_ratio(ds: Dataset, draws: int = 2000, seed: int = 0, scores: pd.DataFrame | None = None) -> pd.DataFrame:
    """Influence of prosumers relative to the other members, per measure, with 95% CIs.

    rho = mean influence of prosumers / mean influence of the others [METRICS.md E4],
    for PageRank influence, coreness, referrals made and interactions received.
    With fewer than :data:`~prosumo.analytics.metrics.precision.MIN_GROUP_FOR_INTERVAL` members in either group there is no
    interval (``low_95``, ``high_95`` empty, ``interval`` = "too few"), and the claim
    is not supported.

    Returns
    -------
    pandas.DataFrame
        ``measure, prosumers, others, prosumer_mean, other_mean, ratio, low_95,
        high_95, interval, within_claim`` (the interval lies inside [4, 6]).
        ``scores`` may pass in :func:`member_graph_scores` already computed.
    """
    if scores is None:
        scores = member_graph_scores(ds)
    pros = prosumers(ds).execute()["member_id"]
    is_pro = scores["member_id"].isin(pros).to_numpy()
    rows = []
    for measure in ("influence", "coreness", "referrals", "in_weight"):
        values = scores[measure].to_numpy(dtype="float64")
        ratio, low, high = ratio_of_means(values[is_pro], values[~is_pro], draws, seed)
        too_few = not enough_for_interval(int(is_pro.sum()), int((~is_pro).sum()))
        if too_few:
            low = high = float("nan")
        rows.append(
            {
                "measure": measure,
                "prosumers": int(is_pro.sum()),
                "others": int((~is_pro).sum()),
                "prosumer_mean": float(values[is_pro].mean()) if is_pro.any() else np.nan,
                "other_mean": float(values[~is_pro].mean()) if (~is_pro).any() else np.nan,
                "ratio": ratio,
                "low_95": low,
                "high_95": high,
                "interval": TOO_FEW if too_few else "",
                "within_claim": bool(not too_few and CLAIM[0] <= low and high <= CLAIM[1]),
            }
        )
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class InfluenceFigures:
    """Influence: graph scores per member and the prosumers-to-others ratios."""

    scores: pd.DataFrame
    ratios: pd.DataFrame


def compute(ds: Dataset) -> InfluenceFigures:
    """The influence figures (:func:`member_graph_scores`, :func:`influence_ratio` on those scores)."""
    scores = member_graph_scores(ds)
    return InfluenceFigures(scores=scores, ratios=influence_ratio(ds, scores=scores))
