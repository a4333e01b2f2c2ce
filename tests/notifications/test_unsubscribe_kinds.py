"""Each kind of mail is stopped on its own, from its own link, on a page in the recipient's language."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from prosumo.activity.models import Event
from prosumo.community.models import EmailPreference

pytestmark = pytest.mark.django_db

ONE_CLICK = "List-Unsubscribe=One-Click"
FORM = "application/x-www-form-urlencoded"


def english_browser() -> Client:
    return Client(enforce_csrf_checks=True, headers={"accept-language": "en"})


def test_the_news_link_stops_the_news_only_on_a_page_in_the_recipients_language(make_member: Any) -> None:
    # given a Spanish-speaking member who opens the link of a notification email in an English browser
    member = make_member(locale="es")
    url = f"/notifications/unsubscribe/{member.unsubscribe_token}/news/"
    page = english_browser().get(url)
    # then the page is in Spanish, names the kind of mail, and offers to stop all of it too
    assert page.status_code == 200
    assert page["Content-Language"] == "es"
    text = page.content.decode()
    assert '<html lang="es">' in text
    assert "No recibirás más noticias sobre las ideas que sigues por correo" in text
    assert f'action="/notifications/unsubscribe/{member.unsubscribe_token}/"' in text
    # when the mail client posts the one-click body
    done = english_browser().post(url, ONE_CLICK, content_type=FORM)
    # then only the news stop, in Spanish again, and it is recorded with the kind
    assert done.status_code == 200
    assert "Puedes volver a activarlos en tu configuración" in done.content.decode()
    member.refresh_from_db()
    assert (member.email_preference, member.outreach_email) == (EmailPreference.NONE, True)
    event = Event.objects.get(verb="member.unsubscribed")
    assert event.details == {"from": "immediate", "kinds": ["news"]}


def test_the_team_messages_link_stops_those_only(make_member: Any) -> None:
    member = make_member(locale="en")
    url = f"/notifications/unsubscribe/{member.unsubscribe_token}/outreach/"
    assert "no more messages from the community team by email" in english_browser().get(url).content.decode()
    assert english_browser().post(url, ONE_CLICK, content_type=FORM).status_code == 200
    member.refresh_from_db()
    assert (member.email_preference, member.outreach_email) == (EmailPreference.IMMEDIATE, False)
    # and a second click records nothing more
    english_browser().post(url, ONE_CLICK, content_type=FORM)
    assert Event.objects.filter(verb="member.unsubscribed").count() == 1


def test_stop_all_from_the_page_stops_every_kind(make_member: Any) -> None:
    member = make_member(locale="en")
    assert english_browser().post(f"/notifications/unsubscribe/{member.unsubscribe_token}/").status_code == 200
    member.refresh_from_db()
    assert (member.email_preference, member.outreach_email) == (EmailPreference.NONE, False)


def test_an_unknown_kind_or_token_is_not_found_and_changes_nothing(make_member: Any) -> None:
    member = make_member(locale="en")
    for url in (
        f"/notifications/unsubscribe/{member.unsubscribe_token}/invitations/",
        "/notifications/unsubscribe/not-a-token/news/",
    ):
        assert english_browser().get(url).status_code == 404
        assert english_browser().post(url, ONE_CLICK, content_type=FORM).status_code == 404
    member.refresh_from_db()
    assert (member.email_preference, member.outreach_email) == (EmailPreference.IMMEDIATE, True)
    assert not Event.objects.filter(verb="member.unsubscribed").exists()


def test_the_settings_page_turns_the_team_messages_back_on(make_member: Any) -> None:
    member = make_member(locale="en")
    member.outreach_email = False
    member.save(update_fields=["outreach_email"])
    browser = Client()
    browser.force_login(member)
    page = browser.get("/me/").content.decode()
    assert "Email me messages from the community team" in page
    data = {"display_name": member.display_name, "locale": "en", "email_preference": "daily", "outreach_email": "on"}
    assert browser.post("/me/", data).status_code == 302
    member.refresh_from_db()
    assert (member.email_preference, member.outreach_email) == (EmailPreference.DAILY, True)
