"""Co-production propensity in the report: who will take part, and whom should we invite?"""

from __future__ import annotations

import altair as alt
import pandas as pd

from prosumo.analytics.dataset import Dataset
from prosumo.analytics.metrics.propensity import PropensityFigures, compute
from prosumo.analytics.section import Section


def present(figures: PropensityFigures) -> Section:
    """Co-production propensity as a report section."""
    model = figures.model
    if model is None or figures.ranking is None:
        return Section(
            key="propensity",
            title="Who will take part in co-production, and whom should we invite?",
            notes=["Too few members took part (or too few did not) in the last 90 days to fit a model."],
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
            "Etgar's model: positive motive_* and negative cost_* survey coefficients are what the theory expects; "
            "read them in the drivers table (a logit of ever contributing on the survey, segment and channel), "
            "not in the predictive coefficients, which are conditional on behaviour the motives cause.",
        ],
    )


def section(ds: Dataset) -> Section:
    """Co-production propensity for ``ds``, computed and presented."""
    return present(compute(ds))
