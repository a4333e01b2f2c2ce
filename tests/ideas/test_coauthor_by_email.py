"""Inviting a co-author by address tells the author the same thing whether or not the address has an account."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.test import Client

from prosumo.community.bootstrap import create_verified_member
from prosumo.community.models import Member
from prosumo.core.errors import Conflict, InvalidInput, PermissionDenied
from prosumo.ideas.models import CoAuthor, Invitation
from prosumo.ideas.services import coauthor_invite, coauthor_invite_by_email
from prosumo.notifications.models import Notification

PASSWORD = "a long pass phrase 42"


def invite(client: Client, idea_id: int, email: str):
    response = client.post(f"/ideas/{idea_id}/coauthors/", {"email": email, "share": "20"})
    return response.status_code, response.url, [str(m) for m in get_messages(response.wsgi_request)]


def test_the_answer_is_the_same_for_a_member_a_stranger_and_a_closed_account(
    idea, login, django_capture_on_commit_callbacks
):
    # given a member, a closed account, and an address nobody uses
    friend = create_verified_member(email="friend@example.org", password="correct horse 12", display_name="Friend")
    closed = create_verified_member(email="closed@example.org", password="correct horse 12", is_active=False)
    # when the author invites each (from a fresh page each time, so that no message is left over)
    with django_capture_on_commit_callbacks(execute=True):
        answers = {
            email: invite(login(idea.author), idea.pk, email)
            for email in ("friend@example.org", "closed@example.org", "new@example.org")
        }
    # then the author is told the same, but for the address itself
    for email, (status, url, shown) in answers.items():
        assert (status, url, shown) == (302, f"/ideas/{idea.pk}/", [f"Invitation sent to {email}."])
    # the member got the usual co-author invitation, in the app
    assert list(CoAuthor.objects.filter(idea=idea).values_list("member_id", "share", "status")) == [
        (friend.pk, 20, "invited")
    ]
    assert Notification.objects.filter(recipient=friend, verb="idea.coauthor_invited").count() == 1
    # the stranger an email inviting them to join and co-author; the closed account nothing
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.idea_id, invitation.share) == ("new@example.org", idea.pk, 20)
    to_new = [m for m in mail.outbox if m.to == ["new@example.org"]]
    assert len(to_new) == 1
    assert f"co-author the idea “{idea.title}”" in to_new[0].body
    assert f"/invite/{invitation.token}/" in to_new[0].body
    assert not [m for m in mail.outbox if m.to == ["closed@example.org"]]
    assert not CoAuthor.objects.filter(member=closed).exists()


def test_the_form_no_longer_says_whether_an_address_is_a_member(idea, login):
    *_, shown = invite(login(idea.author), idea.pk, "nobody@example.org")
    assert "No member has that email address." not in shown
    assert shown == ["Invitation sent to nobody@example.org."]


def test_a_stranger_who_joins_through_the_link_gets_the_offer(idea, django_capture_on_commit_callbacks):
    # given
    with django_capture_on_commit_callbacks(execute=True):
        coauthor_invite_by_email(actor=idea.author, idea_id=idea.pk, email="New@Example.org", share=30)
    invitation = Invitation.objects.get()
    client = Client()
    client.get(f"/invite/{invitation.token}/")
    # when they sign up
    with django_capture_on_commit_callbacks(execute=True):
        signed_up = client.post(
            "/accounts/signup/",
            {"email": "new@example.org", "display_name": "Newcomer", "password1": PASSWORD, "password2": PASSWORD},
        )
    # then the author's offer waits for them, and they can accept it
    assert signed_up.status_code == 302
    newcomer = Member.objects.get(email="new@example.org")
    offer = CoAuthor.objects.get(idea=idea, member=newcomer)
    assert (offer.share, offer.status, offer.invited_by_id) == (30, "invited", idea.author_id)
    notice = Notification.objects.get(recipient=newcomer)
    assert notice.title == f"{idea.author.name} invites you to co-author “{idea.title}”"
    accepted = client.post(f"/ideas/{idea.pk}/coauthors/{offer.pk}/", {"accept": "1"})
    assert accepted.status_code == 302
    offer.refresh_from_db()
    assert offer.status == "accepted"


def test_an_offer_that_no_longer_fits_lapses_but_the_member_joins(
    idea, make_member, django_capture_on_commit_callbacks
):
    # given an offer of 30% to a stranger, then 70% given to a member meanwhile
    with django_capture_on_commit_callbacks(execute=True):
        coauthor_invite_by_email(actor=idea.author, idea_id=idea.pk, email="late@example.org", share=30)
    coauthor_invite(actor=idea.author, idea_id=idea.pk, member_id=make_member().pk, share=70)
    invitation = Invitation.objects.get()
    client = Client()
    client.get(f"/invite/{invitation.token}/")
    # when the stranger joins
    client.post(
        "/accounts/signup/",
        {"email": "late@example.org", "display_name": "Late", "password1": PASSWORD, "password2": PASSWORD},
    )
    # then they are a member, the invitation is used, and no offer was made
    late = Member.objects.get(email="late@example.org")
    invitation.refresh_from_db()
    assert invitation.accepted_by_id == late.pk
    assert not CoAuthor.objects.filter(member=late).exists()


@pytest.mark.parametrize("address", ["friend@example.org", "stranger@example.org"])
def test_inviting_the_same_address_twice_is_the_same_conflict(idea, address, django_capture_on_commit_callbacks):
    create_verified_member(email="friend@example.org", password="correct horse 12", display_name="Friend")
    with django_capture_on_commit_callbacks(execute=True):
        coauthor_invite_by_email(actor=idea.author, idea_id=idea.pk, email=address, share=10)
    counts = (CoAuthor.objects.count(), Invitation.objects.count(), len(mail.outbox))
    with pytest.raises(Conflict) as caught:
        coauthor_invite_by_email(actor=idea.author, idea_id=idea.pk, email=address.upper(), share=10)
    assert (caught.value.code, caught.value.message) == (
        "already_coauthor",
        "That address is already a co-author or invited.",
    )
    assert (CoAuthor.objects.count(), Invitation.objects.count(), len(mail.outbox)) == counts


def test_only_the_author_invites_and_a_bad_share_changes_nothing(idea, make_member):
    other = make_member()
    with pytest.raises(PermissionDenied) as not_author:
        coauthor_invite_by_email(actor=other, idea_id=idea.pk, email="x@example.org", share=10)
    with pytest.raises(InvalidInput) as too_much:
        coauthor_invite_by_email(actor=idea.author, idea_id=idea.pk, email="x@example.org", share=100)
    assert not_author.value.code == "forbidden"
    assert too_much.value.fields == {"share": ["range"]}
    assert (CoAuthor.objects.count(), Invitation.objects.count(), len(mail.outbox)) == (0, 0, 0)
