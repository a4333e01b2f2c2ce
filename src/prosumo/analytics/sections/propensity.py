"""Co-production propensity in the report: who will take part, and whom should we invite?"""

from __future__ import annotations

import altair as alt
import pandas as pd

from prosumo.analytics.dataset import Dataset
from prosumo.analytics.metrics.propensity import PropensityFigures, compute
from prosumo.analytics.section import Section

TOO_FEW = "Too few members took part (or too few did not) in the last 90 days to fit a model."
ETGAR_NOTE = (
    "Etgar's model: positive motive_* and negative cost_* survey coefficients are what the theory expects; "
    "read them in the drivers table (a logit of ever contributing on the survey, segment and channel), "
    "not in the predictive coefficients, which are conditional on behaviour the motives cause."
)


def _drivers_chart(drivers: pd.DataFrame) -> alt.LayerChart:
    base = alt.Chart(drivers).encode(y=alt.Y("item:N", sort=list(drivers["item"]), title="survey item"))
    chart: alt.LayerChart = (
        base.mark_rule().encode(x=alt.X("low_95:Q", title="coefficient (logit per scale point)"), x2="high_95:Q")
        + base.mark_point(filled=True).encode(x="coefficient:Q", tooltip=["item", "coefficient", "low_95", "high_95"])
    ).properties(title="What drives taking part (95% intervals)", width=320)
    return chart


def _drivers_only(drivers: pd.DataFrame) -> Section:
    """The survey's drivers without the predictive model (too few recent first contributions to train it)."""
    return Section(
        key="propensity",
        title="Who will take part in co-production, and whom should we invite?",
        headline={
            "survey_respondents": int(drivers.attrs["respondents"]),
            "respondents_who_contributed": int(drivers.attrs["contributors"]),
        },
        tables={"drivers": drivers},
        charts=[_drivers_chart(drivers)],
        notes=[
            TOO_FEW + " The invitation ranking needs it; the drivers below need only the survey.",
            ETGAR_NOTE,
        ],
    )


def present(figures: PropensityFigures) -> Section:
    """Co-production propensity as a report section."""
    model = figures.model
    if model is None or figures.ranking is None:
        if figures.drivers is not None:
            return _drivers_only(figures.drivers)
        return Section(
            key="propensity",
            title="Who will take part in co-production, and whom should we invite?",
            notes=[TOO_FEW],
        )
    ranking = figures.ranking
    drivers = figures.drivers
    headline = {
        "auc": round(model.auc, 4),
        "brier": round(model.brier, 5),
        "brier_base_rate": round(model.brier_base, 5),
        "base_rate": round(model.base_rate, 5),
        "train_rows": model.train_rows,
        "test_rows": model.test_rows,
    }
    cal = model.calibration
    chart = (
        alt.Chart(cal)
        .mark_line(point=True)
        .encode(
            x=alt.X("predicted:Q", title="mean predicted probability"),
            y=alt.Y("observed:Q", title="observed share"),
            tooltip=["bin", "n", "predicted", "observed"],
        )
        + alt.Chart(pd.DataFrame({"v": [0.0, float(max(cal["predicted"].max(), cal["observed"].max()))]}))
        .mark_line(strokeDash=[4, 3], color="gray")
        .encode(x="v:Q", y="v:Q")
    ).properties(title="Calibration on held-out members (dashed: perfect)", width=320, height=320)
    coef_chart = (
        alt.Chart(model.coefficients.head(15))
        .mark_bar()
        .encode(x="coefficient:Q", y=alt.Y("feature:N", sort="-x"), tooltip=["feature", "coefficient"])
        .properties(title="Strongest predictors (standardised coefficients)", width=320)
    )
    return Section(
        key="propensity",
        title="Who will take part in co-production, and whom should we invite?",
        headline=headline,
        tables={
            "invite": ranking,
            "coefficients": model.coefficients,
            "calibration": cal,
            **({} if drivers is None else {"drivers": drivers}),
        },
        charts=[chart, coef_chart],
        notes=[
            f"Trained on members' state {model.horizon_days} days before the last event; "
            "outcome: co-produced (idea, revision, co-authorship, builds-on comment) in those days.",
            "AUC and Brier score on a held-out 30% of members; the base-rate Brier is what "
            "predicting the average for everyone would score.",
            ETGAR_NOTE,
        ],
    )


def section(ds: Dataset) -> Section:
    """Co-production propensity for ``ds``, computed and presented."""
    return present(compute(ds))
