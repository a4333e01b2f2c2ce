"""Question 9 in the report: which opinion groups are there, and what unites or divides them?"""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd

from prosumo.analytics.dataset import Dataset
from prosumo.analytics.metrics.opinions import MIN_GROUP_SIZE, OpinionFigures, OpinionGroups, compute
from prosumo.analytics.section import Section

#: At most this many members are drawn in the scatter chart (a fixed sample of them).
_CHART_POINTS = 3000
#: A group's name is cut to this many characters in the charts (the groups table has it whole).
_LABEL_CHARS = 36


def present(figures: OpinionFigures) -> Section:
    """Opinion groups of the dataset's voters, with the ideas that unite and divide them."""
    out = Section(key="opinions", title="Which opinion groups are there, and what unites or divides them?")
    votes = figures.votes
    result = figures.groups
    out.headline = {
        "voters": result.n_voters,
        "members_grouped": len(result.members),
        "ideas_voted_on": int(votes["idea_id"].nunique()),
        "votes": len(votes),
        "groups": int(result.groups["shown"].sum()) if result.k else 0,
    }
    out.notes.append(
        "Pol.is method: PCA of the member x idea vote matrix (latest vote, +1/-1/0; "
        "declined ideas left out), members with at least 7 votes placed, about 100 base "
        "clusters grouped by k-means with k = 2..5 chosen by silhouette; group-informed consensus = product over groups "
        "of (1 + agrees) / (2 + votes)."
    )
    if result.k == 0:
        out.notes.append("Too few members with enough votes to form opinion groups.")
        return out
    out.headline["silhouette"] = round(result.silhouettes[result.k], 4)
    out.headline["variance_explained"] = round(result.explained_variance, 4)
    if figures.agreement is not None:
        ari, n = figures.agreement
        out.headline["ari_vs_source_groups"] = round(ari, 4)
        out.notes.append(
            f"Adjusted Rand index against the source platform's own groups: {ari:.3f} over {n} members in both."
        )
    ideas = result.ideas
    uniting = figures.uniting
    dividing = figures.dividing
    if not uniting.empty:
        out.headline["top_uniting_idea"] = int(uniting["idea_id"].iloc[0])
        out.headline["top_uniting_consensus"] = round(float(uniting["consensus"].iloc[0]), 4)
    else:
        out.notes.append("No idea is agreed by more than half of every shown group.")
    if dividing.empty:
        out.notes.append("No idea divides the groups: none is agreed by one group and disagreed by another.")
    else:
        out.headline["top_dividing_idea"] = int(dividing["idea_id"].iloc[0])
        out.headline["top_dividing_spread"] = round(float(dividing["divisiveness"].iloc[0]), 4)
    groups = result.groups
    hidden = groups[~groups["shown"]]
    if not hidden.empty:
        out.notes.append(
            f"{len(hidden)} group(s) with fewer than {MIN_GROUP_SIZE} members ({int(hidden['members'].sum())} "
            "members in all) are not shown and are left out of what unites and divides the groups."
        )
    shown = groups[groups["shown"]]
    group_table = pd.DataFrame(
        {
            "group": shown["group"].to_numpy(),
            "members": shown["members"].to_numpy(),
            "share": (shown["members"] / groups["members"].sum()).round(4).to_numpy(),
            "name": shown["name"].to_numpy() if "name" in shown else pd.NA,
            "name_idea_id": shown["name_idea_id"].to_numpy(),
            "name_agree": shown["name_agree"].round(4).to_numpy(),
            "name_agree_rest": shown["name_agree_rest"].round(4).to_numpy(),
        }
    )
    reps = ideas.sort_values("repness", ascending=False).groupby("representative_group").head(1)
    group_table["most_representative_idea"] = (
        group_table["group"].map(reps.set_index("representative_group")["idea_id"]).astype("Int64")
    )
    out.tables = {
        "groups": group_table,
        "uniting_ideas": uniting.reset_index(drop=True),
        "dividing_ideas": dividing.reset_index(drop=True),
        "ideas": ideas.reset_index(drop=True),
        "members": result.members,
        "silhouette_by_k": pd.DataFrame(
            {"k": list(result.silhouettes), "silhouette": list(result.silhouettes.values())}
        ),
    }
    out.charts = _charts(result, uniting, dividing)
    return out


def group_labels(groups: pd.DataFrame) -> dict[int, str]:
    """Each group's label in the charts: its number and the statement its members agree on most.

    >>> group_labels(pd.DataFrame({"group": [0, 1], "name": ["Open the park at night", None]}))
    {0: '0 · Open the park at night', 1: '1'}
    """
    names = groups["name"] if "name" in groups else pd.Series([None] * len(groups), index=groups.index)
    labels = {}
    for group, name in zip(groups["group"], names, strict=True):
        text = "" if name is None or pd.isna(name) else str(name).strip()
        if len(text) > _LABEL_CHARS:
            text = text[: _LABEL_CHARS - 1].rstrip() + "…"
        labels[int(group)] = f"{int(group)} · {text}" if text else str(int(group))
    return labels


def _charts(result: OpinionGroups, uniting: pd.DataFrame, dividing: pd.DataFrame) -> list[Any]:
    labels = group_labels(result.groups)
    points = result.members
    if len(points) > _CHART_POINTS:
        points = points.sample(_CHART_POINTS, random_state=0)
    scatter = (
        alt.Chart(points.assign(group=points["group"].map(labels).fillna(points["group"].astype(str))))
        .mark_circle(size=28, opacity=0.7)
        .encode(
            x=alt.X("x:Q", title="component 1"),
            y=alt.Y("y:Q", title="component 2"),
            color=alt.Color("group:N", title="opinion group"),
            tooltip=["member_id:Q", "group:N", "n_votes:Q"],
        )
        .properties(title="Members placed by how they vote", width=420, height=320)
    )
    charts: list[Any] = [scatter]
    shown = pd.concat([uniting.assign(kind="unites"), dividing.assign(kind="divides")])
    if not shown.empty:
        long = shown.melt(
            id_vars=["idea_id", "title", "kind"],
            value_vars=[f"p_agree_g{g}" for g in result.groups.loc[result.groups["shown"], "group"]],
            var_name="group",
            value_name="p_agree",
        )
        long["group"] = long["group"].str.removeprefix("p_agree_g").astype(int).map(labels)
        long["idea"] = long["idea_id"].astype(str) + ": " + long["title"].fillna("").str.slice(0, 40)
        parts = []
        for kind, title in (("unites", "Ideas that unite the groups"), ("divides", "Ideas that divide them")):
            rows = long[long["kind"] == kind]
            if rows.empty:
                continue
            parts.append(
                alt.Chart(rows, title=title)
                .mark_rect()
                .encode(
                    x=alt.X("group:N", title="opinion group"),
                    y=alt.Y("idea:N", sort=None, title=None),
                    color=alt.Color("p_agree:Q", scale=alt.Scale(domain=[0, 1], scheme="redblue"), title="P(agree)"),
                    tooltip=["idea_id:Q", "group:N", alt.Tooltip("p_agree:Q", format=".2f")],
                )
                .properties(width=40 * max(result.k, 2))
            )
        heat = alt.vconcat(*parts)
        charts.append(heat)
    return charts


def section(ds: Dataset) -> Section:
    """Question 9 for ``ds``, computed and presented."""
    return present(compute(ds))
