"""Experiments: one arm per member, random or adaptive allocation, tracked links, conversions, the dataset."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from prosumo.activity.models import Event
from prosumo.community.models import Segment
from prosumo.core.errors import InvalidInput
from prosumo.insights.export import export_tables
from prosumo.outreach import services
from prosumo.outreach.models import Arm, Assignment, Experiment
from prosumo.surveys.services import survey_answer, survey_create, survey_open

SCORES = {"lead_at_1": 5, "lead_at_2": 5, "lead_at_3": 5, "lead_heb_1": 5, "lead_heb_2": 5, "lead_heb_3": 5}


@pytest.fixture
def setup(brief, admin, member, make_member):
    """A segment of four members, a co-produced and a company message, and an email channel."""
    gold = Segment.objects.create(name="Gold", slug="gold")
    insiders = [make_member() for _ in range(4)]
    for m in insiders:
        m.segment = gold
        m.save(update_fields=["segment"])
    ours = services.message_propose(actor=member, brief_id=brief.pk, text="Sleep under the stars, dry.")
    company = services.message_propose(actor=admin, brief_id=brief.pk, text="Our tent, your night out.", company=True)
    email = services.channel_create(actor=admin, name="newsletter", kind="email")
    return {"segment": gold, "members": insiders, "messages": (ours, company), "channel": email}


def _started(admin, setup, capture, allocation="random") -> Experiment:
    ours, company = setup["messages"]
    arms = [(ours.pk, setup["channel"].pk), (company.pk, setup["channel"].pk)]
    experiment = services.experiment_create(
        actor=admin, name="Spring mail", arms=arms, segment_id=setup["segment"].pk, allocation=allocation
    )
    with capture(execute=True):
        services.experiment_start(actor=admin, experiment_id=experiment.pk)
    return experiment


@pytest.mark.django_db
def test_starting_gives_each_member_of_the_segment_one_arm(admin, setup, django_capture_on_commit_callbacks):
    experiment = _started(admin, setup, django_capture_on_commit_callbacks)
    assigned = sorted(Assignment.objects.filter(experiment=experiment).values_list("member_id", flat=True))
    assert assigned == sorted(m.pk for m in setup["members"])
    assert Event.objects.filter(verb="message.assigned").count() == 4
    # giving arms again gives none twice
    assert services.experiment_assign(experiment_id=experiment.pk) == 0
    again = services.assignment_make(experiment_id=experiment.pk, member_id=setup["members"][0].pk)
    assert again == Assignment.objects.get(experiment=experiment, member=setup["members"][0])
    assert Assignment.objects.count() == 4


@pytest.mark.django_db
def test_a_bad_experiment_is_refused_with_every_problem_and_nothing_changes(admin, setup):
    ours, _ = setup["messages"]
    before = (Experiment.objects.count(), Arm.objects.count(), Event.objects.count())
    with pytest.raises(InvalidInput) as caught:
        services.experiment_create(
            actor=admin, name="", arms=[(ours.pk, setup["channel"].pk)], segment_id=999_999, allocation="greedy"
        )
    assert caught.value.fields == {
        "name": ["Give the experiment a name of at most 160 characters."],
        "allocation": ["The allocation is random or thompson."],
        "segment_id": ["No such segment."],
        "arms": ["An experiment compares two arms or more."],
    }
    with pytest.raises(InvalidInput) as caught:
        services.experiment_create(actor=admin, name="X", arms=[(ours.pk, setup["channel"].pk), (999_999, 1)])
    assert caught.value.fields == {"arms": ["Each arm is a message and a channel that exist."]}
    assert (Experiment.objects.count(), Arm.objects.count(), Event.objects.count()) == before


@pytest.mark.django_db
def test_thompson_sampling_gives_the_better_arm_more_often(admin, setup, make_member):
    ours, company = setup["messages"]
    experiment = services.experiment_create(
        actor=admin,
        name="Adaptive",
        arms=[(ours.pk, setup["channel"].pk), (company.pk, setup["channel"].pk)],
        allocation="thompson",
    )
    weak, strong = list(experiment.arms.order_by("pk"))
    now = timezone.now()
    for i in range(40):  # weak: 1 of 20 converted; strong: 10 of 20
        arm = weak if i < 20 else strong
        converted = (i < 1) or (20 <= i < 30)
        Assignment.objects.create(
            experiment=experiment,
            arm=arm,
            member=make_member(),
            exposed_at=now,
            converted_at=now if converted else None,
        )
    rng = random.Random(12)
    picks = [services.arm_choose(experiment, rng).pk for _ in range(200)]
    assert picks.count(strong.pk) >= 190
    experiment.allocation = "random"
    picks = [services.arm_choose(experiment, rng).pk for _ in range(200)]
    assert 70 <= picks.count(strong.pk) <= 130


@pytest.mark.django_db
def test_a_tracked_link_records_the_exposure_once_and_a_tampered_one_nothing(
    admin, setup, django_capture_on_commit_callbacks
):
    experiment = _started(admin, setup, django_capture_on_commit_callbacks)
    assignment = Assignment.objects.filter(experiment=experiment).order_by("pk").first()
    token = services.link_token(assignment)
    first = Client().get(f"/o/{token}/")
    assert first.status_code == 200
    assert assignment.arm.message.text in first.content.decode()
    assert f"arm {assignment.arm_id}" not in first.content.decode()
    replay = Client().get(f"/o/{token}/")
    assert replay.status_code == 200
    assert Event.objects.filter(verb="message.exposed").count() == 1
    event = Event.objects.get(verb="message.exposed")
    assert (event.target_member_id, event.details) == (
        assignment.member_id,
        {
            "experiment": experiment.pk,
            "arm": assignment.arm_id,
            "company": assignment.arm.message.company,
            "medium": "personal",
        },
    )
    before = (Event.objects.count(), Assignment.objects.filter(exposed_at__isnull=False).count())
    tampered = Client().get(f"/o/{token[:-2]}xx/")
    assert tampered.status_code == 400
    assert "This link is not valid: it was changed or cut short." in tampered.content.decode()
    assert (Event.objects.count(), Assignment.objects.filter(exposed_at__isnull=False).count()) == before


@pytest.mark.django_db
def test_a_survey_answer_after_the_link_is_a_conversion_and_outsiders_are_refused(
    admin, member, setup, django_capture_on_commit_callbacks
):
    experiment = _started(admin, setup, django_capture_on_commit_callbacks)
    insider = setup["members"][0]
    assignment = Assignment.objects.get(experiment=experiment, member=insider)
    # a member outside the experiment, or one who has not opened their link, converts nothing
    before = (
        Event.objects.filter(verb="message.converted").count(),
        Assignment.objects.exclude(converted_at=None).count(),
    )
    with pytest.raises(InvalidInput) as caught:
        services.conversion_record(experiment_id=experiment.pk, member_id=member.pk, action="order")
    assert caught.value.code == "not_in_experiment"
    with pytest.raises(InvalidInput) as caught:
        services.conversion_record(experiment_id=experiment.pk, member_id=insider.pk, action="order")
    assert caught.value.code == "not_exposed"
    assert (
        Event.objects.filter(verb="message.converted").count(),
        Assignment.objects.exclude(converted_at=None).count(),
    ) == before
    # when the insider opens their link and answers a survey
    services.link_open(token=services.link_token(assignment))
    survey = survey_create(actor=admin, template="lead_user", closes_at=timezone.now() + timedelta(days=3))
    with django_capture_on_commit_callbacks(execute=True):
        survey_open(actor=admin, survey_id=survey.pk)
    with django_capture_on_commit_callbacks(execute=True):
        survey_answer(actor=insider, survey_id=survey.pk, scores=SCORES)
    assignment.refresh_from_db()
    assert assignment.conversion == "survey_answer"
    converted = Event.objects.get(verb="message.converted")
    assert converted.details == {
        "experiment": experiment.pk,
        "arm": assignment.arm_id,
        "company": assignment.arm.message.company,
        "medium": "personal",
        "action": "survey_answer",
    }
    # and the dataset's events hold assignment, exposure and conversion
    events = export_tables()["events"].to_pydict()
    verbs = [
        v
        for v in events["verb"]
        if v.startswith("message.") and v in ("message.assigned", "message.exposed", "message.converted")
    ]
    assert sorted(set(verbs)) == ["message.assigned", "message.converted", "message.exposed"]
    assert verbs.count("message.assigned") == 4


@pytest.mark.django_db
def test_experiments_over_the_api(call, admin, member, setup, django_capture_on_commit_callbacks):
    ours, company = setup["messages"]
    arms = [{"message_id": m.pk, "channel_id": setup["channel"].pk} for m in (ours, company)]
    created = call(
        "POST", "/api/experiments", {"name": "Spring", "arms": arms, "segment_id": setup["segment"].pk}, as_member=admin
    )
    assert created.status_code == 201, created.content
    experiment_id = created.json()["id"]
    with django_capture_on_commit_callbacks(execute=True):
        started = call("POST", f"/api/experiments/{experiment_id}/start", as_member=admin)
    assert started.json()["status"] == "running"
    read = call("GET", f"/api/experiments/{experiment_id}", as_member=admin).json()
    assert [(a["company"], a["medium"]) for a in read["arms"]] == [(False, "personal"), (True, "personal")]
    assert sum(a["assigned"] for a in read["arms"]) == 4
    assert call("GET", f"/api/experiments/{experiment_id}", as_member=member).status_code == 403
    outsider = call(
        "POST",
        f"/api/experiments/{experiment_id}/conversions",
        {"member_id": member.pk, "action": "order"},
        as_member=admin,
    )
    assert (outsider.status_code, outsider.json()["code"]) == (400, "not_in_experiment")
