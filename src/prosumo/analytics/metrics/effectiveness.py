"""Question 8: is the partnership worth it to both sides?

Value to the company: ideas accepted and launched, revenue from co-created products,
spend of co-creators against propensity-matched non-participants (difference in
differences with member-clustered intervals), programme cost. Value to prosumers:
rewards and royalties, credits, answered ideas, survey satisfaction. And the relation
between cooperation and efficiency as an effect size with its interval.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import ibis
import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats
from scipy.linalg import qr
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import NearestNeighbors
from sklearn.preprocessing import StandardScaler

from prosumo.analytics.dataset import Dataset
from prosumo.analytics.metrics import relationship
from prosumo.analytics.metrics.activity import (
    co_creation_start,
    contribution_start,
    epoch_days,
    idea_credits,
    is_accepted,
    month_index,
    people,
    tagged_events,
)
from prosumo.analytics.metrics.precision import enough_for_interval, too_few_note

Z95 = 1.959963984540054
REWARD_VERBS = ("reward.granted", "royalty.paid")
#: At most this many non-participants per co-creator enter the propensity model.
MAX_CONTROLS_PER_TREATED = 20
#: What starts the treatment in :func:`matched_did`: the first co-creation (analyse
#: act) or the first contribution of any kind (process or analyse act).
TREATMENTS = ("co_creation", "contribution")


def company_value(ds: Dataset) -> dict[str, Any]:
    """What the partnership gives the company, as plain totals.

    ideas, accepted (accepted or later), launched; revenue = sum(outcomes.amount);
    co-created revenue = sum(amount) over orders with ``from_idea_id``; its share;
    programme cost = sum(costs.spend) + royalties paid (``royalty.paid`` values are cents, so
    / 100): money only. Reward points (``reward.granted``) are reported on their own as
    ``reward_points``, never added to money.

    Examples
    --------
    >>> from prosumo.analytics.examples import example_dataset
    >>> ds = example_dataset()
    >>> company_value(ds)
    {'ideas': 3, 'accepted': 1, 'launched': 0, 'reward_points': 0.0, 'royalties_paid': 0.0}
    """
    ideas = ds.ideas
    counts = (
        ideas.aggregate(
            ideas=ideas.count(),
            accepted=ibis.cases((is_accepted(ideas.status), 1), else_=0).sum(),
            launched=ibis.cases((ideas.status == "launched", 1), else_=0).sum(),
        )
        .execute()
        .iloc[0]
    )
    out: dict[str, Any] = {k: int(_num(counts[k])) for k in ("ideas", "accepted", "launched")}
    if ds.outcomes is not None:
        o = ds.outcomes
        rev = (
            o.aggregate(
                revenue=o.amount.sum(),
                co_created=ibis.cases((o.from_idea_id.notnull(), o.amount), else_=0.0).sum(),
                co_created_products=ibis.cases((o.from_idea_id.notnull(), o.product_id)).nunique(),
            )
            .execute()
            .iloc[0]
        )
        revenue = _num(rev["revenue"])
        out["revenue"] = revenue
        out["co_created_revenue"] = _num(rev["co_created"])
        out["co_created_share"] = out["co_created_revenue"] / revenue if revenue else None
        out["co_created_products"] = int(_num(rev["co_created_products"]))
    ev = ds.events
    # Points and money are never added together: points are the platform's own unit, while
    # royalties are money paid (cents in the log), counted with the spend.
    points = _num(ev.filter(ev.verb == "reward.granted").value.sum().execute())
    royalties = _num(ev.filter(ev.verb == "royalty.paid").value.sum().execute()) / 100
    out["reward_points"] = points
    out["royalties_paid"] = royalties
    if ds.costs is not None:
        spend = _num(ds.costs.spend.sum().execute())
        out["acquisition_spend"] = spend
        out["programme_cost"] = spend + royalties
    return out


def prosumer_value(ds: Dataset) -> dict[str, Any]:
    """What the partnership gives prosumers: rewards, credits, answers, satisfaction.

    rewards per verb (count, total value, recipients = target member, else actor);
    credited members = members credited on an accepted or later idea; the answered
    share of ideas (:func:`~prosumo.analytics.metrics.relationship.answer_summary`);
    survey ``satisfaction``: mean of co-creators and of others, their difference, and its
    Welch 95% interval when both groups have at least
    :data:`~prosumo.analytics.metrics.precision.MIN_GROUP_FOR_INTERVAL` members (else
    ``None`` and a ``satisfaction_note`` that names the groups and their sizes).

    Examples
    --------
    >>> from prosumo.analytics.examples import example_dataset
    >>> ds = example_dataset()
    >>> prosumer_value(ds)
    {'reward_count': 0,
     'reward_value': 0.0,
     'reward_recipients': 0,
     'royalty_count': 0,
     'royalty_value': 0.0,
     'royalty_recipients': 0,
     'credited_members': 1,
     'ideas_answered_share': 0.3333333333333333,
     'median_days_to_answer': 9.0}
    """
    ev = ds.events
    r = ev.filter(ev.verb.isin(REWARD_VERBS))
    r = r.mutate(recipient=ibis.coalesce(r.target_member_id, r.actor_id))
    per = (
        r.group_by("verb")
        .aggregate(n=ibis._.count(), value=r.value.sum(), recipients=r.recipient.nunique())
        .execute()
        .set_index("verb")
    )
    out: dict[str, Any] = {}
    for verb in REWARD_VERBS:
        key = verb.split(".")[0]
        out[f"{key}_count"] = int(per["n"].get(verb, 0))
        out[f"{key}_value"] = _num(per["value"].get(verb, 0))
        out[f"{key}_recipients"] = int(per["recipients"].get(verb, 0))
    credits = idea_credits(ds)
    acc = credits.join(ds.ideas, credits.idea_id == ds.ideas.idea_id).filter(is_accepted(ds.ideas.status))
    out["credited_members"] = int(acc.member_id.nunique().execute())
    answers = relationship.answer_summary(ds)
    out["ideas_answered_share"] = answers["answered_share"]
    out["median_days_to_answer"] = answers["median_days"]
    if ds.surveys is not None:
        s = ds.surveys.filter(ds.surveys.item == "satisfaction")
        starts = co_creation_start(ds)
        sat = (
            s.left_join(starts, s.member_id == starts.member_id)
            .select(score=s.score, co_creator=starts.start_day.notnull())
            .execute()
        )
        if len(sat):
            yes = sat.loc[sat["co_creator"], "score"].to_numpy(dtype="float64")
            no = sat.loc[~sat["co_creator"], "score"].to_numpy(dtype="float64")
            out["satisfaction_co_creators"] = float(yes.mean()) if len(yes) else None
            out["satisfaction_others"] = float(no.mean()) if len(no) else None
            if len(yes) and len(no):
                # the point difference stays; its Welch interval needs the minimum in both groups
                out["satisfaction_difference"] = float(yes.mean() - no.mean())
                if enough_for_interval(len(yes), len(no)):
                    _diff, low, high = welch_difference(yes, no)
                    out["satisfaction_difference_95"] = [low, high]
                else:
                    out["satisfaction_difference_95"] = None
                    out["satisfaction_note"] = too_few_note(
                        "the satisfaction difference", {"co-creators": len(yes), "others": len(no)}
                    )
    return out


def _num(value: Any) -> float:
    """A summed value from the engine as a float: an empty sum (None or NaN) is 0."""
    return 0.0 if value is None or pd.isna(value) else float(value)


def welch_difference(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    """mean(x) - mean(y) with the Welch-Satterthwaite 95% interval.

    Examples
    --------
    >>> tuple(round(v, 3) for v in welch_difference(np.array([5.0, 6.0, 7.0]), np.array([1.0, 2.0, 3.0])))
    (4.0, 1.733, 6.267)
    """
    vx, vy = x.var(ddof=1) / len(x), y.var(ddof=1) / len(y)
    se = np.sqrt(vx + vy)
    diff = float(x.mean() - y.mean())
    if se == 0:
        return diff, diff, diff
    dof = (vx + vy) ** 2 / (vx**2 / (len(x) - 1) + vy**2 / (len(y) - 1))
    t = stats.t.ppf(0.975, dof)
    return diff, float(diff - t * se), float(diff + t * se)


@dataclass
class MatchedDiD:
    """Result of :func:`matched_did`."""

    treated: int
    matched: int
    controls_used: int
    effect: float
    low: float | None
    high: float | None
    se: float
    control_post_mean: float
    relative_effect: float | None
    cohens_d: float | None
    d_low: float | None
    d_high: float | None
    window_days: int
    placebo: float | None = None
    placebo_low: float | None = None
    placebo_high: float | None = None
    naive: float | None = None
    naive_low: float | None = None
    naive_high: float | None = None
    treatment: str = "co_creation"
    balance: pd.DataFrame = field(default_factory=pd.DataFrame)
    means: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: Why an interval is missing, when a group is below the minimum (else ``None``).
    note: str | None = None


def _windowed_members(
    ds: Dataset, window_days: int, treatment: str = "co_creation", customers_before_joining: bool = False
) -> pd.DataFrame:
    """Members with an index day, their spend and activity before and after it (none without ``outcomes``)."""
    o = ds.outcomes
    if o is None:
        return pd.DataFrame()
    starts = co_creation_start(ds) if treatment == "co_creation" else contribution_start(ds)
    members = people(ds.members)
    base = members.left_join(starts, members.member_id == starts.member_id).select(
        member_id=members.member_id,
        join_day=epoch_days(members.joined_at),
        segment=members.segment.fill_null("(none)"),
        channel=members.channel.fill_null("(unknown)"),
        start_day=starts.start_day,
    )
    coverage = o.aggregate(lo=epoch_days(o.ordered_at.min()), hi=epoch_days(o.ordered_at.max())).execute().iloc[0]
    # Median lag of the co-creators who can enter the comparison (both windows inside
    # the orders' span, and members for at least W days when they started unless the
    # orders go back before joining), so that non-participants' index days are drawn
    # from the same range. Co-creators who started too recently (or too early) for
    # their windows would otherwise pull the median, and with it every
    # non-participant's index day, out of the orders' span.
    co_creators = base.filter(base.start_day.notnull())
    enters = (co_creators.start_day - window_days >= float(coverage["lo"])) & (
        co_creators.start_day + window_days <= float(coverage["hi"])
    )
    lag = co_creators.filter(enters).select(lag=co_creators.start_day - co_creators.join_day)
    min_lag = 0 if customers_before_joining else window_days
    median_lag = lag.filter(lag.lag >= min_lag).lag.median().execute()
    if median_lag is None or pd.isna(median_lag):
        return pd.DataFrame()
    indexed = base.mutate(
        treated=base.start_day.notnull(),
        index_day=ibis.coalesce(base.start_day, base.join_day + float(median_lag)),
    )
    inside = (indexed.index_day - window_days >= float(coverage["lo"])) & (
        indexed.index_day + window_days <= float(coverage["hi"])
    )
    if not customers_before_joining:
        inside = inside & (indexed.index_day - window_days >= indexed.join_day)
    indexed = indexed.filter(inside).cache()  # read three times below
    orders = o.select(member_id=o.member_id, day=epoch_days(o.ordered_at), amount=o.amount)
    j = indexed.left_join(orders, indexed.member_id == orders.member_id)
    rel = j.day - j.index_day
    pre = (rel >= -window_days) & (rel < 0)
    post = (rel >= 0) & (rel < window_days)
    spend = j.group_by([j.member_id]).aggregate(
        pre_spend=ibis.cases((pre, j.amount), else_=0.0).sum(),
        post_spend=ibis.cases((post, j.amount), else_=0.0).sum(),
        pre_orders=ibis.cases((pre, 1), else_=0).sum(),
        early_spend=ibis.cases(((rel >= -2 * window_days) & (rel < -window_days), j.amount), else_=0.0).sum(),
    )
    ev = ds.events.filter(ds.events.verb != "member.joined")
    ev = ev.select(member_id=ev.actor_id, day=epoch_days(ev.occurred_at))
    k = indexed.join(ev, indexed.member_id == ev.member_id)
    krel = k.day - k.index_day
    activity = k.filter((krel >= -window_days) & (krel < 0)).group_by(k.member_id).aggregate(pre_events=ibis._.count())
    frame = indexed.execute().merge(spend.execute(), on="member_id", how="left")
    frame = frame.merge(activity.execute(), on="member_id", how="left")
    indexed.release()  # now, not whenever the garbage collector runs (maybe in another thread)
    frame[["pre_spend", "post_spend", "early_spend"]] = frame[["pre_spend", "post_spend", "early_spend"]].fillna(0.0)
    frame[["pre_orders", "pre_events"]] = frame[["pre_orders", "pre_events"]].fillna(0)
    frame["tenure"] = frame["index_day"] - frame["join_day"]
    # the placebo's early window [index - 2W, index - W) must lie inside the orders' span too
    frame["early_covered"] = frame["index_day"] - 2 * window_days >= float(coverage["lo"])
    # The engine returns joined rows in no fixed order, and the control sample and the
    # matching depend on row order: member order makes the estimate reproducible.
    return frame.sort_values("member_id", ignore_index=True)


def _covariates(frame: pd.DataFrame) -> pd.DataFrame:
    numeric = frame[["pre_spend", "pre_orders", "pre_events", "tenure", "index_day"]].astype("float64")
    numeric = numeric.assign(
        log_pre_spend=np.log1p(numeric["pre_spend"].clip(lower=0)),
        log_pre_events=np.log1p(numeric["pre_events"]),
    )
    dummies = pd.get_dummies(frame[["segment", "channel"]].astype(str), drop_first=True, dtype="float64")
    return pd.concat([numeric, dummies], axis=1)


def _simple_did(pairs: pd.DataFrame, before: str, after: str) -> tuple[float, float]:
    """DiD of matched pairs without covariates: delta and its member-clustered SE."""
    panel = pd.concat([pairs.assign(post=0, y=pairs[before]), pairs.assign(post=1, y=pairs[after])], ignore_index=True)
    treat = panel["treated"].astype(int)
    exog = pd.DataFrame({"const": 1.0, "treat": treat.astype(float), "post": panel["post"].astype(float)}).assign(
        treat_post=(treat * panel["post"]).astype(float)
    )
    fit = sm.OLS(panel["y"].to_numpy(dtype="float64"), exog).fit(
        cov_type="cluster", cov_kwds={"groups": panel["member_id"].to_numpy()}
    )
    var = float(fit.cov_params().loc["treat_post", "treat_post"])
    return float(fit.params["treat_post"]), float(np.sqrt(max(var, 0.0))) if np.isfinite(var) else 0.0


def _independent_columns(z: pd.DataFrame) -> pd.DataFrame:
    """Keep a linearly independent subset of columns (QR with column pivoting)."""
    if z.shape[1] == 0:
        return z
    _, r, piv = qr(z.to_numpy(), mode="economic", pivoting=True)
    diag = np.abs(np.diag(r))
    rank = int((diag > 1e-8 * max(diag.max(), 1.0)).sum())
    return z.iloc[:, np.sort(piv[:rank])]


def standardized_differences(x: pd.DataFrame, treated: np.ndarray) -> pd.Series:
    """Standardised mean difference of each covariate: (m_t - m_c) / sqrt((s_t^2 + s_c^2)/2).

    Source: Austin (2011), balance diagnostics after matching.

    Examples
    --------
    >>> x = pd.DataFrame({"age": [30.0, 40.0, 35.0, 45.0]})
    >>> standardized_differences(x, np.array([True, True, False, False])).round(3).to_dict()
    {'age': -0.707}
    """
    t, c = x[treated], x[~treated]
    pooled = np.sqrt((t.var(ddof=1) + c.var(ddof=1)) / 2).replace(0, np.nan)
    return ((t.mean() - c.mean()) / pooled).fillna(0.0)


#: Why there is no matched comparison, in words (each ``{...}`` a number): the report's note.
NO_ORDERS = "No matched comparison: the dataset has no orders."
NO_CO_CREATORS = (
    "No matched comparison: no co-creator has {days}-day windows before and after starting that lie inside "
    "the orders' time span."
)
NO_NON_PARTICIPANTS = (
    "No matched comparison: no non-participant has {days}-day windows before and after the index day that lie "
    "inside the orders' time span."
)
NO_MATCHES = (
    "No matched comparison: none of the {treated} co-creators has a non-participant close enough in propensity "
    "(caliper 0.2 SD of the logit)."
)
TOO_FEW_ROWS = (
    "No matched comparison: {matched} matched pairs give {rows} rows (before and after for each member), too few "
    "for the regression's {terms} terms; it needs more rows than terms."
)


def matched_did(
    ds: Dataset,
    window_days: int = 90,
    seed: int = 0,
    treatment: str = "co_creation",
    customers_before_joining: bool = False,
) -> MatchedDiD | None:
    """The matched comparison of :func:`matched_comparison`, or ``None`` where there is none."""
    found = matched_comparison(ds, window_days, seed, treatment, customers_before_joining)
    return found if isinstance(found, MatchedDiD) else None


def matched_comparison(
    ds: Dataset,
    window_days: int = 90,
    seed: int = 0,
    treatment: str = "co_creation",
    customers_before_joining: bool = False,
) -> MatchedDiD | str:
    """Spend of co-creators against propensity-matched non-participants, by DiD.

    1. Index day: a co-creator's first co-creation; a non-participant's join day plus
       the median lag from joining to first co-creation (among the co-creators
       that can be compared: both windows inside the orders' time span, and a lag
       of at least W days unless the orders go back before joining). Members whose windows
       [index - W, index + W) fall outside the orders' time span, or who had been
       members for less than W days at the index day (their "before" window would
       be partly before they joined), are left out.
    2. Propensity: logistic regression of co-creating on pre-window spend (and its
       log), pre orders, pre-window events (and log), tenure, index day, segment and channel
       (standardised); at most 20 random non-participants per co-creator.
    3. Matching: 1:1 nearest neighbour on the logit of the propensity, with
       replacement, caliper 0.2 SD of the logit; co-creators without a match are
       dropped (counted).
    4. DiD on the matched panel (2 rows per member: pre, post window):
       spend_it = a + b treat_i + c post_t + delta treat_i post_t
       + eta'z_i + post_t x gamma'z_i + e_it, OLS with standard errors clustered by member
       (statsmodels); z_i are the standardised propensity covariates (less index
       day and tenure, which differ between the groups by design), so the trend
       may depend on them (conditional parallel trends, Abadie 2005; the
       matching-plus-regression combination is doubly robust, Sant'Anna & Zhao
       2020); 95% interval.
    5. Placebo: the same matched pairs, the window [index - 2W, index - W) against
       [index - W, index), simple DiD: co-creation has not started yet, so an
       interval away from 0 means the groups were already drifting apart (for
       instance regression to the mean after matching on a noisy pre-period,
       Daw & Hatfield 2018) and the effect is suspect.
    6. Effect size: Cohen's d = delta / SD of the change in spend in the matched
       sample; interval = (delta +- 1.96 SE) / SD.
    7. Naive comparison, for contrast: mean post-window spend of all co-creators
       minus that of all eligible non-participants, Welch 95% interval. It mixes
       the effect with selection (members who spend more also take part more).
    8. Too few: with fewer than
       :data:`~prosumo.analytics.metrics.precision.MIN_GROUP_FOR_INTERVAL` matched
       co-creators or distinct matched non-participants, the effect, effect size
       and placebo have no interval (``low``, ``high``, ``d_low``, ``d_high``,
       ``placebo_low``, ``placebo_high`` are ``None``); likewise the naive
       comparison below the minimum in either of its groups. ``note`` says why.

    ``treatment`` says what starts the treatment: ``"co_creation"`` (the first
    analyse act: an idea, revision, co-authorship or builds-on comment; the
    default) or ``"contribution"`` (the first process or analyse act, votes and
    comments included). Non-participants are members without such an act.
    ``customers_before_joining=True`` says the orders cover members' spend before
    they joined the community (customers first, members later): the "before"
    window may then start before joining, so members who started soon after
    joining are compared too.

    Source: METRICS.md 8a; Austin (2011), Multivariate Behavioral Research 46(3)
    (caliper 0.2 SD of the logit); Bertrand, Duflo & Mullainathan (2004) (clustered
    SEs for DiD). With two periods this equals the member fixed-effects model.

    Returns
    -------
    MatchedDiD or str
        The comparison, or why there is none, in words: no ``outcomes``
        (:data:`NO_ORDERS`), no co-creator or no non-participant with both windows
        inside the orders' span (:data:`NO_CO_CREATORS`, :data:`NO_NON_PARTICIPANTS`),
        no match within the caliper (:data:`NO_MATCHES`), or too few matched members
        for the regression: its rows (two per matched member) must outnumber its terms,
        or the clustered standard error is undefined (:data:`TOO_FEW_ROWS`).

    Examples
    --------
    >>> from prosumo.analytics.examples import example_dataset
    >>> ds = example_dataset()
    >>> matched_comparison(ds)  # the example community has no outcomes table
    'No matched comparison: the dataset has no orders.'
    """
    if treatment not in TREATMENTS:
        raise ValueError(f"unknown treatment {treatment!r}: use one of {', '.join(TREATMENTS)}")
    if ds.outcomes is None:
        return NO_ORDERS
    frame = _windowed_members(ds, window_days, treatment, customers_before_joining)
    if frame.empty or frame["treated"].sum() == 0:
        return NO_CO_CREATORS.format(days=window_days)
    if (~frame["treated"]).sum() == 0:
        return NO_NON_PARTICIPANTS.format(days=window_days)
    rng = np.random.default_rng(seed)
    treated_rows = frame[frame["treated"]]
    controls = frame[~frame["treated"]]
    naive, naive_low, naive_high = (
        welch_difference(treated_rows["post_spend"].to_numpy(float), controls["post_spend"].to_numpy(float))
        if len(treated_rows) > 1 and len(controls) > 1
        else (None, None, None)
    )
    notes = []
    if naive is not None and not enough_for_interval(len(treated_rows), len(controls)):
        naive_low = naive_high = None
        notes.append(
            too_few_note("the naive comparison", {"co-creators": len(treated_rows), "non-participants": len(controls)})
        )
    cap = MAX_CONTROLS_PER_TREATED * len(treated_rows)
    if len(controls) > cap:
        controls = controls.iloc[np.sort(rng.choice(len(controls), cap, replace=False))]
    sample = pd.concat([treated_rows, controls], ignore_index=True)
    is_t = sample["treated"].to_numpy(dtype=bool)
    x = _covariates(sample)
    scaled = StandardScaler().fit_transform(x.to_numpy())
    scaled = np.nan_to_num(scaled)
    model = LogisticRegression(C=1e4, max_iter=2000)
    model.fit(scaled, is_t)
    logit = model.decision_function(scaled)
    caliper = 0.2 * float(np.std(logit, ddof=1)) if len(logit) > 1 else 0.0
    nn = NearestNeighbors(n_neighbors=1).fit(logit[~is_t].reshape(-1, 1))
    dist, pos = nn.kneighbors(logit[is_t].reshape(-1, 1))
    ok = dist.ravel() <= caliper + 1e-12
    t_idx = np.flatnonzero(is_t)[ok]
    c_idx = np.flatnonzero(~is_t)[pos.ravel()[ok]]
    if len(t_idx) == 0:
        return NO_MATCHES.format(treated=int(is_t.sum()))
    pairs = pd.concat(
        [
            sample.iloc[t_idx].assign(pair=np.arange(len(t_idx))),
            sample.iloc[c_idx].assign(pair=np.arange(len(t_idx))),
        ],
        ignore_index=True,
    )
    panel = pd.concat(
        [
            pairs.assign(post=0, spend=pairs["pre_spend"]),
            pairs.assign(post=1, spend=pairs["post_spend"]),
        ],
        ignore_index=True,
    )
    panel["treat"] = panel["treated"].astype(int)
    exog = pd.DataFrame(
        {
            "const": 1.0,
            "treat": panel["treat"].astype("float64"),
            "post": panel["post"].astype("float64"),
            "treat_post": (panel["treat"] * panel["post"]).astype("float64"),
        }
    )
    # Post x covariate terms let the trend depend on the covariates (conditional
    # parallel trends), which mops up imbalance that matching leaves behind.
    # Index day and tenure are left out: by construction they differ between the
    # groups (non-participants' index days bunch at the median lag), so they would
    # compete with the treatment term instead of describing a trend.
    z = _covariates(panel).drop(columns=["index_day", "tenure"])
    z = z.loc[:, z.std(ddof=0) > 0]
    z = _independent_columns((z - z.mean()) / z.std(ddof=0))
    for col in z.columns:
        exog[f"z_{col}"] = z[col].to_numpy()
        exog[f"post_x_{col}"] = panel["post"].to_numpy() * z[col].to_numpy()
    if len(exog) <= exog.shape[1]:
        # the clustered covariance's small-sample factor divides by rows - terms
        return TOO_FEW_ROWS.format(matched=len(t_idx), rows=len(exog), terms=exog.shape[1])
    fit = sm.OLS(panel["spend"].to_numpy(dtype="float64"), exog).fit(
        cov_type="cluster", cov_kwds={"groups": panel["member_id"].to_numpy()}
    )
    delta = float(fit.params["treat_post"])
    # Only the effect's variance is needed; nuisance terms may have round-off
    # negative variances that ``fit.bse`` would warn about.
    se = float(np.sqrt(max(float(fit.cov_params().loc["treat_post", "treat_post"]), 0.0)))
    if not np.isfinite(se):
        se = 0.0
    covered = pairs.groupby("pair")["early_covered"].transform("all")
    placebo_pairs = pairs[covered.to_numpy(dtype=bool)]
    placebo, placebo_se = (
        _simple_did(placebo_pairs, "early_spend", "pre_spend") if len(placebo_pairs) >= 4 else (np.nan, np.nan)
    )
    change = pairs["post_spend"] - pairs["pre_spend"]
    sd = float(change.std(ddof=1)) if len(change) > 1 else 0.0
    control_post = float(pairs.loc[~pairs["treated"].astype(bool), "post_spend"].mean())
    treated_post = float(pairs.loc[pairs["treated"].astype(bool), "post_spend"].mean())
    counterfactual = treated_post - delta
    balance = (
        pd.DataFrame(
            {
                "before": standardized_differences(x, is_t),
                "after": standardized_differences(_covariates(pairs), pairs["treated"].to_numpy(dtype=bool)),
            }
        )
        .rename_axis("covariate")
        .reset_index()
    )
    means = (
        panel.groupby(["treat", "post"])["spend"]
        .mean()
        .rename("mean_spend")
        .reset_index()
        .assign(
            group=lambda d: np.where(d["treat"] == 1, "co-creators", "matched non-participants"),
            period=lambda d: np.where(d["post"] == 1, "after", "before"),
        )
    )
    controls_used = len(np.unique(c_idx))
    enough = enough_for_interval(len(t_idx), controls_used)
    if not enough:
        notes.insert(
            0,
            too_few_note(
                "the matched comparison",
                {"matched co-creators": len(t_idx), "matched non-participants": controls_used},
            ),
        )
    return MatchedDiD(
        treated=int(is_t.sum()),
        matched=len(t_idx),
        controls_used=controls_used,
        effect=delta,
        low=delta - Z95 * se if enough else None,
        high=delta + Z95 * se if enough else None,
        se=se,
        control_post_mean=control_post,
        relative_effect=delta / counterfactual if counterfactual > 0 else None,
        cohens_d=delta / sd if sd > 0 else None,
        d_low=(delta - Z95 * se) / sd if sd > 0 and enough else None,
        d_high=(delta + Z95 * se) / sd if sd > 0 and enough else None,
        window_days=window_days,
        placebo=None if np.isnan(placebo) else placebo,
        placebo_low=None if np.isnan(placebo) or not enough else placebo - Z95 * placebo_se,
        placebo_high=None if np.isnan(placebo) or not enough else placebo + Z95 * placebo_se,
        naive=naive,
        naive_low=naive_low,
        naive_high=naive_high,
        treatment=treatment,
        balance=balance,
        means=means[["group", "period", "mean_spend"]],
        note=" ".join(notes) or None,
    )


def cooperation_efficiency(ds: Dataset) -> dict[str, Any] | None:
    """Month-level relation of cooperation and efficiency: correlation of changes.

    COOP_t = co-creating members / active members in month t; EFF_t = revenue per
    active member in month t. r = Pearson correlation of the month-on-month changes
    (differencing removes the shared trend), 95% interval by Fisher's z:
    tanh(atanh(r) +- 1.96 / sqrt(T - 3)).

    Source: METRICS.md E1 (panel version reduced to one community's months); needs
    at least 6 months, and an interval needs at least
    :data:`~prosumo.analytics.metrics.precision.MIN_GROUP_FOR_INTERVAL` month-on-month
    changes (below it ``low`` and ``high`` are ``None`` and ``note`` says why).

    Examples
    --------
    >>> from prosumo.analytics.examples import example_dataset
    >>> ds = example_dataset()
    >>> cooperation_efficiency(ds) is None  # too few accepted ideas to correlate
    True
    """
    if ds.outcomes is None:
        return None
    tagged = tagged_events(ds.events)
    staff_free = people(ds.members).select("member_id")
    tagged = tagged.semi_join(staff_free, tagged.member_id == staff_free.member_id)
    t = tagged.mutate(month=month_index(tagged.occurred_at))
    # distinct (month, member) first, then count: two count-distincts in one
    # aggregate would hash the events twice
    member_months = t.group_by(["month", "member_id"]).aggregate(
        co_creating=(t.stage == "analyse").fill_null(False).cast("int64").max()
    )
    monthly = member_months.group_by("month").aggregate(
        active=ibis._.count(), co_creating=member_months.co_creating.sum()
    )
    o = ds.outcomes
    revenue = o.group_by(month=month_index(o.ordered_at)).aggregate(revenue=o.amount.sum())
    df = monthly.execute().merge(revenue.execute(), on="month", how="inner").sort_values("month")
    df = df[df["active"] > 0]
    if len(df) < 6:
        return None
    coop = (df["co_creating"] / df["active"]).diff().dropna()
    eff = (df["revenue"] / df["active"]).diff().dropna()
    if coop.std() == 0 or eff.std() == 0:
        return None
    r = float(np.corrcoef(coop, eff)[0, 1])
    n = len(coop)
    if not enough_for_interval(n):  # the point figure stays; Fisher's z needs the minimum of changes
        note = too_few_note("the cooperation-efficiency correlation", {"month-on-month changes": n}, unit="")
        return {"r": r, "low": None, "high": None, "months": n, "note": note}
    half = Z95 / np.sqrt(n - 3)
    z = np.arctanh(np.clip(r, -0.999999, 0.999999))
    return {"r": r, "low": float(np.tanh(z - half)), "high": float(np.tanh(z + half)), "months": n, "note": None}


@dataclass(frozen=True)
class EffectivenessFigures:
    """Question 8: value to the company and to prosumers, the matched comparison and cooperation efficiency."""

    company: dict[str, Any]
    prosumer: dict[str, Any]
    did: MatchedDiD | None
    cooperation: dict[str, Any] | None
    #: Why there is no matched comparison (:func:`matched_comparison`), when ``did`` is ``None``.
    did_missing: str | None = None


def compute(ds: Dataset) -> EffectivenessFigures:
    """Question 8's figures (:func:`company_value`, :func:`prosumer_value`, :func:`matched_did`, :func:`cooperation_efficiency`)."""
    # The platform's export says when the orders cover customers before they joined (a
    # shop's history): the "before" window may then start before joining.
    commerce = ds.meta.get("commerce") or {}
    did = matched_comparison(ds, customers_before_joining=bool(commerce.get("orders_before_joining")))
    return EffectivenessFigures(
        company=company_value(ds),
        prosumer=prosumer_value(ds),
        did=did if isinstance(did, MatchedDiD) else None,
        cooperation=cooperation_efficiency(ds),
        did_missing=None if isinstance(did, MatchedDiD) else did,
    )
