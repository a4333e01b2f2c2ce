"""Question 9 — opinion groups: who votes alike, what unites them, what divides them.

The method follows Pol.is (Small et al. 2021, "Polis: Scaling Deliberation by
Mapping High Dimensional Opinion Spaces", Recerca 26(2); the ``polis`` math code):

1. **Vote matrix.** A member x idea matrix with +1 (agree / support), -1 (disagree)
   and 0 (pass), from ``idea.supported`` / ``idea.rated`` / ``idea.support_withdrawn``
   events; a member's latest vote on an idea counts (Pol.is keeps the latest), a
   withdrawn support is 0, a 1-5 score of 4-5 agrees, 1-2 disagrees and 3 passes.
   Declined (moderated-out) ideas are left out, as Pol.is leaves out moderated-out
   statements.
2. **Who is placed.** Members with at least ``min(7, number of ideas)`` votes, Pol.is's
   rule for participants "in the conversation"; members with fewer votes are too
   sparse to place.
3. **PCA.** Each column is centred on the mean of its observed votes and a missing vote
   is 0 after centring (Pol.is imputes the column mean). The first two principal
   components come from the SVD of that matrix; each member's projection is scaled by
   ``sqrt(n_ideas / n_votes_i)`` (Pol.is's sparsity-aware projection), so members who
   voted on few ideas are not pulled to the centre.
4. **Groups.** Pol.is's two levels: k-means condenses the placed members into about
   100 base clusters; the base centres, weighted by their sizes, are then grouped by
   k-means for k = 2..min(5, 2 + n_base / 12), and the k whose grouping has the best
   silhouette over the base centres wins. Each member takes the group of their base
   cluster. Pol.is keeps k stable as votes arrive: a new k replaces the current one only
   after it has been the best ``K_BUFFER`` (4) runs in a row; a caller that stores the
   groups passes the previous run's :class:`KState` to get the same rule.
5. **Per idea and group.** With A agrees, D disagrees and S votes (pass included) of
   group g on idea j, Pol.is's smoothed probabilities are
   ``P(agree | g) = (1 + A) / (2 + S)`` and ``P(disagree | g) = (1 + D) / (2 + S)``.

   * **Group-informed consensus** (Pol.is): ``GIC_j = prod_g P(agree | g)``. The ideas
     that unite all groups are those with the highest GIC whose agreement is above
     one half in every group.
   * **Representativeness** (Pol.is's ``ra``): ``P(agree | g) / P(agree | not g)``,
     with the two-proportion z statistic of the same difference.
   * **Divisiveness** (our choice, [A]): ``max_g P(agree | g) - min_g P(agree | g)``,
     the spread of agreement between the most and least agreeing group. An idea
     *divides* the groups only when the two sides take opposite sides: the most
     agreeing group has more agrees than disagrees and the least agreeing group more
     disagrees than agrees (an idea with 12 agrees and no disagree never divides). The
     dividing ideas are those with the largest spread among them, reported with the
     group for which each idea is most representative.
6. **Names.** A group is named by its representative idea (Pol.is's representative
   comment): among the ideas more than half of the group agrees with, the one where
   ``P(agree | g) - P(agree | not g)`` is largest.
7. **Minimum size.** A group with fewer than ``MIN_GROUP_SIZE`` (5) members is not
   shown: it has no name, and the consensus, the spread, the representative group and
   the uniting and dividing ideas are taken over the shown groups only. Its members
   stay placed (the agreement with another platform's groups counts them).

Examples
--------
>>> import numpy as np
>>> members = np.repeat(np.arange(8), 8)
>>> ideas = np.tile(np.arange(8), 8)
>>> side = np.where(np.arange(8) < 4, 1.0, -1.0)
>>> votes = np.where(ideas < 4, side[members], 1.0)   # ideas 0-3 split, 4-7 agreed by all
>>> result = opinion_groups(members, ideas, votes)
>>> result.k, sorted(np.bincount(result.members["group"]).tolist())
(2, [4, 4])
>>> int(result.ideas.sort_values("consensus", ascending=False)["idea_id"].iloc[0]) >= 4
True
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import sparse

from prosumo.analytics.dataset import Dataset

__all__ = [
    "MIN_GROUP_SIZE",
    "QUESTION",
    "KState",
    "OpinionFigures",
    "OpinionGroups",
    "agreement_with_labels",
    "compute",
    "consensus_share",
    "opinion_groups",
    "votes_of",
]

QUESTION = 9
MIN_VOTES = 7
K_RANGE = (2, 5)
#: Pol.is's number of base clusters, and how many runs a new best k must last to be taken.
BASE_CLUSTERS = 100
K_BUFFER = 4
_BASE_STARTS = 5
#: A group with fewer members is not shown (too few people to speak for an opinion).
MIN_GROUP_SIZE = 5
_VOTE_VERBS = ("idea.supported", "idea.support_withdrawn", "idea.rated")
_SILHOUETTE_SAMPLE = 5000
_KMEANS_SAMPLE = 50_000
_SMALL = 300
#: Ideas listed as uniting and as dividing the groups.
TOP_IDEAS = 10
#: Votes each shown group must have cast on an idea before it has a consensus share.
CONSENSUS_MIN_VOTES = 3
#: threadpoolctl's thread limits are one process-wide state: held by one fit at a time.
_POOL_LIMITS = threading.Lock()


@dataclass(frozen=True)
class KState:
    """Pol.is's k smoother between runs: the last best k, how many runs in a row, the k in use."""

    last_k: int
    last_k_count: int
    smoothed_k: int


@dataclass
class OpinionGroups:
    """Opinion groups found in a vote matrix.

    Attributes
    ----------
    members:
        member_id, n_votes, x, y (projection), group (0..k-1) of the placed members.
    ideas:
        Per idea: idea_id, n_votes, agree share and ``p_agree_g<i>`` per group,
        consensus (GIC), divisiveness, representative_group, repness, z.
    k:
        Number of groups (0 when there were too few members to group).
    silhouettes:
        k -> mean silhouette for every k tried.
    explained_variance:
        Share of variance carried by the two components.
    k_state:
        The k smoother's state after this run, to pass to the next one.
    groups:
        Per group: group, members, shown (at least ``min_group_size`` members), and its
        name: name_idea_id, the idea the group agrees on most beyond the rest, with
        name_agree and name_agree_rest, the two smoothed agree shares.
    """

    members: pd.DataFrame
    ideas: pd.DataFrame
    k: int
    silhouettes: dict[int, float] = field(default_factory=dict)
    explained_variance: float = float("nan")
    n_voters: int = 0
    k_state: KState | None = None
    groups: pd.DataFrame = field(default_factory=pd.DataFrame)


def votes_of(ds: Dataset) -> pd.DataFrame:
    """Each member's latest vote per idea: member_id, idea_id, vote in {-1, 0, 1}.

    Declined ideas are left out. Computed in the dataset's engine (Ibis).

    Examples
    --------
    >>> from prosumo.analytics.examples import example_dataset
    >>> ds = example_dataset()
    >>> votes_of(ds).sort_values(["member_id", "idea_id"]).to_dict("records")
    [{'member_id': 2, 'idea_id': 10, 'vote': 1.0},
     {'member_id': 2, 'idea_id': 11, 'vote': 1.0},
     {'member_id': 2, 'idea_id': 12, 'vote': 1.0},
     {'member_id': 3, 'idea_id': 10, 'vote': 1.0},
     {'member_id': 3, 'idea_id': 11, 'vote': 1.0}]
    """
    import ibis

    ev = ds.events
    votes = ev.filter(
        ev.verb.isin(_VOTE_VERBS)
        & ev.actor_id.notnull()
        & ev.object_id.notnull()
        & (ev.object_type.isnull() | (ev.object_type == "idea"))
    )
    order = ibis.window(
        group_by=[votes.actor_id, votes.object_id],
        order_by=[ibis.desc(votes.occurred_at), ibis.desc(votes.event_id)],
    )
    # a score is a level, not a direction: 4-5 agree, 1-2 disagree, 3 pass
    value = ibis.cases(
        (votes.verb == "idea.support_withdrawn", 0.0),
        (votes.verb == "idea.rated", (votes.value.fill_null(3.0) - 3.0).sign()),
        else_=votes.value.fill_null(1.0).sign(),
    )
    latest = votes.select(
        member_id=votes.actor_id,
        idea_id=votes.object_id,
        vote=value,
        rank=ibis.row_number().over(order),
    ).filter(lambda t: t["rank"] == 0)
    kept = ds.ideas.filter(ds.ideas.status != "declined").select("idea_id")
    joined = latest.join(kept, "idea_id").select("member_id", "idea_id", "vote")
    frame = joined.to_pyarrow().to_pandas()
    frame["vote"] = frame["vote"].astype(np.float64)
    return frame.sort_values(["member_id", "idea_id"], ignore_index=True)


def _project(matrix: sparse.csr_matrix, n_votes: np.ndarray) -> tuple[np.ndarray, float]:
    """Pol.is PCA: centre each column on its observed mean, top two components, sparsity-aware scaling.

    The components are the top two eigenvectors of ``C = M^T M`` for the centred matrix
    ``M``: a dense eigendecomposition for a few hundred ideas, Lanczos iterations
    (``eigsh``, two sparse products with ``M`` per step, ``C`` never formed) above that.
    """
    counts = np.bincount(matrix.indices, minlength=matrix.shape[1])
    sums = np.bincount(matrix.indices, weights=matrix.data, minlength=matrix.shape[1])
    means = np.divide(sums, counts, out=np.zeros_like(sums), where=counts > 0)
    centred = sparse.csr_matrix(
        (matrix.data - means[matrix.indices], matrix.indices, matrix.indptr), shape=matrix.shape
    )
    m = centred.shape[1]
    total = float(np.dot(centred.data, centred.data))
    if m <= _SMALL:
        from scipy.linalg import eigh

        gram = (centred.T @ centred).toarray()
        top = min(2, m)
        values, vectors = eigh(gram, subset_by_index=[m - top, m - 1])
    else:
        from scipy.sparse.linalg import LinearOperator, eigsh

        transposed = centred.T.tocsr()

        def gram_times(x: np.ndarray) -> np.ndarray:
            return np.asarray(transposed @ (centred @ x)).ravel()

        operator = LinearOperator((m, m), matvec=gram_times, dtype=np.float64)
        values, vectors = eigsh(operator, k=2, which="LA", v0=np.ones(m), tol=1e-6)
    order = np.argsort(values)[::-1]
    components = vectors[:, order].T
    explained = float(values[order].sum() / total) if total > 0 else 0.0
    if components.shape[0] < 2:
        components = np.vstack([components, np.zeros((2 - components.shape[0], m))])
    # a component's sign is arbitrary: make its largest loading positive
    flip = np.sign(components[np.arange(2), np.abs(components).argmax(axis=1)])
    components = components * np.where(flip == 0, 1.0, flip)[:, None]
    projection = np.asarray(centred @ components.T)
    projection *= np.sqrt(m / np.maximum(n_votes, 1))[:, None]
    return projection, explained


def _base_clusters(points: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pol.is's base clusters: about ``BASE_CLUSTERS`` k-means centres of the members' positions.

    Returns each member's base cluster, the centres and their sizes (members per centre).
    With no more distinct positions than ``BASE_CLUSTERS``, every distinct position is
    its own base cluster. Above ``_KMEANS_SAMPLE`` members the centres are fitted on a
    random sample and every member goes to its nearest centre.
    """
    from sklearn.cluster import KMeans

    distinct, inverse = np.unique(points.round(12), axis=0, return_inverse=True)
    inverse = inverse.ravel()
    if len(distinct) <= BASE_CLUSTERS:
        return inverse, distinct, np.bincount(inverse, minlength=len(distinct))
    rng = np.random.default_rng(seed)
    sampled = len(points) > _KMEANS_SAMPLE
    fit_on = points[rng.choice(len(points), _KMEANS_SAMPLE, replace=False)] if sampled else points
    model = KMeans(n_clusters=BASE_CLUSTERS, n_init=_BASE_STARTS, random_state=seed).fit(fit_on)
    found = model.predict(points) if sampled else model.labels_
    sizes = np.bincount(found, minlength=BASE_CLUSTERS)
    used = np.flatnonzero(sizes)
    renumber = np.full(BASE_CLUSTERS, -1)
    renumber[used] = np.arange(len(used))
    return renumber[found], model.cluster_centers_[used], sizes[used]


def _choose_k(scores: dict[int, float], state: KState | None) -> tuple[int, KState]:
    """Pol.is's k smoother: k changes only when another k has been best ``K_BUFFER`` runs in a row."""
    this_k = max(scores, key=lambda k: (round(scores[k], 12), -k))
    if state is None:
        return this_k, KState(this_k, 1, this_k)
    count = state.last_k_count + 1 if this_k == state.last_k else 1
    smoothed = this_k if count >= K_BUFFER else state.smoothed_k
    if smoothed not in scores:
        smoothed = this_k
    return smoothed, KState(this_k, count, smoothed)


def _cluster(
    points: np.ndarray, seed: int, *, k: int | None = None, state: KState | None = None
) -> tuple[np.ndarray, dict[int, float], KState | None]:
    """Pol.is's two-level clustering: base clusters, then groups of base clusters.

    1. About 100 base clusters of the members' positions (:func:`_base_clusters`).
    2. For each k in 2..min(5, 2 + n_base // 12), k-means of the base centres weighted by
       their sizes; the silhouette of that grouping is computed over the base centres.
    3. The k with the best silhouette wins, through the smoother of :func:`_choose_k`
       when the previous run's ``state`` is given; ``k`` forces a number of groups.
    4. Each member takes the group of their base cluster.
    """
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    base_of, centres, sizes = _base_clusters(points, seed)
    n_base = len(centres)
    top = min(K_RANGE[1], K_RANGE[0] + n_base // 12)
    tried = [k] if k is not None else list(range(K_RANGE[0], max(top, K_RANGE[0]) + 1))
    scores: dict[int, float] = {}
    labels: dict[int, np.ndarray] = {}
    for n_groups in tried:
        if n_groups > n_base:
            break
        model = KMeans(n_clusters=n_groups, n_init=10, random_state=seed).fit(centres, sample_weight=sizes)
        grouped = model.labels_
        if len(np.unique(grouped)) < 2:
            continue
        if n_base > n_groups:
            scores[n_groups] = float(silhouette_score(centres, grouped))
        else:  # one centre per group: the silhouette is the members'
            sample = min(len(points), _SILHOUETTE_SAMPLE)
            scores[n_groups] = float(silhouette_score(points, grouped[base_of], sample_size=sample, random_state=seed))
        labels[n_groups] = grouped[base_of]
    if not scores:
        return np.zeros(len(points), dtype=np.int64), {}, state
    if k is not None:
        best, new_state = k, state
    else:
        best, new_state = _choose_k(scores, state)
    # number groups by size, largest first, so group 0 is always the largest
    raw = labels[best]
    group_sizes = np.bincount(raw, minlength=best)
    rank = np.empty(best, dtype=np.int64)
    rank[np.argsort(-group_sizes, kind="stable")] = np.arange(best)
    return rank[raw], scores, new_state


def _idea_stats(
    matrix: sparse.csr_matrix, groups: np.ndarray, k: int, idea_ids: np.ndarray, shown: np.ndarray
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Pol.is agree probabilities per group, consensus, representativeness, divisiveness, names.

    Consensus, divisiveness, the representative group, ``unites`` and ``divides`` are
    taken over the shown groups only (``shown``: one flag per group), so a group too
    small to show cannot make an idea look dividing. Returns the per-idea table and the
    per-group table (size, shown, the idea that names the group).
    """
    onehot = sparse.csr_matrix((np.ones(len(groups)), (groups, np.arange(len(groups)))), shape=(k, len(groups)))
    agree = matrix.copy()
    agree.data = (agree.data > 0.5).astype(np.float64)
    disagree = matrix.copy()
    disagree.data = (disagree.data < -0.5).astype(np.float64)
    seen = matrix.copy()
    seen.data = np.ones_like(seen.data)
    a = np.asarray((onehot @ agree).todense())
    d = np.asarray((onehot @ disagree).todense())
    s = np.asarray((onehot @ seen).todense())
    p_agree = (1 + a) / (2 + s)
    a_out = a.sum(axis=0) - a
    s_out = s.sum(axis=0) - s
    p_out = (1 + a_out) / (2 + s_out)
    repness = p_agree / p_out
    pooled = (2 + a + a_out) / (4 + s + s_out)
    se = np.sqrt(pooled * (1 - pooled) * (1 / (2 + s) + 1 / (2 + s_out)))
    z = np.divide(p_agree - p_out, se, out=np.zeros_like(se), where=se > 0)
    columns = np.arange(len(idea_ids))
    n_shown = int(shown.sum())
    # with no group large enough, the figures are over all groups, but nothing unites or divides
    rows = np.flatnonzero(shown) if n_shown else np.arange(k)
    p_shown = p_agree[rows]
    rep_group = rows[repness[rows].argmax(axis=0)]
    most = rows[p_shown.argmax(axis=0)]
    least = rows[p_shown.argmin(axis=0)]
    # an idea divides the groups only when one side agrees and the other disagrees:
    # the most agreeing group has more agrees than disagrees, the least agreeing group
    # more disagrees than agrees (so each side has votes)
    divides = (n_shown >= 2) & (a[most, columns] > d[most, columns]) & (d[least, columns] > a[least, columns])
    min_agree = p_shown.min(axis=0)
    total_seen = s.sum(axis=0)
    frame = pd.DataFrame(
        {
            "idea_id": idea_ids,
            "n_votes": total_seen.astype(np.int64),
            "agree": a.sum(axis=0).astype(np.int64),
            "disagree": d.sum(axis=0).astype(np.int64),
            "consensus": p_shown.prod(axis=0),
            "divisiveness": p_shown.max(axis=0) - min_agree,
            "min_group_agree": min_agree,
            "unites": (n_shown >= 2) & (min_agree > 0.5),
            "divides": divides,
            "representative_group": rep_group,
            "repness": repness[rep_group, columns],
            "z": z[rep_group, columns],
        }
    )
    for g in range(k):
        frame[f"p_agree_g{g}"] = p_agree[g]
        frame[f"agree_g{g}"] = a[g].astype(np.int64)
        frame[f"disagree_g{g}"] = d[g].astype(np.int64)
        frame[f"votes_g{g}"] = s[g].astype(np.int64)
    # a group's name: the idea its members agree on most beyond the rest (Pol.is's
    # representative comment), among the ideas more than half of the group agrees with
    lead = np.where(p_agree > 0.5, p_agree - p_out, -np.inf)
    best = lead.argmax(axis=1)
    named = np.isfinite(lead[np.arange(k), best]) & shown
    group_table = pd.DataFrame(
        {
            "group": np.arange(k, dtype=np.int64),
            "members": np.bincount(groups, minlength=k).astype(np.int64),
            "shown": shown,
            "name_idea_id": pd.array(
                [int(i) if ok else None for i, ok in zip(idea_ids[best], named, strict=True)], dtype="Int64"
            ),
            "name_agree": np.where(named, p_agree[np.arange(k), best], np.nan),
            "name_agree_rest": np.where(named, p_out[np.arange(k), best], np.nan),
        }
    )
    return frame, group_table


def opinion_groups(
    member_ids: np.ndarray,
    idea_ids: np.ndarray,
    votes: np.ndarray,
    *,
    min_votes: int = MIN_VOTES,
    seed: int = 0,
    k: int | None = None,
    k_state: KState | None = None,
    min_group_size: int = MIN_GROUP_SIZE,
) -> OpinionGroups:
    """Group members by how they vote (Pol.is method; see the module docstring).

    Parameters
    ----------
    member_ids, idea_ids, votes:
        One entry per (member, idea) vote, values in {-1, 0, +1}; at most one vote per
        pair (use :func:`votes_of`).
    min_votes:
        A member is placed when they voted on at least ``min(min_votes, n_ideas)`` ideas.
    seed:
        Seed of k-means and of the silhouette sample.
    k:
        A fixed number of groups instead of the silhouette's choice (for comparisons).
    k_state:
        The previous run's :attr:`OpinionGroups.k_state` (Pol.is keeps k stable).
    min_group_size:
        Groups with fewer members are not shown: they name nothing and are left out of
        the consensus, the divisiveness and the uniting and dividing ideas.
    """
    member_ids = np.asarray(member_ids, dtype=np.int64)
    idea_ids = np.asarray(idea_ids, dtype=np.int64)
    votes = np.asarray(votes, dtype=np.float64)
    idea_idx, ideas_u = pd.factorize(idea_ids, sort=True)
    member_idx, members_u = pd.factorize(member_ids, sort=True)
    ideas_u, members_u = np.asarray(ideas_u, dtype=np.int64), np.asarray(members_u, dtype=np.int64)
    n_votes_all = np.bincount(member_idx, minlength=len(members_u))
    threshold = min(min_votes, len(ideas_u))
    placed = n_votes_all >= max(threshold, 1)
    empty_members = pd.DataFrame({"member_id": [], "n_votes": [], "x": [], "y": [], "group": []}).astype(
        {"member_id": "int64", "n_votes": "int64", "group": "int64"}
    )
    if placed.sum() < K_RANGE[0] + 1 or len(ideas_u) < 2:
        return OpinionGroups(empty_members, pd.DataFrame({"idea_id": ideas_u}), 0, n_voters=len(members_u))
    row_of = np.full(len(members_u), -1)
    row_of[placed] = np.arange(placed.sum())
    keep = placed[member_idx]
    # a pass is a stored 0: keep it explicitly in the matrix as "seen"
    stored = np.where(votes[keep] == 0, np.finfo(np.float64).tiny, votes[keep])
    matrix = sparse.csr_matrix(
        (stored, (row_of[member_idx[keep]], idea_idx[keep])),
        shape=(int(placed.sum()), len(ideas_u)),
    )
    values = matrix.copy()
    values.data = np.where(np.abs(values.data) < 1e-300, 0.0, values.data)
    n_votes = n_votes_all[placed]
    from threadpoolctl import threadpool_limits

    # one thread: OpenMP workers spin-wait and slow small fits 100-fold on a busy machine.
    # The limits are process-wide and restored on exit: one fit at a time sets them, so a
    # fit in another section's thread cannot restore them under this one, or leave them set.
    with _POOL_LIMITS, threadpool_limits(1):
        projection, explained = _project(values, n_votes)
        groups, scores, k_state = _cluster(projection, seed, k=k, state=k_state)
    k = int(groups.max()) + 1 if scores else 0
    members = pd.DataFrame(
        {
            "member_id": members_u[placed],
            "n_votes": n_votes.astype(np.int64),
            "x": projection[:, 0],
            "y": projection[:, 1],
            "group": groups,
        }
    )
    if k == 0:
        return OpinionGroups(members, pd.DataFrame({"idea_id": ideas_u}), 0, {}, explained, len(members_u), k_state)
    shown = np.bincount(groups, minlength=k) >= min_group_size
    stats, group_table = _idea_stats(matrix, groups, k, ideas_u, shown)
    return OpinionGroups(members, stats, k, scores, explained, len(members_u), k_state, group_table)


def consensus_share(result: OpinionGroups, *, min_votes: int = CONSENSUS_MIN_VOTES) -> pd.Series:
    """Per idea, the agree share of the least agreeing shown group: the "consensus" order's key.

    ``min over shown groups g of A_g / S_g`` (agrees over votes, passes counted), indexed
    by idea id. An idea on which some shown group cast fewer than ``min_votes`` votes
    has no share (NaN): two agrees out of two say too little about a group. Ideas that
    every group supports come first when sorted by it, highest first. With fewer than two
    shown groups there is no consensus to speak of, and every share is NaN.

    Examples
    --------
    >>> import numpy as np
    >>> members = np.repeat(np.arange(8), 8)
    >>> ideas = np.tile(np.arange(8), 8)
    >>> side = np.where(np.arange(8) < 4, 1.0, -1.0)
    >>> votes = np.where(ideas < 4, side[members], 1.0)
    >>> share = consensus_share(opinion_groups(members, ideas, votes, min_group_size=4))
    >>> share.tolist()
    [0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0]
    """
    ideas = result.ideas
    index = pd.Index(ideas["idea_id"].to_numpy(), name="idea_id")
    if result.k == 0 or int(result.groups["shown"].sum()) < 2:
        return pd.Series(np.nan, index=index, dtype=np.float64)
    shown = result.groups.loc[result.groups["shown"], "group"].to_numpy()
    agree = np.column_stack([ideas[f"agree_g{g}"].to_numpy() for g in shown]).astype(np.float64)
    seen = np.column_stack([ideas[f"votes_g{g}"].to_numpy() for g in shown]).astype(np.float64)
    share = np.divide(agree, seen, out=np.zeros_like(agree), where=seen > 0).min(axis=1)
    share[(seen < min_votes).any(axis=1)] = np.nan
    return pd.Series(share, index=index, dtype=np.float64)


def agreement_with_labels(found: pd.DataFrame, reference: pd.Series) -> tuple[float, int]:
    """Adjusted Rand index between found groups and reference labels (e.g. Pol.is's).

    ARI = (RI - E[RI]) / (max RI - E[RI]) (Hubert & Arabie 1985): 1 for identical
    partitions, about 0 for chance agreement. Computed over members in both.

    Returns
    -------
    (ari, n): the index and the number of members compared.

    Examples
    --------
    >>> found = pd.DataFrame({"member_id": [1, 2, 3, 4], "group": [0, 0, 1, 1]})
    >>> agreement_with_labels(found, pd.Series({1: 7, 2: 7, 3: 8, 4: 9}))
    (0.5714285714285714, 4)
    """
    from sklearn.metrics import adjusted_rand_score

    both = found.set_index("member_id")["group"].to_frame().join(reference.rename("ref"), how="inner")
    both = both.dropna()
    if len(both) < 2:
        return float("nan"), len(both)
    return float(adjusted_rand_score(both["ref"].astype(np.int64), both["group"])), len(both)


def _reference_groups(ds: Dataset, member_ids: np.ndarray) -> pd.Series | None:
    """Pol.is's own group per member, when an importer kept it in ``attributes``."""
    members = ds.members
    hit = members.filter(members.attributes.contains("polis_group_id")).select("member_id", "attributes")
    frame = hit.to_pyarrow().to_pandas()
    if frame.empty:
        return None
    frame = frame[frame["member_id"].isin(member_ids)]
    groups = frame["attributes"].map(lambda text: json.loads(text).get("polis_group_id"))
    return pd.Series(groups.to_numpy(), index=frame["member_id"].to_numpy()).dropna()


def _title_of(ds: Dataset, idea_ids: list[int]) -> dict[int, str]:
    if not idea_ids:
        return {}
    ideas = ds.ideas
    frame = ideas.filter(ideas.idea_id.isin(idea_ids)).select("idea_id", "title").to_pyarrow()
    return dict(zip(frame.column("idea_id").to_pylist(), frame.column("title").to_pylist(), strict=True))


@dataclass(frozen=True)
class OpinionFigures:
    """Question 9: the votes, the opinion groups, and the ideas that unite and divide them.

    ``agreement`` is the adjusted Rand index against the source platform's own groups
    and the members in both (``None`` without those groups); ``uniting`` and
    ``dividing`` carry the ideas' titles and are empty when no groups were formed.
    """

    votes: pd.DataFrame
    groups: OpinionGroups
    agreement: tuple[float, int] | None
    uniting: pd.DataFrame
    dividing: pd.DataFrame


def compute(ds: Dataset) -> OpinionFigures:
    """Question 9's figures: :func:`opinion_groups` of :func:`votes_of`, and the top uniting and dividing ideas."""
    votes = votes_of(ds)
    result = opinion_groups(votes["member_id"], votes["idea_id"], votes["vote"])
    if result.k == 0:
        return OpinionFigures(votes, result, None, pd.DataFrame(), pd.DataFrame())
    reference = _reference_groups(ds, result.members["member_id"].to_numpy())
    agreement = None
    if reference is not None and len(reference):
        agreement = agreement_with_labels(result.members, reference)
    ideas = result.ideas
    uniting = ideas[ideas["unites"]].nlargest(TOP_IDEAS, "consensus")
    dividing = ideas[ideas["divides"]].nlargest(TOP_IDEAS, "divisiveness")
    named = result.groups["name_idea_id"].dropna().astype(np.int64)
    titles = _title_of(ds, sorted(set(uniting["idea_id"]) | set(dividing["idea_id"]) | set(named)))
    uniting = uniting.assign(title=uniting["idea_id"].map(titles))
    dividing = dividing.assign(title=dividing["idea_id"].map(titles))
    result.groups["name"] = result.groups["name_idea_id"].map(titles).astype("string")
    return OpinionFigures(votes, result, agreement, uniting, dividing)
