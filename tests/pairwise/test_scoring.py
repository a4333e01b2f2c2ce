"""The score of an idea, checked against values worked out by hand from the formulas in scoring.py."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prosumo.pairwise.scoring import Score, idea_score, scores


def test_three_wins_one_loss_by_hand():
    # a = 4, b = 2: mean 4/6; sd = sqrt(8 / (36 * 7)) = 0.178174; 1.96 sd = 0.349221
    s = idea_score(3, 1)
    assert s.score == pytest.approx(2 / 3)
    assert s.low == pytest.approx(0.317446, abs=1e-6)
    assert s.high == 1.0  # 1.015888 cut to 1


def test_one_win_two_losses_by_hand():
    # a = 2, b = 3: mean 2/5; sd = sqrt(6 / (25 * 6)) = 0.2; 1.96 sd = 0.392
    s = idea_score(1, 2)
    assert (s.wins, s.losses) == (1, 2)
    assert s.score == pytest.approx(0.4)
    assert s.low == pytest.approx(0.008)
    assert s.high == pytest.approx(0.792)


def test_an_idea_never_compared_scores_a_half_with_the_widest_interval():
    # a = b = 1: sd = sqrt(1 / 12) = 0.288675; 1.96 sd = 0.565803, cut to [0, 1]
    assert idea_score(0, 0) == Score(0, 0, 0.5, 0.0, 1.0)


def test_scores_count_each_winner_and_loser():
    found = scores([1, 2, 3, 4], [(1, 2), (1, 2), (1, 3), (3, 1), (2, 3)])
    assert {pk: (s.wins, s.losses) for pk, s in found.items()} == {1: (3, 1), 2: (1, 2), 3: (1, 2), 4: (0, 0)}
    assert found[1].score == pytest.approx(2 / 3)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 500), st.integers(0, 500))
def test_the_interval_holds_the_score_and_narrows_with_more_comparisons(wins, losses):
    s, more = idea_score(wins, losses), idea_score(2 * wins + 1, 2 * losses + 1)
    assert 0.0 <= s.low <= s.score <= s.high <= 1.0
    assert math.isclose(s.score, (wins + 1) / (wins + losses + 2))
    assert more.high - more.low < s.high - s.low or s.high - s.low == 0
