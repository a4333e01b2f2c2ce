"""Question 2 in the report: how large can the community grow, and how resilient is it?"""

from __future__ import annotations

from typing import Any

import altair as alt
import numpy as np
import pandas as pd

from prosumo.analytics.metrics.capacity import CapacityFigures, bass_cumulative
from prosumo.analytics.metrics.precision import TOO_FEW
from prosumo.analytics.section import Section


def present(figures: CapacityFigures) -> Section:
    """Question 2 as a report section."""
    joiners = figures.joiners
    active = figures.active
    cohorts = figures.cohorts
    caf = figures.absence_factor
    contributors = figures.contributors
    headline: dict[str, Any] = {
        "members": int(joiners["members"].iloc[-1]) if len(joiners) else 0,
        "contributors": contributors,
        "contributor_absence_factor": caf,
    }
    notes = [
        "Bass model fitted to monthly joiners by non-linear least squares on the "
        "per-month counts (Srinivasan & Mason 1986); 95% Wald intervals.",
        "Contributor absence factor over the last 365 days: the fewest members who made "
        "more than half of all contributions (CHAOSS).",
    ]
    tables: dict[str, pd.DataFrame] = {
        "monthly_joiners": joiners,
        "active_contributors": active,
        "retention_cohorts": cohorts,
    }
    charts: list[Any] = []
    if figures.fit_error is not None:
        notes.append(f"No diffusion fit: {figures.fit_error}.")
    fit = figures.fit
    if fit is not None and figures.forecast is not None:
        t_star, _f_star = fit.peak
        few = fit.too_few  # below the minimum of members, the estimates stay and the intervals go
        headline.update(
            {
                "bass_p": round(fit.p, 5),
                "bass_p_95": TOO_FEW if few else [round(v, 5) for v in fit.interval("p")],
                "bass_q": round(fit.q, 5),
                "bass_q_95": TOO_FEW if few else [round(v, 5) for v in fit.interval("q")],
                "bass_m": round(fit.m, 1),
                "bass_m_95": TOO_FEW if few else [round(v, 1) for v in fit.interval("m")],
                "peak_month": round(t_star, 2),
            }
        )
        if few:
            notes.append(few)
        fc = figures.forecast
        tables["bass_fit"] = pd.DataFrame(
            {
                "parameter": ["p", "q", "m"],
                "estimate": [fit.p, fit.q, fit.m],
                "std_error": list(fit.se),
                "low_95": [None if few else fit.interval(k)[0] for k in "pqm"],
                "high_95": [None if few else fit.interval(k)[1] for k in "pqm"],
            }
        )
        tables["forecast"] = fc
        if fit.degenerate is not None:
            notes.append(
                f"The diffusion fit is degenerate: {fit.degenerate}. The forecast holds the members "
                "already counted and says nothing about a ceiling above them."
            )
        headline["members_in_12_months"] = round(float(fc["members"].iloc[-1]), 1)
        headline["active_contributors_in_12_months"] = round(float(fc["active_contributors"].iloc[-1]), 1)
        fitted = joiners.assign(fitted=bass_cumulative(np.arange(1, len(joiners) + 1), fit.p, fit.q, fit.m))
        observed = (
            alt.Chart(fitted)
            .mark_point()
            .encode(x=alt.X("month:T"), y=alt.Y("members:Q", title="members"), tooltip=["month:T", "members"])
        )
        fitted_line = alt.Chart(fitted).mark_line().encode(x="month:T", y="fitted:Q")
        band = alt.Chart(fc).mark_area(opacity=0.25).encode(x="month:T", y="members_low:Q", y2="members_high:Q")
        ahead = alt.Chart(fc).mark_line(strokeDash=[4, 3]).encode(x="month:T", y="members:Q")
        charts.append(
            (band + observed + fitted_line + ahead).properties(
                title="Members: observed, Bass fit and 12-month forecast (95% band)", width=480
            )
        )
    if len(cohorts):
        charts.append(
            alt.Chart(cohorts)
            .mark_rect()
            .encode(
                x=alt.X("offset:O", title="months after joining"),
                y=alt.Y("yearmonth(cohort):O", title="cohort"),
                color=alt.Color("retention:Q", scale=alt.Scale(scheme="blues")),
                tooltip=["yearmonth(cohort):O", "offset", "size", "active", alt.Tooltip("retention:Q", format=".1%")],
            )
            .properties(title="Retention by monthly cohort", width=420)
        )
    return Section(
        key="capacity",
        title="How large can the community grow, and how resilient is it?",
        headline=headline,
        tables=tables,
        charts=charts,
        notes=notes,
    )
