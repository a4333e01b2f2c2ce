"""Reward rules: set by staff per campaign, versioned, applied from events, capped per day, once per event."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from prosumo.activity.models import Event
from prosumo.core.errors import InvalidInput, NotFound, PermissionDenied
from prosumo.ideas.services import coauthor_invite, coauthor_respond, comment_post, stage_change, vote_cast
from prosumo.rewards import selectors
from prosumo.rewards.models import ImprovementMark, Posting, RuleVersion, Trigger
from prosumo.rewards.services import awards_for_event, comment_mark_improved, rule_set
from tests.rewards.conftest import ledger_rows


def awards() -> list[tuple[int, str, int, int]]:
    return list(Posting.objects.order_by("id").values_list("member_id", "reason", "points", "rule_version__number"))


@pytest.mark.django_db
def test_changing_a_rule_adds_a_version_and_past_awards_keep_theirs(set_rule, make_idea, member, admin, campaign):
    first = set_rule(Trigger.IDEA_SUBMITTED, 10, campaign=campaign)
    make_idea(member)
    second = set_rule(Trigger.IDEA_SUBMITTED, 25, campaign=campaign, daily_cap=5)
    make_idea(member, title="A tent with a porch for muddy boots")
    assert (first.number, second.number, second.rule_id) == (1, 2, first.rule_id)
    assert awards() == [(member.pk, "idea_submitted", 10, 1), (member.pk, "idea_submitted", 25, 2)]
    # setting the same numbers again adds nothing
    assert set_rule(Trigger.IDEA_SUBMITTED, 25, campaign=campaign, daily_cap=5) == second
    assert RuleVersion.objects.filter(rule=first.rule).count() == 2
    changed = Event.objects.filter(verb="reward.rule_changed").order_by("id")
    assert [(e.actor_id, e.campaign_id, e.value, e.details) for e in changed] == [
        (admin.pk, campaign.pk, 10.0, {"trigger": "idea_submitted", "version": 1, "daily_cap": 0}),
        (admin.pk, campaign.pk, 25.0, {"trigger": "idea_submitted", "version": 2, "daily_cap": 5}),
    ]


@pytest.mark.django_db
def test_a_campaign_rule_wins_over_the_site_rule_and_the_site_rule_covers_the_rest(
    set_rule, make_idea, make_campaign, member, campaign
):
    other = make_campaign(title="Other campaign")
    set_rule(Trigger.IDEA_SUBMITTED, 5)
    set_rule(Trigger.IDEA_SUBMITTED, 50, campaign=campaign)
    make_idea(member)
    make_idea(member, in_campaign=other)
    assert [(p.campaign_id, p.points) for p in Posting.objects.order_by("id")] == [(campaign.pk, 50), (other.pk, 5)]


@pytest.mark.django_db
def test_the_award_writes_reward_granted_in_the_shape_the_dataset_reads(set_rule, make_idea, member, campaign):
    set_rule(Trigger.IDEA_SUBMITTED, 10)
    idea = make_idea(member)
    posting = Posting.objects.get()
    event = Event.objects.get(verb="reward.granted")
    submitted = Event.objects.get(verb="idea.submitted")
    assert (event.actor_id, event.object_type, event.object_id, event.target_member_id, event.campaign_id) == (
        None,
        "idea",
        idea.pk,
        member.pk,
        campaign.pk,
    )
    assert event.value == 10.0
    assert event.details == {
        "reason": "idea_submitted",
        "posting": posting.pk,
        "rule_version": posting.rule_version_id,
        "source_event": submitted.pk,
    }
    assert posting.source_event_id == submitted.pk


@pytest.mark.django_db
def test_a_retried_reaction_awards_nothing_more(set_rule, make_idea, member):
    set_rule(Trigger.IDEA_SUBMITTED, 10)
    make_idea(member)
    submitted = Event.objects.get(verb="idea.submitted")
    before = ledger_rows()
    # when the reaction runs again for the same event (an outbox retry)
    assert awards_for_event(event=submitted) == []
    assert ledger_rows() == before
    assert Event.objects.filter(verb="reward.granted").count() == 1


def late_evening() -> datetime:
    """23:00 UTC on a day after the campaigns made at the real time started."""
    day = datetime.now(UTC).date() + timedelta(days=3)
    return datetime(day.year, day.month, day.day, 23, 0, tzinfo=UTC)


@pytest.mark.django_db
def test_the_daily_cap_counts_awards_per_member_per_rule_per_utc_day(set_rule, make_idea, member, time_machine):
    evening = late_evening()
    time_machine.move_to(evening, tick=False)
    set_rule(Trigger.IDEA_SUBMITTED, 10, daily_cap=2)
    for n in range(3):
        make_idea(member, title=f"Tent idea number {n} with a new kind of pole")
    assert [p[2] for p in awards()] == [10, 10]
    # the next UTC day the cap starts again
    time_machine.move_to(evening + timedelta(minutes=90), tick=False)
    make_idea(member, title="Tent idea of the next day with a new kind of pole")
    assert [p[2] for p in awards()] == [10, 10, 10]
    assert selectors.balance(member_id=member.pk) == 30


@pytest.mark.django_db
def test_acceptance_and_launch_split_the_points_by_the_coauthors_declared_shares(
    set_rule, make_idea, make_member, member, admin, after_commit
):
    coauthor = make_member()
    idea = make_idea(member)
    invited = coauthor_invite(actor=member, idea_id=idea.pk, member_id=coauthor.pk, share=30)
    coauthor_respond(actor=coauthor, coauthor_id=invited.pk, accept=True)
    set_rule(Trigger.IDEA_ACCEPTED, 101)
    set_rule(Trigger.IDEA_LAUNCHED, 1000)
    for stage in ("under_review", "accepted", "in_development", "launched"):
        with after_commit():
            stage_change(actor=admin, idea_id=idea.pk, to_stage=stage, message="Moving it along for everyone.")
    assert sorted(awards()) == sorted(
        [
            (member.pk, "idea_accepted", 71, 1),  # 70.7 + the odd point (larger remainder)
            (coauthor.pk, "idea_accepted", 30, 1),
            (member.pk, "idea_launched", 700, 1),
            (coauthor.pk, "idea_launched", 300, 1),
        ]
    )


@pytest.mark.django_db
def test_an_idea_accepted_again_earns_its_acceptance_once(set_rule, make_idea, member, admin, after_commit):
    idea = make_idea(member)
    set_rule(Trigger.IDEA_ACCEPTED, 20)
    for stage in ("under_review", "accepted", "declined", "open", "under_review", "accepted"):
        with after_commit():
            stage_change(
                actor=admin, idea_id=idea.pk, to_stage=stage, message="Moving it along for everyone.", reason_id=1
            )
    assert awards() == [(member.pk, "idea_accepted", 20, 1)]


@pytest.mark.django_db
def test_reaching_the_support_threshold_rewards_the_author_but_a_staff_move_to_review_does_not(
    set_rule, make_idea, make_member, member, admin, campaign, after_commit
):
    set_rule(Trigger.SUPPORT_THRESHOLD, 15)
    moved_by_staff = make_idea(member, title="A tent that staff move by hand")
    with after_commit():
        stage_change(
            actor=admin, idea_id=moved_by_staff.pk, to_stage="under_review", message="Staff took it to review."
        )
    idea = make_idea(member)
    for _ in range(campaign.support_threshold):
        voter = make_member()
        with after_commit():
            vote_cast(actor=voter, idea_id=idea.pk, value=1)
    idea.refresh_from_db()
    assert idea.stage == "under_review"
    assert [(p.object_id, p.reason, p.points) for p in Posting.objects.all()] == [(idea.pk, "support_threshold", 15)]


@pytest.mark.django_db
def test_a_comment_staff_mark_as_an_improvement_rewards_its_author_once(
    set_rule, idea, make_member, moderator, campaign, after_commit
):
    set_rule(Trigger.COMMENT_IMPROVED, 7, campaign=campaign)
    commenter = make_member()
    comment = comment_post(actor=commenter, idea_id=idea.pk, body="Make the poles shorter.", builds_on=True)
    with after_commit():
        mark = comment_mark_improved(actor=moderator, comment_id=comment.pk)
    with after_commit():
        again = comment_mark_improved(actor=moderator, comment_id=comment.pk)
    assert again == mark
    assert awards() == [(commenter.pk, "comment_improved", 7, 1)]
    event = Event.objects.get(verb="comment.improvement_marked")
    assert (event.actor_id, event.object_id, event.target_member_id, event.campaign_id, event.details) == (
        moderator.pk,
        comment.pk,
        commenter.pk,
        campaign.pk,
        {"idea_id": idea.pk},
    )


@pytest.mark.django_db
def test_only_moderators_and_admins_mark_improvements(idea, member, make_member):
    comment = comment_post(actor=member, idea_id=idea.pk, body="Make the poles shorter.")
    with pytest.raises(PermissionDenied):
        comment_mark_improved(actor=make_member(), comment_id=comment.pk)
    with pytest.raises(PermissionDenied):
        comment_mark_improved(actor=make_member("reviewer"), comment_id=comment.pk)
    with pytest.raises(NotFound):
        comment_mark_improved(actor=make_member("moderator"), comment_id=comment.pk + 1000)
    assert not ImprovementMark.objects.exists()
    assert not Event.objects.filter(verb="comment.improvement_marked").exists()


@pytest.mark.django_db
def test_a_referral_rewards_the_referrer_under_the_site_rule(set_rule, make_member, after_commit):
    from prosumo.community.services import member_joined

    referrer = make_member()
    set_rule(Trigger.REFERRAL, 40)
    newcomer = make_member()
    with after_commit():
        member_joined(member=newcomer, referrer=referrer)
    assert [(p.member_id, p.reason, p.points, p.object_type, p.object_id) for p in Posting.objects.all()] == [
        (referrer.pk, "referral", 40, "member", newcomer.pk)
    ]


@pytest.mark.django_db
def test_a_rule_at_zero_points_is_off(set_rule, make_idea, member):
    set_rule(Trigger.IDEA_SUBMITTED, 10)
    set_rule(Trigger.IDEA_SUBMITTED, 0)
    make_idea(member)
    assert awards() == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"trigger": "idea_liked", "points": 5}, {"trigger": ["invalid"]}),
        ({"trigger": "idea_submitted", "points": -1}, {"points": ["range"]}),
        ({"trigger": "idea_submitted", "points": "many"}, {"points": ["invalid"]}),
        ({"trigger": "idea_submitted", "points": 5, "daily_cap": 10_001}, {"daily_cap": ["range"]}),
    ],
)
def test_a_bad_rule_is_refused_and_changes_nothing(admin, fields, problem):
    with pytest.raises(InvalidInput) as caught:
        rule_set(actor=admin, campaign_id=None, **fields)
    assert caught.value.fields == problem
    assert not RuleVersion.objects.exists()
    assert not Event.objects.filter(verb="reward.rule_changed").exists()


@pytest.mark.django_db
def test_only_an_admin_sets_rules(make_member):
    for role in ("member", "moderator", "reviewer"):
        with pytest.raises(PermissionDenied):
            rule_set(actor=make_member(role), campaign_id=None, trigger="idea_submitted", points=5)
    assert not RuleVersion.objects.exists()


@pytest.mark.django_db
def test_an_event_from_a_later_task_is_rewarded_at_its_own_time(set_rule, make_idea, member, time_machine):
    # the outbox may run the reaction hours later: the cap day is the event's, not the task's
    evening = late_evening() + timedelta(minutes=59)
    time_machine.move_to(evening, tick=False)
    make_idea(member)
    submitted = Event.objects.get(verb="idea.submitted")
    set_rule(Trigger.IDEA_SUBMITTED, 10, daily_cap=1)
    time_machine.move_to(evening + timedelta(hours=2, minutes=1), tick=False)
    make_idea(member, title="The next day's tent with a new kind of pole")
    [late] = awards_for_event(event=submitted)
    assert late.occurred_at == submitted.occurred_at
    assert late.created_at - late.occurred_at == timedelta(hours=2, minutes=1)
    assert [p[2] for p in awards()] == [10, 10]
