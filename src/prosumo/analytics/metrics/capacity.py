"""Question 2: how large can the community grow, and how resilient is it?

* the Bass diffusion model fitted to monthly joiners: innovation p, imitation q and
  ceiling m, each with a 95% interval, and a forecast of members and of active
  contributors;
* the CHAOSS contributor absence factor (how few people carry half the work);
* monthly retention cohorts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import ibis
import numpy as np
import pandas as pd
from scipy.linalg import svd
from scipy.optimize import least_squares

from prosumo.analytics.dataset import Dataset
from prosumo.analytics.metrics.activity import (
    CONTRIBUTION_VERBS,
    epoch_days,
    month_index,
    people,
    tagged_events,
)
from prosumo.analytics.metrics.precision import enough_for_interval, too_few_note

Z95 = 1.959963984540054
#: An imitation q below this is q = 0: the fit sits on its bound.
DEGENERATE_Q = 1e-6


def bass_cumulative(t: Any, p: Any, q: Any, m: Any) -> Any:
    """Cumulative adopters of the Bass model at time t.

    N(t) = m F(t),  F(t) = (1 - e^{-(p+q)t}) / (1 + (q/p) e^{-(p+q)t})

    Source: Bass (1969), "A new product growth for model consumer durables",
    Management Science 15(5) [METRICS.md 2a].

    Examples
    --------
    >>> round(float(bass_cumulative(12, p=0.03, q=0.38, m=1000)), 1)
    908.7
    """
    t = np.asarray(t, dtype="float64")
    e = np.exp(-(p + q) * t)
    return m * (1 - e) / (1 + (q / p) * e)


def bass_peak(p: float, q: float) -> tuple[float, float]:
    """Time of peak adoption t* = ln(q/p)/(p+q) and the share adopted by then F(t*).

    F(t*) = (q - p) / (2q) when q > p; with q <= p adoption is highest at t = 0.

    Examples
    --------
    >>> [round(x, 3) for x in bass_peak(0.03, 0.38)]
    [6.193, 0.461]
    """
    if q <= p:
        return 0.0, 0.0
    return math.log(q / p) / (p + q), (q - p) / (2 * q)


def _bass_increments(t: np.ndarray, p: float, q: float, m: float) -> np.ndarray:
    increments: np.ndarray = bass_cumulative(t, p, q, m) - bass_cumulative(t - 1, p, q, m)
    return increments


@dataclass(frozen=True)
class BassFit:
    """A fitted Bass model: estimates, standard errors and 95% intervals."""

    p: float
    q: float
    m: float
    se: tuple[float, float, float]
    cov: np.ndarray
    periods: int
    adopters: float

    def interval(self, name: str) -> tuple[float, float]:
        """95% Wald interval of ``p``, ``q`` or ``m`` (``m`` never below the adopters seen)."""
        idx = ("p", "q", "m").index(name)
        est = getattr(self, name)
        low, high = est - Z95 * self.se[idx], est + Z95 * self.se[idx]
        floor = self.adopters if name == "m" else 0.0
        return max(low, floor), high

    @property
    def degenerate(self) -> str | None:
        """Why the fit says nothing about growth to come, or None when it does.

        The fit is degenerate when the ceiling m sits on its lower bound, the members
        already counted (growth has stopped, or the data cannot place a ceiling above
        today), or when the imitation q is 0 (every joiner came on their own, a curve
        that only decays).

        Examples
        --------
        >>> BassFit(0.7, 0.0, 2272.0, (0.0, 0.0, 0.0), np.zeros((3, 3)), 12, 2272.0).degenerate
        'the ceiling m is the 2272 members already counted: growth has stopped or cannot be told from these months'
        """
        if self.m - self.adopters < max(0.5, 1e-3 * self.adopters):
            return (
                f"the ceiling m is the {self.adopters:.0f} members already counted: "
                "growth has stopped or cannot be told from these months"
            )
        if self.q < DEGENERATE_Q:
            return "the imitation q is 0: joining does not spread from member to member in these months"
        return None

    @property
    def too_few(self) -> str | None:
        """Why the fit has no 95% intervals (fewer members than the minimum), or None when it has them.

        Examples
        --------
        >>> BassFit(0.1, 0.3, 12.0, (0.0, 0.0, 0.0), np.zeros((3, 3)), 6, 9.0).too_few
        'No 95% interval for the diffusion fit: joiners 9 members; each group needs at least 10.'
        """
        if enough_for_interval(int(self.adopters)):
            return None
        return too_few_note("the diffusion fit", {"joiners": int(self.adopters)})

    @property
    def peak(self) -> tuple[float, float]:
        """(t*, F(t*)) of :func:`bass_peak`."""
        return bass_peak(self.p, self.q)


def fit_bass(new_per_period: Any) -> BassFit:
    """Fit the Bass model to adopters per period by non-linear least squares.

    With n_t the new members of period t = 1..T, minimise
    sum_t (n_t - m [F(t) - F(t-1)])^2 over p, q > 0 and m >= sum n_t.

    Fitting the per-period counts rather than the cumulative curve follows
    Srinivasan & Mason (1986), Marketing Science 5(2): errors of the counts are close
    to independent, those of a cumulative curve are not, so the covariance matrix
    that ``scipy.optimize.curve_fit`` returns gives honest standard errors here.

    Parameters
    ----------
    new_per_period:
        New adopters in each consecutive period (zeros included), oldest first.

    Raises
    ------
    ValueError
        With fewer than four periods or no adopters: three parameters need more.

    Examples
    --------
    >>> new = np.diff(bass_cumulative(np.arange(0, 25), 0.03, 0.4, 1000))
    >>> fit = fit_bass(new)
    >>> round(fit.p, 3), round(fit.q, 3), round(fit.m)
    (0.03, 0.4, 1000)
    """
    n = np.asarray(new_per_period, dtype="float64")
    if len(n) < 4 or n.sum() <= 0:
        raise ValueError(
            f"the Bass model needs at least 4 periods with adopters, got {len(n)} periods and {n.sum():.0f} adopters"
        )
    t = np.arange(1, len(n) + 1, dtype="float64")
    total = float(n.sum())
    best = None
    for m0 in (1.5 * total, 3 * total, 10 * total):
        for q0 in (0.1, 0.4, 1.0):
            try:
                params, cov = _least_squares_fit(
                    t, n, p0=(0.01, q0, m0), lower=(1e-7, 0.0, total), upper=(1.0, 10.0, 1e4 * total + 1)
                )
            except RuntimeError:
                continue
            sse = float(((n - _bass_increments(t, *params)) ** 2).sum())
            if best is None or sse < best[0]:
                best = (sse, params, cov)
    if best is None:
        raise ValueError("the Bass model did not converge on these adopters")
    _, params, cov = best
    se = np.sqrt(np.clip(np.diag(cov), 0, None))
    se = np.where(np.isfinite(se), se, np.nan)
    return BassFit(
        p=float(params[0]),
        q=float(params[1]),
        m=float(params[2]),
        se=(float(se[0]), float(se[1]), float(se[2])),
        cov=np.asarray(cov),
        periods=len(n),
        adopters=total,
    )


def _least_squares_fit(
    t: np.ndarray, n: np.ndarray, *, p0: tuple[float, float, float], lower: tuple[float, ...], upper: tuple[float, ...]
) -> tuple[np.ndarray, np.ndarray]:
    """The bounded least-squares fit of the Bass increments, and its covariance, as ``curve_fit`` computes them.

    Written out rather than calling ``curve_fit``: it warns when the covariance cannot be
    estimated, and silencing that takes ``warnings.catch_warnings``, which changes the one
    process-wide list of warning filters. Sections run in threads side by side (one
    thread's exit would restore the filters under another still fitting), so the fit
    touches no global state: an indeterminate covariance is simply infinite.
    """

    def residuals(params: np.ndarray) -> np.ndarray:
        return np.asarray(_bass_increments(t, *params) - n, dtype="float64")

    res = least_squares(
        residuals, np.asarray(p0, dtype="float64"), bounds=(lower, upper), method="trf", max_nfev=20_000
    )
    if not res.success:
        raise RuntimeError(f"Optimal parameters not found: {res.message}")
    _, s, vt = svd(res.jac, full_matrices=False)  # Moore-Penrose inverse, zero singular values left out
    threshold = np.finfo(float).eps * max(res.jac.shape) * s[0]
    s = s[s > threshold]
    vt = vt[: s.size]
    cov = np.dot(vt.T / s**2, vt)
    if np.isnan(cov).any() or len(n) <= len(p0):
        return res.x, np.full((len(p0), len(p0)), np.inf)
    return res.x, cov * (2 * res.cost / (len(n) - len(p0)))


def _month_start(index: pd.Series | np.ndarray) -> pd.DatetimeIndex:
    idx = np.asarray(index, dtype="int64")
    return pd.to_datetime({"year": idx // 12, "month": idx % 12 + 1, "day": np.ones_like(idx)}).dt.tz_localize("UTC")


def monthly_joiners(ds: Dataset) -> pd.DataFrame:
    """New non-staff members per calendar month, gaps filled with zero, up to the dataset's end.

    The months run from the first join to the month of the latest event (or of the latest
    join, when that is later): a community whose growth stopped shows its empty months, so
    the Bass fit sees that nobody joins any more.

    Returns
    -------
    pandas.DataFrame
        ``month`` (first day, UTC), ``joiners``, ``members`` (cumulative).

    Examples
    --------
    >>> from prosumo.analytics.examples import example_dataset
    >>> ds = example_dataset()
    >>> monthly_joiners(ds)[["joiners", "members"]].to_dict("records")
    [{'joiners': 4, 'members': 4}, {'joiners': 0, 'members': 4}]
    """
    members = people(ds.members)
    per = members.select(idx=month_index(members.joined_at)).group_by("idx").aggregate(joiners=ibis._.count()).execute()
    if per.empty:
        return pd.DataFrame({"month": [], "joiners": [], "members": []})
    last_event = ds.events.occurred_at.max().execute()
    end = int(per["idx"].max())
    if last_event is not None and not pd.isna(last_event):
        end = max(end, int(month_index(ds.events.occurred_at.max()).execute()))
    full = pd.RangeIndex(int(per["idx"].min()), end + 1)
    counts = per.set_index("idx")["joiners"].reindex(full, fill_value=0).astype("int64")
    return pd.DataFrame(
        {"month": _month_start(full.to_numpy()), "joiners": counts.to_numpy(), "members": counts.cumsum().to_numpy()}
    )


def monthly_active_contributors(ds: Dataset) -> pd.DataFrame:
    """Distinct non-staff members with at least one contribution, per calendar month.

    Returns
    -------
    pandas.DataFrame
        ``month`` (first day, UTC), ``active_contributors``.

    Examples
    --------
    >>> from prosumo.analytics.examples import example_dataset
    >>> ds = example_dataset()
    >>> monthly_active_contributors(ds).drop(columns="month").to_dict("records")
    [{'active_contributors': 3}, {'active_contributors': 1}]
    """
    tagged = tagged_events(ds.events)
    tagged = tagged.filter(tagged.verb.isin(CONTRIBUTION_VERBS))
    staff = people(ds.members).select("member_id")
    joined = tagged.join(staff, tagged.member_id == staff.member_id)
    per = (
        joined.select(member_id=joined.member_id, idx=month_index(joined.occurred_at))
        .group_by("idx")
        .aggregate(active_contributors=ibis._.member_id.nunique())
        .execute()
        .sort_values("idx")
    )
    return pd.DataFrame(
        {"month": _month_start(per["idx"].to_numpy()), "active_contributors": per["active_contributors"].to_numpy()}
    )


def forecast(
    fit: BassFit,
    joiners: pd.DataFrame,
    active: pd.DataFrame,
    horizon: int = 12,
    draws: int = 2000,
    seed: int = 0,
) -> pd.DataFrame:
    """Forecast members and active contributors for the next ``horizon`` months.

    The forecast starts from the A members already counted and adds the share of
    the remaining pool m - A that the model expects to join, given that they had not
    joined by month T:

    members_t = A + (m - A) (F(t) - F(T)) / (1 - F(T)),  t = T+1 .. T+horizon

    so it is never below A and never falls (F only grows), whatever the fit; on an
    exact Bass curve (A = m F(T)) it is m F(t). The 95% band comes from ``draws``
    parameter vectors drawn from the fit's asymptotic normal distribution (a
    parametric bootstrap of the curve), each with m >= A, through the same formula.

    active_contributors_t = members_t x r, where r is the mean ratio of active
    contributors to members over the last three observed months: the community's
    current conversion of members into contributors, held constant [METRICS.md 2a:
    effective capacity = m x contributor share].

    Returns
    -------
    pandas.DataFrame
        ``month, members, members_low, members_high, active_contributors,
        active_low, active_high``.
    """
    T = fit.periods
    t = np.arange(T + 1, T + horizon + 1, dtype="float64")
    point = _from_today(t, T, fit.adopters, fit.p, fit.q, fit.m)
    rng = np.random.default_rng(seed)
    cov = np.nan_to_num(fit.cov, nan=0.0, posinf=0.0, neginf=0.0)
    # Nearest positive semi-definite matrix (round-off can make tiny eigenvalues < 0).
    eigval, eigvec = np.linalg.eigh((cov + cov.T) / 2)
    cov = (eigvec * np.clip(eigval, 0, None)) @ eigvec.T
    samples = rng.multivariate_normal([fit.p, fit.q, fit.m], cov, size=draws, method="eigh", check_valid="ignore")
    samples[:, 0] = np.clip(samples[:, 0], 1e-7, None)
    samples[:, 1] = np.clip(samples[:, 1], 0, None)
    samples[:, 2] = np.clip(samples[:, 2], fit.adopters, None)
    curves = _from_today(t[None, :], T, fit.adopters, samples[:, [0]], samples[:, [1]], samples[:, [2]])
    low, high = np.percentile(curves, [2.5, 97.5], axis=0)

    merged = joiners.merge(active, on="month", how="left").fillna({"active_contributors": 0})
    recent = merged.tail(3)
    ratio = float((recent["active_contributors"] / recent["members"].replace(0, np.nan)).mean())
    ratio = 0.0 if math.isnan(ratio) else ratio
    last = joiners["month"].iloc[-1]
    months = pd.DatetimeIndex([last + pd.DateOffset(months=k) for k in range(1, horizon + 1)])
    return pd.DataFrame(
        {
            "month": months,
            "members": point,
            "members_low": low,
            "members_high": high,
            "active_contributors": point * ratio,
            "active_low": low * ratio,
            "active_high": high * ratio,
        }
    )


def _from_today(t: Any, periods: int, adopters: float, p: Any, q: Any, m: Any) -> Any:
    """Members at t >= T: the adopters counted plus the expected joiners from the pool left."""
    at_end = bass_cumulative(periods, p, q, 1.0)
    left = np.clip(1.0 - at_end, 0.0, None)
    ahead = bass_cumulative(t, p, q, 1.0) - at_end
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(left > 1e-12, ahead / left, 0.0)
    return adopters + (np.asarray(m, dtype="float64") - adopters) * np.clip(share, 0.0, 1.0)


def contributor_absence_factor(contributions: Any) -> int | None:
    """CHAOSS contributor absence factor: fewest contributors who made over half the work.

    CAF = min { k : sum of the k largest contribution counts > total / 2 }.

    Source: CHAOSS metric "Contributor Absence Factor" (formerly bus/truck factor)
    [METRICS.md 2a, worked example 2c].

    Examples
    --------
    >>> contributor_absence_factor([1000, 202, 90, 33, 332, 343, 42, 433])
    2
    """
    x = np.sort(np.asarray(contributions, dtype="float64"))[::-1]
    total = x.sum()
    if total <= 0:
        return None
    return int(np.searchsorted(np.cumsum(x), total / 2, side="right") + 1)


def absence_factor(ds: Dataset, period_days: int | None = 365) -> int | None:
    """:func:`contributor_absence_factor` of the dataset, computed in the engine.

    Contributions (votes, comments, ideas, revisions, co-authorships) of non-staff
    members in the last ``period_days`` before the last event (all time if None).
    With S_j the running sum of the counts sorted from largest and H = total / 2,
    CAF = #{ j : S_{j-1} <= H } (S_0 = 0), evaluated on the frequency table of
    :func:`contribution_frequencies` one block of equal counts at a time.

    Examples
    --------
    >>> from prosumo.analytics.examples import example_dataset
    >>> ds = example_dataset()
    >>> absence_factor(ds, period_days=None)
    1
    """
    freq = contribution_frequencies(ds, period_days)
    return _caf_from_frequencies(freq["contributions"].to_numpy(), freq["members"].to_numpy())


def contribution_frequencies(ds: Dataset, period_days: int | None = None) -> pd.DataFrame:
    """How many non-staff members made each number of contributions (zeros left out).

    Over the last ``period_days`` before the last event (all time if None). A small
    table (one row per distinct count) from which CAF and contributor counts follow.

    Returns
    -------
    pandas.DataFrame
        ``contributions, members``.

    Examples
    --------
    >>> from prosumo.analytics.examples import example_dataset
    >>> ds = example_dataset()
    >>> contribution_frequencies(ds).sort_values("contributions").to_dict("records")
    [{'contributions': 2, 'members': 2}, {'contributions': 5, 'members': 1}]
    """
    tagged = tagged_events(ds.events)
    tagged = tagged.filter(tagged.verb.isin(CONTRIBUTION_VERBS))
    if period_days is not None:
        last_day = float(epoch_days(ds.events.occurred_at.max()).execute())
        tagged = tagged.filter(epoch_days(tagged.occurred_at) > last_day - period_days)
    members = people(ds.members).select("member_id")
    tagged = tagged.join(members, tagged.member_id == members.member_id)
    counts = tagged.group_by("member_id").aggregate(contributions=ibis._.count())
    return counts.group_by("contributions").aggregate(members=ibis._.count()).execute()


def _caf_from_frequencies(values: np.ndarray, counts: np.ndarray) -> int | None:
    """CAF from (value, how many members) pairs: walk the blocks from the largest."""
    order = np.argsort(-values.astype("float64"), kind="stable")
    x = values[order].astype("float64")
    c = counts[order].astype("float64")
    total = float((x * c).sum())
    if total <= 0:
        return None
    half = total / 2
    sums = np.cumsum(x * c)
    block = int(np.searchsorted(sums, half, side="right"))
    before_sum = sums[block - 1] if block else 0.0
    before_members = c[:block].sum()
    return int(before_members + np.floor((half - before_sum) / x[block]) + 1)


def retention_cohorts(ds: Dataset, max_months: int = 12) -> pd.DataFrame:
    """Monthly retention cohorts: share of each join-month cohort active k months later.

    retention(c, k) = |{i in cohort c : i has an event other than member.joined in
    calendar month c + k}| / |cohort c|, for k = 0 .. max_months.

    Source: standard cohort analysis; CHAOSS "Inactive Contributors" and newcomer
    retention [METRICS.md 5a].

    Returns
    -------
    pandas.DataFrame
        ``cohort`` (month, UTC), ``offset`` (months), ``size``, ``active``,
        ``retention``; offsets beyond the data are left out.

    Examples
    --------
    >>> from prosumo.analytics.examples import example_dataset
    >>> ds = example_dataset()
    >>> retention_cohorts(ds, max_months=1).drop(columns="cohort").to_dict("records")
    [{'offset': 0, 'size': 4, 'active': 4, 'retention': 1.0},
     {'offset': 1, 'size': 4, 'active': 2, 'retention': 0.5}]
    """
    members = people(ds.members)
    cohort = members.select(member_id=members.member_id, cohort=month_index(members.joined_at))
    ev = ds.events.filter(ds.events.verb != "member.joined")
    acts = ev.select(member_id=ev.actor_id, idx=month_index(ev.occurred_at)).distinct()
    joined = acts.join(cohort, acts.member_id == cohort.member_id)
    offset = (joined.idx - joined.cohort).name("offset")
    per = (
        joined.select(cohort=joined.cohort, offset=offset, member_id=joined.member_id)
        .filter((ibis._.offset >= 0) & (ibis._.offset <= max_months))
        .group_by(["cohort", "offset"])
        .aggregate(active=ibis._.member_id.nunique())
        .execute()
    )
    sizes = cohort.group_by("cohort").aggregate(size=ibis._.count()).execute()
    last = int(month_index(ds.events.occurred_at.max()).execute())
    grid = pd.DataFrame(
        [(c, k) for c in sizes["cohort"] for k in range(max_months + 1) if c + k <= last],
        columns=["cohort", "offset"],
    )
    out = grid.merge(sizes, on="cohort").merge(per, on=["cohort", "offset"], how="left")
    out["active"] = out["active"].fillna(0).astype("int64")
    out["retention"] = out["active"] / out["size"]
    out = out.sort_values(["cohort", "offset"]).reset_index(drop=True)
    out["cohort"] = _month_start(out["cohort"].to_numpy())
    return out[["cohort", "offset", "size", "active", "retention"]]


@dataclass(frozen=True)
class CapacityFigures:
    """Question 2: growth, activity and retention, with the Bass fit and its forecast when one fits."""

    joiners: pd.DataFrame
    active: pd.DataFrame
    cohorts: pd.DataFrame
    absence_factor: int | None
    contributors: int
    fit: BassFit | None
    fit_error: str | None
    forecast: pd.DataFrame | None


def compute(ds: Dataset) -> CapacityFigures:
    """Question 2's tables, the contributor absence factor and the Bass fit (``fit_error`` when none fits)."""
    joiners = monthly_joiners(ds)
    active = monthly_active_contributors(ds)
    cohorts = retention_cohorts(ds)
    caf = absence_factor(ds)
    contributors = int(contribution_frequencies(ds)["members"].sum())
    fit: BassFit | None
    try:
        fit, error = fit_bass(joiners["joiners"].to_numpy()), None
    except ValueError as exc:
        fit, error = None, str(exc)
    return CapacityFigures(
        joiners=joiners,
        active=active,
        cohorts=cohorts,
        absence_factor=caf,
        contributors=contributors,
        fit=fit,
        fit_error=error,
        forecast=None if fit is None else forecast(fit, joiners, active),
    )
