"""Question 8 in the report: is the partnership worth it to both sides?"""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd

from prosumo.analytics.metrics.effectiveness import NO_ORDERS, EffectivenessFigures
from prosumo.analytics.metrics.precision import TOO_FEW
from prosumo.analytics.section import Section


def present(figures: EffectivenessFigures) -> Section:
    """Question 8 as a report section."""
    company = figures.company
    prosumer = figures.prosumer
    did = figures.did
    coop = figures.cooperation
    headline: dict[str, Any] = {
        "ideas_launched": company["launched"],
        "co_created_revenue": company.get("co_created_revenue"),
        "programme_cost": company.get("programme_cost"),
        "reward_points": company["reward_points"],
        "royalties_paid": company["royalties_paid"],
        "credited_members": prosumer["credited_members"],
    }
    satisfaction_note = prosumer.get("satisfaction_note")
    if "satisfaction_difference" in prosumer:
        headline["satisfaction_difference"] = round(prosumer["satisfaction_difference"], 4)
        interval = prosumer.get("satisfaction_difference_95")
        headline["satisfaction_difference_95"] = TOO_FEW if interval is None else [round(v, 4) for v in interval]
    tables: dict[str, pd.DataFrame] = {
        "company_value": pd.DataFrame([company]),
        "prosumer_value": pd.DataFrame([{k: v for k, v in prosumer.items() if k != "satisfaction_note"}]),
    }
    charts: list[Any] = []
    notes = [
        "Co-creators: members with at least one idea, revision, co-authorship or builds-on "
        "comment; compared with non-participants matched on the propensity (logit, 1:1 "
        "nearest neighbour with replacement, caliper 0.2 SD).",
    ]
    if did is None:
        notes.append(figures.did_missing or NO_ORDERS)
    else:
        headline.update(
            {
                "spend_uplift": round(did.effect, 4),
                "spend_uplift_95": TOO_FEW
                if did.low is None or did.high is None
                else [round(did.low, 4), round(did.high, 4)],
                "spend_uplift_relative": None if did.relative_effect is None else round(did.relative_effect, 4),
                "cooperation_effect_size_d": None if did.cohens_d is None else round(did.cohens_d, 4),
                "cooperation_effect_size_d_95": None
                if did.cohens_d is None
                else TOO_FEW
                if did.d_low is None or did.d_high is None
                else [round(did.d_low, 4), round(did.d_high, 4)],
            }
        )
        low_p, high_p = did.placebo_low, did.placebo_high
        if low_p is not None and high_p is not None and not (low_p <= 0 <= high_p):
            notes.append(
                f"Warning: the placebo (the two windows before co-creating) shows a difference of "
                f"{did.placebo:.2f} ({did.placebo_low:.2f} to {did.placebo_high:.2f}); the groups drifted "
                "apart before co-creating, so the effect is likely biased."
            )
        tables["did"] = pd.DataFrame(
            [
                {
                    k: getattr(did, k)
                    for k in (
                        "treated",
                        "matched",
                        "controls_used",
                        "effect",
                        "low",
                        "high",
                        "se",
                        "relative_effect",
                        "cohens_d",
                        "d_low",
                        "d_high",
                        "window_days",
                        "placebo",
                        "placebo_low",
                        "placebo_high",
                        "naive",
                        "naive_low",
                        "naive_high",
                    )
                }
            ]
        )
        tables["balance"] = did.balance
        tables["did_means"] = did.means
        charts.append(
            alt.Chart(did.means)
            .mark_line(point=True)
            .encode(
                x=alt.X("period:N", sort=["before", "after"]),
                y=alt.Y("mean_spend:Q", title="mean spend per window"),
                color="group:N",
                tooltip=["group", "period", "mean_spend"],
            )
            .properties(title="Spend before and after co-creating, against matched non-participants", width=360)
        )
        notes.append(
            f"Difference in differences over {did.window_days}-day windows, SEs clustered by member; "
            f"{did.matched} of {did.treated} co-creators matched."
        )
        if did.note:
            notes.append(did.note)
    if satisfaction_note:
        notes.append(satisfaction_note)
    if coop is not None:
        headline["cooperation_efficiency_r"] = round(coop["r"], 4)
        headline["cooperation_efficiency_r_95"] = (
            TOO_FEW if coop["low"] is None else [round(coop["low"], 4), round(coop["high"], 4)]
        )
        if coop["note"]:
            notes.append(coop["note"])
    value_rows = pd.DataFrame(
        {
            # money only: reward points are not money, and are shown as a count elsewhere
            "side": ["company", "company", "prosumers"],
            "item": ["co-created revenue", "programme cost", "royalties"],
            "amount": [
                company.get("co_created_revenue") or 0.0,
                -(company.get("programme_cost") or 0.0),
                company["royalties_paid"],
            ],
        }
    )
    charts.append(
        alt.Chart(value_rows)
        .mark_bar()
        .encode(x=alt.X("amount:Q"), y=alt.Y("item:N"), color="side:N", tooltip=["side", "item", "amount"])
        .properties(title="Money to both sides", width=360)
    )
    return Section(
        key="effectiveness",
        title="Is the partnership worth it to both sides?",
        headline=headline,
        tables=tables,
        charts=charts,
        notes=notes,
    )
