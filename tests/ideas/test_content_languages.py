"""Content staff write, in each language of the site: campaign texts, renamed stages, decline reasons."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from prosumo.ideas.models import DEFAULT_DECLINE_REASONS, Campaign, DeclineReason, Stage
from prosumo.ideas.selectors import missing_translations
from prosumo.ideas.services import campaign_create, campaign_update
from prosumo.ideas.services.stages import GATE_MISSED_REASON, default_decline_reason
from tests.ideas.test_staff_campaigns import form_data
from tests.web.test_i18n import spanish_visitor, visible_text

pytestmark = pytest.mark.django_db


def in_spanish(client: Client) -> Client:
    response = client.post("/i18n/setlang/", {"language": "es", "next": "/"})
    assert response.status_code == 302
    return client


def test_a_campaign_written_in_both_languages_shows_each_reader_their_own(admin, login):
    # given: the staff form with the Spanish title, brief and one stage name
    client = login(admin)
    data = form_data(
        title_es="Hornillos de camping más silenciosos",
        brief_es="¿Cómo podría ser más **silencioso** un hornillo?",
        label_under_review_es="Con el equipo de hornillos",
    )
    # when
    response = client.post("/staff/campaigns/new/", data)
    # then
    assert response.status_code == 302, visible_text(response)
    campaign = Campaign.objects.get()
    assert (campaign.title_en, campaign.title_es) == (
        "Quieter camping stoves",
        "Hornillos de camping más silenciosos",
    )
    assert campaign.stage_labels_en == {"under_review": "With the stove team", "launched": "In the shops"}
    assert campaign.stage_labels_es == {"under_review": "Con el equipo de hornillos"}
    english = visible_text(Client().get(f"/c/{campaign.slug}/"))
    spanish = visible_text(spanish_visitor().get(f"/c/{campaign.slug}/"))
    assert "Quieter camping stoves" in english
    assert "Hornillos" not in english
    assert "Hornillos de camping más silenciosos" in spanish
    assert "Quieter camping stoves" not in spanish
    assert "silencioso" in spanish
    with translation.override("es"):
        # renamed in Spanish; renamed in English only, so the English name stands in
        assert campaign.stage_label(Stage.UNDER_REVIEW) == "Con el equipo de hornillos"
        assert campaign.stage_label(Stage.LAUNCHED) == "In the shops"
        assert campaign.stage_label(Stage.OPEN) == str(Stage.OPEN.label)  # the catalogue's Spanish name
    with translation.override("en"):
        assert campaign.stage_label(Stage.UNDER_REVIEW) == "With the stove team"


def test_a_campaign_written_in_english_only_falls_back_for_spanish_readers(campaign):
    # when
    spanish = visible_text(spanish_visitor().get(f"/c/{campaign.slug}/"))
    # then
    assert campaign.title_es in (None, "")
    assert campaign.title_en in spanish


def test_title_means_the_default_language_whatever_the_page_language(admin):
    # given a request in Spanish
    with translation.override("es"):
        # when
        campaign = campaign_create(actor=admin, title="Bike lights", brief="Brighter, please.")
        campaign_update(actor=admin, campaign=campaign, title="Bike lamps", title_es="Luces de bici")
    # then: "title" went to English, and Spanish holds only what was given for it
    campaign.refresh_from_db()
    assert (campaign.title_en, campaign.title_es) == ("Bike lamps", "Luces de bici")
    assert campaign.brief_es in (None, "")


def test_the_edit_form_shows_each_language_own_text_not_the_fallback(admin, login):
    # given a campaign with no Spanish text
    client = in_spanish(login(admin))
    client.post("/staff/campaigns/new/", form_data())
    campaign = Campaign.objects.get()
    # when the admin opens it in Spanish
    page = client.get(f"/staff/campaigns/{campaign.pk}/edit/").content.decode()
    # then the English box holds the title and the Spanish box is empty
    assert 'name="title" value="Quieter camping stoves"' in page
    assert 'name="title_es"' in page
    assert 'name="title_es" value=' not in page


def test_saving_the_form_unchanged_changes_nothing(admin, login):
    # given
    client = login(admin)
    client.post("/staff/campaigns/new/", form_data(title_es="Hornillos", label_launched_es="En las tiendas"))
    campaign = Campaign.objects.get()
    events = campaign_events(campaign)
    # when the same form is saved again
    response = client.post(
        f"/staff/campaigns/{campaign.pk}/edit/", form_data(title_es="Hornillos", label_launched_es="En las tiendas")
    )
    # then
    assert response.status_code == 302
    assert campaign_events(campaign) == events


def campaign_events(campaign: Campaign) -> int:
    from prosumo.activity.models import Event

    return Event.objects.filter(verb__startswith="campaign.", object_id=campaign.pk).count()


def test_the_api_takes_other_languages_and_refuses_an_unknown_one(admin):
    # given
    from prosumo.community.tokens import token_create

    token = token_create(actor=admin, name="campaigns", scopes=["write", "staff"])[1]
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    body: dict[str, Any] = {
        "title": "Tents",
        "brief": "Lighter tents.",
        "translations": {"es": {"title": "Tiendas", "brief": "Tiendas más ligeras."}},
    }
    # when
    created = client.post("/api/campaigns", body, content_type="application/json")
    refused = client.post(
        "/api/campaigns", {**body, "translations": {"fr": {"title": "Tentes"}}}, content_type="application/json"
    )
    # then
    assert created.status_code == 201, created.content
    campaign = Campaign.objects.get()
    assert (campaign.title_en, campaign.title_es, campaign.brief_es) == ("Tents", "Tiendas", "Tiendas más ligeras.")
    assert refused.status_code == 400
    assert refused.json()["fields"] == {"translations": ["unknown_language"]}
    assert Campaign.objects.count() == 1


def test_the_decline_reasons_every_site_starts_with_are_in_spanish():
    # when
    reasons = {r.label_en: r.label_es for r in DeclineReason.objects.filter(label_en__in=DEFAULT_DECLINE_REASONS)}
    # then
    assert set(reasons) == set(DEFAULT_DECLINE_REASONS)
    assert reasons["Not feasible now"] == "No es viable por ahora"
    assert all(reasons.values())
    with translation.override("es"):
        assert str(DeclineReason.objects.get(label_en="Duplicate of another idea")) == "Repite otra idea"


def test_the_scheduled_decline_finds_its_reason_in_any_language():
    # given
    first = default_decline_reason(GATE_MISSED_REASON)
    # when
    with translation.override("es"):
        again = default_decline_reason(GATE_MISSED_REASON)
    # then
    assert again.pk == first.pk
    assert DeclineReason.objects.filter(label_en=GATE_MISSED_REASON).count() == 1


def test_staff_see_what_is_missing_in_each_language(admin, login, campaign):
    # given: the campaign fixture is English only; one reason is English only
    Campaign.objects.filter(pk=campaign.pk).update(title_es="Acampada", stage_labels_en={"launched": "In shops"})
    custom = DeclineReason.objects.create(label_en="Too costly to make")
    # when
    rows = {(m.kind, m.object_id, m.part): m.languages for m in missing_translations()}
    page = login(admin).get("/staff/translations/")
    # then
    assert rows[("campaign", campaign.pk, "brief")] == ("es",)
    assert rows[("campaign", campaign.pk, "stage:launched")] == ("es",)
    assert ("campaign", campaign.pk, "title") not in rows  # written in both
    assert rows[("decline_reason", custom.pk, "label")] == ("es",)
    assert not any(kind == "decline_reason" and pk != custom.pk for kind, pk, _part in rows)
    assert page.status_code == 200
    text = visible_text(page)
    assert "Too costly to make" in text
    assert "Spanish" in text
    assert f"/staff/campaigns/{campaign.pk}/edit/" in page.content.decode()


def test_only_admins_see_the_missing_translations(member, moderator, login):
    # members do not learn the page exists; other staff are told they may not
    assert login(member).get("/staff/translations/").status_code == 404
    assert login(moderator).get("/staff/translations/").status_code == 403


def test_the_admin_has_one_box_per_language(campaign, admin, login):
    # given
    client = login(admin)
    reason = DeclineReason.objects.get(label_en="Not feasible now")
    # when
    campaign_page = client.get(f"/admin/ideas/campaign/{campaign.pk}/change/").content.decode()
    reason_page = client.get(f"/admin/ideas/declinereason/{reason.pk}/change/").content.decode()
    # then
    assert 'name="title_en"' in campaign_page
    assert 'name="title_es"' in campaign_page
    assert 'name="brief_es"' in campaign_page
    assert 'value="No es viable por ahora"' in reason_page
