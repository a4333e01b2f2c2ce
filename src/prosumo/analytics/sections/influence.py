"""Influence in the report: do prosumers influence other members more than the average member?"""

from __future__ import annotations

import altair as alt
import pandas as pd

from prosumo.analytics.dataset import Dataset
from prosumo.analytics.metrics.influence import CLAIM, InfluenceFigures, compute
from prosumo.analytics.metrics.precision import MIN_GROUP_FOR_INTERVAL
from prosumo.analytics.section import Section


def present(figures: InfluenceFigures) -> Section:
    """Influence as a report section."""
    scores = figures.scores
    ratios = figures.ratios
    top = scores.sort_values("pagerank", ascending=False).head(20)
    main = ratios[ratios["measure"] == "influence"].iloc[0]
    headline = {
        "prosumers": int(main["prosumers"]),
        "influence_ratio": _num(main["ratio"]),
        "influence_ratio_95": (main["interval"] if main["interval"] else [_num(main["low_95"]), _num(main["high_95"])]),
        "claim_4_to_6x_supported": bool(main["within_claim"]),
        "largest_core": int(scores["coreness"].max()) if len(scores) else 0,
    }
    chart = (
        alt.Chart(ratios)
        .mark_point(filled=True, size=70)
        .encode(
            y=alt.Y("measure:N"),
            x=alt.X("ratio:Q", title="prosumers / others (95% bootstrap interval)"),
            tooltip=["measure", "ratio", "low_95", "high_95"],
        )
        + alt.Chart(ratios).mark_rule().encode(y="measure:N", x="low_95:Q", x2="high_95:Q")
        + alt.Chart(pd.DataFrame({"x": list(CLAIM)})).mark_rule(strokeDash=[4, 3], color="gray").encode(x="x:Q")
    ).properties(title="Influence of prosumers relative to other members (dashed: the 4-6x claim)", width=420)
    core_counts = scores.groupby("coreness").size().rename("members").reset_index()
    return Section(
        key="influence",
        title="Do prosumers influence other members more than the average member?",
        headline=headline,
        tables={"influence_ratio": ratios, "top_members": top, "cores": core_counts},
        charts=[chart],
        notes=[
            "Prosumers: credited on an accepted (or later) idea, or at the top Orbit level (leader) in some month.",
            "PageRank partly counts support for accepted ideas, so prosumers gain from it by "
            "construction; referrals made is the measure closest to the 4-6x claim "
            "(opinions passed to others) and does not share that bias.",
            "Bootstrap: 2,000 resamples of members within each group; percentile interval. "
            f"No interval when either group has fewer than {MIN_GROUP_FOR_INTERVAL} members: "
            "the table says 'too few'.",
        ],
    )


def _num(v: float) -> float | None:
    return None if pd.isna(v) else round(float(v), 4)


def section(ds: Dataset) -> Section:
    """Influence for ``ds``, computed and presented."""
    return present(compute(ds))
