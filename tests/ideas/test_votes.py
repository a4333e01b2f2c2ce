from __future__ import annotations

import pytest

from prosumo.activity.models import Event
from prosumo.core.errors import InvalidInput, NotAuthenticated, PermissionDenied
from prosumo.ideas.models import Idea, Stage, Vote
from prosumo.ideas.services import vote_cast, vote_withdraw


def tallies(idea: Idea) -> tuple[int, int, int, int, int]:
    idea.refresh_from_db()
    return idea.support_count, idea.up_count, idea.down_count, idea.score_sum, idea.score_count


def test_support_counts_once_per_member(idea, make_member):
    # given
    a, b = make_member(), make_member()
    # when
    vote_cast(actor=a, idea_id=idea.pk)
    vote_cast(actor=a, idea_id=idea.pk)
    vote_cast(actor=b, idea_id=idea.pk)
    # then
    assert tallies(idea)[0] == 2
    assert Vote.objects.filter(idea=idea).count() == 2
    assert Event.objects.filter(verb="idea.supported", object_id=idea.pk).count() == 2


def test_withdraw_removes_the_vote_and_records_it(idea, member):
    vote_cast(actor=member, idea_id=idea.pk)
    vote_withdraw(actor=member, idea_id=idea.pk)
    vote_withdraw(actor=member, idea_id=idea.pk)
    assert tallies(idea)[0] == 0
    assert not Vote.objects.filter(idea=idea).exists()
    assert Event.objects.filter(verb="idea.support_withdrawn", object_id=idea.pk).count() == 1


def test_updown_change_moves_the_vote(make_campaign, make_idea, make_member):
    campaign = make_campaign(voting_mode="updown")
    idea = make_idea(make_member(), in_campaign=campaign)
    voter = make_member()
    vote_cast(actor=voter, idea_id=idea.pk, value=1)
    vote_cast(actor=voter, idea_id=idea.pk, value=-1)
    assert tallies(idea) == (0, 0, 1, 0, 0)
    idea.refresh_from_db()
    assert idea.rank_top == 0.0
    last = Event.objects.filter(verb="idea.supported").latest("id")
    assert last.value == -1
    assert last.details == {"previous": 1}


def test_score_mode_averages(make_campaign, make_idea, make_member):
    campaign = make_campaign(voting_mode="score")
    idea = make_idea(make_member(), in_campaign=campaign)
    for score in (5, 4, 1):
        vote_cast(actor=make_member(), idea_id=idea.pk, value=score)
    idea.refresh_from_db()
    assert (idea.score_sum, idea.score_count) == (10, 3)
    assert idea.mean_score == pytest.approx(10 / 3)
    # Bayesian average with 5 prior ratings of 3: (15 + 10) / 8
    assert idea.rank_top == pytest.approx(25 / 8)


@pytest.mark.parametrize(
    ("mode", "value"), [("support", -1), ("support", 2), ("updown", 0), ("score", 6), ("score", 0)]
)
def test_invalid_vote_changes_nothing(make_campaign, make_idea, make_member, mode, value):
    campaign = make_campaign(voting_mode=mode)
    idea = make_idea(make_member(), in_campaign=campaign)
    voter = make_member()
    before = Event.objects.count()
    with pytest.raises(InvalidInput) as err:
        vote_cast(actor=voter, idea_id=idea.pk, value=value)
    assert err.value.code == "invalid_vote"
    assert tallies(idea) == (0, 0, 0, 0, 0)
    assert Event.objects.count() == before


def test_anonymous_and_suspended_cannot_vote(idea, make_member, moderator):
    from django.contrib.auth.models import AnonymousUser

    from prosumo.community.services import member_suspend

    with pytest.raises(NotAuthenticated):
        vote_cast(actor=AnonymousUser(), idea_id=idea.pk)
    suspended = make_member()
    member_suspend(actor=moderator, member=suspended, reason="Spam links")
    with pytest.raises(PermissionDenied) as err:
        vote_cast(actor=suspended, idea_id=idea.pk)
    assert err.value.code == "suspended"
    assert tallies(idea)[0] == 0


def test_reaching_the_threshold_moves_idea_to_review(idea, make_member):
    # the campaign fixture's threshold is 3
    for _ in range(3):
        vote_cast(actor=make_member(), idea_id=idea.pk)
    idea.refresh_from_db()
    assert idea.stage == Stage.UNDER_REVIEW
    assert idea.answered_at is None  # a threshold is not a staff answer
    change = idea.stage_changes.get()
    assert change.actor is None
    assert "3 supporters" in change.message


def test_votes_close_after_acceptance(idea, make_member, reviewer):
    from prosumo.ideas.services import stage_change

    stage_change(actor=reviewer, idea_id=idea.pk, to_stage="accepted", message="We will build this next spring.")
    with pytest.raises(InvalidInput) as err:
        vote_cast(actor=make_member(), idea_id=idea.pk)
    assert err.value.code == "voting_closed"
