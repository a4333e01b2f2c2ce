"""The tracking image of an email arm: its first load is the member's exposure, once; a replay writes nothing."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from prosumo.activity.models import Event
from prosumo.core.models import OutgoingMail
from prosumo.outreach import services
from prosumo.outreach.models import Assignment
from prosumo.outreach.views import PIXEL_GIF

pytestmark = pytest.mark.django_db


@pytest.fixture
def mailed(admin, member, make_member, brief, settings, django_capture_on_commit_callbacks):
    """A running experiment of one email arm and one banner arm, whose email is queued (not sent)."""
    settings.SITE_URL = "http://testserver"
    for _ in range(4):
        make_member(locale="en")
    ours = services.message_propose(actor=member, brief_id=brief.pk, text="Sleep under the stars, dry.")
    company = services.message_propose(actor=admin, brief_id=brief.pk, text="Our tent, your night out.", company=True)
    email = services.channel_create(actor=admin, name="newsletter", kind="email")
    experiment = services.experiment_create(
        actor=admin, name="Spring", arms=[(ours.pk, email.pk), (company.pk, email.pk)]
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.experiment_start(actor=admin, experiment_id=experiment.pk)
    services.experiment_mail(actor=admin, experiment_id=experiment.pk)
    services.mail_batch(experiment_id=experiment.pk, batch=100)
    return experiment


def pixel_of(assignment: Assignment) -> str:
    mail = OutgoingMail.objects.get(key=f"outreach:{assignment.pk}")
    found = re.search(r'<img src="http://testserver(/o/[^"]+/p\.gif)" width="1" height="1" alt=""', mail.html_body)
    assert found, mail.html_body
    assert "p.gif" not in mail.body  # the text part has no image
    return found.group(1)


def test_the_first_load_records_the_exposure_and_a_replay_nothing(mailed):
    assignment = Assignment.objects.filter(experiment=mailed).order_by("pk").first()
    url = pixel_of(assignment)
    first = Client().get(url)
    assert first.status_code == 200
    assert (first["Content-Type"], first.content) == ("image/gif", PIXEL_GIF)
    assert "no-store" in first["Cache-Control"]
    assert "no-cache" in first["Cache-Control"]
    assert not first.cookies
    assert Client().get(url).content == PIXEL_GIF  # a replay: the same image, nothing written
    event = Event.objects.get(verb="message.exposed")
    assert event.target_member_id == assignment.member_id
    assert event.details["via"] == "pixel"
    assert event.details["arm"] == assignment.arm_id
    assignment.refresh_from_db()
    assert assignment.exposed_at is not None
    # the tracked link opened afterwards writes nothing either
    Client().get(url.removesuffix("p.gif"))
    assert Event.objects.filter(verb="message.exposed").count() == 1


def test_a_pixel_after_the_link_writes_nothing(mailed):
    assignment = Assignment.objects.filter(experiment=mailed).order_by("pk").first()
    url = pixel_of(assignment)
    Client().get(url.removesuffix("p.gif"))
    assert Client().get(url).status_code == 200
    assert list(Event.objects.filter(verb="message.exposed").values_list("details__via", flat=True)) == [None]


def test_a_changed_pixel_records_nothing_and_says_why(mailed):
    assignment = Assignment.objects.filter(experiment=mailed).order_by("pk").first()
    url = pixel_of(assignment)
    tampered = url.replace("/p.gif", "x/p.gif")
    response = Client().get(tampered)
    assert response.status_code == 400
    assert "not valid" in response.content.decode()
    assert "no-cache" in response["Cache-Control"]
    assert not Event.objects.filter(verb="message.exposed").exists()
    assignment.refresh_from_db()
    assert assignment.exposed_at is None


def test_each_members_image_is_their_own(mailed):
    first, second = Assignment.objects.filter(experiment=mailed).order_by("pk")[:2]
    Client().get(pixel_of(second))
    assert list(Event.objects.filter(verb="message.exposed").values_list("target_member_id", flat=True)) == [
        second.member_id
    ]
    first.refresh_from_db()
    assert first.exposed_at is None
