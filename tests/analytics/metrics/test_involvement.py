from __future__ import annotations

import pandas as pd
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
    # of those who did the step before, the share who did this one too
    assert a["conversion"].tolist() == pytest.approx([1, 1 / 3, 1, 1 / 2, 0, 1])
    assert a["share"].tolist() == pytest.approx([1, 1 / 3, 2 / 3, 2 / 3, 1 / 3, 2 / 3])
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


def test_a_step_nobody_took_is_zero_and_says_what_it_counts(make_dataset, b):
    # given: two members submit ideas and one comments; nobody votes
    members = b.members([(1, b.at(1), "a", None, False), (2, b.at(1), "a", None, False)])
    ideas = b.ideas([(10, 1, b.at(2), "open"), (11, 2, b.at(2), "open")])
    events = b.events(
        [
            (b.at(2), 1, "idea.submitted", 10),
            (b.at(2), 2, "idea.submitted", 11),
            (b.at(3), 1, "comment.posted", 100, 2, '{"idea_id": 11}'),
        ]
    )
    ds = make_dataset(members=members, ideas=ideas, events=events)
    # when
    out = involvement.funnel(ds).set_index("step")
    # then: both reached "voted" on the way to submitting, but nobody voted
    assert out.loc["voted", "reached"] == 2
    assert (out.loc["voted", "did"], out.loc["voted", "share"]) == (0, 0.0)
    assert out.loc["commented", "share"] == 0.5
    assert out.loc["voted", "definition"] == involvement.STEP_DEFINITIONS["voted"]
    assert out["definition"].notna().all()


def test_top_one_percent_of_126_members_is_one_member(make_dataset, b):
    # given: 126 members, contributions 126, 125, ..., 1
    members = b.members([(i, b.at(1), None, None, False) for i in range(1, 127)])
    ideas = b.ideas([(1, 1, b.at(2), "open")])
    comments = [(b.at(3), i, "comment.posted", 1000 + i * 200 + k) for i in range(1, 127) for k in range(127 - i)]
    ds = make_dataset(members=members, ideas=ideas, events=b.events(comments))
    # when
    out = involvement.participation_inequality(ds).set_index("group").loc["(all)"]
    # then: round(1.26) = 1 member, round(12.6) = 13 members
    total = sum(range(1, 127))
    assert (out["top1_members"], out["top10_members"]) == (1, 13)
    assert out["top1"] == pytest.approx(126 / total)
    assert out["next9"] == pytest.approx(sum(range(114, 126)) / total)


def test_answering_a_survey_is_a_collect_act(make_dataset, tiny, b):
    # given: member 5 (segment b), who did nothing else, answers a survey, then changes the answers
    survey = b.events(
        [
            (
                b.at(10),
                5,
                "survey.answered",
                1,
                None,
                '{"survey": 1, "template": "drivers", "scores": {"fun": 5}}',
                1.0,
            ),
            (
                b.at(11),
                5,
                "survey.answer_changed",
                1,
                None,
                '{"survey": 1, "template": "drivers", "scores": {"fun": 6}}',
                1.0,
            ),
        ]
    )
    survey["event_id"] += 100
    ds = make_dataset(**{**tiny, "events": pd.concat([tiny["events"], survey], ignore_index=True)})
    # when
    out = involvement.involvement_index(ds).set_index("group")
    # then: b: collect 2 + 1 (the first answer only), process 2, of 5 points; member 5 is now active
    assert out.loc["b", ["collect", "process", "analyse"]].tolist() == pytest.approx([0.6, 0.4, 0])
    assert out.loc["b", "active"] == 2
    assert out.loc["b", "penetration"] == 1.0
    assert out.loc["a", ["collect", "process", "analyse"]].tolist() == pytest.approx([1 / 35, 5 / 35, 29 / 35])
