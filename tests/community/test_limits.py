"""Rate limits on ideas, comments, votes, flags, tokens, invitations and sign-up, through pages and the API.

The counts live in the database (the ``RateCounter`` table), so every web process sees
the same ones; the clock is frozen and moved, never waited for.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from prosumo.activity.models import Event
from prosumo.community.models import ApiToken, Invitation, Member
from prosumo.core.models import RateCounter
from prosumo.core.ratelimit import prune_rate_counters
from prosumo.ideas.models import Comment, Flag, Idea, Vote
from prosumo.notifications.models import Notification
from tests.api.conftest import error

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def clock(time_machine: Any) -> Any:
    time_machine.move_to(timezone.now(), tick=False)
    return time_machine


@pytest.fixture
def limit(settings: Any) -> Any:
    """``limit(action, member, address)`` sets one action's limits for the test (``""``: none)."""

    def set_limits(action: str, member: str = "", address: str = "") -> None:
        settings.PROSUMO_RATE_LIMITS = {**settings.PROSUMO_RATE_LIMITS, action: (member, address)}

    return set_limits


def comment(call: Any, member: Any, idea: Any, n: int) -> Any:
    return call("POST", f"/api/ideas/{idea.pk}/comments", {"body": f"Comment number {n}"}, as_member=member)


def test_sixty_comments_in_a_burst_stop_at_the_default_limit_and_mail_only_the_accepted_ones(
    clock, make_member, idea, call, django_capture_on_commit_callbacks
):
    # given: an idea its author and three other members follow
    followers = [make_member() for _ in range(3)]
    for follower in followers:
        call("POST", f"/api/ideas/{idea.pk}/follow", as_member=follower)
    spammer = make_member()
    notified_before = Notification.objects.count()
    # when: one member posts 60 comments at once
    with django_capture_on_commit_callbacks(execute=True):
        statuses = [comment(call, spammer, idea, n).status_code for n in range(60)]
    # then: the first 10 (the default, 10 a minute) went through and the other 50 were refused
    assert statuses == [201] * 10 + [429] * 50
    assert Comment.objects.filter(author=spammer).count() == 10
    assert Notification.objects.count() - notified_before == 10 * 4  # the author and three followers
    idea.refresh_from_db()
    assert idea.comment_count == 10


def test_the_api_answers_429_with_its_code_and_retry_after_and_the_window_reopens(
    clock, limit, member, idea, call, unchanged
):
    # given: 3 comments a minute
    limit("comment", "3/minute")
    assert [comment(call, member, idea, n).status_code for n in range(3)] == [201, 201, 201]
    clock.shift(timedelta(seconds=20))
    # when: the fourth, 20 s into the window
    with unchanged():
        refused = comment(call, member, idea, 4)
    # then
    body = error(refused, 429, "rate_limited")
    assert refused["Retry-After"] == "40"
    assert body["message"] == "You are doing this too often. Please wait 40 seconds and try again."
    # when: the window has ended
    clock.shift(timedelta(seconds=40))
    # then: a new one opens
    assert comment(call, member, idea, 5).status_code == 201
    assert Comment.objects.filter(author=member).count() == 4


def test_a_refusal_by_the_short_limit_does_not_spend_the_long_one(clock, limit, member, idea, call):
    # given: 2 a minute and 3 an hour
    limit("comment", "2/minute;3/hour")
    assert [comment(call, member, idea, n).status_code for n in range(5)] == [201, 201, 429, 429, 429]
    # when: a minute later
    clock.shift(timedelta(minutes=1))
    # then: one more fits in the hour, the next is refused until the hour is over
    assert [comment(call, member, idea, n).status_code for n in range(2)] == [201, 429]
    refused = comment(call, member, idea, 9)
    assert refused["Retry-After"] == str(59 * 60)
    assert refused.json()["message"] == "You are doing this too often. Please wait 59 minutes and try again."


def test_page_and_api_share_one_count_and_the_page_says_how_long_to_wait(clock, limit, member, idea, call, login):
    # given: 3 comments a minute, 2 of them posted from the page and 1 through the API
    limit("comment", "3/minute")
    browser = login(member)
    for n in range(2):
        assert browser.post(f"/ideas/{idea.pk}/comment/", {"body": f"From the page {n}"}).status_code == 302
    assert comment(call, member, idea, 3).status_code == 201
    # when: the page posts a fourth
    page = browser.post(f"/ideas/{idea.pk}/comment/", {"body": "One too many"})
    # then: a page that says to slow down, and nothing saved
    assert page.status_code == 429
    assert page["Retry-After"] == "60"
    assert "Please wait 60 seconds and try again." in page.content.decode()
    assert page.templates[0].name == "429.html"
    assert Comment.objects.filter(author=member).count() == 3
    # and the API refuses it too
    error(comment(call, member, idea, 5), 429, "rate_limited")


def test_htmx_gets_the_message_alone(clock, limit, member, idea, login):
    limit("vote", "1/minute")
    browser = login(member)
    assert browser.post(f"/ideas/{idea.pk}/vote/", {"value": "1"}).status_code == 302
    refused = browser.post(f"/ideas/{idea.pk}/unvote/", headers={"HX-Request": "true"})
    assert (refused.status_code, refused["Retry-After"]) == (429, "60")
    assert refused.content.decode() == "You are doing this too often. Please wait 60 seconds and try again."
    assert Vote.objects.filter(member=member).count() == 1


def test_one_address_is_limited_across_members_and_other_addresses_are_not(clock, limit, make_member, idea, bearer):
    # given: 3 comments a minute from one address, however many members send them
    limit("comment", "10/minute", "3/minute")
    first, second = make_member(), make_member()

    def post(member: Any, address: str) -> int:
        response = Client(REMOTE_ADDR=address).post(
            f"/api/ideas/{idea.pk}/comments",
            {"body": "Same place, many names"},
            content_type="application/json",
            headers=bearer(member),
        )
        return int(response.status_code)

    # when
    statuses = [post(first, "203.0.113.7"), post(first, "203.0.113.7"), post(second, "203.0.113.7")]
    statuses += [post(second, "203.0.113.7"), post(second, "198.51.100.2")]
    # then
    assert statuses == [201, 201, 201, 429, 201]
    assert Comment.objects.count() == 4


def test_behind_a_trusted_proxy_the_forwarded_address_counts(clock, limit, settings, member, idea, bearer):
    limit("comment", "", "1/minute")
    settings.PROSUMO_TRUSTED_PROXIES = 1

    def post(forwarded: str) -> int:
        response = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded).post(
            f"/api/ideas/{idea.pk}/comments",
            {"body": "Through the proxy"},
            content_type="application/json",
            headers=bearer(member),
        )
        return int(response.status_code)

    # a client that writes its own X-Forwarded-For is still counted by the address the proxy saw
    assert [post("203.0.113.7"), post("198.51.100.2"), post("203.0.113.7, 198.51.100.2")] == [201, 201, 429]


def test_an_ipv6_client_counts_by_its_64_network(rf, settings):
    from prosumo.core.ratelimit import client_address

    assert client_address(rf.get("/", REMOTE_ADDR="2001:db8:1:2:aaaa::1")) == "2001:db8:1:2::/64"
    assert client_address(rf.get("/", REMOTE_ADDR="2001:db8:1:2:ffff::9")) == "2001:db8:1:2::/64"
    assert client_address(rf.get("/", REMOTE_ADDR="::ffff:203.0.113.7")) == "203.0.113.7"
    assert client_address(rf.get("/", REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="1.2.3.4")) == "203.0.113.7"
    settings.PROSUMO_TRUSTED_PROXIES = 2
    forwarded = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7, 10.0.0.2")
    assert client_address(forwarded) == "203.0.113.7"


def api_idea(call: Any, member: Any, campaign: Any, idea: Any, n: int) -> Any:
    body = {"title": f"Idea number {n} here", "body": "A long enough description of an idea to be accepted."}
    return call("POST", f"/api/campaigns/{campaign.pk}/ideas", body, as_member=member)


def api_vote(call: Any, member: Any, campaign: Any, idea: Any, n: int) -> Any:
    if n % 2:
        return call("DELETE", f"/api/ideas/{idea.pk}/vote", as_member=member)
    return call("PUT", f"/api/ideas/{idea.pk}/vote", {"value": 1}, as_member=member)


def api_flag(call: Any, member: Any, campaign: Any, idea: Any, n: int) -> Any:
    comment = Comment.objects.create(idea=idea, author=idea.author, body=f"Comment {n}", created_at=timezone.now())
    return call("POST", "/api/flags", {"kind": "comment", "object_id": comment.pk, "reason": "spam"}, as_member=member)


def api_token(call: Any, member: Any, campaign: Any, idea: Any, n: int) -> Any:
    # tokens are made from a signed-in session only (a token cannot make another)
    client = Client()
    client.force_login(member)
    return client.post("/api/tokens", {"name": f"token {n}"}, content_type="application/json")


@pytest.mark.parametrize(
    ("action", "send", "written"),
    [
        ("idea", api_idea, lambda: Idea.objects.count()),
        ("vote", api_vote, lambda: Vote.objects.count()),
        ("comment", lambda c, m, _, i, n: comment(c, m, i, n), lambda: Comment.objects.count()),
        ("flag", api_flag, lambda: Flag.objects.count()),
        ("token", api_token, lambda: ApiToken.objects.exclude(name="tests").count()),
    ],
)
def test_each_api_action_has_its_limit(clock, limit, action, send, written, member, campaign, idea, call):
    # given: 2 a minute
    limit(action, "2/minute")
    accepted = [send(call, member, campaign, idea, n) for n in range(2)]
    assert [r.status_code for r in accepted] in ([201, 201], [200, 200])
    before = written()
    # when
    refused = send(call, member, campaign, idea, 2)
    # then
    error(refused, 429, "rate_limited")
    assert written() == before


@pytest.mark.parametrize(
    ("action", "path", "data"),
    [
        ("idea", "/c/{slug}/submit/", {"title": "A page idea here", "body": "Long enough to be an idea, surely."}),
        ("vote", "/ideas/{idea}/vote/", {"value": "1"}),
        ("flag", "/ideas/{idea}/flag/", {"kind": "idea", "reason": "spam"}),
    ],
)
def test_each_page_action_has_its_limit(clock, limit, action, path, data, member, campaign, idea, login):
    limit(action, "1/minute")
    browser = login(member)
    url = path.format(slug=campaign.slug, idea=idea.pk)
    assert browser.post(url, data).status_code == 302
    refused = browser.post(url, data)
    assert (refused.status_code, refused["Retry-After"]) == (429, "60")
    assert browser.get(url.replace("vote/", "").replace("flag/", "")).status_code == 200  # reads are never counted


def test_staff_invitations_are_limited(clock, limit, admin, login, mailoutbox, django_capture_on_commit_callbacks):
    limit("invitation", "2/minute")
    browser = login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        statuses = [browser.post("/staff/invite/", {"email": f"guest{n}@example.org"}).status_code for n in range(3)]
    assert statuses == [302, 302, 429]
    assert sorted(Invitation.objects.values_list("email", flat=True)) == ["guest0@example.org", "guest1@example.org"]
    assert browser.get("/staff/invite/").status_code == 200


def test_sign_ups_from_one_address_are_limited(clock, limit, db):
    limit("signup", "", "2/minute")

    def sign_up(n: int) -> int:
        response = Client(REMOTE_ADDR="203.0.113.9").post(
            "/accounts/signup/",
            {"email": f"new{n}@example.org", "password1": "correct horse 12", "password2": "correct horse 12"},
        )
        return int(response.status_code)

    assert [sign_up(n) for n in range(3)] == [302, 302, 429]
    assert sorted(Member.objects.values_list("email", flat=True)) == ["new0@example.org", "new1@example.org"]
    assert Client(REMOTE_ADDR="203.0.113.9").get("/accounts/signup/").status_code == 200


def _social_sign_up(n: int) -> int:
    """Sign up through allauth's test provider, as through any social provider; the final status."""
    browser = Client(REMOTE_ADDR="203.0.113.9")
    to_provider = browser.post("/accounts/dummy/login/", {"process": "login"})
    assert to_provider.status_code == 302, to_provider.content
    answer = browser.post(
        to_provider["Location"], {"id": str(100 + n), "email": f"social{n}@example.org", "email_verified": "on"}
    )
    return int(answer.status_code)


def test_sign_ups_through_a_social_provider_count_toward_the_same_limit_and_join(clock, limit, db):
    limit("signup", "", "2/minute")
    # given one sign-up by the form
    assert (
        Client(REMOTE_ADDR="203.0.113.9")
        .post(
            "/accounts/signup/",
            {"email": "new0@example.org", "password1": "correct horse 12", "password2": "correct horse 12"},
        )
        .status_code
        == 302
    )
    # when two more come through a social provider from the same address
    statuses = [_social_sign_up(n) for n in (1, 2)]
    # then the first is let in, with a pseudonym and a joined event, and the second is refused
    assert statuses == [302, 429]
    member = Member.objects.get(email="social1@example.org")
    assert member.display_name
    assert "social1" not in member.name
    assert Event.objects.filter(verb="member.joined", actor_id=member.pk).count() == 1
    assert not Member.objects.filter(email="social2@example.org").exists()


def test_moderators_are_not_limited_on_flags_but_members_are(clock, limit, moderator, member, idea, call):
    limit("flag", "1/minute", "1/minute")
    comments = [
        Comment.objects.create(idea=idea, author=idea.author, body=f"Comment {n}", created_at=timezone.now())
        for n in range(3)
    ]

    def flag(who: Any, target: Any) -> int:
        body = {"kind": "comment", "object_id": target.pk, "reason": "spam"}
        return int(call("POST", "/api/flags", body, as_member=who).status_code)

    assert [flag(moderator, c) for c in comments] == [201, 201, 201]
    assert [flag(member, c) for c in comments[:2]] == [201, 429]


def test_a_member_cannot_flag_the_same_thing_twice_while_the_first_flag_is_open(member, moderator, idea, call):
    flag = {"kind": "idea", "object_id": idea.pk, "reason": "spam"}
    assert call("POST", "/api/flags", flag, as_member=member).status_code == 201
    # when: the same flag again, and one with another reason
    again = call("POST", "/api/flags", flag, as_member=member)
    other = call("POST", "/api/flags", {**flag, "reason": "rude"}, as_member=member)
    # then
    error(again, 409, "already_flagged")
    error(other, 409, "already_flagged")
    assert Flag.objects.count() == 1
    # when: a moderator keeps the idea, the member may flag it again
    call("POST", "/api/flags", flag, as_member=moderator)
    from prosumo.ideas.services import content_restore

    content_restore(actor=moderator, kind="idea", object_id=idea.pk)
    assert call("POST", "/api/flags", flag, as_member=member).status_code == 201
    assert Flag.objects.filter(reporter=member).count() == 2


def test_counts_are_kept_in_the_database_and_pruned_once_their_window_ended(clock, limit, member, idea, call):
    limit("comment", "5/minute", "50/hour")
    for n in range(3):
        comment(call, member, idea, n)
    assert sorted(RateCounter.objects.values_list("key", "hits")) == [
        ("LIMITER/comment/address/127.0.0.1/50/1/hour", 3),
        (f"LIMITER/comment/member/{member.pk}/5/1/minute", 3),
    ]
    clock.shift(timedelta(minutes=1))
    assert prune_rate_counters() == 1
    assert list(RateCounter.objects.values_list("key", flat=True)) == ["LIMITER/comment/address/127.0.0.1/50/1/hour"]


def test_a_limit_that_does_not_parse_stops_the_site_with_a_message():
    env = {**os.environ, "PROSUMO_DEBUG": "1", "PROSUMO_RATE_LIMIT_COMMENT": "lots", "DJANGO_SETTINGS_MODULE": ""}
    done = subprocess.run(
        [sys.executable, "-c", "import prosumo.settings"], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1
    assert (
        "PROSUMO_RATE_LIMIT_COMMENT='lots' is not a rate limit: write limits like 10/minute;100/hour, or off."
        in done.stderr
    )
