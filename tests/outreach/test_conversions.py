"""Conversions from a sign-up through an arm's landing link and from an imported order carrying an arm's code.

Each counts once, for the member's own arm; a changed code, a member outside the
experiment, or an order with another arm's code changes nothing.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from prosumo.activity.models import Event
from prosumo.commerce.services import orders_record
from prosumo.community.models import Member, Segment
from prosumo.outreach import services
from prosumo.outreach.models import Assignment

PASSWORD = "a long pass phrase 42"


@pytest.fixture
def running(admin, member, brief, django_capture_on_commit_callbacks):
    """A running experiment of two banner arms, for every member (or a segment, with ``segment_id``)."""

    def make(segment_id=None):
        ours = services.message_propose(actor=member, brief_id=brief.pk, text="Sleep under the stars, dry.")
        company = services.message_propose(
            actor=admin, brief_id=brief.pk, text="Our tent, your night out.", company=True
        )
        banner = services.channel_create(actor=admin, name=f"banner-{segment_id or 0}", kind="banner")
        experiment = services.experiment_create(
            actor=admin, name="Banner", arms=[(ours.pk, banner.pk), (company.pk, banner.pk)], segment_id=segment_id
        )
        with django_capture_on_commit_callbacks(execute=True):
            services.experiment_start(actor=admin, experiment_id=experiment.pk)
        return experiment

    return make


def _sign_up(client, email, capture):
    with capture(execute=True):
        response = client.post(
            "/accounts/signup/", {"email": email, "display_name": "New", "password1": PASSWORD, "password2": PASSWORD}
        )
    assert response.status_code == 302
    return Member.objects.get(email=email)


def _outreach_events(member_id):
    return sorted(
        Event.objects.filter(target_member_id=member_id, verb__startswith="message.").values_list("verb", flat=True)
    )


@pytest.mark.django_db
def test_a_visitor_who_joins_through_an_arms_landing_link_converts_on_that_arm(
    running, django_capture_on_commit_callbacks
):
    experiment = running()
    arm = experiment.arms.order_by("pk").last()
    visitor = Client()
    landing = visitor.get(f"/o/x/{services.arm_code(arm)}/")
    assert landing.status_code == 200
    assert "Our tent, your night out." in landing.content.decode()
    newcomer = _sign_up(visitor, "new@example.org", django_capture_on_commit_callbacks)
    given = Assignment.objects.get(member=newcomer)
    assert (given.arm_id, given.conversion) == (arm.pk, "sign_up")
    assert given.exposed_at is not None
    assert given.converted_at is not None
    assert _outreach_events(newcomer.pk) == ["message.assigned", "message.converted", "message.exposed"]
    assert Event.objects.get(verb="message.exposed", target_member_id=newcomer.pk).details["via"] == "landing"


@pytest.mark.django_db
def test_a_changed_code_is_refused_and_the_sign_up_converts_nothing(running, django_capture_on_commit_callbacks):
    experiment = running()
    arm = experiment.arms.order_by("pk").first()
    code = services.arm_code(arm)
    tampered = code.replace(f"-{arm.pk}-", f"-{arm.pk + 1}-")
    visitor = Client()
    refused = visitor.get(f"/o/x/{tampered}/")
    assert refused.status_code == 400
    assert "This link is not valid" in refused.content.decode()
    newcomer = _sign_up(visitor, "new@example.org", django_capture_on_commit_callbacks)
    assert not Assignment.objects.filter(member=newcomer).exists()
    assert _outreach_events(newcomer.pk) == []


@pytest.mark.django_db
def test_a_newcomer_outside_the_experiments_segment_converts_nothing(running, django_capture_on_commit_callbacks):
    gold = Segment.objects.create(name="Gold", slug="gold")
    experiment = running(segment_id=gold.pk)
    visitor = Client()
    assert visitor.get(f"/o/x/{services.arm_code(experiment.arms.first())}/").status_code == 200
    newcomer = _sign_up(visitor, "new@example.org", django_capture_on_commit_callbacks)
    assert not Assignment.objects.filter(member=newcomer).exists()
    assert _outreach_events(newcomer.pk) == []


def _order(order_id, member, code):
    return {
        "order_id": order_id,
        "email": member.email,
        "ordered_at": (timezone.now() + timedelta(minutes=1)).isoformat(),
        "amount_cents": 2500,
        "currency": "EUR",
        "product": "TENT-2",
        "code": code,
    }


@pytest.mark.django_db
def test_an_imported_order_with_the_members_arm_code_converts_once(
    running, admin, make_member, django_capture_on_commit_callbacks
):
    experiment = running()
    buyer = make_member()
    with django_capture_on_commit_callbacks(execute=True):
        services.experiment_assign(experiment_id=experiment.pk)
    given = Assignment.objects.get(member=buyer)
    other_arm = experiment.arms.exclude(pk=given.arm_id).get()
    outsider = make_member()  # joined after the assignment: outside the experiment
    mine, theirs = services.arm_code(given.arm), services.arm_code(other_arm)
    rows = [
        _order("A-1", outsider, mine),
        _order("A-2", buyer, theirs),
        _order("A-3", buyer, mine[:-1] + ("0" if mine[-1] != "0" else "1")),
    ]
    # when orders with another arm's code, a changed code, and a member outside the experiment arrive
    with django_capture_on_commit_callbacks(execute=True):
        orders_record(actor=admin, rows=rows, source="api")
    # then nothing changed
    given.refresh_from_db()
    assert (given.exposed_at, given.converted_at) == (None, None)
    assert not Assignment.objects.filter(member=outsider).exists()
    # when the buyer's orders carry their own arm's code, twice
    with django_capture_on_commit_callbacks(execute=True):
        orders_record(actor=admin, rows=[_order("B-1", buyer, mine), _order("B-2", buyer, mine.lower())], source="api")
    given.refresh_from_db()
    assert given.conversion == "order"
    assert given.exposed_at is not None
    assert Event.objects.filter(verb="message.converted", target_member_id=buyer.pk).count() == 1
    assert Event.objects.get(verb="message.exposed", target_member_id=buyer.pk).details["via"] == "code"


@pytest.mark.django_db
def test_a_support_of_an_idea_after_the_link_converts_once_and_other_votes_nothing(
    running, make_member, make_campaign, make_idea, member, time_machine, django_capture_on_commit_callbacks
):
    from prosumo.ideas.services import vote_cast

    time_machine.move_to(timezone.now(), tick=False)
    experiment = running()
    fan, critic = make_member(), make_member()
    with django_capture_on_commit_callbacks(execute=True):
        services.experiment_assign(experiment_id=experiment.pk)
    outsider = make_member()  # joined after the assignment: outside the experiment
    early, liked = make_idea(member), make_idea(member, title="A tent with a porch for the boots")
    disliked = make_idea(member, in_campaign=make_campaign(voting_mode="updown"), title="A tent without a floor")
    # a support before opening the link counts nothing
    with django_capture_on_commit_callbacks(execute=True):
        vote_cast(actor=fan, idea_id=early.pk)
    time_machine.shift(timedelta(minutes=1))
    for someone in (fan, critic):
        services.link_open(token=services.link_token(Assignment.objects.get(member=someone)))
    time_machine.shift(timedelta(minutes=1))
    assert services.support_conversions() == 0
    # when, after opening, the fan supports an idea, the critic votes one down and an outsider supports one
    with django_capture_on_commit_callbacks(execute=True):
        vote_cast(actor=fan, idea_id=liked.pk)
        vote_cast(actor=critic, idea_id=disliked.pk, value=-1)
        vote_cast(actor=outsider, idea_id=liked.pk)
    # then the periodic run records the fan's conversion once, and nothing for the others
    assert services.support_conversions() == 1
    assert services.support_conversions() == 0
    converted = Event.objects.filter(verb="message.converted")
    assert [(e.target_member_id, e.details["action"]) for e in converted] == [(fan.pk, "idea_support")]
    assert Assignment.objects.get(member=critic).converted_at is None
    assert not Assignment.objects.filter(member=outsider).exists()
