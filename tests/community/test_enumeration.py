"""No form tells a visitor whether an address has an account (allauth's enumeration prevention, kept on)."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client

from prosumo.community.models import Member

PASSWORD = "a long pass phrase 42"


def answer(response) -> tuple[int, str]:
    return response.status_code, response.get("Location", "")


def test_password_reset_answers_the_same_for_a_member_and_a_stranger(member):
    # when
    known = Client().post("/accounts/password/reset/", {"email": member.email})
    unknown = Client().post("/accounts/password/reset/", {"email": "nobody@example.org"})
    # then both are told a message is on its way, and each address gets one
    assert answer(known) == answer(unknown) == (302, "/accounts/password/reset/done/")
    assert sorted(m.to[0] for m in mail.outbox) == sorted([member.email, "nobody@example.org"])


def test_sign_up_answers_the_same_for_a_taken_address(member):
    # given
    members = Member.objects.count()
    # when
    taken = Client().post("/accounts/signup/", {"email": member.email, "password1": PASSWORD, "password2": PASSWORD})
    free = Client().post(
        "/accounts/signup/", {"email": "new@example.org", "password1": PASSWORD, "password2": PASSWORD}
    )
    # then the page is the same; only the owner of the taken address learns, by mail, that it has an account
    assert answer(taken) == answer(free) == (302, "/accounts/confirm-email/")
    assert Member.objects.count() == members + 1
    assert [m.to for m in mail.outbox] == [[member.email], ["new@example.org"]]


def test_adding_another_members_address_answers_as_for_a_free_one(member, make_member, login):
    # given
    other = make_member()
    client = login(member)
    # when
    taken = client.post("/accounts/email/", {"action_add": "", "email": other.email})
    free = client.post("/accounts/email/", {"action_add": "", "email": "spare@example.org"})
    # then
    assert answer(taken) == answer(free) == (302, "/accounts/email/")
    # nothing the member can use: only the address's owner could confirm it
    assert not EmailAddress.objects.filter(user=member, email=other.email, verified=True).exists()
    assert EmailAddress.objects.get(user=other, email=other.email).verified


def test_signing_in_says_the_same_for_a_wrong_password_and_an_unknown_address(member):
    wrong = Client().post("/accounts/login/", {"login": member.email, "password": "not the password"})
    unknown = Client().post("/accounts/login/", {"login": "nobody@example.org", "password": "not the password"})
    assert wrong.status_code == unknown.status_code == 200
    assert wrong.context["form"].errors == unknown.context["form"].errors
