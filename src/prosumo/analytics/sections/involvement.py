"""Question 1 in the report: how involved is each segment in collecting, processing and analysing?"""

from __future__ import annotations

import altair as alt
import pandas as pd

from prosumo.analytics.dataset import Dataset
from prosumo.analytics.metrics.activity import FUNNEL_STEPS, STAGES
from prosumo.analytics.metrics.involvement import ALL, InvolvementFigures, compute
from prosumo.analytics.section import Section


def present(figures: InvolvementFigures) -> Section:
    """Question 1 as a report section: funnel, stage index and inequality per segment."""
    fun = figures.funnel
    index = figures.index
    ineq = figures.inequality
    overall = ineq[ineq["group"] == ALL].iloc[0]
    headline = {
        "members": int(overall["members"]),
        "gini": _round(overall["gini"]),
        "top1_share": _round(overall["top1"]),
        "top1_members": int(overall["top1_members"]),
        "top10_share": _round(overall["top1"] + overall["next9"]),
        "top10_members": int(overall["top10_members"]),
        "lurkers": _round(overall["lurkers"]),
    }
    funnel_chart = (
        alt.Chart(fun)
        .mark_bar()
        .encode(
            x=alt.X("step:N", sort=list(FUNNEL_STEPS), title="funnel step"),
            y=alt.Y("share:Q", axis=alt.Axis(format="%"), title="members who took the step"),
            color=alt.Color("group:N", title="segment"),
            xOffset="group:N",
            tooltip=["group", "step", "did", "size", alt.Tooltip("share:Q", format=".1%"), "definition"],
        )
        .properties(title="Involvement funnel per segment", width=480, height=240)
    )
    stage_long = index.melt(id_vars=["group"], value_vars=list(STAGES), var_name="stage", value_name="share")
    stage_chart = (
        alt.Chart(stage_long)
        .mark_bar()
        .encode(
            y=alt.Y("group:N", title="segment"),
            x=alt.X("share:Q", stack="normalize", axis=alt.Axis(format="%"), title="weighted activity"),
            color=alt.Color("stage:N", sort=list(STAGES)),
            tooltip=["group", "stage", alt.Tooltip("share:Q", format=".1%")],
        )
        .properties(title="Involvement index: collect / process / analyse", width=480)
    )
    return Section(
        key="involvement",
        title="How involved is each segment in collecting, processing and analysing product information?",
        headline=headline,
        tables={"funnel": fun, "involvement_index": index, "participation_inequality": ineq},
        charts=[funnel_chart, stage_chart],
        notes=[
            "Funnel: the share of a step is the members who took that step themselves ('did'), "
            "so a step nobody took is 0%; each step's definition is written beside it. 'reached' "
            "counts members whose deepest step is this one or later. Staff are excluded.",
            "Top 1% and top 10%: the round(p x n) most active members (at least one), the nearest "
            "whole number of members to the share; the headline gives how many members that is.",
            "Stage weights are Orbit-style (1-12): view/visit 1, vote 2, comment 3, "
            "builds-on comment 5, revision 5, idea or co-authorship 8.",
            "Nielsen's 90-9-1 rule: about 90% of members lurk, 9% contribute a little and 1% make "
            "most contributions; compare lurkers, next9 and top1 in the table.",
        ],
    )


def _round(value: float, digits: int = 4) -> float | None:
    return None if pd.isna(value) else round(float(value), digits)


def section(ds: Dataset) -> Section:
    """Question 1 for ``ds``, computed and presented."""
    return present(compute(ds))
