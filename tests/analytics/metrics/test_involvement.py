from __future__ import annotations

import pytest

from prosumo.analytics.metrics import involvement
from prosumo.analytics.sections import involvement as involvement_section


def test_funnel_counts_each_step_and_the_deepest_step_reached(make_dataset, tiny):
    # given
    ds = make_dataset(**tiny)
    # when
    out = involvement.funnel(ds)
    # then
    a = out[out["group"] == "a"].set_index("step")
    assert a["did"].to_dict() == {
        "visited": 3,
        "voted": 1,
        "commented": 2,
        "submitted": 2,
        "co-authored": 1,
        "accepted": 2,
    }
    assert a["reached"].tolist() == [3, 3, 3, 3, 2, 2]
    assert a["conversion"].tolist() == pytest.approx([1, 1, 1, 1, 2 / 3, 1])
    b = out[out["group"] == "b"].set_index("step")
    assert b["reached"].tolist() == [1, 1, 0, 0, 0, 0]
    assert b.loc["visited", "share"] == 0.5
    assert b["conversion"].tolist()[:3] == [0.5, 1.0, 0.0]


def test_involvement_index_splits_weighted_activity_by_stage(make_dataset, tiny):
    # given
    ds = make_dataset(**tiny)
    # when
    out = involvement.involvement_index(ds).set_index("group")
    # then: a: collect 1, process 2+3, analyse 8+5+8+8 of 35 points; b: 2, 2, 0 of 4
    assert out.loc["a", ["collect", "process", "analyse"]].tolist() == pytest.approx([1 / 35, 5 / 35, 29 / 35])
    assert out.loc["a", "points_per_member"] == pytest.approx(35 / 3)
    assert out.loc["b", ["collect", "process", "analyse"]].tolist() == pytest.approx([0.5, 0.5, 0])
    assert out.loc["b", "penetration"] == 0.5
    assert out.loc["b", "active"] == 1


def test_participation_inequality_gini_and_shares(make_dataset, tiny):
    # given: contributions per member 1, 3, 2, 1, 0 (staff excluded)
    ds = make_dataset(**tiny)
    # when
    out = involvement.participation_inequality(ds).set_index("group")
    # then
    assert out.loc["(all)", "gini"] == pytest.approx(14 / 35)
    assert out.loc["(all)", "top1"] == pytest.approx(3 / 7)
    assert out.loc["(all)", "next9"] == pytest.approx(0)
    assert out.loc["(all)", "rest90"] == pytest.approx(4 / 7)
    assert out.loc["(all)", "lurkers"] == pytest.approx(0.2)
    assert out.loc["a", "gini"] == pytest.approx(2 / 9)
    assert out.loc["b", "gini"] == pytest.approx(0.5)
    assert out.loc["b", "lurkers"] == pytest.approx(0.5)


def test_section_has_headline_tables_and_charts(make_dataset, tiny):
    # given
    ds = make_dataset(**tiny)
    # when
    sec = involvement_section.section(ds)
    # then
    assert sec.key == "involvement"
    assert sec.headline["gini"] == 0.4
    assert set(sec.tables) == {"funnel", "involvement_index", "participation_inequality"}
    assert sec.charts[0].to_dict()["mark"]["type"] == "bar"
