"""Question 3: which members have the most innovative potential, and why?

A per-member score from behaviour (and the lead-user survey when the dataset has
one): empirical-Bayes acceptance rate, support received, novelty and diversity of
their ideas, and being early on themes that later grow. Members are ranked, each
with the reason for the rank in words.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import ibis
import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import minimize
from scipy.special import betaln, gammaln
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.feature_extraction.text import TfidfVectorizer

from prosumo.analytics.dataset import Dataset
from prosumo.analytics.metrics.activity import current_supports, epoch_days, idea_credits, is_accepted, people

#: Weight of each component in the score (renormalised over those present).
WEIGHTS: dict[str, float] = {
    "acceptance": 0.35,
    "support": 0.15,
    "novelty": 0.15,
    "diversity": 0.10,
    "foresight": 0.25,
    "lead_user": 0.20,
}
#: An idea's novelty is measured against at most this many earlier ideas of its theme.
MAX_REFERENCE = 5000


@dataclass(frozen=True)
class BetaPrior:
    """A Beta(alpha, beta) prior on members' acceptance rates."""

    alpha: float
    beta: float

    @property
    def mean(self) -> float:
        """Prior mean alpha / (alpha + beta)."""
        return self.alpha / (self.alpha + self.beta)


def fit_beta_prior(accepted: Any, ideas: Any, method: str = "ml") -> BetaPrior:
    """Fit the Beta prior of acceptance rates across members (empirical Bayes).

    ``method="ml"`` maximises the beta-binomial likelihood
    L(a, b) = prod_i C(n_i, k_i) B(k_i + a, n_i - k_i + b) / B(a, b)
    (members with n_i >= 1; grouped by distinct (k, n) so a million members cost
    the same as a hundred). ``method="moments"`` matches the mean m and variance v
    of the raw rates k_i/n_i: a + b = m(1 - m)/v - 1, a = m(a + b).

    ML uses every member's n_i (a rate from 1 idea says less than one from 20);
    moments are kept for a closed form to check against.

    Source: Casella (1985), "An introduction to empirical Bayes data analysis";
    METRICS.md 3a.

    Raises
    ------
    ValueError
        When no member has an idea, or ``method`` is unknown.

    Examples
    --------
    >>> prior = fit_beta_prior([1, 0, 2, 1], [2, 2, 4, 2], method="moments")
    >>> round(prior.alpha, 3), round(prior.beta, 3), round(prior.mean, 3)
    (1.5, 2.5, 0.375)
    """
    k = np.asarray(accepted, dtype="float64")
    n = np.asarray(ideas, dtype="float64")
    keep = n >= 1
    k, n = k[keep], n[keep]
    if len(n) == 0:
        raise ValueError("no member has an idea: the acceptance prior cannot be fitted")
    rates = k / n
    m = float(rates.mean())
    v = float(rates.var())
    if method == "moments":
        if v <= 0 or m in (0.0, 1.0):
            raise ValueError("acceptance rates do not vary: the moments have no solution")
        s = m * (1 - m) / v - 1
        return BetaPrior(m * s, (1 - m) * s)
    if method != "ml":
        raise ValueError(f"unknown method {method!r}: use 'ml' or 'moments'")
    pairs, counts = np.unique(np.column_stack([k, n]), axis=0, return_counts=True)
    kk, nn = pairs[:, 0], pairs[:, 1]

    def nll(theta: np.ndarray) -> float:
        a, b = np.exp(theta)
        return -float((counts * (betaln(kk + a, nn - kk + b) - betaln(a, b))).sum())

    m0 = min(max(m, 1e-3), 1 - 1e-3)
    s0 = m0 * (1 - m0) / v - 1 if v > 0 else 10.0
    s0 = min(max(s0, 0.5), 1e4)
    start = np.log([m0 * s0, (1 - m0) * s0])
    res = minimize(nll, start, method="L-BFGS-B", bounds=[(-7, 14), (-7, 14)])
    a, b = np.exp(res.x)
    return BetaPrior(float(a), float(b))


def shrunk_rate(accepted: Any, ideas: Any, prior: BetaPrior) -> np.ndarray:
    """Posterior mean acceptance rate p_i = (k_i + alpha) / (n_i + alpha + beta).

    Source: METRICS.md 3a (implementation propensity).

    Examples
    --------
    >>> shrunk_rate([1], [2], BetaPrior(1.0, 9.0)).round(4).tolist()
    [0.1667]
    """
    k = np.asarray(accepted, dtype="float64")
    n = np.asarray(ideas, dtype="float64")
    return (k + prior.alpha) / (n + prior.alpha + prior.beta)


def fold_text(texts: pd.Series) -> pd.Series:
    """Lower-case and strip accents: what ``TfidfVectorizer(strip_accents="unicode")`` does.

    The same result as scikit-learn's ``_preprocess`` with ``lower=True`` and
    ``strip_accents_unicode`` (lower, then NFKD and drop the characters with a
    non-zero combining class), but ASCII texts are left alone and the marks are
    dropped with one pattern of the marks that occur, instead of a Python loop over
    every character.

    Examples
    --------
    >>> fold_text(pd.Series(["Café au LAIT!", "Crème brûlée"])).tolist()
    ['cafe au lait!', 'creme brulee']
    """
    lowered = texts.str.lower()
    ascii_only = lowered.map(str.isascii).to_numpy(dtype=bool)
    if ascii_only.all():
        return lowered
    rows = np.flatnonzero(~ascii_only)
    decomposed = [unicodedata.normalize("NFKD", lowered.iat[i]) for i in rows]
    marks = sorted(c for c in set("".join(decomposed)) if unicodedata.combining(c))
    if marks:
        pattern = re.compile("[" + "".join(re.escape(m) for m in marks) + "]")
        decomposed = [pattern.sub("", d) for d in decomposed]
    out = lowered.to_numpy(dtype=object).copy()
    out[rows] = decomposed
    return pd.Series(out, index=texts.index, dtype=object)


def tfidf(texts: list[str] | pd.Series) -> sparse.csr_matrix:
    """L2-normalised TF-IDF rows (sublinear tf, lower-cased, accents stripped) of idea texts.

    Examples
    --------
    >>> tfidf(["refill bottles", "refill soap", "bike rack"]).shape
    (3, 5)
    """
    texts = pd.Series(texts).fillna("").astype(str)
    min_df = 2 if len(texts) >= 1000 else 1
    vec = TfidfVectorizer(sublinear_tf=True, lowercase=False, strip_accents=None, min_df=min_df, max_features=50_000)
    try:
        return vec.fit_transform(fold_text(texts)).tocsr()
    except ValueError:
        return sparse.csr_matrix((len(texts), 1))


def themes(x: sparse.csr_matrix, seed: int = 0) -> np.ndarray:
    """Theme of each idea: k-means on the TF-IDF rows, k = clip(round(sqrt(n/2)), 1, 30).

    Rows are unit length, so Euclidean k-means groups by cosine similarity.
    """
    n = x.shape[0]
    k = int(np.clip(round(np.sqrt(n / 2)), 1, 30))
    if k <= 1 or x.nnz == 0:
        return np.zeros(n, dtype="int64")
    model = (
        MiniBatchKMeans(n_clusters=k, random_state=seed, n_init=3, batch_size=4096)
        if n > 20_000
        else KMeans(n_clusters=k, random_state=seed, n_init=3)
    )
    labels: np.ndarray = model.fit_predict(x).astype("int64")
    return labels


def novelty(
    x: sparse.csr_matrix,
    order_key: np.ndarray,
    theme: np.ndarray,
    max_reference: int = MAX_REFERENCE,
    dense_share: float = 0.05,
) -> np.ndarray:
    """Novelty of each idea: 1 - the highest cosine similarity to an earlier idea of its theme.

    novelty_j = 1 - max_{i earlier than j, same theme} cos(x_i, x_j); 1 for the first
    idea of a theme. Only the ``max_reference`` most recent earlier ideas of the
    theme are compared. The similarities come in blocks of 2,000 ideas, each block's
    x_i . x_j split by term: terms in at least ``dense_share`` of the theme's ideas
    as a dense matrix product (BLAS), the rarer terms as a sparse one, summed. The
    sum is the same dot product (equal to within rounding, about 1e-15); a common
    term costs a sparse product time proportional to the square of its frequency,
    so the split is what makes a theme of thousands of ideas cheap. Novelty is
    rounded to 12 decimals, so that copies of one text (novelty 0) tie exactly.

    Source: our design after Bayus (2013) [METRICS.md 3a]: distance to what was
    already proposed.
    """
    n = x.shape[0]
    out = np.ones(n)
    block = 2000
    for t in np.unique(theme):
        idx = np.flatnonzero(theme == t)
        idx = idx[np.argsort(order_key[idx], kind="stable")]
        xt = x[idx]
        size = len(idx)
        df = np.bincount(xt.indices, minlength=x.shape[1])
        common = df >= max(2.0, dense_share * size)
        dense = xt[:, np.flatnonzero(common)].toarray()
        rare = xt[:, np.flatnonzero(~common)].tocsr()
        for r0 in range(0, size, block):
            r1 = min(size, r0 + block)
            c0 = max(0, r0 - max_reference)
            sims = dense[r0:r1] @ dense[c0:r1].T
            if rare.nnz:
                sims += (rare[r0:r1] @ rare[c0:r1].T).toarray()
            rows = np.arange(r0, r1)[:, None]
            cols = np.arange(c0, r1)[None, :]
            allowed = (cols < rows) & (cols >= rows - max_reference)
            sims = np.where(allowed, sims, -np.inf)
            best = sims.max(axis=1)
            out[idx[r0:r1]] = np.where(np.isfinite(best), 1 - np.clip(best, 0, 1), 1.0)
    # equal texts must tie whatever order the products summed in
    return np.round(out, 12)


def diversity(credit: sparse.csr_matrix, x: sparse.csr_matrix) -> np.ndarray:
    """Diversity of each member's ideas: 1 - mean pairwise cosine similarity.

    With unit rows x_a and S_i = sum of member i's idea vectors,
    mean pairwise cos = (|S_i|^2 - n_i) / (n_i (n_i - 1)); NaN for n_i < 2.

    Source: METRICS.md 3a (diversity = 1 - mean pairwise cosine), after Bayus (2013).

    Examples
    --------
    >>> x = tfidf(["refill bottles", "refill soap", "bike rack"])
    >>> credit = sparse.csr_matrix(np.array([[1.0, 1.0, 0.0], [0.0, 0.0, 1.0]]))
    >>> diversity(credit, x).round(3).tolist()
    [0.634, nan]
    """
    s = credit @ x
    sq = np.asarray(s.multiply(s).sum(axis=1)).ravel()
    n = np.asarray(credit.sum(axis=1)).ravel()
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_cos = (sq - n) / (n * (n - 1))
    return np.where(n >= 2, 1 - mean_cos, np.nan)


def theme_followers(theme: np.ndarray, order_key: np.ndarray) -> np.ndarray:
    """Ideas submitted in the same theme after each idea (how much the theme grew after it).

    Examples
    --------
    >>> theme_followers(np.array([0, 0, 1, 0]), np.array([1, 2, 3, 4])).tolist()
    [2, 1, 0, 0]
    """
    frame = pd.DataFrame({"theme": theme, "key": order_key})
    rank = frame.groupby("theme")["key"].rank(method="first")
    size = frame.groupby("theme")["key"].transform("size")
    followers: np.ndarray = (size - rank).to_numpy(dtype="int64")
    return followers


def member_evidence(ds: Dataset) -> pd.DataFrame:
    """Per member with at least one credited idea: ideas, accepted, net support.

    ``ideas`` n_i and ``accepted`` k_i count ideas the member is credited on (author
    or co-author); ``support`` = members whose vote on those ideas is support today
    (:func:`~prosumo.analytics.metrics.activity.current_supports`: a down vote, a
    Pol.is disagree or pass, a low score and a withdrawn vote are not support).

    Examples
    --------
    >>> from prosumo.analytics.examples import example_dataset
    >>> ds = example_dataset()
    >>> member_evidence(ds).sort_values("member_id")[["member_id", "ideas", "accepted"]].to_dict("records")
    [{'member_id': 1, 'ideas': 2, 'accepted': 1}, {'member_id': 2, 'ideas': 1, 'accepted': 0}]
    """
    credits = idea_credits(ds)
    ideas = ds.ideas
    j = credits.join(ideas, credits.idea_id == ideas.idea_id)
    per = j.group_by(j.member_id).aggregate(
        ideas=ibis._.count(),
        accepted=ibis.cases((is_accepted(j.status), 1), else_=0).sum(),
        first_idea_day=epoch_days(j.created_at.min()),
    )
    votes = current_supports(ds.events)
    per_idea = votes.group_by("idea_id").aggregate(support=ibis._.count())
    sj = credits.join(per_idea, credits.idea_id == per_idea.idea_id)
    support = sj.group_by(sj.member_id).aggregate(support=sj.support.sum())
    staff_free = people(ds.members).select("member_id")
    per = per.semi_join(staff_free, per.member_id == staff_free.member_id)
    out = per.execute().merge(support.execute(), on="member_id", how="left")
    out["support"] = out["support"].fillna(0).astype("int64")
    return out


def lead_user_scores(ds: Dataset) -> pd.DataFrame | None:
    """Mean ahead-of-trend (``lead_at_*``) and high-expected-benefit (``lead_heb_*``) items.

    Source: Franke, von Hippel & Schreier (2006): AT and HEB are separate scales,
    each predicting innovation [METRICS.md 3a]. None without a survey.
    """
    if ds.surveys is None:
        return None
    s = ds.surveys
    kind = ibis.cases(
        (s.item.startswith("lead_at"), "lead_at"),
        (s.item.startswith("lead_heb"), "lead_heb"),
        else_=ibis.null("string"),
    )
    items = s.select(member_id=s.member_id, kind=kind, score=s.score).filter(ibis._.kind.notnull())
    wide = items.group_by(["member_id", "kind"]).aggregate(score=items.score.mean()).execute()
    if wide.empty:
        return None
    out = wide.pivot_table(index="member_id", columns="kind", values="score").reset_index()
    for col in ("lead_at", "lead_heb"):
        if col not in out:
            out[col] = np.nan
    out["lead_user"] = out[["lead_at", "lead_heb"]].mean(axis=1)
    return out[["member_id", "lead_at", "lead_heb", "lead_user"]]


def innovation_scores(ds: Dataset, seed: int = 0) -> tuple[pd.DataFrame, BetaPrior | None]:
    """Rank members by innovative potential, with the reason for each rank.

    Components per member (each turned into its percentile among ranked members;
    a missing component counts as 0.5):

    * ``acceptance`` p_i = (k_i + a)/(n_i + a + b), Beta(a, b) fitted across members;
    * ``support`` = supports standing today per idea (positive votes only);
    * ``novelty`` = mean novelty of the member's ideas (:func:`novelty`);
    * ``diversity`` of the member's ideas (:func:`diversity`);
    * ``foresight`` = max over the member's ideas of log(1 + later ideas in the same
      theme): being early on a theme that later grew;
    * ``lead_user`` = mean of the AT and HEB survey scales, when surveyed.

    score = sum_c w_c pct_c / sum_c w_c with :data:`WEIGHTS`.

    Source: METRICS.md 3a (empirical Bayes, Bayus 2013, Franke et al. 2006); the
    weighting is our design choice.

    Returns
    -------
    (pandas.DataFrame, BetaPrior | None)
        Ranked members (``rank`` 1 = highest) with every component, ``score`` and
        ``reason``; and the fitted prior.

    Examples
    --------
    >>> from prosumo.analytics.examples import example_dataset
    >>> ds = example_dataset()
    >>> ranked, prior = innovation_scores(ds)
    >>> ranked[["rank", "member_id"]].to_dict("records")
    [{'rank': 1, 'member_id': 1}, {'rank': 2, 'member_id': 2}]
    """
    ev = member_evidence(ds)
    lead = lead_user_scores(ds)
    if ev.empty and lead is None:
        return pd.DataFrame(columns=["rank", "member_id", "score", "reason"]), None
    prior = None
    if len(ev) and (ev["ideas"] > 0).any():
        prior = fit_beta_prior(ev["accepted"], ev["ideas"])
        ev["acceptance"] = shrunk_rate(ev["accepted"], ev["ideas"], prior)
        ev["support_per_idea"] = ev["support"] / ev["ideas"]
        ev = ev.merge(_text_features(ds, seed), on="member_id", how="left")
    table = ev if lead is None else ev.merge(lead, on="member_id", how="outer")
    components = {
        "acceptance": "acceptance",
        "support": "support_per_idea",
        "novelty": "novelty",
        "diversity": "diversity",
        "foresight": "foresight",
        "lead_user": "lead_user",
    }
    present = {c: col for c, col in components.items() if col in table and table[col].notna().any()}
    pct = pd.DataFrame({c: table[col].rank(pct=True, method="average").fillna(0.5) for c, col in present.items()})
    weights = np.array([WEIGHTS[c] for c in present])
    table["score"] = pct.to_numpy() @ weights / weights.sum()
    table["reason"] = _reasons(table, pct)
    table = table.sort_values(["score", "member_id"], ascending=[False, True]).reset_index(drop=True)
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    return table, prior


def _text_features(ds: Dataset, seed: int) -> pd.DataFrame:
    """Per member: mean novelty, diversity and foresight of their ideas (from the texts)."""
    ideas = ds.ideas.select("idea_id", "created_at", "title", "body").execute()
    credits = idea_credits(ds).select("idea_id", "member_id").execute()
    ideas = ideas.sort_values("idea_id").reset_index(drop=True)
    x = tfidf(ideas["title"].fillna("") + " " + ideas["body"].fillna(""))
    order_key = ideas["created_at"].astype("int64").to_numpy() if len(ideas) else np.array([])
    theme = themes(x, seed)
    idea_novelty = novelty(x, order_key, theme)
    followers = theme_followers(theme, order_key)
    members = np.sort(credits["member_id"].unique())
    rows = np.searchsorted(members, credits["member_id"].to_numpy())
    cols = np.searchsorted(ideas["idea_id"].to_numpy(), credits["idea_id"].to_numpy())
    credit = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(members), len(ideas)))
    credit.data[:] = 1.0
    per_member_ideas = np.asarray(credit.sum(axis=1)).ravel()
    nov = np.asarray(credit @ idea_novelty).ravel() / np.maximum(per_member_ideas, 1)
    fore = pd.Series(np.log1p(followers[cols])).groupby(rows).max()
    grown = pd.Series(followers[cols]).groupby(rows).max()
    return pd.DataFrame(
        {
            "member_id": members,
            "novelty": nov,
            "diversity": diversity(credit, x),
            "foresight": fore.reindex(range(len(members))).to_numpy(),
            "theme_growth": grown.reindex(range(len(members))).to_numpy(),
        }
    )


def _reasons(table: pd.DataFrame, pct: pd.DataFrame) -> np.ndarray:
    """The two strongest components of each member, in words (vectorised)."""
    phrases: dict[str, pd.Series] = {}
    if "acceptance" in pct:
        phrases["acceptance"] = (
            table["accepted"].fillna(0).astype("int64").astype(str)
            + " of "
            + table["ideas"].fillna(0).astype("int64").astype(str)
            + " ideas accepted (shrunk rate "
            + (100 * table["acceptance"]).round(0).fillna(0).astype("int64").astype(str)
            + "%)"
        )
    if "support" in pct:
        phrases["support"] = table["support_per_idea"].round(1).astype(str) + " supports per idea"
    if "novelty" in pct:
        phrases["novelty"] = "ideas unlike earlier ones (novelty " + table["novelty"].round(2).astype(str) + ")"
    if "diversity" in pct:
        phrases["diversity"] = "ideas on varied topics (diversity " + table["diversity"].round(2).astype(str) + ")"
    if "foresight" in pct:
        phrases["foresight"] = (
            "early on a theme that grew by " + table["theme_growth"].fillna(0).astype("int64").astype(str) + " ideas"
        )
    if "lead_user" in pct:
        phrases["lead_user"] = "lead-user survey score " + table["lead_user"].round(1).astype(str)
    names = list(pct.columns)
    matrix = pct.to_numpy()
    text = np.column_stack([phrases[c].to_numpy(dtype=object) for c in names])
    order = np.argsort(-matrix, axis=1, kind="stable")
    first = np.take_along_axis(text, order[:, :1], axis=1).ravel()
    if len(names) < 2:
        return first
    second = np.take_along_axis(text, order[:, 1:2], axis=1).ravel()
    both: np.ndarray = first.astype(str) + np.full(len(first), "; ") + second.astype(str)
    return both


def beta_binomial_loglik(accepted: Any, ideas: Any, prior: BetaPrior) -> float:
    """Log-likelihood of the counts under the beta-binomial model of ``prior``.

    Examples
    --------
    >>> round(beta_binomial_loglik([1, 0], [2, 2], BetaPrior(alpha=1.0, beta=1.0)), 4)
    -2.1972
    """
    k = np.asarray(accepted, dtype="float64")
    n = np.asarray(ideas, dtype="float64")
    log_choose = gammaln(n + 1) - gammaln(k + 1) - gammaln(n - k + 1)
    return float((log_choose + betaln(k + prior.alpha, n - k + prior.beta) - betaln(prior.alpha, prior.beta)).sum())


@dataclass(frozen=True)
class InnovationFigures:
    """Question 3: every ranked member's score and components, and the acceptance prior."""

    ranked: pd.DataFrame
    prior: BetaPrior | None


def compute(ds: Dataset) -> InnovationFigures:
    """Question 3's ranking (:func:`innovation_scores`)."""
    ranked, prior = innovation_scores(ds)
    return InnovationFigures(ranked=ranked, prior=prior)
