"""Staff invite existing members to take part: the invite page with members preselected, and its service."""

from __future__ import annotations

import pytest

from prosumo.activity.models import Event
from prosumo.core.errors import InvalidInput, PermissionDenied
from prosumo.ideas.models import Campaign
from prosumo.ideas.services import members_invite
from prosumo.notifications.models import Notification


def test_the_invite_page_lists_the_members_it_was_given_ticked(admin, make_member, login, campaign):
    # given
    ana, luis = make_member(display_name="Ana López"), make_member(display_name="Luis Gil")
    # when: the Insights ranking's link opens it (an id no member has is left out, a word too)
    page = login(admin).get(f"/staff/invite/?member={luis.pk}&member={ana.pk}&member=999999&member=x")
    # then
    text = page.content.decode()
    assert page.status_code == 200
    assert 'id="members-invite-form"' in text
    assert text.count('name="member"') == 2
    assert "Ana López" in text
    assert "Luis Gil" in text
    assert text.count("checked") == 2
    # and without members the page is the email form alone
    plain = login(admin).get("/staff/invite/").content.decode()
    assert 'id="members-invite-form"' not in plain
    assert 'id="invite-form"' in plain


def test_staff_invite_the_ticked_members_with_a_note(
    admin, make_member, login, make_campaign, django_capture_on_commit_callbacks
):
    # given: an invitation-only campaign, three members listed and two of them ticked
    closed = make_campaign(title="Tents for families", visibility="invitation")
    ana, luis, eva = (make_member(display_name=n) for n in ("Ana López", "Luis Gil", "Eva Ruiz"))
    client = login(admin)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/staff/invite/?member={ana.pk}&member={luis.pk}&member={eva.pk}",
            {"form": "members", "member": [ana.pk, luis.pk], "campaign": closed.pk, "note": "We would love your view."},
        )
    # then: each ticked member is told, with the note and a link to the campaign, and may enter it
    assert response.status_code == 302
    told = Notification.objects.filter(verb="member.invited_to_take_part")
    assert sorted(told.values_list("recipient_id", flat=True)) == sorted([ana.pk, luis.pk])
    assert {(n.title, n.body, n.url) for n in told} == {
        (
            f"{admin.name} invites you to take part in “Tents for families”",
            "We would love your view.",
            "/c/" + closed.slug + "/",
        )
    }
    assert sorted(Campaign.objects.get(pk=closed.pk).invitees.values_list("pk", flat=True)) == sorted([ana.pk, luis.pk])
    events = Event.objects.filter(verb="member.invited_to_take_part")
    assert sorted((e.target_member_id, e.campaign_id, e.actor_id) for e in events) == sorted(
        [(ana.pk, closed.pk, admin.pk), (luis.pk, closed.pk, admin.pk)]
    )
    assert client.get("/staff/invite/").content.decode().count("Invitation sent to 2 members.") == 1


def test_inviting_members_refuses_non_staff_and_bad_input_and_changes_nothing(admin, make_member, campaign):
    # given
    ana = make_member(display_name="Ana López")
    before = (Event.objects.count(), Notification.objects.count(), campaign.invitees.count())
    # when / then
    with pytest.raises(PermissionDenied):
        members_invite(actor=ana, member_ids=[ana.pk])
    with pytest.raises(InvalidInput) as unknown:
        members_invite(actor=admin, member_ids=[ana.pk, 999_999], campaign_id=campaign.pk)
    assert (unknown.value.message, unknown.value.fields) == (
        "No member to invite with id 999999.",
        {"member": ["invalid"]},
    )
    with pytest.raises(InvalidInput) as none:
        members_invite(actor=admin, member_ids=[])
    assert none.value.fields == {"member": ["required"]}
    with pytest.raises(InvalidInput) as long_note:
        members_invite(actor=admin, member_ids=[ana.pk], note="x" * 1001)
    assert long_note.value.message == "The note is 1001 characters long; at most 1000."
    assert (Event.objects.count(), Notification.objects.count(), campaign.invitees.count()) == before


def test_members_cannot_open_the_invite_page(make_member, login):
    ana = make_member()
    assert login(ana).get(f"/staff/invite/?member={ana.pk}").status_code in (403, 404)
