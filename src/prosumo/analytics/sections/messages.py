"""Co-produced messages in the report, and the charts the experiment results page draws from the same figures."""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd

from prosumo.analytics.metrics.messages import Interaction, MessagesFigures
from prosumo.analytics.metrics.precision import TOO_FEW
from prosumo.analytics.section import Section

#: What the results page and the section say about the method, in the same words.
BAYESIAN_NOTE = (
    "Reporting is Bayesian: each arm's conversion rate (members who converted / members given the arm) "
    "starts from a uniform Beta(1, 1) prior and is updated with its counts; the figures are posterior "
    "means, 95% credible intervals and probabilities, not p-values."
)
# The thresholds are written out (not formatted in) so that each note is one catalogue entry.
VERDICT_NOTE = (
    "A difference is called only when its 95% credible interval leaves out zero "
    "(a probability above 97.5% or below 2.5%); otherwise the data show no difference."
)
STOP_NOTE = (
    "Stopping rule: stop when the arm with the smallest expected loss would give up less than "
    "0.1 percentage point of conversion by being chosen, or at the end date set before the start; "
    "never on a look at the probability of being best alone."
)


def arms_chart(arms: pd.DataFrame, label: str = "arm") -> alt.LayerChart:
    """Each arm's posterior mean conversion with its 95% credible interval; ``label`` names the arm's column."""
    base = alt.Chart(arms).encode(y=alt.Y(f"{label}:N", title="arm", sort=None))
    tooltip = [
        alt.Tooltip(f"{label}:N", title="arm"),
        "assigned",
        "converted",
        alt.Tooltip("posterior_mean:Q", format=".1%", title="posterior mean"),
        alt.Tooltip("p_best:Q", format=".1%", title="P(best)"),
    ]
    points = base.mark_point(filled=True, size=70).encode(
        x=alt.X("posterior_mean:Q", axis=alt.Axis(format="%"), title="conversion (95% credible interval)"),
        color=alt.Color("source:N", title="written by"),
        tooltip=tooltip,
    )
    chart: alt.LayerChart = (base.mark_rule().encode(x="low_95:Q", x2="high_95:Q") + points).properties(
        title="Conversion per arm", width=420
    )
    return chart


def media_chart(by_medium: pd.DataFrame) -> alt.LayerChart:
    """Co-produced minus company conversion in each medium, with its 95% interval, against zero."""
    known = by_medium.dropna(subset=["difference"])
    base = alt.Chart(known).encode(y=alt.Y("medium:N", title="medium"))
    zero = alt.Chart(pd.DataFrame({"x": [0.0]})).mark_rule(strokeDash=[4, 4]).encode(x="x:Q")
    points = base.mark_point(filled=True, size=70).encode(
        x=alt.X("difference:Q", axis=alt.Axis(format="%"), title="co-produced minus company conversion"),
        tooltip=[
            "medium",
            alt.Tooltip("co_conversion:Q", format=".1%", title="co-produced"),
            alt.Tooltip("company_conversion:Q", format=".1%", title="company"),
            alt.Tooltip("p_co_better:Q", format=".1%", title="P(co-produced better)"),
            "verdict",
        ],
    )
    chart: alt.LayerChart = (zero + base.mark_rule().encode(x="low_95:Q", x2="high_95:Q") + points).properties(
        title="Co-produced against company-made messages, by medium", width=420
    )
    return chart


def _medium_headline(by_medium: pd.DataFrame) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for row in by_medium.to_dict("records"):
        medium = row["medium"]
        out[f"{medium}_co_conversion"] = round(float(row["co_conversion"]), 4)
        out[f"{medium}_company_conversion"] = round(float(row["company_conversion"]), 4)
        p = row["p_co_better"]
        out[f"{medium}_p_co_better"] = TOO_FEW if pd.isna(p) else round(float(p), 4)
        out[f"{medium}_verdict"] = row["verdict"]
    return out


def _interaction_headline(found: Interaction) -> dict[str, Any]:
    if found.difference is None:
        return {"interaction_verdict": found.verdict}
    return {
        "interaction_difference": round(found.difference, 4),
        "interaction_difference_95": [round(found.low_95 or 0.0, 4), round(found.high_95 or 0.0, 4)],
        "interaction_p_positive": round(found.p_positive or 0.0, 4),
        "interaction_verdict": found.verdict,
    }


def present(figures: MessagesFigures) -> Section:
    """Co-produced messages as a report section: every experiment's arms, and the comparison by medium."""
    headline: dict[str, Any] = {"experiments": figures.experiments, "arms": len(figures.arms)}
    headline |= _medium_headline(figures.by_medium)
    headline |= _interaction_headline(figures.interaction)
    labels = [f"{e} / {a}" for e, a in zip(figures.arms["experiment"], figures.arms["arm"], strict=True)]
    arms = figures.arms.assign(label=labels)
    charts = [arms_chart(arms, label="label"), media_chart(figures.by_medium)] if len(arms) else []
    notes = [
        BAYESIAN_NOTE,
        "Each experiment's arms are compared with one another (probability of being best, expected loss); "
        "the comparison by medium adds up the arms of every experiment by who wrote the message and the "
        "channel's medium (personal: email, social, push; mass: banners, in-store codes).",
        VERDICT_NOTE,
        "The interaction is the difference of differences: (co-produced minus company in personal media) minus "
        "(co-produced minus company in mass media), drawn by simulation with a fixed seed.",
        STOP_NOTE,
    ]
    if not figures.experiments:
        notes.append("No message experiment in the dataset yet.")
    return Section(
        key="messages",
        title="Do co-written messages convert better, and in which media?",
        headline=headline,
        tables={"message_arms": figures.arms, "message_media": figures.by_medium},
        charts=charts,
        notes=notes,
    )
