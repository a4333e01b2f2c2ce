from __future__ import annotations

import re

from django.core import mail
from django.test import Client

from prosumo.activity.models import Event
from prosumo.community.models import Member
from prosumo.ideas.services import invitation_create


def signup(client: Client, email: str) -> None:
    response = client.post(
        "/accounts/signup/",
        {"email": email, "password1": "a long pass phrase 42", "password2": "a long pass phrase 42"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]


def test_signup_records_channel_from_tracked_link(db):
    client = Client()
    client.get("/?ch=Spring Newsletter")
    signup(client, "new@example.org")
    member = Member.objects.get(email="new@example.org")
    assert member.channel == "spring-newsletter"
    joined = Event.objects.get(verb="member.joined")
    assert (joined.actor_id, joined.channel) == (member.pk, "spring-newsletter")
    # a verification email was sent, with a link that confirms the address
    assert len(mail.outbox) == 1
    link = re.search(r"http://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body).group(0)
    path = link.split("testserver", 1)[-1] if "testserver" in link else "/" + link.split("/", 3)[3]
    assert client.post(path).status_code == 302
    assert member.emailaddress_set.get().verified


def test_referral_link_credits_the_referrer(member):
    client = Client()
    client.get(f"/campaigns/?ref={member.referral_code}")
    signup(client, "friend@example.org")
    friend = Member.objects.get(email="friend@example.org")
    assert friend.referred_by_id == member.pk
    assert friend.channel == "referral"
    referred = Event.objects.get(verb="member.referred")
    assert (referred.actor_id, referred.target_member_id) == (member.pk, friend.pk)


def test_invitation_joins_with_invite_channel(admin, campaign, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invitation_create(actor=admin, email="guest@example.org", campaign_id=campaign.pk)
    assert mail.outbox[-1].to == ["guest@example.org"]
    assert f"/invite/{invitation.token}/" in mail.outbox[-1].body
    client = Client()
    assert client.get(f"/invite/{invitation.token}/").status_code == 302
    signup(client, "guest@example.org")
    guest = Member.objects.get(email="guest@example.org")
    assert guest.channel == "invite"
    assert guest.referred_by_id == admin.pk
    invitation.refresh_from_db()
    assert invitation.accepted_by_id == guest.pk
    assert campaign.invitees.filter(pk=guest.pk).exists()


def test_daily_visit_is_recorded_once(member, login):
    client = login(member)
    client.get("/")
    client.get("/campaigns/")
    assert Event.objects.filter(verb="member.visited", actor_id=member.pk).count() == 1


def test_every_link_a_visitor_followed_before_joining_is_a_touch(db):
    # given a visitor who came through an Instagram post, then twice through the newsletter
    client = Client()
    client.get("/?ch=instagram")
    client.get("/campaigns/?ch=newsletter")
    client.get("/?ch=newsletter")
    # when they join
    signup(client, "journey@example.org")
    member = Member.objects.get(email="journey@example.org")
    # then the last link is their channel, and each distinct link followed is a touch, oldest first
    assert member.channel == "newsletter"
    touches = Event.objects.filter(verb="member.touched", actor_id=member.pk).order_by("occurred_at", "id")
    assert [t.channel for t in touches] == ["instagram", "newsletter"]
    assert all(t.occurred_at <= member.date_joined for t in touches)


def test_a_member_following_a_link_is_touched_once_a_day_per_channel(member, login):
    client = login(member)
    for path in ("/?ch=podcast", "/campaigns/?ch=podcast", "/?ch=store-receipt", "/?ch="):
        client.get(path)
    touches = Event.objects.filter(verb="member.touched", actor_id=member.pk)
    assert sorted(t.channel for t in touches) == ["podcast", "store-receipt"]
    member.refresh_from_db()
    assert member.channel != "podcast"  # a member's own channel stays where they first came from


def test_confirming_the_email_signs_the_new_member_in(db):
    # given someone who signed up and is not signed in yet
    client = Client()
    signup(client, "fresh@example.org")
    assert "_auth_user_id" not in client.session
    link = re.search(r"http://testserver(/accounts/confirm-email/\S+/)", mail.outbox[0].body).group(1)
    # when they confirm their address from the email
    response = client.post(link)
    # then they are signed in, and land signed in
    member = Member.objects.get(email="fresh@example.org")
    assert client.session["_auth_user_id"] == str(member.pk)
    assert response.status_code == 302
    assert f'href="/members/{member.pk}/"' in client.get("/").content.decode()
    # while the same link opened in another browser confirms nothing twice and signs nobody in
    other = Client()
    other.post(link)
    assert "_auth_user_id" not in other.session
