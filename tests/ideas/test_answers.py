"""Only a staff message answers an idea: the queue, the per-campaign deadline and its reminder."""

from __future__ import annotations

from datetime import timedelta

import pytest

from prosumo.activity.models import Event
from prosumo.core.errors import InvalidInput
from prosumo.ideas.models import Idea, Stage
from prosumo.ideas.selectors import answer_queue, campaigns_with_waiting
from prosumo.ideas.services import answer_reminders_send, campaign_update, stage_change, vote_cast
from prosumo.notifications.models import Notification


def test_an_idea_moved_by_its_supporters_stays_in_the_answer_queue(idea, make_idea, make_member, reviewer, admin):
    # given: the oldest idea reaches the campaign's threshold of 3 and moves to review by itself
    later = make_idea(make_member(), title="A later idea nobody supported")
    for _ in range(3):
        vote_cast(actor=make_member(), idea_id=idea.pk)
    idea.refresh_from_db()
    assert idea.stage == Stage.UNDER_REVIEW
    # when / then: both still wait for a staff answer, oldest first
    assert [i.pk for i in answer_queue()] == [idea.pk, later.pk]
    assert {c.pk: c.waiting for c in campaigns_with_waiting(admin)}[idea.campaign_id] == 2
    # and a staff message answers it
    stage_change(actor=reviewer, idea_id=idea.pk, to_stage="accepted", message="We will make it next spring.")
    assert [i.pk for i in answer_queue()] == [later.pk]


def test_a_missed_supporter_deadline_is_no_answer_either(make_campaign, make_idea, make_member, time_machine):
    # given: a campaign whose ideas need 5 supporters within 2 days
    campaign = make_campaign(support_gates=[{"supporters": 5, "days": 2}])
    idea = make_idea(make_member(), in_campaign=campaign)
    time_machine.move_to(idea.created_at + timedelta(days=3))
    # when
    from prosumo.ideas.services import support_gates_expire

    assert support_gates_expire() == 1
    # then: declined by the site, not answered by staff
    idea.refresh_from_db()
    assert (idea.stage, idea.answered_at) == (Stage.DECLINED, None)
    assert [i.pk for i in answer_queue()] == [idea.pk]


def test_staff_are_reminded_once_a_day_before_the_answer_is_due(
    make_campaign, make_idea, make_member, reviewer, moderator, admin, time_machine, django_capture_on_commit_callbacks
):
    # given: a campaign with 5 days to answer, and two ideas in it
    campaign = make_campaign(answer_days=5)
    idea = make_idea(make_member(), in_campaign=campaign, title="Tent pegs that never bend")
    answered = make_idea(make_member(), in_campaign=campaign, title="A lantern on the tent pole")
    stage_change(actor=reviewer, idea_id=answered.pk, to_stage="under_review", message="Looking at it this week.")
    Notification.objects.all().delete()
    # when: three days later, nothing is due yet
    time_machine.move_to(idea.created_at + timedelta(days=3))
    assert answer_reminders_send() == 0
    # when: four days later, a day before the deadline
    time_machine.move_to(idea.created_at + timedelta(days=4, minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        sent = answer_reminders_send()
    # then: one reminder, to every staff member, about the unanswered idea only
    assert sent == 1
    told = Notification.objects.filter(verb="idea.answer_reminded")
    assert set(told.values_list("recipient_id", flat=True)) == {reviewer.pk, moderator.pk, admin.pk}
    due = (idea.created_at + timedelta(days=5)).date().isoformat()
    assert {n.title for n in told} == {f"“Tent pegs that never bend” is waiting for a staff answer, due on {due}"}
    event = Event.objects.get(verb="idea.answer_reminded")
    assert (event.object_id, event.actor_id) == (idea.pk, None)
    # and again later, even after the deadline: nothing more
    time_machine.move_to(idea.created_at + timedelta(days=9))
    with django_capture_on_commit_callbacks(execute=True):
        assert answer_reminders_send() == 0
    assert told.count() == 3
    assert Event.objects.filter(verb="idea.answer_reminded").count() == 1


def test_a_campaign_without_a_deadline_sends_no_reminder(idea, time_machine):
    time_machine.move_to(idea.created_at + timedelta(days=400))
    assert answer_reminders_send() == 0
    assert Idea.objects.get(pk=idea.pk).answer_reminded_at is None


@pytest.mark.parametrize("days", [0, 366, -1, True, "7"])
def test_the_answer_deadline_is_checked(campaign, admin, days):
    with pytest.raises(InvalidInput) as err:
        campaign_update(actor=admin, campaign=campaign, answer_days=days)
    assert set(err.value.fields) == {"answer_days"}
    campaign.refresh_from_db()
    assert campaign.answer_days is None
