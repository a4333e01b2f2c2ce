"""The staff pages that create and edit campaigns: admins only, through the campaign services."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from prosumo.activity.models import Event
from prosumo.community.models import Segment
from prosumo.ideas.forms import parse_gates
from prosumo.ideas.models import Campaign
from prosumo.ideas.services import campaign_update, stage_change
from tests.web.test_i18n import visible_text

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def form_data(**overrides: Any) -> dict[str, Any]:
    """What an admin types into the campaign form; blank stage names keep the usual ones."""
    data: dict[str, Any] = {
        "title": "Quieter camping stoves",
        "brief": "How could a **camping stove** be quieter?",
        "starts_at": "2026-12-01T09:00",
        "ends_at": "2027-03-01T18:30",
        "is_published": "on",
        "visibility": "public",
        "segment_id": "",
        "voting_mode": "support",
        "support_threshold": "50",
        "support_gates": "100 60\n1000 365",
        "scorecard_criteria": "Desirability\nFits our range\n",
        "skipped_stages": ["in_development"],
        "premoderation": "on",
        "label_under_review": "With the stove team",
        "label_launched": "In the shops",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def snapshot() -> tuple[int, int]:
    """Campaign rows and events, leaving out the page-view event a member's first request of the day writes."""
    return Campaign.objects.count(), Event.objects.exclude(verb="member.visited").count()


# --- creating -------------------------------------------------------------------------


def test_admin_creates_a_campaign_with_gates_criteria_and_labels(admin, login):
    # given
    client = login(admin)
    # when
    response = client.post("/staff/campaigns/new/", form_data())
    # then
    assert response.status_code == 302
    assert response["Location"] == "/staff/campaigns/"
    campaign = Campaign.objects.get()
    assert campaign.title == "Quieter camping stoves"
    assert campaign.slug == "quieter-camping-stoves"
    assert campaign.brief == "How could a **camping stove** be quieter?"
    assert campaign.starts_at == datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    assert campaign.ends_at == datetime(2027, 3, 1, 18, 30, tzinfo=UTC)
    assert campaign.is_published is True
    assert campaign.visibility == "public"
    assert campaign.segment_id is None
    assert campaign.voting_mode == "support"
    assert campaign.support_threshold == 50
    assert campaign.support_gates == [{"supporters": 100, "days": 60}, {"supporters": 1000, "days": 365}]
    assert campaign.scorecard_criteria == ["Desirability", "Fits our range"]
    assert campaign.stage_labels == {"under_review": "With the stove team", "launched": "In the shops"}
    assert campaign.skipped_stages == ["in_development"]
    assert campaign.premoderation is True
    assert campaign.created_by == admin
    assert campaign.cover.name == ""
    event = Event.objects.get(verb="campaign.created")
    assert (event.actor_id, event.object_id, event.campaign_id) == (admin.pk, campaign.pk, campaign.pk)
    assert event.details == {"voting_mode": "support"}


def test_success_message_and_the_new_campaign_in_the_list(admin, login, time_machine):
    # given: a day before the campaign starts
    time_machine.move_to(datetime(2026, 11, 30, 12, 0, tzinfo=UTC), tick=False)
    client = login(admin)
    # when
    page = client.post("/staff/campaigns/new/", form_data(), follow=True)
    # then
    text = visible_text(page)
    assert "Campaign “Quieter camping stoves” created." in text
    assert (
        "Quieter camping stoves Upcoming 2026-12-01 09:00 2027-03-01 18:30 Everyone Support (with a threshold) 0 0 Edit"
        in text
    )


def test_a_segment_campaign_keeps_its_segment(admin, login):
    # given
    gold = Segment.objects.create(name="Gold", slug="gold")
    # when
    response = login(admin).post("/staff/campaigns/new/", form_data(visibility="segment", segment_id=str(gold.pk)))
    # then
    assert response.status_code == 302
    campaign = Campaign.objects.get()
    assert (campaign.visibility, campaign.segment_id) == ("segment", gold.pk)


def test_a_segment_chosen_for_a_public_campaign_is_not_kept(admin, login):
    gold = Segment.objects.create(name="Gold", slug="gold")
    login(admin).post("/staff/campaigns/new/", form_data(visibility="public", segment_id=str(gold.pk)))
    assert Campaign.objects.get().segment_id is None


def test_a_cover_image_is_stored_under_its_real_type(admin, login, settings, tmp_path):
    # given
    settings.MEDIA_ROOT = tmp_path
    cover = SimpleUploadedFile("my stove!.PNG", PNG, content_type="image/png")
    # when
    response = login(admin).post("/staff/campaigns/new/", form_data(cover=cover))
    # then
    assert response.status_code == 302
    campaign = Campaign.objects.get()
    assert re.fullmatch(r"covers/[A-Za-z0-9_-]{32}\.png", campaign.cover.name), campaign.cover.name
    assert (tmp_path / campaign.cover.name).read_bytes() == PNG


def test_the_new_campaign_form_starts_now(admin, login):
    # given
    before = timezone.now().replace(second=0, microsecond=0)
    # when
    response = login(admin).get("/staff/campaigns/new/")
    # then
    starts = response.context["form"].initial["starts_at"]
    assert response.status_code == 200
    assert before <= starts <= timezone.now()
    assert f'type="datetime-local" name="starts_at" value="{starts:%Y-%m-%dT%H:%M}"' in response.content.decode()


# --- bad input: 400, the message, nothing saved -------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": "  "}, "A campaign needs a title."),
        ({"brief": ""}, "Write a brief so members know what you ask for."),
        ({"ends_at": "2026-11-30T09:00"}, "The campaign must end after it starts."),
        ({"starts_at": ""}, "This field is required."),
        ({"starts_at": "next week"}, "Enter a valid date/time."),
        (
            {"support_gates": "100 60\n1000 in a year"},
            "Line 2 (“1000 in a year”) is not two whole numbers: the supporters, then the days, e.g. “100 60”.",
        ),
        ({"support_gates": "1000 365\n100 60"}, "Gates need positive numbers, rising in both supporters and days."),
        ({"support_gates": "100 0"}, "Gates need positive numbers, rising in both supporters and days."),
        ({"visibility": "segment", "segment_id": ""}, "A segment-only campaign needs a segment."),
        ({"voting_mode": "lottery"}, "Select a valid choice. lottery is not one of the available choices."),
        ({"support_threshold": "-1"}, "Ensure this value is greater than or equal to 0."),
        ({"scorecard_criteria": "Cost\ncost"}, "“cost” is listed twice."),
        ({"skipped_stages": ["declined"]}, "Select a valid choice. declined is not one of the available choices."),
    ],
    ids=[
        "missing-title",
        "missing-brief",
        "ends-before-starts",
        "no-start",
        "bad-start",
        "bad-gates-line",
        "gates-not-rising",
        "gate-of-zero-days",
        "segment-without-segment",
        "unknown-voting-mode",
        "negative-threshold",
        "criterion-twice",
        "unskippable-stage",
    ],
)
def test_bad_input_answers_400_with_the_message_and_saves_nothing(admin, login, overrides, message):
    # given
    client = login(admin)
    before = snapshot()
    # when
    response = client.post("/staff/campaigns/new/", form_data(**overrides))
    # then
    assert response.status_code == 400
    assert message in visible_text(response)
    assert snapshot() == before


def test_a_cover_that_is_too_large_is_refused(admin, login, settings, tmp_path):
    # given
    settings.MEDIA_ROOT = tmp_path
    settings.PROSUMO_MAX_UPLOAD_BYTES = 100_000
    cover = SimpleUploadedFile("huge.png", PNG + b"\0" * 150_000, content_type="image/png")
    before = snapshot()
    # when
    response = login(admin).post("/staff/campaigns/new/", form_data(cover=cover))
    # then
    assert response.status_code == 400
    assert "The file is 0.2 MB; the limit is 0.1 MB." in visible_text(response)
    assert snapshot() == before
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("name", "content"),
    [("stove.png", b"#!/bin/sh\necho hi\n"), ("brochure.pdf", b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n")],
    ids=["script-named-png", "pdf"],
)
def test_a_cover_that_is_not_an_image_is_refused(admin, login, settings, tmp_path, name, content):
    # given
    settings.MEDIA_ROOT = tmp_path
    before = snapshot()
    # when
    response = login(admin).post("/staff/campaigns/new/", form_data(cover=SimpleUploadedFile(name, content)))
    # then
    assert response.status_code == 400
    assert "A cover is a PNG, JPEG, GIF or WebP image." in visible_text(response)
    assert snapshot() == before


def test_a_refused_form_keeps_what_was_typed(admin, login):
    response = login(admin).post("/staff/campaigns/new/", form_data(title="", support_gates="100 sixty"))
    page = response.content.decode()
    assert response.status_code == 400
    assert "100 sixty</textarea>" in page
    assert "With the stove team" in page


# --- editing --------------------------------------------------------------------------------


def test_the_edit_form_shows_the_campaign_as_stored(admin, login, make_campaign):
    # given
    campaign = make_campaign(
        title="Tents for families",
        support_gates=[{"supporters": 100, "days": 60}, {"supporters": 1000, "days": 365}],
        scorecard_criteria=["Desirability", "Cost"],
        stage_labels={"accepted": "Chosen"},
        skipped_stages=["launched"],
    )
    # when
    response = login(admin).get(f"/staff/campaigns/{campaign.pk}/edit/")
    # then
    page = response.content.decode()
    assert response.status_code == 200
    assert "100 60\n1000 365</textarea>" in page
    assert "Desirability\nCost</textarea>" in page
    assert 'name="label_accepted" value="Chosen"' in page
    assert 'name="skipped_stages" value="launched" id="id_skipped_stages_3" checked' in page


def test_admin_edits_a_campaign_and_the_event_names_what_changed(admin, login, make_campaign):
    # given
    campaign = make_campaign(title="Tents for families", support_threshold=3)
    client = login(admin)
    data = client.get(f"/staff/campaigns/{campaign.pk}/edit/").context["form"].initial
    posted = form_data(
        title="Tents for big families",
        brief=campaign.brief,
        starts_at=f"{data['starts_at']:%Y-%m-%dT%H:%M}",
        ends_at="",
        support_threshold="10",
        support_gates="",
        scorecard_criteria="",
        skipped_stages=[],
        premoderation=None,
        label_under_review="",
        label_launched="",
        voting_mode="updown",
    )
    # when
    response = client.post(f"/staff/campaigns/{campaign.pk}/edit/", posted)
    # then
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.title == "Tents for big families"
    assert campaign.support_threshold == 10
    assert campaign.voting_mode == "updown"
    assert campaign.starts_at == data["starts_at"]
    event = Event.objects.filter(verb="campaign.updated").get()
    assert event.details == {"fields": ["support_threshold", "title", "voting_mode"]}


def test_a_new_start_after_the_stored_end_is_refused(admin, login, make_campaign):
    # given: only the start changes, to after the end already stored
    campaign = make_campaign(
        title="Tents for families",
        starts_at=datetime(2026, 1, 5, 8, 0, tzinfo=UTC),
        ends_at=datetime(2026, 2, 1, 8, 0, tzinfo=UTC),
    )
    posted = form_data(
        title="Tents for families",
        brief=campaign.brief,
        starts_at="2026-03-01T08:00",
        ends_at="2026-02-01T08:00",
        support_threshold="0",
        support_gates="",
        scorecard_criteria="",
        skipped_stages=[],
        premoderation=None,
        label_under_review="",
        label_launched="",
    )
    before = snapshot()
    # when
    response = login(admin).post(f"/staff/campaigns/{campaign.pk}/edit/", posted)
    # then
    assert response.status_code == 400
    assert "The campaign must end after it starts." in visible_text(response)
    assert snapshot() == before


def test_a_segment_campaign_made_from_a_public_one_keeps_the_segment_it_had(admin, login, make_campaign):
    # given: a public campaign that already names a segment (as the API allows)
    gold = Segment.objects.create(name="Gold", slug="gold")
    campaign = make_campaign(
        title="Tents for families", starts_at=datetime(2026, 1, 5, 8, 0, tzinfo=UTC), segment_id=gold.pk
    )
    posted = form_data(
        title="Tents for families",
        brief=campaign.brief,
        starts_at="2026-01-05T08:00",
        ends_at="",
        support_threshold="0",
        support_gates="",
        scorecard_criteria="",
        skipped_stages=[],
        premoderation=None,
        label_under_review="",
        label_launched="",
        visibility="segment",
        segment_id=str(gold.pk),
    )
    # when
    response = login(admin).post(f"/staff/campaigns/{campaign.pk}/edit/", posted)
    # then
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert (campaign.visibility, campaign.segment_id) == ("segment", gold.pk)
    assert Event.objects.get(verb="campaign.updated").details == {"fields": ["segment_id", "visibility"]}


def test_saving_an_unchanged_campaign_writes_no_event(admin, login, make_campaign):
    # given
    campaign = make_campaign(
        title="Tents for families", starts_at=datetime(2026, 1, 5, 8, 0, tzinfo=UTC), support_threshold=3
    )
    client = login(admin)
    posted = form_data(
        title="Tents for families",
        brief=campaign.brief,
        starts_at="2026-01-05T08:00",
        ends_at="",
        support_threshold="3",
        support_gates="",
        scorecard_criteria="",
        skipped_stages=[],
        premoderation=None,
        label_under_review="",
        label_launched="",
    )
    before = snapshot()
    # when
    response = client.post(f"/staff/campaigns/{campaign.pk}/edit/", posted, follow=True)
    # then
    assert "Nothing changed." in visible_text(response)
    assert snapshot() == before


def test_a_refused_edit_changes_nothing(admin, login, make_campaign):
    # given
    campaign = make_campaign(title="Tents for families", starts_at=datetime(2026, 1, 5, 8, 0, tzinfo=UTC))
    before = snapshot()
    # when
    response = login(admin).post(
        f"/staff/campaigns/{campaign.pk}/edit/",
        form_data(title="New title", starts_at="2026-01-05T08:00", ends_at="2026-01-01T08:00"),
    )
    # then
    assert response.status_code == 400
    assert "The campaign must end after it starts." in visible_text(response)
    campaign.refresh_from_db()
    assert campaign.title == "Tents for families"
    assert snapshot() == before


def test_editing_a_campaign_that_does_not_exist_is_404(admin, login):
    assert login(admin).get("/staff/campaigns/999999/edit/").status_code == 404


# --- the list --------------------------------------------------------------------------------


def test_the_list_shows_every_campaign_with_its_status_and_waiting_ideas(
    admin, login, make_campaign, make_idea, member, reviewer
):
    # given
    now = timezone.now()
    running = make_campaign(title="Running one", starts_at=now - timedelta(days=3))
    make_campaign(title="Upcoming one", starts_at=now + timedelta(days=3))
    make_campaign(title="Ended one", starts_at=now - timedelta(days=30), ends_at=now - timedelta(days=1))
    make_campaign(title="Draft one", starts_at=now - timedelta(days=3), is_published=False, visibility="invitation")
    answered = make_idea(member, in_campaign=running)
    make_idea(
        member,
        in_campaign=running,
        title="Another tent idea",
        body="A tent with a porch for muddy boots and wet coats.",
    )
    stage_change(actor=reviewer, idea_id=answered.pk, to_stage="under_review", message="Our team is looking at it.")
    # when
    response = login(admin).get("/staff/campaigns/")
    # then
    assert response.status_code == 200
    text = visible_text(response)
    assert "Running one Running" in text
    assert "Upcoming one Upcoming" in text
    assert "Ended one Ended" in text
    assert "Draft one Draft" in text
    assert "Invited members only" in text
    row = text[text.index("Running one Running") :]
    assert row.split(" Edit")[0].endswith("Everyone Support (with a threshold) 2 1")


@pytest.mark.parametrize("link", ["staff-campaigns-link", "staff-import-link"])
def test_admins_see_the_link_in_the_header_and_other_staff_do_not(admin, moderator, reviewer, login, link):
    assert f'id="{link}"' in login(admin).get("/").content.decode()
    assert f'id="{link}"' not in login(moderator).get("/").content.decode()
    assert f'id="{link}"' not in login(reviewer).get("/").content.decode()


# --- who may --------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/staff/campaigns/", "/staff/campaigns/new/", "/staff/campaigns/{id}/edit/"])
@pytest.mark.parametrize(("role", "status"), [("member", 404), ("moderator", 403), ("reviewer", 403), ("admin", 200)])
def test_only_admins_open_the_campaign_pages(make_member, login, campaign, path, role, status):
    response = login(make_member(role)).get(path.format(id=campaign.pk))
    assert response.status_code == status


@pytest.mark.parametrize("path", ["/staff/campaigns/", "/staff/campaigns/new/", "/staff/campaigns/{id}/edit/"])
def test_visitors_are_sent_to_log_in(campaign, path):
    response = Client().get(path.format(id=campaign.pk))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/staff/campaigns/")


@pytest.mark.parametrize(("role", "status"), [("member", 404), ("moderator", 403), ("reviewer", 403)])
def test_other_roles_cannot_post_a_campaign(make_member, login, role, status):
    client = login(make_member(role))
    before = snapshot()
    response = client.post("/staff/campaigns/new/", form_data())
    assert response.status_code == status
    assert snapshot() == before


def test_other_roles_cannot_post_an_edit(moderator, login, campaign):
    response = login(moderator).post(f"/staff/campaigns/{campaign.pk}/edit/", form_data(title="Taken over"))
    campaign.refresh_from_db()
    assert response.status_code == 403
    assert campaign.title != "Taken over"


def test_a_suspended_admin_loses_the_campaign_pages(make_member, admin, login):
    from prosumo.community.services import member_suspend

    other = make_member("admin")
    member_suspend(actor=admin, member=other, reason="Account shared with a contractor")
    assert login(other).get("/staff/campaigns/").status_code == 404


# --- the brief's preview ------------------------------------------------------------------------


def test_the_preview_renders_the_brief_as_the_campaign_page_will(admin, login):
    response = login(admin).post("/staff/campaigns/preview/", {"brief": "Make it **quiet**.<script>alert(1)</script>"})
    assert response.status_code == 200
    assert response.content.decode() == "<p>Make it <strong>quiet</strong>.</p>"


def test_the_preview_is_for_admins_only(moderator, login):
    assert login(moderator).post("/staff/campaigns/preview/", {"brief": "Hi"}).status_code == 403


# --- Spanish --------------------------------------------------------------------------------


def test_the_campaign_pages_are_in_spanish_for_a_spanish_admin(make_member, login, campaign):
    # given
    admin = make_member("admin", locale="es")
    client = login(admin)
    # when
    listing = visible_text(client.get("/staff/campaigns/"))
    form = visible_text(client.get(f"/staff/campaigns/{campaign.pk}/edit/"))
    no_title = client.post("/staff/campaigns/new/", form_data(title=""))
    bad_gates = client.post("/staff/campaigns/new/", form_data(support_gates="cien 60"))
    # then
    assert "Gestionar campañas" in listing
    assert "Nueva campaña" in listing
    assert "En curso" in listing
    assert "Esperan respuesta" in listing
    assert "Umbrales de apoyo" in form
    assert "Criterios de la ficha de evaluación" in form
    assert "Etapas que esta campaña se salta" in form
    assert "Guardar campaña" in form
    assert "Support gates" not in form
    assert no_title.status_code == bad_gates.status_code == 400
    assert "Una campaña necesita un título." in visible_text(no_title)
    assert (
        "La línea 1 («cien 60») no contiene dos números enteros: primero los apoyos y luego los días"
        in visible_text(bad_gates)
    )


# --- the gates parser -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "gates"),
    [
        ("100 60\n1000 365", [(100, 60), (1000, 365)]),
        ("  100 supporters in 60 days\n\n1,000 supporters within 365 days  ", [(100, 60), (1000, 365)]),
        ("100 apoyos en 60 días", [(100, 60)]),
        ("100, 60\n5000;730", [(100, 60), (5000, 730)]),
        ("", []),
    ],
)
def test_gates_are_read_one_per_line(text, gates):
    assert parse_gates(text) == [{"supporters": s, "days": d} for s, d in gates]


@pytest.mark.parametrize("line", ["10060", "100", "100 60 2", "100 sixty", "-100 60", "100.5 60"])
def test_a_gate_line_that_is_not_two_whole_numbers_is_named(line):
    from django import forms

    with pytest.raises(forms.ValidationError) as caught:
        parse_gates(f"50 30\n{line}")
    assert caught.value.messages == [
        f"Line 2 (“{line}”) is not two whole numbers: the supporters, then the days, e.g. “100 60”."
    ]


def test_an_update_through_the_service_still_refuses_a_bad_cover(admin, campaign):
    from prosumo.core.errors import InvalidInput

    with pytest.raises(InvalidInput) as caught:
        campaign_update(actor=admin, campaign=campaign, cover=SimpleUploadedFile("cover.gif", b"just some text"))
    assert caught.value.fields == {"cover": ["A cover is a PNG, JPEG, GIF or WebP image."]}


def test_admin_sets_an_answer_deadline_on_the_campaign_form(admin, login, make_campaign):
    # given
    campaign = make_campaign(title="Tents for families")
    client = login(admin)
    page = client.get(f"/staff/campaigns/{campaign.pk}/edit/")
    assert 'name="answer_days"' in page.content.decode()
    data = page.context["form"].initial
    posted = form_data(
        title=campaign.title,
        brief=campaign.brief,
        starts_at=f"{data['starts_at']:%Y-%m-%dT%H:%M}",
        ends_at="",
        support_threshold="0",
        support_gates="",
        scorecard_criteria="",
        skipped_stages=[],
        premoderation=None,
        answer_days="7",
    )
    # when
    response = client.post(f"/staff/campaigns/{campaign.pk}/edit/", posted)
    # then
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.answer_days == 7
    assert "answer_days" in Event.objects.filter(verb="campaign.updated").get().details["fields"]
