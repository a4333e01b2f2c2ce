from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from prosumo.analytics.metrics import influence
from prosumo.analytics.sections import influence as influence_section


def test_graph_scores_karate_club():
    # given: Zachary's karate club, unweighted and undirected
    g = nx.karate_club_graph()
    edges = np.array(list(g.edges()))
    # when
    out = influence.graph_scores(g.number_of_nodes(), edges[:, 0], edges[:, 1], directed=False)
    # then
    top = out["pagerank"].sort_values(ascending=False)
    assert top.index[:2].tolist() == [33, 0]
    assert round(top.iloc[0], 4) == 0.1009
    assert round(top.iloc[1], 4) == 0.0970
    assert out["coreness"].max() == 4


def test_interaction_edges_by_kind(make_dataset, tiny):
    # given
    ds = make_dataset(**tiny)
    # when
    edges = influence.interaction_edges(ds).execute()
    # then
    got = {(r.src, r.dst, r.kind): r.weight for r in edges.itertuples()}
    assert got == {
        (2, 1, "support"): 1,
        (2, 1, "reply"): 1,
        (1, 3, "coauthor"): 1,
        (3, 1, "coauthor"): 1,
        (4, 2, "support"): 1,
        (3, 2, "reply"): 1,
    }


def test_referrals_from_events_and_members_count_once(make_dataset, b):
    # given: member 1 referred 2 (both an event and referred_by) and 3 (referred_by only)
    members = b.members(
        [
            (1, b.at(1), None, None, False),
            (2, b.at(2), None, None, False, 1),
            (3, b.at(3), None, None, False, 1),
        ]
    )
    events = b.events([(b.at(2), 1, "member.referred", None, 2)])
    ds = make_dataset(members=members, ideas=b.ideas([]), events=events)
    # when
    scores = influence.member_graph_scores(ds).set_index("member_id")
    # then
    assert scores["referrals"].to_dict() == {1: 2, 2: 0, 3: 0}


def test_influence_ratio_matches_an_independent_pagerank(make_dataset, tiny):
    # given: prosumers are members 1 and 3 (credited on accepted idea 10)
    ds = make_dataset(**tiny)
    g = nx.DiGraph()
    g.add_nodes_from([1, 2, 3, 4, 5])
    g.add_weighted_edges_from([(2, 1, 2.0), (1, 3, 1.0), (3, 1, 1.0), (4, 2, 1.0), (3, 2, 1.0)])
    pr = nx.pagerank(g, alpha=0.85, weight="weight", tol=1e-13, max_iter=10_000)
    expected = (pr[1] + pr[3]) / 2 / ((pr[2] + pr[4] + pr[5]) / 3)
    # when
    out = influence.influence_ratio(ds, draws=200).set_index("measure")
    # then
    assert out.loc["influence", "prosumers"] == 2
    assert out.loc["influence", "ratio"] == pytest.approx(expected, rel=1e-6)
    # two prosumers and three others: too few for an interval
    assert out.loc["influence", "interval"] == "too few"
    assert np.isnan(out.loc["influence", "low_95"])
    assert np.isnan(out.loc["influence", "high_95"])
    assert not out.loc["influence", "within_claim"]


def test_ratio_of_means_interval_collapses_on_constant_groups():
    # given
    x = np.full(3, 2.0)
    y = np.full(60_000, 1.0)
    # when
    ratio, low, high = influence.ratio_of_means(x, y, draws=100)
    # then
    assert (ratio, low, high) == (2.0, 2.0, 2.0)


def test_ratio_of_means_interval_covers_the_ratio():
    rng = np.random.default_rng(1)
    x = rng.exponential(5.0, 400)
    y = rng.exponential(1.0, 4000)
    ratio, low, high = influence.ratio_of_means(x, y)
    assert low < ratio < high
    assert low < 5.0 < high


def test_section_renders(make_dataset, tiny):
    sec = influence_section.section(make_dataset(**tiny))
    assert sec.headline["prosumers"] == 2
    assert sec.headline["largest_core"] == 2
    assert sec.headline["influence_ratio_95"] == "too few"


def test_an_interval_from_the_minimum_group_size(make_dataset, b):
    # given: 10 prosumers (each credited on an accepted idea) and 10 other members who support them
    members = b.members([(i, b.at(1), None, None, False) for i in range(1, 21)])
    ideas = b.ideas([(100 + i, i, b.at(2), "accepted") for i in range(1, 11)])
    events = b.events([(b.at(3), 10 + i, "idea.supported", 100 + i, i, None, 1.0) for i in range(1, 11)])
    ds = make_dataset(members=members, ideas=ideas, events=events)
    # when
    out = influence.influence_ratio(ds, draws=200).set_index("measure")
    # then
    assert (out.loc["influence", "prosumers"], out.loc["influence", "others"]) == (10, 10)
    assert out.loc["influence", "interval"] == ""
    assert out.loc["influence", "low_95"] <= out.loc["influence", "ratio"] <= out.loc["influence", "high_95"]


def test_support_links_are_positive_votes_that_stand(make_dataset, b):
    # given: 2 votes up on 1's idea, 3 votes down, 4 passes (Pol.is 0), 5 votes up then down
    members = b.members([(i, b.at(1), None, None, False) for i in (1, 2, 3, 4, 5)])
    ideas = b.ideas([(10, 1, b.at(2), "open")])
    events = b.events(
        [
            (b.at(3), 2, "idea.supported", 10, 1, None, 1.0),
            (b.at(3), 3, "idea.supported", 10, 1, None, -1.0),
            (b.at(3), 4, "idea.supported", 10, 1, None, 0.0),
            (b.at(3), 5, "idea.supported", 10, 1, None, 1.0),
            (b.at(4), 5, "idea.supported", 10, 1, '{"previous": 1}', -1.0),
        ]
    )
    ds = make_dataset(members=members, ideas=ideas, events=events)
    # when
    edges = influence.interaction_edges(ds).execute()
    # then
    assert [(r.src, r.dst, r.kind, r.weight) for r in edges.itertuples()] == [(2, 1, "support", 1)]
