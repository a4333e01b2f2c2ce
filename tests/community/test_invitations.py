"""An invitation belongs to the address it was sent to: its link cannot give someone else the invitee's place."""

from __future__ import annotations

import html

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client

from prosumo.activity.models import Event
from prosumo.community import services as community_services
from prosumo.community.bootstrap import create_verified_member
from prosumo.community.models import Invitation, Member
from prosumo.community.services import invitation_accept
from prosumo.core.errors import PermissionDenied
from prosumo.ideas.services import invitation_create

PASSWORD = "a long pass phrase 42"


def signup(client: Client, email: str, **extra: str):
    return client.post("/accounts/signup/", {"email": email, "password1": PASSWORD, "password2": PASSWORD, **extra})


@pytest.fixture
def invitation(admin, campaign, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        made = invitation_create(actor=admin, email="Guest@Example.org", campaign_id=campaign.pk)
    mail.outbox.clear()
    return made


def test_signing_up_through_the_link_uses_the_invited_address_and_needs_no_confirmation(invitation, campaign):
    # given
    client = Client()
    assert client.get(f"/invite/{invitation.token}/").url == "/accounts/signup/"
    form = client.get("/accounts/signup/")
    assert form.context["form"].fields["email"].initial == "guest@example.org"
    # when
    response = signup(client, "guest@example.org")
    # then
    assert response.status_code == 302
    guest = Member.objects.get(email="guest@example.org")
    assert EmailAddress.objects.get(user=guest).verified
    assert mail.outbox == []  # the link came to that mailbox: no confirmation needed
    invitation.refresh_from_db()
    assert invitation.accepted_by_id == guest.pk
    assert list(campaign.invitees.all()) == [guest]
    accepted = Event.objects.get(verb="member.invitation_accepted")
    assert (accepted.actor_id, accepted.object_id, accepted.campaign_id) == (guest.pk, invitation.pk, campaign.pk)


def test_whoever_holds_the_link_cannot_sign_up_with_another_address(invitation, campaign):
    # given someone who got hold of the invitation's link
    client = Client()
    client.get(f"/invite/{invitation.token}/")
    members_before = Member.objects.count()
    # when they sign up with their own address
    response = signup(client, "intruder@example.org")
    # then they are refused, and the invitation still waits for the invitee
    assert response.status_code == 200
    assert response.context["form"].errors["email"] == [
        "Your invitation was sent to guest@example.org: sign up with that address. "
        "An invitation cannot be used with another one."
    ]
    assert Member.objects.count() == members_before
    invitation.refresh_from_db()
    assert (invitation.accepted_by_id, invitation.accepted_at) == (None, None)
    assert not campaign.invitees.exists()
    assert not Event.objects.filter(verb="member.invitation_accepted").exists()


def test_a_member_whose_address_it_is_accepts_while_signed_in(invitation, campaign, login):
    # given a member with the invited address (in another case)
    guest = create_verified_member(email="GUEST@example.org", password="correct horse 12", display_name="Guest")
    client = login(guest)
    # when
    page = client.get(f"/invite/{invitation.token}/")
    accepted = client.post(f"/invite/{invitation.token}/")
    # then
    assert page.status_code == 200
    assert "Accept the invitation" in page.content.decode()
    assert f"You are invited to the campaign “{campaign.title}”." in html.unescape(page.content.decode())
    assert accepted.status_code == 302
    assert accepted.url == f"/c/{campaign.slug}/"
    invitation.refresh_from_db()
    assert invitation.accepted_by_id == guest.pk
    assert list(campaign.invitees.all()) == [guest]
    assert client.get(f"/invite/{invitation.token}/").status_code == 404


def test_a_member_with_another_address_cannot_accept(invitation, campaign, member, login):
    # given
    client = login(member)
    # when
    page = client.get(f"/invite/{invitation.token}/")
    posted = client.post(f"/invite/{invitation.token}/")
    # then
    assert page.status_code == 403
    assert "sent to another email address" in page.content.decode()
    assert posted.status_code == 403
    invitation.refresh_from_db()
    assert (invitation.accepted_by_id, invitation.accepted_at) == (None, None)
    assert not campaign.invitees.exists()


def test_the_service_refuses_another_address(invitation, member):
    with pytest.raises(PermissionDenied) as caught:
        invitation_accept(invitation=invitation, member=member)
    assert caught.value.code == "invitation_other_address"
    assert Invitation.objects.get(pk=invitation.pk).accepted_at is None
    assert not Event.objects.filter(verb="member.invitation_accepted").exists()


def test_a_visitor_whose_address_has_an_account_is_sent_to_sign_in(invitation):
    # given
    guest = create_verified_member(email="guest@example.org", password="correct horse 12", display_name="Guest")
    client = Client()
    # when
    response = client.get(f"/invite/{invitation.token}/")
    # then
    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next=/invite/{invitation.token}/"
    signed_in = client.post(
        "/accounts/login/?next=/invite/" + invitation.token + "/",
        {"login": guest.email, "password": "correct horse 12"},
    )
    assert signed_in.url == f"/invite/{invitation.token}/"
    client.post(f"/invite/{invitation.token}/")
    invitation.refresh_from_db()
    assert invitation.accepted_by_id == guest.pk


def test_a_used_invitation_is_not_found(invitation):
    guest = create_verified_member(email="guest@example.org", password="correct horse 12", display_name="Guest")
    invitation_accept(invitation=invitation, member=guest)
    assert Client().get(f"/invite/{invitation.token}/").status_code == 404
    assert Client().get("/invite/not-a-token/").status_code == 404


def test_an_invitation_only_to_join_says_so_and_leads_home(admin, login, django_capture_on_commit_callbacks):
    # given an invitation to the community alone, and the member whose address it is
    with django_capture_on_commit_callbacks(execute=True):
        plain = community_services.invitation_create(actor=admin, email="solo@example.org")
    guest = create_verified_member(email="solo@example.org", password="correct horse 12", display_name="Solo")
    client = login(guest)
    # when
    page = client.get(f"/invite/{plain.token}/")
    accepted = client.post(f"/invite/{plain.token}/")
    # then the page offers no campaign, and taking it up leads to the home page
    assert page.status_code == 200
    assert "You are invited to share ideas here." in page.content.decode()
    assert "invited to the campaign" not in page.content.decode()
    assert (accepted.status_code, accepted.url) == (302, "/")
    plain.refresh_from_db()
    assert plain.accepted_by_id == guest.pk
