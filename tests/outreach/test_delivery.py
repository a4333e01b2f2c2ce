"""Experiment email: sent by a task in batches, each member in their language, with unsubscribe, through real SMTP."""

from __future__ import annotations

import pytest
from django.test import Client

from prosumo.community.models import EmailPreference, Segment
from prosumo.core.errors import Conflict
from prosumo.outreach import services
from prosumo.outreach.models import Assignment
from tests.browser.smtp import send_to, smtp_server, text_of


@pytest.mark.django_db
def test_the_email_arms_go_out_in_batches_each_in_the_members_language(
    brief, admin, member, make_member, settings, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr("prosumo.outreach.services.delivery.BATCH", 2)
    # given a running experiment of two email arms for a segment of five; one member stopped the team's
    # messages, and one only the news about ideas (so still gets them)
    gold = Segment.objects.create(name="Gold", slug="gold")
    members = [make_member(locale="es" if i == 0 else "en") for i in range(5)]
    members[4].outreach_email = False
    members[4].save(update_fields=["outreach_email"])
    members[3].email_preference = EmailPreference.NONE
    members[3].save(update_fields=["email_preference"])
    for m in members:
        m.segment = gold
        m.save(update_fields=["segment"])
    ours = services.message_propose(actor=member, brief_id=brief.pk, text="Sleep under the stars, dry.")
    company = services.message_propose(actor=admin, brief_id=brief.pk, text="Our tent, your night out.", company=True)
    email = services.channel_create(actor=admin, name="newsletter", kind="email")
    experiment = services.experiment_create(
        actor=admin, name="Spring", arms=[(ours.pk, email.pk), (company.pk, email.pk)], segment_id=gold.pk
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.experiment_start(actor=admin, experiment_id=experiment.pk)
    with smtp_server() as box:
        send_to(settings, box)
        settings.SITE_URL = "http://testserver"
        # when staff ask for the mail: the request's task sends the first batch of two
        with django_capture_on_commit_callbacks(execute=True):
            services.experiment_mail(actor=admin, experiment_id=experiment.pk)
        assert Assignment.objects.filter(experiment=experiment, mailed_at__isnull=False).count() == 2
        # and the periodic runs send the rest, and then nothing
        with django_capture_on_commit_callbacks(execute=True):
            rest = services.mail_due()
        with django_capture_on_commit_callbacks(execute=True):
            assert services.mail_due() == {experiment.pk: 0}
        spanish = box.wait_for(to=members[0].email)
        english = box.wait_for(to=members[1].email)
        received = box.received()
    # then four members got one email each, the one who stopped the team's messages none
    assert rest == {experiment.pk: 2}
    assert sorted(m["To"] for m in received) == sorted(m.email for m in members[:4])
    assert "Hola" in text_of(spanish)
    assert "Hello" in text_of(english)
    unsubscribe = f"<http://testserver/notifications/unsubscribe/{members[1].unsubscribe_token}/outreach/>"
    assert english["List-Unsubscribe"].strip() == unsubscribe
    # each email carries its member's own message and tracked link, and the link records the exposure
    assignment = Assignment.objects.get(experiment=experiment, member=members[1])
    assert assignment.arm.message.text in text_of(english)
    html = english.get_body(preferencelist=("html",))
    assert html is not None
    assert f"{assignment.arm.message.text}" in html.get_content()
    assert "/p.gif" in html.get_content()
    assert "/p.gif" not in text_of(english)
    link = next(word for word in text_of(english).split() if "/o/" in word)
    assert Client().get(link.replace("http://testserver", "")).status_code == 200
    assignment.refresh_from_db()
    assert assignment.exposed_at is not None
    assert Assignment.objects.filter(experiment=experiment, mailed_at__isnull=True).count() == 1


@pytest.mark.django_db
def test_mail_for_an_experiment_not_running_is_refused(admin, brief):
    ours = services.message_propose(actor=admin, brief_id=brief.pk, text="Our tent, your night out.", company=True)
    other = services.message_propose(actor=admin, brief_id=brief.pk, text="Another tent, other nights.", company=True)
    banner = services.channel_create(actor=admin, name="banner", kind="banner")
    experiment = services.experiment_create(actor=admin, name="X", arms=[(ours.pk, banner.pk), (other.pk, banner.pk)])
    with pytest.raises(Conflict) as caught:
        services.experiment_mail(actor=admin, experiment_id=experiment.pk)
    assert caught.value.code == "experiment_not_running"
    services.experiment_start(actor=admin, experiment_id=experiment.pk)
    with pytest.raises(Conflict) as caught:
        services.experiment_mail(actor=admin, experiment_id=experiment.pk)
    assert caught.value.code == "no_email_arm"
    experiment.refresh_from_db()
    assert experiment.mail_requested_at is None
