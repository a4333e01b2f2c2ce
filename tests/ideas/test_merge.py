from __future__ import annotations

import pytest

from prosumo.activity.models import Event
from prosumo.core.errors import InvalidInput, NotFound, PermissionDenied
from prosumo.ideas.models import Comment, Follow, IdeaLineage, MergedSupport, Stage, Vote
from prosumo.ideas.services import comment_post, idea_follow, idea_merge, merged_support_withdraw, vote_cast
from prosumo.notifications.models import Notification


@pytest.fixture
def pair(make_idea, make_member):
    source = make_idea(
        make_member(), title="Tent that sets up by itself", body="Poles that spring into shape when unpacked."
    )
    target = make_idea(make_member(), title="Self-pitching tent", body="A tent that pitches itself in under a minute.")
    return source, target


def test_merge_carries_supporters_once_with_consent(pair, make_member, reviewer, django_capture_on_commit_callbacks):
    source, target = pair
    both, only_source, only_target = make_member(), make_member(), make_member()
    for m in (both, only_source):
        vote_cast(actor=m, idea_id=source.pk)
    for m in (both, only_target):
        vote_cast(actor=m, idea_id=target.pk)
    follower = make_member()
    idea_follow(actor=follower, idea_id=source.pk)
    comment_post(actor=only_source, idea_id=source.pk, body="Springs could break in the cold")
    # when
    with django_capture_on_commit_callbacks(execute=True):
        idea_merge(
            actor=reviewer, source_id=source.pk, target_id=target.pk, message="These two ideas describe the same tent."
        )
    # then: nobody counted twice
    source.refresh_from_db()
    target.refresh_from_db()
    assert target.support_count == 3
    assert Vote.objects.filter(idea=target).count() == 3
    assert source.support_count == 0
    assert source.stage == Stage.MERGED
    assert source.merged_into_id == target.pk
    statuses = dict(MergedSupport.objects.values_list("member_id", "status"))
    assert statuses == {both.pk: "already", only_source.pk: "carried"}
    # followers and comments moved
    assert Follow.objects.filter(idea=target, member=follower).exists()
    assert Comment.objects.filter(idea=target).count() == 1
    assert target.comment_count == 1
    # lineage and events
    assert IdeaLineage.objects.get(source=source).target_id == target.pk
    merged = Event.objects.get(verb="idea.merged")
    assert merged.details == {"into": target.pk, "carried_supporters": 1, "already_supporters": 1}
    # the carried supporter is told and may withdraw
    assert Notification.objects.filter(recipient=only_source, verb="idea.merged").exists()
    assert not Notification.objects.filter(recipient=both, verb="idea.merged").exists()
    merged_support_withdraw(actor=only_source, target_id=target.pk)
    target.refresh_from_db()
    assert target.support_count == 2
    with pytest.raises(NotFound):
        merged_support_withdraw(actor=only_source, target_id=target.pk)
    with pytest.raises(NotFound):
        merged_support_withdraw(actor=both, target_id=target.pk)


def test_merge_refusals_change_nothing(pair, reviewer, member):
    source, target = pair
    with pytest.raises(PermissionDenied):
        idea_merge(actor=member, source_id=source.pk, target_id=target.pk, message="Same idea as the other one.")
    with pytest.raises(InvalidInput):
        idea_merge(actor=reviewer, source_id=source.pk, target_id=source.pk, message="Same idea as the other one.")
    with pytest.raises(InvalidInput):
        idea_merge(actor=reviewer, source_id=source.pk, target_id=target.pk, message="dup")
    idea_merge(actor=reviewer, source_id=source.pk, target_id=target.pk, message="Same idea as the other one.")
    with pytest.raises(InvalidInput) as err:
        idea_merge(actor=reviewer, source_id=source.pk, target_id=target.pk, message="Same idea as the other one.")
    assert "source_id" in err.value.fields
    assert IdeaLineage.objects.count() == 1


def test_merge_across_campaigns_is_refused(make_campaign, make_idea, make_member, reviewer):
    a = make_idea(make_member())
    b = make_idea(make_member(), in_campaign=make_campaign())
    with pytest.raises(InvalidInput):
        idea_merge(actor=reviewer, source_id=a.pk, target_id=b.pk, message="These look like the same idea.")
    a.refresh_from_db()
    assert a.stage == Stage.OPEN
