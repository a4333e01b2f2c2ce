"""Question 4 in the report: which channels bring members who take part, and at what cost?"""

from __future__ import annotations

from typing import Any

import altair as alt

from prosumo.analytics.dataset import Dataset
from prosumo.analytics.metrics.channels import ChannelsFigures, compute
from prosumo.analytics.section import Section


def present(figures: ChannelsFigures) -> Section:
    """Question 4 as a report section."""
    table = figures.table
    pairs = figures.pairs
    credit = figures.credit
    multi = figures.multi_touch
    best = table.sort_values("activation", ascending=False).iloc[0] if len(table) else None
    headline: dict[str, Any] = {"channels": len(table)}
    if best is not None:
        headline["best_activation_channel"] = str(best["channel"])
        headline["best_activation"] = round(float(best["activation"]), 4)
    headline["multi_touch_journeys"] = round(multi, 4)
    if len(credit):
        headline["top_shapley_channel"] = str(credit["channel"].iloc[0])
    base = alt.Chart(table).encode(y=alt.Y("channel:N", sort="-x", title="channel"))
    activation_chart = (
        base.mark_point(filled=True, size=60).encode(
            x=alt.X("activation:Q", axis=alt.Axis(format="%"), title="activation (95% credible interval)"),
            tooltip=["channel", "reach", "activated", alt.Tooltip("activation:Q", format=".1%")],
        )
        + base.mark_rule().encode(x="low_95:Q", x2="high_95:Q")
    ).properties(title="Activation per channel", width=420)
    credit_long = credit.melt(
        id_vars="channel",
        value_vars=["shapley_conversions", "first_touch_conversions", "last_touch_conversions"],
        var_name="credit",
        value_name="conversions",
    )
    credit_long["credit"] = credit_long["credit"].str.replace("_conversions", "").str.replace("_", " ")
    credit_chart = (
        alt.Chart(credit_long)
        .mark_bar()
        .encode(
            y=alt.Y("channel:N", sort=credit["channel"].tolist(), title="channel"),
            yOffset="credit:N",
            x=alt.X("conversions:Q", title="contributors credited"),
            color=alt.Color("credit:N", title="credit"),
            tooltip=["channel", "credit", alt.Tooltip("conversions:Q", format=",.1f")],
        )
        .properties(title="Conversions credited per channel: Shapley, first touch, last touch", width=420)
    )
    notes = [
        "Activation = members who made at least one contribution / members the channel brought "
        "(the channel table credits the channel each member joined through, members.channel).",
        "Pairwise P(B better) uses Beta(1,1) priors and the exact closed form (no simulation).",
        "Channel attribution: a journey is the set of channels that touched a member (members.channel "
        "and events with a channel) up to their first contribution; each channel gets its Shapley value "
        "in v(S) = conversions from journeys whose channels all lie in S "
        f"({credit['method'].iloc[0] if len(credit) else 'exact'}), beside first- and last-touch credit. "
        f"{100 * multi:.1f}% of journeys touch more than one channel; when none do, the three agree.",
    ]
    if figures.note:
        notes.append(figures.note)
    if not figures.has_costs:
        notes.append("No costs table: cost per activated contributor is not computed.")
    return Section(
        key="channels",
        title="Which channels bring members who take part, and at what cost?",
        headline=headline,
        tables={"channels": table, "channel_pairs": pairs, "channel_attribution": credit},
        charts=[activation_chart, credit_chart],
        notes=notes,
    )


def section(ds: Dataset) -> Section:
    """Question 4 for ``ds``, computed and presented."""
    return present(compute(ds))
