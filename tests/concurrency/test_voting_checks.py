"""The checks of the concurrency tests catch a lost vote, a vote counted twice and a stale ranking key."""

from __future__ import annotations

import math
from datetime import UTC, datetime

from prosumo.ideas import ranking
from tests.concurrency.voting import IdeaRow, VoteRow, discrepancies, plan, replay, tallies_from_votes, trending_key

T1 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
T2 = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
CREATED = datetime(2026, 10, 1, tzinfo=UTC)


def updown_idea(up: int, down: int, trending: float) -> IdeaRow:
    return IdeaRow(
        idea_id=7,
        mode="updown",
        created_at=CREATED,
        tallies={"support_count": 0, "up_count": up, "down_count": down, "score_sum": 0, "score_count": 0},
        rank_top=ranking.wilson_lower_bound(up, down),
        rank_hot=ranking.hot(up - down, CREATED),
        rank_trending=trending,
    )


# member 1 votes up, changes to down; member 2 votes up, withdraws, votes up again; member 3 votes up, withdraws
EVENTS = [
    (1, "idea.supported", 7, 1, 1.0, False),
    (2, "idea.supported", 7, 2, 1.0, False),
    (3, "idea.supported", 7, 1, -1.0, True),
    (4, "idea.support_withdrawn", 7, 2, 1.0, False),
    (5, "idea.supported", 7, 3, 1.0, False),
    (6, "idea.supported", 7, 2, 1.0, False),
    (7, "idea.support_withdrawn", 7, 3, 1.0, False),
]
VOTES = [VoteRow(7, 1, -1, T1), VoteRow(7, 2, 1, T2)]


def test_replay_keeps_each_members_last_vote():
    assert replay(EVENTS) == {(7, 1): -1, (7, 2): 1}


def test_replay_follows_event_ids_not_list_order():
    assert replay(list(reversed(EVENTS))) == {(7, 1): -1, (7, 2): 1}


def test_tallies_from_votes_per_mode():
    assert tallies_from_votes("updown", [1, -1, 1]) == {
        "support_count": 0,
        "up_count": 2,
        "down_count": 1,
        "score_sum": 0,
        "score_count": 0,
    }
    assert tallies_from_votes("score", [5, 2]) == {
        "support_count": 0,
        "up_count": 0,
        "down_count": 0,
        "score_sum": 7,
        "score_count": 2,
    }


def test_trending_key_of_two_votes_a_half_life_apart():
    # given two votes 72 hours apart: weights w and 2w, so the key is log(3) + log w(first)
    first = datetime(2026, 1, 1, tzinfo=UTC)
    later = datetime(2026, 1, 4, tzinfo=UTC)
    # then
    expected = math.log(2) / (72 * 3600) * (first - ranking.EPOCH).total_seconds() + math.log(3)
    assert math.isclose(trending_key([first, later], 72.0), expected, rel_tol=1e-12)
    assert trending_key([], 72.0) == 0.0


def test_consistent_records_have_no_discrepancy():
    idea = updown_idea(up=1, down=1, trending=trending_key([T2], 72.0))
    assert discrepancies([idea], VOTES, EVENTS, half_life_hours=72.0) == []


def test_a_lost_vote_is_reported_against_the_table_and_the_log():
    # given tallies that missed member 2's vote
    idea = updown_idea(up=0, down=1, trending=trending_key([T2], 72.0))
    # when
    found = discrepancies([idea], VOTES, EVENTS, half_life_hours=72.0)
    # then
    assert len(found) == 2
    assert found[0].startswith("idea 7 (updown): tallies {'support_count': 0, 'up_count': 0")
    assert "!= votes table {'support_count': 0, 'up_count': 1, 'down_count': 1" in found[0]
    assert "!= event replay {'support_count': 0, 'up_count': 1, 'down_count': 1" in found[1]


def test_a_vote_missing_from_the_event_log_is_reported():
    idea = updown_idea(up=1, down=1, trending=trending_key([T2], 72.0))
    found = discrepancies([idea], VOTES, EVENTS[:-2], half_life_hours=72.0)
    assert found[0].startswith("event replay and votes table differ on 2 (idea, member, value)")


def test_a_stale_trending_key_is_reported():
    idea = updown_idea(up=1, down=1, trending=trending_key([T1, T2], 72.0))
    assert discrepancies([idea], VOTES, EVENTS, half_life_hours=72.0) == [
        f"idea 7: rank_trending {trending_key([T1, T2], 72.0)} != {trending_key([T2], 72.0)}"
    ]


def test_plan_puts_each_burst_together_with_one_member_and_idea():
    requests = plan(
        tokens=["a", "b", "c"], ideas={1: "support", 2: "score"}, requests=30, bursts=2, burst_size=5, seed=3
    )
    assert len(requests) == 40
    for number in (0, 1):
        burst = [i for i, r in enumerate(requests) if r.burst == number]
        assert burst == list(range(burst[0], burst[0] + 5))
        assert len({(requests[i].token, requests[i].idea_id) for i in burst}) == 1
