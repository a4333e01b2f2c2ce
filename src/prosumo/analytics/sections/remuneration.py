"""Remuneration in the report: how are contributors rewarded, and does a reward bring them back?"""

from __future__ import annotations

import altair as alt

from prosumo.analytics.dataset import SPLIT_RULES, Dataset
from prosumo.analytics.metrics.precision import TOO_FEW
from prosumo.analytics.metrics.remuneration import RemunerationFigures, compute
from prosumo.analytics.section import Section

TOP = 20


def present(figures: RemunerationFigures) -> Section:
    """Remuneration as a report section: points and money shown apart, never added."""
    summary = figures.summary
    compared = summary["participation"]
    headline = {
        "rewarded_members": summary["recipients"],
        "points_granted": summary["points"],
        "money_paid": summary["money"],
        "median_money_per_paid_member": summary["median_money"],
        "revenue_share_returned": summary["returned_share"],
        "contributions_after_reward_difference": compared["difference"],
        "contributions_after_reward_difference_95": (
            TOO_FEW if compared["note"] else [compared["low_95"], compared["high_95"]]
        ),
        "royalty_pools": summary["pools"],
        "pool_sales_share_returned": summary["pool_returned_share"],
        "largest_change_under_another_split_rule": summary["largest_change_under_another_rule"],
    }
    contributors = figures.contributors
    charts = []
    for column, title, axis in (
        ("money", "Money paid: the members who received most", "money paid"),
        ("points", "Points granted: the members who received most", "points granted"),
    ):
        top = contributors[contributors[column] > 0].nlargest(TOP, column)
        if len(top):
            charts.append(
                alt.Chart(top.assign(member=top["member_id"].astype(str)))
                .mark_bar()
                .encode(
                    x=alt.X(f"{column}:Q", title=axis),
                    y=alt.Y("member:N", sort="-x", title="member"),
                    tooltip=["member_id", "points", "money", "awards", "payments"],
                )
                .properties(title=title, width=380)
            )
    participation = figures.participation
    if len(participation):
        long = participation.melt(
            id_vars=["prior"],
            value_vars=["rewarded_after", "comparable_after"],
            var_name="group",
            value_name="contributions",
        )
        charts.append(
            alt.Chart(long)
            .mark_bar()
            .encode(
                x=alt.X("prior:N", title="contributions in the months before"),
                xOffset="group:N",
                y=alt.Y("contributions:Q", title="mean contributions in the months after"),
                color=alt.Color("group:N", title=""),
                tooltip=["prior", "group", "contributions"],
            )
            .properties(title="After a first reward: rewarded members and comparable members not yet rewarded")
        )
    split = figures.splits
    if len(split):
        top_pool = int(figures.pools.sort_values(["paid", "pool_id"], ascending=[False, True])["pool_id"].iloc[0])
        shown = split[split["pool_id"] == top_pool]
        long = shown.melt(
            id_vars=["member_id", "currency"],
            value_vars=["received", *SPLIT_RULES],
            var_name="rule",
            value_name="amount",
        )
        long = long.assign(member=long["member_id"].astype(str)).dropna(subset=["amount"])
        charts.append(
            alt.Chart(long)
            .mark_bar()
            .encode(
                x=alt.X("member:N", title="contributor (member id)"),
                xOffset="rule:N",
                y=alt.Y("amount:Q", title="amount paid"),
                color=alt.Color("rule:N", title="split rule"),
                tooltip=["member_id", "rule", "amount"],
            )
            .properties(title="The largest pool: what each contributor received, and would have under each rule")
        )
    notes = [
        "Royalty pools: what each contributor received under the rule chosen, and what the same payments would "
        "have paid under each rule (equal; declared shares; role weights; Shapley value), split in cents by the "
        "largest-remainder method with the platform's own arithmetic, over the pool's contributors today. "
        "Pool sales share returned: what the pools paid over the net sales entered for them, in the pools' currency.",
        "Points (reward.granted) and money (royalty.paid, in currency units) are kept apart and never added.",
        "Revenue share returned: money paid for ideas that have sales, divided by the revenue of the products "
        "that came from them (orders that name their idea).",
        f"Participation: members rewarded for the first time in a month, against members who had joined by then "
        f"and were not rewarded in the next {compared['months']} months, with the same number of contributions "
        f"in the {compared['months']} months before; the month of the reward itself is left out. A comparison, "
        "not a controlled experiment: members are often rewarded for the very activity that is measured.",
    ]
    if compared["note"]:
        notes.append(compared["note"])
    if not summary["recipients"]:
        notes.insert(0, "No reward or royalty has been recorded yet.")
    return Section(
        key="remuneration",
        title="How are contributors rewarded, and does a reward bring them back?",
        headline=headline,
        tables={
            "contributors": contributors,
            "ideas": figures.ideas,
            "participation_after_reward": participation,
            "royalty_pools": figures.pools,
            "split_rules": split,
        },
        charts=charts,
        notes=notes,
    )


def section(ds: Dataset) -> Section:
    """Question 6 for ``ds``, computed and presented."""
    return present(compute(ds))
