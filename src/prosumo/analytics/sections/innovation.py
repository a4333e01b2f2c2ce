"""Question 3 in the report: which members have the most innovative potential, and why?"""

from __future__ import annotations

from typing import Any

import altair as alt

from prosumo.analytics.dataset import Dataset
from prosumo.analytics.metrics.innovation import InnovationFigures, compute
from prosumo.analytics.section import Section


def present(figures: InnovationFigures, top: int = 50) -> Section:
    """Question 3 as a report section: the ranking, its components and the prior."""
    ranked, prior = figures.ranked, figures.prior
    headline: dict[str, Any] = {"ranked_members": len(ranked)}
    notes = [
        "Score = weighted mean of percentiles: acceptance (empirical Bayes) 0.35, "
        "foresight 0.25, lead-user survey 0.20 (when present), support 0.15, novelty 0.15, "
        "diversity 0.10; weights renormalised over the components present.",
        "Themes are k-means clusters of TF-IDF vectors of the ideas' title and body.",
    ]
    if prior is not None:
        headline["prior_alpha"] = round(prior.alpha, 4)
        headline["prior_beta"] = round(prior.beta, 4)
        headline["prior_mean_acceptance"] = round(prior.mean, 4)
    cols = [
        c
        for c in (
            "rank",
            "member_id",
            "score",
            "reason",
            "ideas",
            "accepted",
            "acceptance",
            "support",
            "novelty",
            "diversity",
            "foresight",
            "lead_user",
        )
        if c in ranked
    ]
    shown = ranked[cols].head(top)
    charts = []
    if len(shown):
        charts.append(
            alt.Chart(shown.head(20))
            .mark_bar()
            .encode(
                x=alt.X("score:Q", scale=alt.Scale(domain=[0, 1])),
                y=alt.Y("member_id:N", sort="-x", title="member"),
                tooltip=["rank", "member_id", "score", "reason"],
            )
            .properties(title="Top 20 members by innovative potential", width=420)
        )
    return Section(
        key="innovation",
        title="Which members have the most innovative potential, and why?",
        headline=headline,
        tables={"ranking": shown, "all_scores": ranked[cols]},
        charts=charts,
        notes=notes,
    )


def section(ds: Dataset, top: int = 50) -> Section:
    """Question 3 for ``ds``, computed and presented (the ranking table shows the ``top`` members)."""
    return present(compute(ds), top=top)
