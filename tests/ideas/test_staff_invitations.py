"""Staff invite several addresses at once, with a note of their own, from the invitation page."""

from __future__ import annotations

from django.core import mail

from prosumo.activity.models import Event
from prosumo.community.models import Invitation


def test_staff_invite_several_addresses_at_once_with_a_note(
    login, admin, campaign, django_capture_on_commit_callbacks
) -> None:
    client = login(admin)
    page = client.get("/staff/invite/").content.decode()
    assert '<textarea name="email"' in page
    assert '<textarea name="note"' in page
    # when staff paste three addresses (one twice, one in capitals) and a note
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/staff/invite/",
            {
                "email": "ana@example.org, bo@example.org;\nCleo@Example.org  ana@example.org",
                "note": "We are designing a new tent and would love your view.",
                "campaign": campaign.pk,
            },
            follow=True,
        )
    # then each is invited once, to the campaign, and each email carries the note
    assert [str(m) for m in response.context["messages"]] == [
        "Invitation sent to ana@example.org, bo@example.org, cleo@example.org."
    ]
    assert sorted(Invitation.objects.values_list("email", flat=True)) == [
        "ana@example.org",
        "bo@example.org",
        "cleo@example.org",
    ]
    assert Event.objects.filter(verb="member.invited", campaign_id=campaign.pk).count() == 3
    assert sorted(m.to[0] for m in mail.outbox) == ["ana@example.org", "bo@example.org", "cleo@example.org"]
    for message in mail.outbox:
        assert "\nWe are designing a new tent and would love your view.\n" in message.body


def test_one_bad_address_sends_no_invitation(login, admin, django_capture_on_commit_callbacks) -> None:
    client = login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/staff/invite/", {"email": "ana@example.org, bo@example, cleo@example.org"})
    assert response.status_code == 400
    assert "Not email addresses: bo@example. No invitation was sent." in response.content.decode()
    assert Invitation.objects.count() == 0
    assert not Event.objects.filter(verb="member.invited").exists()
    assert mail.outbox == []
