from __future__ import annotations

import importlib
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from prosumo.activity.models import Event
from prosumo.core.errors import InvalidInput, PermissionDenied
from prosumo.ideas.models import DEFAULT_DECLINE_REASONS, DeclineReason, Stage, StageChange
from prosumo.ideas.services import comment_post, idea_follow, stage_change, support_gates_expire, vote_cast
from prosumo.notifications.models import Notification


def test_stage_change_answers_everyone_involved(idea, make_member, reviewer, django_capture_on_commit_callbacks):
    # given an author, a supporter, a follower and a commenter
    supporter, follower, commenter = make_member(), make_member(), make_member()
    vote_cast(actor=supporter, idea_id=idea.pk)
    idea_follow(actor=follower, idea_id=idea.pk)
    comment_post(actor=commenter, idea_id=idea.pk, body="Nice one")
    Notification.objects.all().delete()
    mail.outbox.clear()
    # when
    with django_capture_on_commit_callbacks(execute=True):
        stage_change(
            actor=reviewer, idea_id=idea.pk, to_stage="under_review", message="Our design team is looking at it."
        )
    # then
    idea.refresh_from_db()
    assert idea.stage == Stage.UNDER_REVIEW
    assert idea.answered_at is not None
    told = set(Notification.objects.filter(verb="idea.stage_changed").values_list("recipient_id", flat=True))
    assert told == {idea.author_id, supporter.pk, follower.pk}
    assert sorted(m.to[0] for m in mail.outbox) == sorted([idea.author.email, supporter.email, follower.email])
    assert "List-Unsubscribe" in mail.outbox[0].extra_headers
    event = Event.objects.get(verb="idea.stage_changed")
    assert event.details["from"] == "open"
    assert event.details["to"] == "under_review"
    assert event.actor_id == reviewer.pk


def test_declining_needs_a_reason_and_changes_nothing_without(idea, reviewer):
    with pytest.raises(InvalidInput) as err:
        stage_change(actor=reviewer, idea_id=idea.pk, to_stage="declined", message="Not for us, sorry about that.")
    assert "reason_id" in err.value.fields
    idea.refresh_from_db()
    assert idea.stage == Stage.OPEN
    assert not StageChange.objects.exists()
    reason = DeclineReason.objects.get(label="Out of scope for this campaign")
    stage_change(
        actor=reviewer,
        idea_id=idea.pk,
        to_stage="declined",
        message="Not for us, sorry about that.",
        reason_id=reason.pk,
    )
    idea.refresh_from_db()
    assert idea.stage == Stage.DECLINED
    assert Event.objects.get(verb="idea.stage_changed").details["reason"] == "Out of scope for this campaign"


def test_message_is_required(idea, reviewer):
    with pytest.raises(InvalidInput) as err:
        stage_change(actor=reviewer, idea_id=idea.pk, to_stage="under_review", message="ok")
    assert "message" in err.value.fields


def test_members_and_moderators_cannot_move_ideas(idea, member, moderator):
    for actor in (member, moderator):
        with pytest.raises(PermissionDenied):
            stage_change(actor=actor, idea_id=idea.pk, to_stage="under_review", message="Looks good to me!")


def test_illegal_move_is_refused(idea, reviewer):
    stage_change(actor=reviewer, idea_id=idea.pk, to_stage="accepted", message="We love it and will build it.")
    with pytest.raises(InvalidInput):
        stage_change(actor=reviewer, idea_id=idea.pk, to_stage="open", message="Back to the start, please.")


def test_skipped_stage_cannot_be_used(make_campaign, make_idea, member, reviewer):
    campaign = make_campaign(skipped_stages=["under_review"])
    idea = make_idea(member, in_campaign=campaign)
    with pytest.raises(InvalidInput):
        stage_change(actor=reviewer, idea_id=idea.pk, to_stage="under_review", message="Looking at it now.")
    stage_change(actor=reviewer, idea_id=idea.pk, to_stage="accepted", message="Straight to accepted.")


def test_support_gates_pass_and_expire(make_campaign, make_idea, make_member):
    campaign = make_campaign(support_gates=[{"supporters": 2, "days": 60}, {"supporters": 5, "days": 365}])
    passing = make_idea(make_member(), in_campaign=campaign, title="Idea that passes the first gate")
    failing = make_idea(make_member(), in_campaign=campaign, title="Idea that misses the first gate")
    for _ in range(2):
        vote_cast(actor=make_member(), idea_id=passing.pk)
    passing.refresh_from_db()
    assert passing.gate_index == 1
    assert passing.gate_deadline == passing.created_at + timedelta(days=365)
    # when 61 days pass
    expired = support_gates_expire(now=timezone.now() + timedelta(days=61))
    # then only the idea below the first gate is declined, with a message
    assert expired == 1
    failing.refresh_from_db()
    passing.refresh_from_db()
    assert failing.stage == Stage.DECLINED
    assert passing.stage == Stage.OPEN
    assert "needed 2 supporters within 60 days" in failing.stage_changes.get().message
    assert support_gates_expire(now=timezone.now() + timedelta(days=61)) == 0


def test_the_decline_reasons_a_site_starts_with_come_from_their_data_migration(db):
    # given: a new site, seeded by its migrations
    from django.apps import apps

    seed = importlib.import_module("prosumo.ideas.migrations.0003_decline_reasons")
    assert sorted(DeclineReason.objects.values_list("label", flat=True)) == sorted(DEFAULT_DECLINE_REASONS)
    # when: the migration is reversed, then applied again
    seed.remove(apps, None)
    emptied = DeclineReason.objects.count()
    seed.add(apps, None)
    # then: it takes away and writes back the one list
    assert emptied == 0
    assert sorted(DeclineReason.objects.filter(is_active=True).values_list("label", flat=True)) == sorted(
        DEFAULT_DECLINE_REASONS
    )
