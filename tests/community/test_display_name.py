"""A display name is one line: the rule is on the model, so the profile page, the API and the admin all keep it."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db.models.fields.files import FieldFile

from prosumo.activity.models import Event
from prosumo.community.services import member_update_profile
from prosumo.core.validators import validate_one_line

BAD_NAMES = ["Ana\r\nBcc: everyone@example.org", "Ana\nB", "Ana\tB", "Ana\x1b[31m", "Ana\u2028B", "Ana\u202eB"]


@pytest.mark.parametrize("name", BAD_NAMES)
def test_the_rule_refuses_control_characters(name):
    with pytest.raises(ValidationError) as caught:
        validate_one_line(name)
    assert caught.value.code == "control_characters"


@pytest.mark.parametrize("name", ["Ana María", "José 🏕️", "李雷", "Zoë O'Brien-Smith", "👩‍👩‍👧 family"])
def test_the_rule_keeps_names_people_have(name):
    validate_one_line(name)


def test_the_profile_service_refuses_a_name_on_two_lines(member):
    before = member.display_name
    with pytest.raises(ValidationError) as caught:
        member_update_profile(member=member, display_name="Ana\r\nBcc: everyone@example.org")
    assert list(caught.value.message_dict) == ["display_name"]
    member.refresh_from_db()
    assert member.display_name == before
    assert not Event.objects.filter(verb="member.profile_updated").exists()


def test_the_profile_page_refuses_a_name_on_two_lines(member, login):
    before = member.display_name
    client = login(member)
    response = client.post(
        "/me/",
        {"display_name": "Ana\r\nBcc: everyone@example.org", "locale": "en", "email_preference": "immediate"},
    )
    assert response.status_code == 400
    assert "without line breaks, tabs or other control characters" in response.content.decode()
    member.refresh_from_db()
    assert member.display_name == before


def test_the_admin_refuses_a_name_on_two_lines(admin, member, client):
    before = member.display_name
    client.force_login(admin)
    page = client.get(f"/admin/community/member/{member.pk}/change/")
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {
        name: form[name].value()
        for name in form.fields
        if form[name].value() is not None and not isinstance(form[name].value(), FieldFile)
    }
    data.update(display_name="Ana\nB")
    response = client.post(f"/admin/community/member/{member.pk}/change/", data)
    assert response.status_code == 200  # the form again, with the error
    assert "without line breaks" in response.content.decode()
    member.refresh_from_db()
    assert member.display_name == before
