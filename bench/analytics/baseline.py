"""A plain pandas + networkx version of the involvement, channel and influence metrics.

Written the straightforward way a data scientist would: read the Parquet tables into
pandas, groupby for the funnel, the Gini and the channel table, a ``networkx.DiGraph``
for PageRank and the k-core. It follows the definitions of ``docs/metrics.md`` (the
same population, credits, funnel steps, weights and prosumers) so that its headline
numbers can be compared with ``prosumo analyze``; it imports nothing from
``prosumo``. The influence ratios are point estimates (no bootstrap interval).

    python -m bench.analytics.baseline DATASET --json OUT.json [--sample-members N]

``--sample-members N`` builds the graph on the interactions among N randomly chosen
members only (for a graph networkx cannot score in time); the JSON says so.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

ACCEPTED = ("accepted", "in_development", "launched")
VOTES = ("idea.supported", "idea.support_withdrawn", "idea.rated")
STAGE_WEIGHT = {
    "member.visited": ("collect", 1),
    "idea.viewed": ("collect", 1),
    "idea.supported": ("process", 2),
    "idea.support_withdrawn": ("process", 2),
    "idea.rated": ("process", 2),
    "comment.posted": ("process", 3),
    "idea.revised": ("analyse", 5),
    "idea.submitted": ("analyse", 8),
    "idea.coauthor_added": ("analyse", 8),
}
CONTRIBUTIONS = [v for v, (s, _) in STAGE_WEIGHT.items() if s != "collect"]
STEPS = ["visited", "voted", "commented", "submitted", "coauthored", "accepted"]
EVENT_COLUMNS = ["occurred_at", "actor_id", "verb", "target_member_id", "details"]


def load(path: Path) -> dict[str, pd.DataFrame]:
    """Read the tables the three sections need into pandas."""
    t = {
        "members": pd.read_parquet(path / "members.parquet"),
        "ideas": pd.read_parquet(path / "ideas.parquet", columns=["idea_id", "author_id", "status"]),
        "events": pd.read_parquet(path / "events.parquet", columns=EVENT_COLUMNS),
    }
    for name in ("idea_authors", "costs"):
        if (path / f"{name}.parquet").exists():
            t[name] = pd.read_parquet(path / f"{name}.parquet")
    return t


def tag(t: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Events with the credited member, stage and weight (builds-on comments are analyse, 5)."""
    ev = t["events"]
    out = pd.DataFrame(
        {
            "member_id": ev["actor_id"].where(ev["verb"] != "idea.coauthor_added", ev["target_member_id"]),
            "occurred_at": ev["occurred_at"],
            "verb": ev["verb"],
        }
    )
    out["stage"] = ev["verb"].map({v: s for v, (s, _) in STAGE_WEIGHT.items()})
    out["weight"] = ev["verb"].map({v: w for v, (_, w) in STAGE_WEIGHT.items()}).fillna(0)
    builds = (ev["verb"] == "comment.posted") & ev["details"].str.contains(r'"builds_on"\s*:\s*true', na=False)
    out.loc[builds, "stage"] = "analyse"
    out.loc[builds, "weight"] = 5
    return out[out["member_id"].notna()]


def credits(t: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """idea_id, member_id of every credited member (authors and accepted co-authors)."""
    if "idea_authors" in t:
        return t["idea_authors"][["idea_id", "member_id"]]
    return t["ideas"].rename(columns={"author_id": "member_id"})[["idea_id", "member_id"]]


def involvement(t: dict[str, pd.DataFrame], tagged: pd.DataFrame) -> dict[str, Any]:
    """Funnel per segment, involvement index per segment, Gini and 90-9-1 shares."""
    members = t["members"]
    people = members[~members["is_staff"]].copy()
    people["segment"] = people["segment"].fillna("(none)")
    funnel = funnel_table(people["segment"].to_numpy(), deepest_step(t, people["member_id"]))

    staged = tagged[tagged["stage"].notna()].merge(people[["member_id", "segment"]], on="member_id")
    index = staged.pivot_table(index="segment", columns="stage", values="weight", aggfunc="sum", fill_value=0)
    index = index.div(index.sum(axis=1), axis=0)

    counts = tagged[tagged["verb"].isin(CONTRIBUTIONS)].groupby("member_id").size()
    per_member = people[["member_id", "segment"]].copy()
    per_member["contributions"] = per_member["member_id"].map(counts).fillna(0).astype("int64")
    inequality = {"(all)": gini_shares(per_member["contributions"].to_numpy())}
    for seg, part in per_member.groupby("segment"):
        inequality[seg] = gini_shares(part["contributions"].to_numpy())
    overall = inequality["(all)"]
    return {
        "headline": {
            "members": len(people),
            "gini": overall["gini"],
            "top1_share": overall["top1"],
            "top10_share": overall["top1"] + overall["next9"],
            "lurkers": overall["lurkers"],
        },
        "funnel": funnel.to_dict("records"),
        "involvement_index": index.reset_index().to_dict("records"),
        "inequality": inequality,
    }


def gini_shares(x: np.ndarray) -> dict[str, float]:
    """Gini = sum_i (2i - n - 1) x_(i) / (n sum x); shares of the top 1% and next 9%."""
    x = np.sort(x.astype("float64"))
    n = len(x)
    total = x.sum()
    i = np.arange(1, n + 1)
    top1 = x[n - math.ceil(0.01 * n) :].sum()
    top10 = x[n - math.ceil(0.10 * n) :].sum()
    return {
        "gini": float(((2 * i - n - 1) * x).sum() / (n * total)),
        "top1": float(top1 / total),
        "next9": float((top10 - top1) / total),
        "lurkers": float((x == 0).mean()),
    }


def channels(t: dict[str, pd.DataFrame], tagged: pd.DataFrame, retention_days: int = 90) -> dict[str, Any]:
    """Per channel: reach, activation, funnel shares, accepted per 100, retention, cost."""
    members = t["members"]
    people = members[~members["is_staff"]].copy()
    people["channel"] = people["channel"].fillna("(unknown)")
    people["join_day"] = _days(people["joined_at"])
    contributors = tagged.loc[tagged["verb"].isin(CONTRIBUTIONS), "member_id"].unique()
    people["activated"] = people["member_id"].isin(contributors)
    table = people.groupby("channel").agg(reach=("member_id", "size"), activated=("activated", "sum"))
    table["activation"] = table["activated"] / table["reach"]

    ideas = t["ideas"]
    acc = ideas[ideas["status"].isin(ACCEPTED)].merge(people, left_on="author_id", right_on="member_id")
    table["accepted_per_100"] = 100 * acc.groupby("channel").size().reindex(table.index, fill_value=0) / table["reach"]

    ev = t["events"]
    last_day = _days(ev["occurred_at"]).max()
    eligible = people[people["join_day"] + retention_days <= last_day]
    seen = ev.loc[ev["verb"] != "member.joined", ["actor_id", "occurred_at"]]
    seen = seen.assign(day=_days(seen["occurred_at"])).merge(
        eligible[["member_id", "join_day"]], left_on="actor_id", right_on="member_id"
    )
    offset = seen["day"] - seen["join_day"]
    kept = seen.loc[(offset >= retention_days - 30) & (offset < retention_days), "member_id"].unique()
    elig = (
        eligible.assign(retained=eligible["member_id"].isin(kept)).groupby("channel")["retained"].agg(["size", "sum"])
    )
    table["retention_90"] = elig["sum"] / elig["size"]

    funnel = funnel_table(people["channel"].to_numpy(), deepest_step(t, people["member_id"]))
    table = table.join(funnel.pivot(index="group", columns="step", values="share")[STEPS].add_prefix("share_"))
    if "costs" in t:
        spend = t["costs"].groupby("channel")["spend"].sum()
        table["cost_per_activated"] = spend.reindex(table.index) / table["activated"]
    table = table.sort_values("reach", ascending=False)
    return {"table": table.reset_index().to_dict("records")}


def deepest_step(t: dict[str, pd.DataFrame], ids: pd.Series) -> np.ndarray:
    """Index in STEPS of the deepest funnel step each member reached (-1 for none)."""
    ev = t["events"]
    ev = ev[(ev["verb"] != "member.joined") & ev["actor_id"].notna()]
    ideas = t["ideas"]
    cred = credits(t).merge(ideas, on="idea_id")
    submitters = np.union1d(ev.loc[ev["verb"] == "idea.submitted", "actor_id"].unique(), ideas["author_id"].unique())
    coauthors = np.union1d(
        ev.loc[ev["verb"] == "idea.coauthor_added", "target_member_id"].dropna().unique(),
        cred.loc[cred["member_id"] != cred["author_id"], "member_id"].unique(),
    )
    steps = np.column_stack(
        [
            ids.isin(ev["actor_id"].unique()),
            ids.isin(ev.loc[ev["verb"].isin(VOTES), "actor_id"].unique()),
            ids.isin(ev.loc[ev["verb"] == "comment.posted", "actor_id"].unique()),
            ids.isin(submitters),
            ids.isin(coauthors),
            ids.isin(cred.loc[cred["status"].isin(ACCEPTED), "member_id"].unique()),
        ]
    )
    return np.where(steps.any(axis=1), steps.shape[1] - 1 - np.argmax(steps[:, ::-1], axis=1), -1)


def funnel_table(groups: np.ndarray, deepest: np.ndarray) -> pd.DataFrame:
    """group, step, size, reached (deepest step this one or later), share, conversion."""
    df = pd.DataFrame({"group": groups, "deepest": deepest})
    rows = []
    for group, part in df.groupby("group"):
        size = len(part)
        previous = size
        for i, step in enumerate(STEPS):
            reached = int((part["deepest"] >= i).sum())
            rows.append(
                {
                    "group": group,
                    "step": step,
                    "size": size,
                    "reached": reached,
                    "share": reached / size,
                    "conversion": reached / previous if previous else math.nan,
                }
            )
            previous = reached
    return pd.DataFrame(rows)


def _days(ts: pd.Series) -> pd.Series:
    return (ts - pd.Timestamp("1970-01-01", tz="UTC")).dt.total_seconds() / 86_400


def influence(t: dict[str, pd.DataFrame], tagged: pd.DataFrame, sample_members: int | None = None) -> dict[str, Any]:
    """Interaction graph -> PageRank (networkx) and k-core; influence ratio of prosumers."""
    members = t["members"]
    staff = set(members.loc[members["is_staff"], "member_id"])
    people_ids = members.loc[~members["is_staff"], "member_id"].to_numpy()
    ev = t["events"]
    parts = [
        ev.loc[ev["verb"] == "comment.posted", ["actor_id", "target_member_id"]].set_axis(["src", "dst"], axis=1),
        ev.loc[ev["verb"] == "idea.supported", ["actor_id", "target_member_id"]].set_axis(["src", "dst"], axis=1),
    ]
    a = credits(t)
    pairs = a.merge(a, on="idea_id")
    parts.append(
        pairs.loc[pairs["member_id_x"] != pairs["member_id_y"], ["member_id_x", "member_id_y"]].set_axis(
            ["src", "dst"], axis=1
        )
    )
    referrals = (
        pd.concat(
            [
                ev.loc[ev["verb"] == "member.referred", ["target_member_id", "actor_id"]].set_axis(
                    ["src", "dst"], axis=1
                ),
                members.loc[members["referred_by"].notna(), ["member_id", "referred_by"]].set_axis(
                    ["src", "dst"], axis=1
                ),
            ]
        )
        .dropna()
        .astype("int64")
        .drop_duplicates()
    )
    parts.append(referrals)
    edges = pd.concat(parts).dropna().astype("int64")
    edges = edges[(edges["src"] != edges["dst"]) & ~edges["src"].isin(staff) & ~edges["dst"].isin(staff)]
    nodes = people_ids
    full_size = len(nodes) + len(edges.drop_duplicates(["src", "dst"]))
    if sample_members is not None and sample_members < len(nodes):
        rng = np.random.default_rng(0)
        nodes = np.sort(rng.choice(nodes, size=sample_members, replace=False))
        edges = edges[edges["src"].isin(nodes) & edges["dst"].isin(nodes)]
    weighted = edges.groupby(["src", "dst"]).size().rename("weight").reset_index()
    timings: dict[str, float] = {}
    start = time.perf_counter()
    g = nx.DiGraph()
    g.add_nodes_from(nodes.tolist())
    g.add_weighted_edges_from(weighted.itertuples(index=False, name=None))
    timings["build_graph"] = time.perf_counter() - start
    start = time.perf_counter()
    # networkx stops when the L1 change is below n * tol; with the default tol (1e-6)
    # and a million vertices that is after one or two iterations, so tol is scaled.
    pr = nx.pagerank(g, alpha=0.85, weight="weight", tol=1e-6 / len(nodes))
    timings["pagerank"] = time.perf_counter() - start
    start = time.perf_counter()
    und = g.to_undirected(as_view=False)
    und.remove_edges_from(nx.selfloop_edges(und))
    core = nx.core_number(und)
    timings["core_number"] = time.perf_counter() - start

    scores = pd.DataFrame({"member_id": nodes})
    scores["influence"] = scores["member_id"].map(pr) * len(nodes)
    scores["coreness"] = scores["member_id"].map(core)
    scores["referrals"] = scores["member_id"].map(referrals.groupby("dst").size()).fillna(0)
    scores["in_weight"] = scores["member_id"].map(weighted.groupby("dst")["weight"].sum()).fillna(0)

    pros = prosumers(t, tagged)
    is_pro = scores["member_id"].isin(pros)
    ratios = {}
    for measure in ("influence", "coreness", "referrals", "in_weight"):
        other = scores.loc[~is_pro, measure].mean()
        ratios[measure] = float(scores.loc[is_pro, measure].mean() / other) if other else math.nan
    return {
        "headline": {
            "prosumers": int(is_pro.sum()),
            "influence_ratio": ratios["influence"],
            "largest_core": int(scores["coreness"].max()),
        },
        "ratios": ratios,
        "graph": {
            "vertices": g.number_of_nodes(),
            "edges": g.number_of_edges(),
            "sample_members": sample_members,
            "full_vertices_plus_edges": full_size,
        },
        "graph_seconds": timings,
    }


def prosumers(t: dict[str, pd.DataFrame], tagged: pd.DataFrame) -> np.ndarray:
    """Credited on an accepted idea, or a leader (analyse act, 30+ active days in 3 months)."""
    members = t["members"]
    people = members.loc[~members["is_staff"], "member_id"]
    cred = credits(t).merge(t["ideas"], on="idea_id")
    by_idea = cred.loc[cred["status"].isin(ACCEPTED), "member_id"].unique()

    staged = tagged[tagged["stage"].notna() & tagged["member_id"].isin(people)].copy()
    ts = staged["occurred_at"]
    staged["month"] = ts.dt.year * 12 + ts.dt.month - 1
    staged["day"] = ts.dt.day
    staged["rank"] = staged["stage"].map({"collect": 1, "process": 2, "analyse": 3})
    daily = staged.groupby(["member_id", "month", "day"])["rank"].max().reset_index()
    monthly = daily.groupby(["member_id", "month"]).agg(rank=("rank", "max"), days=("day", "size")).reset_index()
    last_month = int(monthly["month"].max())
    window = pd.concat([monthly.assign(month=monthly["month"] + k) for k in range(3)])
    window = window[window["month"] <= last_month]
    agg = window.groupby(["member_id", "month"]).agg(rank=("rank", "max"), days=("days", "sum"))
    leaders = agg[(agg["rank"] == 3) & (agg["days"] >= 30)].index.get_level_values("member_id").unique()
    return np.union1d(by_idea, leaders.to_numpy())


def run(path: Path, sample_members: int | None = None, out: Path | None = None) -> dict[str, Any]:
    """Load, then the three sections, each timed; the figures so far are written to ``out`` after each."""
    result: dict[str, Any] = {"seconds": {}, "sample_members": sample_members}

    def timed(name: str, fn: Any, *a: Any) -> Any:
        start = time.perf_counter()
        value = fn(*a)
        result["seconds"][name] = round(time.perf_counter() - start, 2)
        if out is not None:
            out.write_text(json.dumps(result, indent=1, default=_plain), encoding="utf-8")
        return value

    t, tagged = timed("load", lambda: (lambda t: (t, tag(t)))(load(path)))
    result["involvement"] = timed("involvement", involvement, t, tagged)
    result["channels"] = timed("channels", channels, t, tagged)
    result["influence"] = timed("influence", influence, t, tagged, sample_members)
    if out is not None:
        out.write_text(json.dumps(result, indent=1, default=_plain), encoding="utf-8")
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.analytics.baseline", description=__doc__.splitlines()[0])
    parser.add_argument("dataset", type=Path)
    parser.add_argument("--json", type=Path, required=True, help="where to write the figures")
    parser.add_argument("--sample-members", type=int, default=None)
    args = parser.parse_args(argv)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    result = run(args.dataset, args.sample_members, args.json)
    print(json.dumps(result["seconds"]), file=sys.stderr)
    return 0


def _plain(value: Any) -> Any:
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return str(value)


if __name__ == "__main__":
    sys.exit(main())
