from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from prosumo.analytics.metrics import relationship
from prosumo.analytics.sections import relationship as relationship_section


@pytest.fixture
def community(make_dataset, b):
    """Members 1-3 join on 1 January 2024; member 9 is staff.

    Member 1 submits idea 10 (5 Jan, answered 8 Jan) and idea 12 (10 Feb, answered
    20 Feb); member 2 submits idea 11 (6 Jan, never answered); member 3 views in
    January, supports in March and visits on 1 June (the last event).
    """
    members = b.members(
        [
            (1, b.at(1), None, None, False),
            (2, b.at(1), None, None, False),
            (3, b.at(1), None, None, False),
            (9, b.at(1), None, None, True),
        ]
    )
    ideas = b.ideas([(10, 1, b.at(5), "accepted"), (11, 2, b.at(6), "open"), (12, 1, b.at(10, 2), "declined")])
    events = b.events(
        [
            (b.at(5), 1, "idea.submitted", 10),
            (b.at(6), 2, "idea.submitted", 11),
            (b.at(8), 9, "idea.stage_changed", 10),
            (b.at(10), 3, "idea.viewed", 10),
            (b.at(10, 2), 1, "idea.submitted", 12),
            (b.at(20, 2), 9, "idea.stage_changed", 12),
            (b.at(1, 3), 3, "idea.supported", 10, 1, None, 1.0),
            (b.at(1, 6), 3, "member.visited"),
        ]
    )
    return make_dataset(members=members, ideas=ideas, events=events)


def test_level_counts_weighted_commitment_and_gravity(community):
    # when
    out = relationship.level_counts(community)
    # then
    assert out["observer"].tolist() == [1, 1, 0, 0, 0, 1]
    assert out["participant"].tolist() == [0, 0, 1, 1, 1, 0]
    assert out["contributor"].tolist() == [2, 2, 2, 1, 0, 0]
    assert out["weighted_commitment"].tolist() == [19, 19, 22, 13, 4, 1]
    assert out["members"].tolist() == [3] * 6
    np.testing.assert_allclose(out["gravity"], [np.nan, 0, 1, -3, -3, -1])
    assert out["month"].iloc[0] == pd.Timestamp("2024-01-01", tz="UTC")


def test_level_moves_up_held_down(community):
    # when
    out = relationship.level_moves(community)
    # then: February to June
    assert out["up"].tolist() == [0, 1, 0, 0, 0]
    assert out["held"].tolist() == [3, 2, 2, 1, 0]
    assert out["down"].tolist() == [0, 0, 1, 1, 1]
    matrix = relationship.level_matrix(community).set_index(["before", "after"])["n"]
    assert matrix[("observer", "participant")] == 1
    assert matrix[("contributor", "inactive")] == 2


def test_gravity_worked_example():
    # given: Orbit's example, 30 members
    # when
    g = relationship.gravity([441, 504, 666], [30, 30, 30])
    # then
    assert np.isnan(g[0])
    assert g[1:] == pytest.approx([2.1, 5.4])


def test_answer_summary(community):
    # when
    out = relationship.answer_summary(community)
    # then: ideas 10 and 12 answered after 3 and 10 days, idea 11 never
    assert out["ideas"] == 3
    assert out["answered_share"] == pytest.approx(2 / 3)
    assert out["median_days"] == pytest.approx(6.5)
    assert out["within_7d"] == pytest.approx(1 / 3)
    assert out["within_30d"] == pytest.approx(2 / 3)


def test_an_automatic_move_is_not_an_answer(make_dataset, b):
    # given: idea 10 reached its support threshold and moved to review by itself (no
    # actor) on 3 Jan, then staff wrote to its author on 9 Jan; idea 11 moved by
    # itself only; idea 12 was moved by staff without a message
    members = b.members([(1, b.at(1), None, None, False), (9, b.at(1), None, None, True)])
    ideas = b.ideas([(10, 1, b.at(2), "under_review"), (11, 1, b.at(2), "under_review"), (12, 1, b.at(2), "open")])
    stages = pd.DataFrame(
        {
            "idea_id": [10, 10, 10, 11, 11, 12, 12],
            "stage": ["submitted", "under_review", "accepted", "submitted", "under_review", "submitted", "open"],
            "changed_at": [b.at(2), b.at(3), b.at(9), b.at(2), b.at(3), b.at(2), b.at(4)],
            "actor_id": pd.array([1, None, 9, 1, None, 1, 9], dtype="Int64"),
            "message": [None, "Reached 10 supporters.", "We are building it.", None, "Reached 10.", None, ""],
        }
    )
    events = b.events(
        [
            (b.at(3), None, "idea.stage_changed", 10, 1, '{"answer": false}'),
            (b.at(3), None, "idea.stage_changed", 11, 1, '{"answer": false}'),
            (b.at(4), 9, "idea.stage_changed", 12, 1, '{"answer": true}'),
            (b.at(9), 9, "idea.stage_changed", 10, 1, '{"answer": true}'),
        ]
    )
    with_stages = make_dataset(members=members, ideas=ideas, events=events, idea_stages=stages)
    without_stages = make_dataset(members=members, ideas=ideas, events=events)
    # when
    from_stages = relationship.answer_summary(with_stages)
    from_events = relationship.answer_summary(without_stages)
    # then: only idea 10 was answered, by staff after 7 days; from the events alone the
    # staff move of idea 12 counts too (events carry no message)
    assert (from_stages["answered"], from_stages["median_days"]) == (1, 7.0)
    assert from_stages["answered_share"] == pytest.approx(1 / 3)
    assert (from_events["answered"], from_events["median_days"]) == (2, 4.5)


def test_answer_effect_compares_answered_and_unanswered_authors(community):
    # when
    effect = relationship.answer_effect(community)
    # then: member 1 (answered) came back on 10 Feb; member 2 (unanswered) never did
    assert (effect.answered_n, effect.answered_returned) == (1, 1)
    assert (effect.unanswered_n, effect.unanswered_returned) == (1, 0)
    assert effect.difference == 1.0
    # one author in each group: no interval, and the note says why
    assert (effect.low, effect.high) == (None, None)
    assert effect.note == (
        "No 95% interval for the return-rate difference: answered 1, unanswered 1 members; "
        "each group needs at least 10."
    )


def _authors(b, answered: int, unanswered: int) -> dict:
    """Authors 1.. submit one idea each on 5 January; staff (99) answer the first ``answered``
    of them on 8 January; every author comes back on 15 February; the last event is 1 June."""
    n = answered + unanswered
    members = b.members([(m, b.at(1), None, None, False) for m in range(1, n + 1)] + [(99, b.at(1), None, None, True)])
    ideas = b.ideas([(100 + m, m, b.at(5), "open") for m in range(1, n + 1)])
    rows = [(b.at(5), m, "idea.submitted", 100 + m) for m in range(1, n + 1)]
    rows += [(b.at(8), 99, "idea.stage_changed", 100 + m) for m in range(1, answered + 1)]
    rows += [(b.at(15, 2), m, "member.visited") for m in range(1, n + 1)]
    rows += [(b.at(1, 6), 99, "member.visited")]
    return {"members": members, "ideas": ideas, "events": b.events(rows)}


def test_answer_effect_has_no_interval_just_below_the_minimum(make_dataset, b):
    # given: 9 answered and 12 unanswered authors
    ds = make_dataset(**_authors(b, answered=9, unanswered=12))
    # when
    effect = relationship.answer_effect(ds)
    sec = relationship_section.section(ds)
    # then
    assert (effect.answered_n, effect.unanswered_n, effect.difference) == (9, 12, 0.0)
    assert (effect.low, effect.high) == (None, None)
    assert effect.note == (
        "No 95% interval for the return-rate difference: answered 9, unanswered 12 members; "
        "each group needs at least 10."
    )
    assert sec.headline["return_difference_95"] == "too few"
    assert effect.note in sec.notes


def test_answer_effect_has_an_interval_at_the_minimum(make_dataset, b):
    # given: 10 answered and 12 unanswered authors
    ds = make_dataset(**_authors(b, answered=10, unanswered=12))
    # when
    effect = relationship.answer_effect(ds)
    sec = relationship_section.section(ds)
    # then
    assert (effect.answered_n, effect.unanswered_n, effect.difference) == (10, 12, 0.0)
    low, high = relationship.rate_difference(10, 10, 12, 12)[1:]
    assert (effect.low, effect.high, effect.note) == (low, high, None)
    assert sec.headline["return_difference_95"] == [low, high]


def test_rate_difference_matches_newcombe():
    # given: Newcombe (1998), 56/70 against 48/80
    # when
    diff, low, high = relationship.rate_difference(56, 70, 48, 80)
    # then
    assert diff == pytest.approx(0.2)
    assert (round(low, 4), round(high, 4)) == (0.0524, 0.3339)


def test_section_renders(community):
    sec = relationship_section.section(community)
    assert sec.headline["ideas_answered_share"] == pytest.approx(2 / 3)
    assert len(sec.charts) == 2
