"""Co-produced messages: which arm of a message experiment converts best, and where co-writing helps.

An experiment gives each member one *arm* (a message in a channel). Per arm the counts
are: members assigned, members exposed (their tracked link opened) and members
converted (a landing action after the exposure). Conversion is counted over the members
*assigned* (intention to treat: an arm whose message is never opened is not flattered by
leaving its unopened members out), the same counts Thompson allocation draws from.

Reporting is Bayesian. Each arm's conversion rate p has a Beta(1, 1) prior (uniform: every
rate equally likely before any data), so after k conversions among n members its
posterior is Beta(1 + k, 1 + n - k). From the posteriors:

* each arm's posterior mean (1 + k) / (2 + n) and its equal-tailed 95% credible interval;
* P(best): the probability that the arm's rate is the highest of all arms, exact for two
  arms (the closed form of :func:`~prosumo.analytics.metrics.channels.prob_b_beats_a`)
  and by numerical integration for more,
  P(i best) = integral of f_i(x) prod_{j != i} F_j(x) dx;
* expected loss of choosing arm i: E[max_j p_j - p_i], the conversion given up on average
  if i is chosen and it is not the best, E[max_j p_j] = integral of (1 - prod_j F_j(x)) dx;
* co-produced against company-made messages within personal media and within mass media
  (arms pooled by source and medium), P(co-produced better) in each, and the interaction
  (difference of differences, personal minus mass) with its 95% interval.

The interaction is drawn by Monte Carlo from the four pooled posteriors with a fixed seed
(:data:`DRAWS` draws, seed :data:`SEED`), so the same data always give the same figures;
its interval bounds move by less than 0.001 between seeds at that size.

Source: METRICS.md E3 (Beta(1,1) priors, the closed form, expected loss, the source x
medium interaction); Chris Stucchio, "Bayesian A/B testing at VWO" (2015) for expected
loss and stopping when it falls below a threshold of caring.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import ibis
import numpy as np
import pandas as pd
from scipy import integrate
from scipy.stats import beta

from prosumo.analytics.dataset import Dataset
from prosumo.analytics.metrics.channels import prob_b_beats_a
from prosumo.analytics.metrics.precision import enough_for_interval

__all__ = [
    "CLEAR",
    "DRAWS",
    "SEED",
    "STOP_LOSS",
    "ExperimentResults",
    "MessagesFigures",
    "arm_counts",
    "arm_table",
    "compute",
    "expected_loss",
    "experiment_results",
    "interaction",
    "posterior",
    "prob_best",
    "source_by_medium",
    "verdict",
]

#: A difference is called when its posterior probability is above CLEAR (or below 1 - CLEAR),
#: that is when its equal-tailed 95% credible interval leaves out zero; between the two the
#: data show no difference.
CLEAR = 0.975
#: Stop an experiment when the arm with the smallest expected loss loses less than this much
#: conversion (0.001 = a tenth of a percentage point) by being chosen.
STOP_LOSS = 0.001
#: Monte Carlo draws per posterior for the interaction, and the seed that fixes them.
DRAWS = 400_000
SEED = 20261205
#: The tails left out of an arm's posterior when integrating (the integrands are below 1e-12 there).
_TAIL = 1e-12
#: The two sources and the two media the comparison is split by.
CO_PRODUCED, COMPANY = "co-produced", "company"
PERSONAL, MASS = "personal", "mass"
COUNT_COLUMNS = ["arm", "source", "medium", "assigned", "exposed", "converted"]


def posterior(converted: int, assigned: int) -> tuple[int, int]:
    """Beta(alpha, beta) posterior of a conversion rate after ``converted`` of ``assigned``, from a Beta(1, 1) prior.

    Examples
    --------
    >>> posterior(10, 100)
    (11, 91)
    """
    if assigned < 0 or not 0 <= converted <= assigned:
        raise ValueError("conversions must lie between 0 and the members assigned")
    return 1 + int(converted), 1 + int(assigned) - int(converted)


def _support(a: float, b: float) -> tuple[float, float]:
    low, high = beta.ppf([_TAIL, 1 - _TAIL], a, b)
    return float(low), float(high)


def _breaks(params: list[tuple[int, int]]) -> list[float]:
    """Points where an integrand over these posteriors changes fast: each one's mean and central quantiles."""
    points: list[float] = []
    for a, b in params:
        points.extend(float(q) for q in beta.ppf([0.001, 0.025, 0.5, 0.975, 0.999], a, b))
        points.append(a / (a + b))
    return sorted(set(points))


def _quad(fn: Callable[[float], float], low: float, high: float, points: list[float]) -> float:
    inside = [p for p in points if low < p < high]
    value, _ = integrate.quad(fn, low, high, points=inside or None, limit=500, epsabs=1e-11, epsrel=1e-10)
    return float(value)


def prob_best(params: list[tuple[int, int]]) -> list[float]:
    """Probability that each arm's rate is the highest, for Beta(alpha, beta) posteriors.

    Two arms: the exact closed form (:func:`~prosumo.analytics.metrics.channels.prob_b_beats_a`).
    More: P(i best) = integral over x of f_i(x) prod_{j != i} F_j(x), by adaptive
    quadrature over the range holding all but 1e-12 of arm i's posterior, split at every
    arm's quantiles so no narrow posterior is stepped over.

    Examples
    --------
    >>> [round(p, 3) for p in prob_best([posterior(10, 100), posterior(15, 100)])]
    [0.147, 0.853]
    >>> [round(p, 3) for p in prob_best([(1, 1), (1, 1), (1, 1)])]
    [0.333, 0.333, 0.333]
    """
    if len(params) < 2:
        return [1.0] * len(params)
    if len(params) == 2:
        (a1, b1), (a2, b2) = params
        p2 = prob_b_beats_a(a1 - 1, a1 + b1 - 2, a2 - 1, a2 + b2 - 2)
        return [1.0 - p2, p2]
    points = _breaks(params)
    out = []
    for i, (a, b) in enumerate(params):
        others = [p for j, p in enumerate(params) if j != i]

        def integrand(x: float, a: int = a, b: int = b, others: list[tuple[int, int]] = others) -> float:
            return float(beta.pdf(x, a, b) * np.prod([beta.cdf(x, oa, ob) for oa, ob in others]))

        out.append(_quad(integrand, *_support(a, b), points))
    return out


def expected_loss(params: list[tuple[int, int]]) -> list[float]:
    """Expected loss of choosing each arm: E[max_j p_j - p_i] under independent Beta posteriors.

    E[max_j p_j] = integral from 0 to 1 of (1 - prod_j F_j(x)) dx, by quadrature over the
    range where the product moves from 0 to 1 (below it the integrand is 1, above it 0);
    E[p_i] = alpha_i / (alpha_i + beta_i).

    Examples
    --------
    >>> [round(v, 5) for v in expected_loss([posterior(10, 100), posterior(15, 100)])]
    [0.0526, 0.00358]
    >>> [round(v, 5) for v in expected_loss([posterior(10, 100), posterior(10, 100)])]
    [0.01713, 0.01713]
    """
    if not params:
        return []
    supports = [_support(a, b) for a, b in params]
    low, high = min(s[0] for s in supports), max(s[1] for s in supports)

    def integrand(x: float) -> float:
        return 1.0 - float(np.prod([beta.cdf(x, a, b) for a, b in params]))

    best = low + _quad(integrand, low, high, _breaks(params))
    return [max(best - a / (a + b), 0.0) for a, b in params]


def verdict(p_co_better: float | None) -> str:
    """The comparison in plain words: which source converts better, or that the data show no difference.

    Examples
    --------
    >>> verdict(0.99), verdict(0.96), verdict(0.02), verdict(None)
    ('co-produced better', 'no difference', 'company better', 'too few')
    """
    if p_co_better is None:
        return "too few"
    if p_co_better > CLEAR:
        return "co-produced better"
    if p_co_better < 1 - CLEAR:
        return "company better"
    return "no difference"


def arm_table(counts: pd.DataFrame) -> pd.DataFrame:
    """Each arm's conversion with its posterior: mean, 95% credible interval, P(best) and expected loss.

    ``counts`` has one row per arm: ``arm, source, medium, assigned, exposed, converted``
    (source ``co-produced`` or ``company``; medium ``personal`` or ``mass``).
    ``conversion`` is converted / assigned as observed; ``posterior_mean``, ``low_95`` and
    ``high_95`` come from Beta(1 + converted, 1 + assigned - converted).

    Examples
    --------
    >>> counts = pd.DataFrame({"arm": [1, 2], "source": ["company", "co-produced"], "medium": ["personal"] * 2,
    ...                        "assigned": [100, 100], "exposed": [60, 70], "converted": [10, 15]})
    >>> arm_table(counts)[["arm", "conversion", "low_95", "high_95", "p_best", "expected_loss"]].round(3).to_dict(
    ...     "records")
    [{'arm': 1, 'conversion': 0.1, 'low_95': 0.056, 'high_95': 0.175, 'p_best': 0.147, 'expected_loss': 0.053},
     {'arm': 2, 'conversion': 0.15, 'low_95': 0.093, 'high_95': 0.233, 'p_best': 0.853, 'expected_loss': 0.004}]
    """
    table = counts.loc[:, COUNT_COLUMNS].reset_index(drop=True)
    params = [posterior(int(k), int(n)) for k, n in zip(table["converted"], table["assigned"], strict=True)]
    bounds = [beta.ppf([0.025, 0.975], a, b) for a, b in params]
    return table.assign(
        conversion=table["converted"] / table["assigned"].replace(0, np.nan),
        posterior_mean=[a / (a + b) for a, b in params],
        low_95=[float(lo) for lo, _ in bounds],
        high_95=[float(hi) for _, hi in bounds],
        p_best=prob_best(params),
        expected_loss=expected_loss(params),
    )


def _pooled(counts: pd.DataFrame) -> dict[tuple[str, str], tuple[int, int]]:
    """(source, medium) -> (converted, assigned) summed over the arms of that source in that medium."""
    sums = counts.groupby(["source", "medium"])[["converted", "assigned"]].sum()
    return {(str(s), str(m)): (int(r["converted"]), int(r["assigned"])) for (s, m), r in sums.iterrows()}


def _draws(pooled: dict[tuple[str, str], tuple[int, int]]) -> dict[tuple[str, str], np.ndarray]:
    rng = np.random.default_rng(SEED)
    keys = [(s, m) for m in (PERSONAL, MASS) for s in (CO_PRODUCED, COMPANY)]
    return {key: rng.beta(*posterior(*pooled.get(key, (0, 0))), size=DRAWS) for key in keys}


def source_by_medium(counts: pd.DataFrame) -> pd.DataFrame:
    """Co-produced against company-made messages within each medium, from the arms pooled by source and medium.

    Per medium: members assigned and converted for each source, their conversion, the
    difference co-produced minus company (posterior mean and 95% interval, Monte Carlo),
    ``p_co_better`` = P(p_co > p_company) (exact closed form) and the ``verdict`` in words.
    A medium where a source has fewer than 10 members gets no figures and the verdict
    "too few"; one with no arm at all is left out.

    Examples
    --------
    >>> counts = pd.DataFrame({"arm": [1, 2, 3, 4], "source": ["company", "co-produced"] * 2,
    ...                        "medium": ["personal", "personal", "mass", "mass"], "assigned": [100] * 4,
    ...                        "exposed": [80] * 4, "converted": [10, 15, 10, 10]})
    >>> out = source_by_medium(counts)
    >>> out[["medium", "p_co_better", "verdict"]].round(3).to_dict("records")
    [{'medium': 'personal', 'p_co_better': 0.853, 'verdict': 'no difference'},
     {'medium': 'mass', 'p_co_better': 0.5, 'verdict': 'no difference'}]
    """
    pooled = _pooled(counts)
    draws = _draws(pooled)
    rows = []
    for medium in (PERSONAL, MASS):
        co, company = pooled.get((CO_PRODUCED, medium)), pooled.get((COMPANY, medium))
        if co is None and company is None:
            continue
        co, company = co or (0, 0), company or (0, 0)
        row: dict[str, object] = {
            "medium": medium,
            "co_assigned": co[1],
            "co_converted": co[0],
            "company_assigned": company[1],
            "company_converted": company[0],
            "co_conversion": co[0] / co[1] if co[1] else np.nan,
            "company_conversion": company[0] / company[1] if company[1] else np.nan,
        }
        if enough_for_interval(co[1], company[1]):
            diff = draws[(CO_PRODUCED, medium)] - draws[(COMPANY, medium)]
            low, high = np.quantile(diff, [0.025, 0.975])
            p = prob_b_beats_a(company[0], company[1], co[0], co[1])
            row |= {"difference": float(diff.mean()), "low_95": float(low), "high_95": float(high), "p_co_better": p}
        else:
            row |= {"difference": np.nan, "low_95": np.nan, "high_95": np.nan, "p_co_better": np.nan}
        row["verdict"] = verdict(None if pd.isna(row["p_co_better"]) else float(row["p_co_better"]))  # type: ignore[arg-type]
        rows.append(row)
    columns = [
        "medium",
        "co_assigned",
        "co_converted",
        "company_assigned",
        "company_converted",
        "co_conversion",
        "company_conversion",
        "difference",
        "low_95",
        "high_95",
        "p_co_better",
        "verdict",
    ]
    return pd.DataFrame(rows, columns=columns)


@dataclass(frozen=True)
class Interaction:
    """Does co-writing help more in personal media than in mass media? The difference of differences.

    ``difference`` = (p_co - p_company in personal media) - (p_co - p_company in mass media),
    its posterior mean and 95% interval, ``p_positive`` = P(difference > 0) and the verdict
    ("co-produced better" here means: better in personal media than in mass media).
    All ``None`` (verdict "too few") when a cell has fewer than 10 members.
    """

    difference: float | None
    low_95: float | None
    high_95: float | None
    p_positive: float | None
    verdict: str


def interaction(counts: pd.DataFrame) -> Interaction:
    """The source x medium interaction on the probability scale, by Monte Carlo from the four pooled posteriors.

    Examples
    --------
    >>> counts = pd.DataFrame({"arm": [1, 2, 3, 4], "source": ["company", "co-produced"] * 2,
    ...                        "medium": ["personal", "personal", "mass", "mass"], "assigned": [500] * 4,
    ...                        "exposed": [400] * 4, "converted": [50, 75, 50, 50]})
    >>> found = interaction(counts)
    >>> round(found.difference, 3), round(found.p_positive, 3), found.verdict
    (0.05, 0.961, 'no difference')
    """
    pooled = _pooled(counts)
    sizes = [pooled.get((s, m), (0, 0))[1] for m in (PERSONAL, MASS) for s in (CO_PRODUCED, COMPANY)]
    if not enough_for_interval(*sizes) or min(sizes) == 0:
        return Interaction(None, None, None, None, verdict(None))
    d = _draws(pooled)
    did = (d[(CO_PRODUCED, PERSONAL)] - d[(COMPANY, PERSONAL)]) - (d[(CO_PRODUCED, MASS)] - d[(COMPANY, MASS)])
    low, high = np.quantile(did, [0.025, 0.975])
    p = float((did > 0).mean())
    return Interaction(float(did.mean()), float(low), float(high), p, verdict(p))


@dataclass(frozen=True)
class ExperimentResults:
    """One experiment's results: the arms with their posteriors, the comparison by medium, the interaction.

    ``stop`` says whether the stopping rule on expected loss is met: the arm with the
    smallest expected loss (``leader``) loses less than :data:`STOP_LOSS` by being chosen.
    """

    arms: pd.DataFrame
    by_medium: pd.DataFrame
    interaction: Interaction
    leader: int | None
    leader_loss: float | None
    stop: bool


def experiment_results(counts: pd.DataFrame) -> ExperimentResults:
    """Everything the results page and the Insights section show for one experiment's per-arm counts.

    Examples
    --------
    >>> counts = pd.DataFrame({"arm": [1, 2], "source": ["company", "co-produced"], "medium": ["personal"] * 2,
    ...                        "assigned": [100, 100], "exposed": [60, 70], "converted": [10, 15]})
    >>> found = experiment_results(counts)
    >>> found.leader, round(found.leader_loss, 4), found.stop, found.interaction.verdict
    (2, 0.0036, False, 'too few')
    """
    arms = arm_table(counts)
    leader = leader_loss = None
    if len(arms):
        top = arms.sort_values(["expected_loss", "arm"]).iloc[0]
        leader, leader_loss = int(top["arm"]), float(top["expected_loss"])
    return ExperimentResults(
        arms=arms,
        by_medium=source_by_medium(counts),
        interaction=interaction(counts),
        leader=leader,
        leader_loss=leader_loss,
        stop=leader_loss is not None and leader_loss < STOP_LOSS,
    )


def _detail_int(details: ibis.Column, key: str) -> ibis.Column:
    return details.re_extract(f'"{key}":\\s*(\\d+)', 1).nullif("").cast("int64")


def arm_counts(ds: Dataset) -> pd.DataFrame:
    """Per experiment and arm, from the ``message.assigned/exposed/converted`` events: the counts the results need.

    Each event's details name the ``experiment``, the ``arm``, whether the message is the
    ``company``'s and the channel's ``medium``; a member counts once per step.
    Events written before the source and medium were recorded are left out.

    Returns
    -------
    pandas.DataFrame
        ``experiment, arm, source, medium, assigned, exposed, converted``, by experiment and arm.

    Examples
    --------
    >>> from prosumo.analytics.examples import example_dataset
    >>> arm_counts(example_dataset()).shape
    (0, 7)
    """
    ev = ds.events.filter(ds.events.verb.isin(["message.assigned", "message.exposed", "message.converted"]))
    ev = ev.filter(ev.details.notnull())
    ev = ev.select(
        experiment=_detail_int(ev.details, "experiment"),
        arm=_detail_int(ev.details, "arm"),
        company=ev.details.re_extract('"company":\\s*(true|false)', 1),
        medium=ev.details.re_extract('"medium":\\s*"(personal|mass)"', 1),
        step=ev.verb.re_extract("message\\.(\\w+)", 1),
        member_id=ev.target_member_id,
    )
    ev = ev.filter((ev.company != "") & (ev.medium != "") & ev.arm.notnull() & ev.experiment.notnull())
    ev = ev.distinct()
    steps = {"assigned": "assigned", "exposed": "exposed", "converted": "converted"}
    grouped = ev.group_by(["experiment", "arm", "company", "medium"]).aggregate(
        **{name: (ev.step == step).sum() for name, step in steps.items()}
    )
    out = grouped.execute()
    out["source"] = np.where(out["company"] == "true", COMPANY, CO_PRODUCED)
    columns = ["experiment", "arm", "source", "medium", "assigned", "exposed", "converted"]
    out = out.loc[:, columns].astype({"experiment": "int64", "arm": "int64"})
    for name in steps:
        out[name] = out[name].fillna(0).astype("int64")
    return out.sort_values(["experiment", "arm"]).reset_index(drop=True)


@dataclass(frozen=True)
class MessagesFigures:
    """Every message experiment in the dataset, each arm with its posterior, and co-produced against company-made.

    ``arms`` holds every experiment's arms (column ``experiment`` first); ``by_medium``
    and ``interaction`` pool the arms of every experiment by source and medium.
    """

    arms: pd.DataFrame
    by_medium: pd.DataFrame
    interaction: Interaction
    experiments: int


def compute(ds: Dataset) -> MessagesFigures:
    """The co-produced messages question for ``ds``: per-arm results per experiment, and the comparison by medium.

    Examples
    --------
    >>> from prosumo.analytics.examples import example_dataset
    >>> figures = compute(example_dataset())
    >>> figures.experiments, len(figures.arms), figures.interaction.verdict
    (0, 0, 'too few')
    """
    counts = arm_counts(ds)
    parts = [arm_table(group).assign(experiment=int(experiment)) for experiment, group in counts.groupby("experiment")]
    arms = pd.concat(parts, ignore_index=True) if parts else arm_table(counts).assign(experiment=counts["experiment"])
    arms = arms.loc[:, ["experiment", *[c for c in arms.columns if c != "experiment"]]]
    return MessagesFigures(
        arms=arms,
        by_medium=source_by_medium(counts),
        interaction=interaction(counts),
        experiments=int(counts["experiment"].nunique()),
    )
