"""Co-production propensity (Etgar): who will take part, and whom to invite.

A logistic regression of taking part in co-production (submitting, revising or
co-authoring an idea, or a comment that builds on one) on the member's profile,
survey answers (motives and costs, when the dataset has a survey) and earlier
behaviour. It is trained on what was known at a cut-off and judged on who took part
afterwards, out of sample (AUC, Brier score, calibration), then used to rank the
members to invite to a campaign.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.api as sm
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from prosumo.analytics.dataset import Dataset
from prosumo.analytics.metrics.activity import (
    contributions_per_member,
    epoch_days,
    people,
    tagged_events,
)

#: Behaviour counted before the cut-off (all log(1 + count)).
BEHAVIOUR = ("visits", "views", "votes", "comments", "active_days", "recent_events")
PROFILE_NUMERIC = ("tenure_days", "referred")
CATEGORICAL = ("segment", "channel", "country")
#: Rows used to fit at most (a random sample above that).
MAX_TRAIN_ROWS = 200_000
#: Held-out rows scored at most (a random sample above that).
MAX_TEST_ROWS = 200_000
RECENT_DAYS = 30


def calibration_table(y: Any, p: Any, bins: int = 10) -> pd.DataFrame:
    """Observed rate against mean predicted probability in quantile bins of p.

    Source: the reliability diagram (DeGroot & Fienberg 1983); bins of equal size.

    Returns
    -------
    pandas.DataFrame
        ``bin, n, predicted, observed``.

    Examples
    --------
    >>> calibration_table([0, 0, 1, 1], [0.1, 0.2, 0.7, 0.9], bins=2).round(3).to_dict("records")
    [{'bin': 1, 'n': 2, 'predicted': 0.15, 'observed': 0.0},
     {'bin': 2, 'n': 2, 'predicted': 0.8, 'observed': 1.0}]
    """
    y = np.asarray(y, dtype="float64")
    p = np.asarray(p, dtype="float64")
    order = np.argsort(p, kind="stable")
    groups = np.array_split(order, min(bins, len(p))) if len(p) else []
    rows = [
        {"bin": i + 1, "n": len(g), "predicted": float(p[g].mean()), "observed": float(y[g].mean())}
        for i, g in enumerate(groups)
        if len(g)
    ]
    return pd.DataFrame(rows, columns=["bin", "n", "predicted", "observed"])


def survey_wide(ds: Dataset) -> pd.DataFrame | None:
    """Each member's mean score per survey item, one column per item (``member_id`` index).

    One grouped pass in the engine (a filtered mean per item), so the survey's long
    table never crosses into pandas. None without a survey or without answers.

    Examples
    --------
    >>> from prosumo.analytics.examples import example_dataset
    >>> ds = example_dataset()
    >>> survey_wide(ds) is None  # the example community has no surveys table
    True
    """
    if ds.surveys is None:
        return None
    s = ds.surveys
    items = sorted(s.select("item").distinct().execute()["item"].tolist())
    if not items:
        return None
    wide = s.group_by("member_id").aggregate(
        **{f"i{k}": s.score.mean(where=s.item == it) for k, it in enumerate(items)}
    )
    frame = wide.to_pyarrow().to_pandas().set_index("member_id").sort_index()
    frame.columns = items
    return frame


def member_snapshots(
    ds: Dataset, cutoff_days: list[float], *, survey: pd.DataFrame | None = None
) -> list[pd.DataFrame]:
    """:func:`member_features` at several cut-offs, from one pass over the events.

    Every count is a filtered aggregate (``day < cutoff``) of the same grouped scan,
    so two snapshots cost about what one does. ``survey`` may pass in
    :func:`survey_wide` already computed.

    Returns
    -------
    list of pandas.DataFrame
        One frame per cut-off, in the order given.
    """
    m = people(ds.members)
    profile = (
        m.select(
            member_id=m.member_id,
            join_day=epoch_days(m.joined_at),
            referred=m.referred_by.notnull().cast("int64"),
            segment=m.segment.fill_null("(none)"),
            channel=m.channel.fill_null("(unknown)"),
            country=m.country.fill_null("(unknown)"),
        )
        .to_pyarrow()
        .to_pandas()
    )
    t = tagged_events(ds.events)
    t = t.mutate(day=epoch_days(t.occurred_at))
    votes = t.verb.isin(("idea.supported", "idea.support_withdrawn", "idea.rated"))
    counts: dict[str, Any] = {"start_day": t.day.min(where=t.stage == "analyse")}
    for k, cutoff in enumerate(cutoff_days):
        before = t.day < cutoff
        counts[f"visits_{k}"] = ((t.verb == "member.visited") & before).cast("int64").sum()
        counts[f"views_{k}"] = ((t.verb == "idea.viewed") & before).cast("int64").sum()
        counts[f"votes_{k}"] = (votes & before).cast("int64").sum()
        counts[f"comments_{k}"] = ((t.verb == "comment.posted") & ~t.builds_on & before).cast("int64").sum()
        counts[f"recent_events_{k}"] = ((t.day >= cutoff - RECENT_DAYS) & before).cast("int64").sum()
    sums = t.group_by("member_id").aggregate(**counts)
    # Distinct active days before each cut-off: a calendar day counts when its first
    # event came before the cut-off. One (member, day) grouping serves every cut-off,
    # where a filtered count-distinct per cut-off would hash the events again each time.
    member_day = t.group_by(["member_id", t.day.floor().name("calendar_day")]).aggregate(first=t.day.min())
    days = member_day.group_by("member_id").aggregate(
        **{f"active_days_{k}": (member_day["first"] < c).cast("int64").sum() for k, c in enumerate(cutoff_days)}
    )
    both = sums.join(days, "member_id")  # the same members: both group the same events
    # aligned to the members' order by index lookups, not merges
    behaviour = both.to_pyarrow().to_pandas().set_index("member_id").reindex(profile["member_id"])
    if survey is None:
        survey = survey_wide(ds)
    aligned = None if survey is None else survey.add_prefix("survey_").reindex(profile["member_id"])
    frames = []
    for k, cutoff in enumerate(cutoff_days):
        keep = (profile["join_day"] < cutoff).to_numpy()
        frame = pd.DataFrame({"member_id": profile["member_id"].to_numpy()[keep]})
        frame["tenure_days"] = cutoff - profile["join_day"].to_numpy()[keep]
        for col in ("referred", "segment", "channel", "country"):
            frame[col] = profile[col].to_numpy()[keep]
        for col in BEHAVIOUR:
            frame[col] = behaviour[f"{col}_{k}"].fillna(0).to_numpy(dtype="int64")[keep]
        frame["start_day"] = behaviour["start_day"].to_numpy(dtype="float64")[keep]
        frame["co_created_before"] = frame["start_day"] < cutoff
        if aligned is not None:
            values = aligned.to_numpy(dtype="float64")[keep]
            frame = pd.concat([frame, pd.DataFrame(values, columns=aligned.columns)], axis=1)
        frames.append(frame)
    return frames


def member_features(ds: Dataset, cutoff_day: float) -> pd.DataFrame:
    """Profile, survey and behaviour of each non-staff member joined before the cut-off.

    Behaviour counts only events before ``cutoff_day`` (days since 1970-01-01):
    visits, idea views, votes, comments that do not build on an idea, distinct active
    days, events in the last 30 days. Profile: tenure at the cut-off, referred or
    not, segment, channel, country. Survey: the mean score of each item
    (``survey_<item>``), when the dataset has a survey. ``start_day`` is the
    member's first co-production (NaN if none) and ``co_created_before`` says
    whether it came before the cut-off.

    Returns
    -------
    pandas.DataFrame
        One row per member (``member_id`` column).
    """
    return member_snapshots(ds, [cutoff_day])[0]


def _survey_columns(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if c.startswith("survey_")]


def _design(frame: pd.DataFrame, survey_cols: list[str]) -> pd.DataFrame:
    x = frame[list(CATEGORICAL)].astype(str).copy()
    for col in BEHAVIOUR:
        x[col] = np.log1p(frame[col].astype("float64"))
    for col in PROFILE_NUMERIC:
        x[col] = frame[col].astype("float64")
    for col in survey_cols:
        values = frame[col] if col in frame else pd.Series(np.nan, index=frame.index)
        x[f"{col}_missing"] = values.isna().astype("float64")
        x[col] = values.astype("float64")
    return x


@dataclass
class PropensityModel:
    """A fitted co-production propensity model and its out-of-sample evaluation."""

    pipeline: Pipeline
    survey_columns: list[str]
    fill: dict[str, float]
    cutoff_day: float
    horizon_days: int
    train_rows: int
    test_rows: int
    base_rate: float
    auc: float
    brier: float
    brier_base: float
    calibration: pd.DataFrame = field(default_factory=pd.DataFrame)
    coefficients: pd.DataFrame = field(default_factory=pd.DataFrame)

    def design(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The model's input columns for rows of :func:`member_features`."""
        x = _design(frame, self.survey_columns)
        return x.fillna(self.fill)

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        """Probability of co-producing within the horizon, for rows of member_features."""
        probability: np.ndarray = self.pipeline.predict_proba(self.design(frame))[:, 1]
        return probability


def fit_propensity(
    ds: Dataset, horizon_days: int = 90, test_share: float = 0.3, seed: int = 0, *, features: pd.DataFrame | None = None
) -> PropensityModel | None:
    """Fit and evaluate the co-production propensity model.

    P(co-produce in (c, c + h]) = sigma(b0 + b' x_i(c)), with c = last event day - h,
    x_i(c) the :func:`member_features` at c (one-hot categories, standardised
    log-counts, survey items with a missing flag and mean imputation), among members
    who joined before c and had not co-produced by then. L2-regularised logistic
    regression (scikit-learn, C = 1).

    Evaluation on a stratified random ``test_share`` of those members, never seen
    in fitting: AUC (rank quality), Brier score (against the base-rate Brier
    y_bar (1 - y_bar)), and a 10-bin calibration table.

    Source: Etgar (2008), "A descriptive model of the consumer co-production
    process", JAMS 36: motives (economic, psychological, social) against costs
    [METRICS.md E2]; the survey items motive_* and cost_* enter as they are, so
    their signs can be read against the model.

    ``features`` may pass in :func:`member_features` at c, already computed (the
    section computes both of its snapshots in one pass).

    Returns
    -------
    PropensityModel or None
        None when fewer than 10 members took part or fewer than 10 did not.
    """
    last_day = _last_day(ds)
    cutoff = last_day - horizon_days
    frame = member_features(ds, cutoff) if features is None else features
    frame = frame[~frame["co_created_before"]].reset_index(drop=True)
    y = ((frame["start_day"] >= cutoff) & (frame["start_day"] <= last_day)).to_numpy(dtype=int)
    if y.sum() < 10 or (1 - y).sum() < 10:
        return None
    survey_cols = _survey_columns(frame)
    x = _design(frame, survey_cols)
    idx_train, idx_test = train_test_split(np.arange(len(frame)), test_size=test_share, random_state=seed, stratify=y)
    if len(idx_train) > MAX_TRAIN_ROWS:
        idx_train = np.random.default_rng(seed).choice(idx_train, MAX_TRAIN_ROWS, replace=False)
    if len(idx_test) > MAX_TEST_ROWS:
        idx_test = np.random.default_rng(seed + 1).choice(idx_test, MAX_TEST_ROWS, replace=False)
    fill = {c: float(x[c].iloc[idx_train].mean()) for c in survey_cols}
    fill = {c: (0.0 if np.isnan(v) else v) for c, v in fill.items()}
    x = x.fillna(fill)
    numeric = [c for c in x.columns if c not in CATEGORICAL]
    prepare = ColumnTransformer(
        [
            ("categories", OneHotEncoder(handle_unknown="ignore", min_frequency=20), list(CATEGORICAL)),
            ("numbers", StandardScaler(), numeric),
        ]
    )
    pipeline = Pipeline([("prepare", prepare), ("model", LogisticRegression(C=1.0, max_iter=2000))])
    pipeline.fit(x.iloc[idx_train], y[idx_train])
    p_test = pipeline.predict_proba(x.iloc[idx_test])[:, 1]
    y_test = y[idx_test]
    base = float(y[idx_train].mean())
    names = pipeline.named_steps["prepare"].get_feature_names_out()
    coefs = pd.DataFrame(
        {"feature": [n.split("__", 1)[1] for n in names], "coefficient": pipeline.named_steps["model"].coef_[0]}
    )
    # equal coefficients (collinear columns) in name order, whatever their last bits
    size = coefs["coefficient"].abs().round(10)
    coefs = coefs.iloc[np.lexsort((coefs["feature"].to_numpy(), -size.to_numpy()))].reset_index(drop=True)
    return PropensityModel(
        pipeline=pipeline,
        survey_columns=survey_cols,
        fill=fill,
        cutoff_day=cutoff,
        horizon_days=horizon_days,
        train_rows=len(idx_train),
        test_rows=len(idx_test),
        base_rate=base,
        auc=float(roc_auc_score(y_test, p_test)),
        brier=float(brier_score_loss(y_test, p_test)),
        brier_base=float(np.mean((y_test - base) ** 2)),
        calibration=calibration_table(y_test, p_test),
        coefficients=coefs,
    )


def _last_day(ds: Dataset) -> float:
    return float(epoch_days(ds.events.occurred_at.max()).execute())


def ranking_cutoff(ds: Dataset) -> float:
    """The cut-off of the invitation ranking's features: just after the last event."""
    return _last_day(ds) + 1e-6


def invite_ranking(
    ds: Dataset,
    model: PropensityModel,
    campaign_id: int | None = None,
    top: int = 100,
    *,
    features: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Members to invite, most likely to co-produce first, with the two strongest reasons.

    Features are taken at the last event; members who already co-produced in
    ``campaign_id`` (an *analyse* act with that campaign) are left out. The reason
    names the two features whose standardised value x coefficient adds most to the
    member's score. ``features`` may pass in :func:`member_features` at the last
    event (cut-off :func:`ranking_cutoff`), already computed.

    Returns
    -------
    pandas.DataFrame
        ``rank, member_id, probability, reason`` for the ``top`` members.
    """
    frame = member_features(ds, ranking_cutoff(ds)) if features is None else features
    if campaign_id is not None:
        t = tagged_events(ds.events)
        done = (
            t.filter((t.stage == "analyse") & (t.campaign_id == campaign_id))
            .select("member_id")
            .distinct()
            .execute()["member_id"]
        )
        frame = frame[~frame["member_id"].isin(done)].reset_index(drop=True)
    if frame.empty:
        return pd.DataFrame(columns=["rank", "member_id", "probability", "reason"])
    x = model.design(frame)
    prob = model.pipeline.predict_proba(x)[:, 1]
    order = np.argsort(-prob, kind="stable")[:top]
    prepared = model.pipeline.named_steps["prepare"].transform(x.iloc[order])
    prepared = prepared.toarray() if hasattr(prepared, "toarray") else np.asarray(prepared)
    contrib = prepared * model.pipeline.named_steps["model"].coef_[0]
    names = np.array([n.split("__", 1)[1] for n in model.pipeline.named_steps["prepare"].get_feature_names_out()])
    best = np.argsort(-contrib, axis=1)[:, :2]
    reason = np.char.add(np.char.add(names[best[:, 0]].astype(str), "; "), names[best[:, 1]].astype(str))
    return pd.DataFrame(
        {
            "rank": np.arange(1, len(order) + 1),
            "member_id": frame["member_id"].to_numpy()[order],
            "probability": prob[order],
            "reason": reason,
        }
    )


#: Survey scale centre: items are entered as (score - centre).
SURVEY_CENTRE = 4.0
#: Survey items whose sign Etgar's model predicts (motives +, costs -).
ETGAR_SIGNS = {"motive_": 1, "cost_": -1}


def participation_drivers(
    ds: Dataset, min_answered: float = 0.5, *, survey: pd.DataFrame | None = None
) -> pd.DataFrame | None:
    """What drives taking part: a logit of ever contributing on the survey, segment and channel.

    Over the non-staff survey respondents:
    logit P(contributed) = b0 + sum_k b_k (score_k - 4) + segment and channel dummies
    (first level of each left out). *Contributed* = any process or analyse act (a
    vote, comment, idea or co-authorship), the definition of the involvement and
    channel metrics. Items answered by fewer than ``min_answered`` of the respondents
    are left out; then only respondents who answered every kept item are used.
    Maximum likelihood (statsmodels ``Logit``), Wald 95% intervals.

    This is the explanatory model of Etgar (2008): motives (economic, psychological,
    social) against costs. :func:`fit_propensity` predicts; its survey coefficients
    are conditional on behaviour (votes, visits), which the motives themselves cause,
    so they are not the motives' effects. Here nothing downstream of taking part is
    in the model.

    Source: Etgar (2008), Journal of the Academy of Marketing Science 36(1);
    METRICS.md E2.

    ``survey`` may pass in :func:`survey_wide` already computed.

    Returns
    -------
    pandas.DataFrame or None
        ``item, coefficient, se, low_95, high_95, p_value, expected_sign`` (+1 for
        ``motive_*``, -1 for ``cost_*``, 0 otherwise), one row per survey item, with
        ``attrs`` ``respondents`` and ``contributors``. None without a survey, or when
        the model cannot be fitted (no variation, perfect separation).
    """
    if ds.surveys is None:
        return None
    staff_free = people(ds.members)
    profile = (
        staff_free.select(
            "member_id",
            segment=staff_free.segment.fill_null("(none)"),
            channel=staff_free.channel.fill_null("(unknown)"),
        )
        .execute()
        .set_index("member_id")
    )
    wide = survey_wide(ds) if survey is None else survey
    if wide is None:
        return None
    wide = wide[wide.index.isin(profile.index)]
    if wide.empty:
        return None
    kept = [c for c in sorted(wide.columns) if wide[c].notna().mean() >= min_answered]
    wide = wide[kept].dropna()
    if len(wide) < 2 * (len(kept) + 2):
        return None
    counts = contributions_per_member(ds).execute().set_index("member_id")["contributions"]
    frame = wide.join(profile, how="inner")
    y = (counts.reindex(frame.index).fillna(0).to_numpy() > 0).astype("float64")
    if y.min() == y.max():
        return None
    items = frame[kept] - SURVEY_CENTRE
    dummies = pd.get_dummies(frame[["segment", "channel"]], drop_first=True, dtype="float64")
    x = pd.concat([pd.Series(1.0, index=frame.index, name="const"), items, dummies], axis=1)
    # Checked explicitly rather than by turning warnings into errors: the warning
    # filters are one global state, shared with sections running in other threads.
    try:
        fit = sm.Logit(y, x.astype("float64")).fit(disp=0, maxiter=200, warn_convergence=False)
    except (np.linalg.LinAlgError, ValueError, Warning):  # Warning: when the caller made them errors
        return None
    if not fit.mle_retvals.get("converged", False):
        return None
    if np.allclose(fit.predict() - y, 0):  # perfect separation, statsmodels' own test
        return None
    if not (np.isfinite(fit.params).all() and np.isfinite(fit.bse).all()):
        return None
    params, se = fit.params[kept], fit.bse[kept]
    out = pd.DataFrame(
        {
            "item": kept,
            "coefficient": params.to_numpy(),
            "se": se.to_numpy(),
            "low_95": (params - 1.959963984540054 * se).to_numpy(),
            "high_95": (params + 1.959963984540054 * se).to_numpy(),
            "p_value": fit.pvalues[kept].to_numpy(),
            "expected_sign": [next((v for p, v in ETGAR_SIGNS.items() if i.startswith(p)), 0) for i in kept],
        }
    )
    out.attrs["respondents"] = len(frame)
    out.attrs["contributors"] = int(y.sum())
    return out


@dataclass(frozen=True)
class PropensityFigures:
    """Co-production propensity: the model, whom to invite, and the survey drivers.

    ``model`` is ``None`` when too few members took part (or too few did not) in the
    last 90 days to fit one; the ranking is then not computed. The drivers need only the
    survey and whether respondents ever contributed, so they are computed either way
    (``None`` without a survey, or when they cannot be estimated).
    """

    model: PropensityModel | None
    ranking: pd.DataFrame | None = None
    drivers: pd.DataFrame | None = None


def compute(ds: Dataset) -> PropensityFigures:
    """The propensity figures: :func:`fit_propensity` 90 days back, :func:`invite_ranking` today, :func:`participation_drivers`."""
    last_day = _last_day(ds)
    horizon = 90
    # both feature snapshots (training cut-off, today) from one pass over the events
    survey = survey_wide(ds)
    at_cutoff, today = member_snapshots(ds, [last_day - horizon, last_day + 1e-6], survey=survey)
    model = fit_propensity(ds, horizon, features=at_cutoff)
    drivers = participation_drivers(ds, survey=survey)
    if model is None:
        return PropensityFigures(model=None, drivers=drivers)
    ranking = invite_ranking(ds, model, features=today)
    return PropensityFigures(model=model, ranking=ranking, drivers=drivers)
