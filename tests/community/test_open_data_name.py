"""A member chooses on their settings page whether their name goes into the open data."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def settings_form(member: Any, **extra: str) -> dict[str, str]:
    return {"display_name": member.display_name, "locale": "en", "email_preference": "daily", **extra}


def test_the_settings_page_explains_and_saves_the_open_data_name(make_member: Any) -> None:
    member = make_member(locale="en")
    browser = Client(headers={"accept-language": "en"})
    browser.force_login(member)
    page = browser.get("/me/").content.decode()
    assert "Show my name in the community&#x27;s open data" in page
    assert "under a pseudonym, never with their email address" in page
    assert 'name="open_data_name"' in page
    assert "checked" not in page.split('name="open_data_name"')[1][:40]

    assert browser.post("/me/", settings_form(member, open_data_name="on")).status_code == 302
    member.refresh_from_db()
    assert member.open_data_name is True
    assert browser.post("/me/", settings_form(member)).status_code == 302
    member.refresh_from_db()
    assert member.open_data_name is False


def test_the_spanish_settings_page_explains_it_too(make_member: Any) -> None:
    member = make_member(locale="es")
    browser = Client(headers={"accept-language": "es"})
    browser.force_login(member)
    browser.cookies["django_language"] = "es"
    page = browser.get("/me/").content.decode()
    assert "datos abiertos" in page
