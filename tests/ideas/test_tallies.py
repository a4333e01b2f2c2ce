"""Tallies: how votes move an idea's counts and ranking keys, and that a withdrawal undoes a vote."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from prosumo.ideas import ranking, tallies
from prosumo.ideas.models import Idea
from prosumo.ideas.services import vote_cast, vote_withdraw

CREATED = datetime(2031, 3, 1, 12, tzinfo=UTC)
VALUES = {"support": st.just(1), "updown": st.sampled_from([1, -1]), "score": st.integers(1, 5)}


@st.composite
def histories(draw: st.DrawFn) -> tuple[str, list[tuple[str, int, int]]]:
    """A voting mode and steps: cast a vote (value, seconds after the last step) or withdraw a live one."""
    mode = draw(st.sampled_from(sorted(VALUES)))
    steps = draw(
        st.lists(
            st.one_of(
                st.tuples(st.just("cast"), VALUES[mode], st.integers(0, 120 * 86400)),
                st.tuples(st.just("withdraw"), st.integers(0, 10_000), st.just(0)),
            ),
            max_size=40,
        )
    )
    return mode, steps


@settings(max_examples=400, deadline=None)
@given(history=histories(), order=st.randoms(use_true_random=False))
def test_withdrawing_every_vote_brings_every_key_back_to_empty(history, order):
    # given: votes cast and withdrawn in any order, as the vote service moves the tallies
    mode, steps = history
    counts, live, now = tallies.EMPTY, [], CREATED
    for kind, number, gap in steps:
        if kind == "cast":
            now += timedelta(seconds=gap)
            live.append((number, now))
            counts = tallies.vote_added(counts, mode=mode, value=number, at=now)
        elif live:
            value, at = live.pop(number % len(live))
            counts = tallies.vote_removed(counts, mode=mode, value=value, at=at)
    # when: every vote left is withdrawn
    order.shuffle(live)
    for value, at in live:
        counts = tallies.vote_removed(counts, mode=mode, value=value, at=at)
    # then: the counts and the keys are those of an idea nobody voted on
    assert counts == tallies.EMPTY
    assert tallies.keys(counts, mode=mode, created_at=CREATED) == (0.0, ranking.hot(0.0, CREATED), 0.0)


def test_the_trending_key_of_a_support_withdrawn_last_holds_no_residue(
    make_campaign, make_idea, make_member, time_machine
):
    # given: two supports ten days apart (where the log-sum kept 913.9 after both were withdrawn)
    time_machine.move_to(CREATED, tick=False)
    campaign = make_campaign(title="Tents for families")
    first, second = make_member(), make_member()
    idea = make_idea(first, in_campaign=campaign)
    vote_cast(actor=first, idea_id=idea.pk)
    time_machine.move_to(CREATED + timedelta(days=10), tick=False)
    vote_cast(actor=second, idea_id=idea.pk)
    # when: the later support is withdrawn, then the earlier one
    vote_withdraw(actor=second, idea_id=idea.pk)
    vote_withdraw(actor=first, idea_id=idea.pk)
    # then: every key is back to its empty value
    idea = Idea.objects.get(pk=idea.pk)
    assert (idea.support_count, idea.rank_top, idea.rank_trending) == (0, 0.0, 0.0)
    assert idea.rank_hot == ranking.hot(0.0, idea.created_at)


def test_a_changed_vote_moves_the_counts_from_one_side_to_the_other():
    # given: one up vote and one down vote
    at = CREATED + timedelta(hours=1)
    counts = tallies.vote_added(tallies.EMPTY, mode="updown", value=1, at=at)
    counts = tallies.vote_added(counts, mode="updown", value=-1, at=at)
    # when: the up vote becomes a down vote
    changed = tallies.vote_added(
        tallies.vote_removed(counts, mode="updown", value=1, at=at), mode="updown", value=-1, at=at
    )
    # then: two down votes, and nothing positive left to trend
    assert changed == tallies.Tallies(up=0, down=2, trending=0.0)
    assert counts == tallies.Tallies(up=1, down=1, trending=ranking.vote_weight_log(at))
