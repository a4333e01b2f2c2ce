"""API token scopes and expiry, and what ends a token: its member's new password or suspension."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from prosumo.activity.models import Event
from prosumo.community.models import ApiToken
from prosumo.community.services import member_suspend, member_unsuspend
from prosumo.community.tokens import token_create
from prosumo.core.errors import PermissionDenied
from tests.api.conftest import error

PASSWORD = "correct horse 12"  # make_member's


def with_token(raw: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {raw}"}


def test_a_read_token_reads_but_cannot_write(member, idea, unchanged):
    # given
    _, raw = token_create(actor=member, name="dashboard")
    # when
    me = Client().get("/api/me", headers=with_token(raw))
    with unchanged():
        refused = Client().put(
            f"/api/ideas/{idea.pk}/vote", {"value": 1}, content_type="application/json", headers=with_token(raw)
        )
    # then
    assert me.status_code == 200
    body = error(refused, 403, "insufficient_scope")
    assert "write" in body["message"]


def test_without_the_staff_scope_staff_act_as_members(make_member, idea, unchanged):
    # given an admin's token that may take part but has no staff scope
    admin = make_member("admin")
    _, raw = token_create(actor=admin, name="voting", scopes=["write"])
    # when it uses a staff endpoint, and a member's endpoint where staff could do more
    with unchanged():
        stage = Client().post(
            f"/api/ideas/{idea.pk}/stage",
            {"to_stage": "under_review", "message": "We look at it."},
            content_type="application/json",
            headers=with_token(raw),
        )
        revise = Client().patch(
            f"/api/ideas/{idea.pk}",
            {"title": "A title the author did not write", "body": "A body the author did not write, long enough."},
            content_type="application/json",
            headers=with_token(raw),
        )
    me = Client().get("/api/me", headers=with_token(raw))
    vote = Client().put(
        f"/api/ideas/{idea.pk}/vote", {"value": 1}, content_type="application/json", headers=with_token(raw)
    )
    # then
    error(stage, 403, "insufficient_scope")
    error(revise, 403, "forbidden")
    assert me.json()["role"] == "member"
    assert vote.status_code == 200
    admin.refresh_from_db()
    assert admin.role == "admin"


def test_a_staff_token_uses_its_members_role(make_member, idea):
    # given
    reviewer = make_member("reviewer")
    _, raw = token_create(actor=reviewer, name="triage", scopes=["staff"])
    # when
    moved = Client().post(
        f"/api/ideas/{idea.pk}/stage",
        {"to_stage": "under_review", "message": "We look at it."},
        content_type="application/json",
        headers=with_token(raw),
    )
    # then
    assert moved.status_code == 200
    idea.refresh_from_db()
    assert idea.stage == "under_review"


def test_session_creates_a_token_with_scopes_and_expiry(make_member, login):
    # given
    moderator = make_member("moderator")
    expires = (timezone.now() + timedelta(days=30)).replace(microsecond=0)
    # when
    created = login(moderator).post(
        "/api/tokens",
        {"name": "moderation bot", "scopes": ["staff", "write"], "expires_at": expires.isoformat()},
        content_type="application/json",
    )
    # then
    assert created.status_code == 201
    body = created.json()
    assert body["scopes"] == ["read", "write", "staff"]
    assert datetime.fromisoformat(body["expires_at"]) == expires
    row = ApiToken.objects.get(pk=body["id"])
    assert (row.scopes, row.expires_at) == ("read write staff", expires)


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({"name": "x", "scopes": ["staff"]}, {"scopes": ["Only staff can give a token the staff scope."]}),
        ({"name": "x", "scopes": ["admin"]}, {"scopes": ["Unknown scope admin; choose among read, write, staff."]}),
        (
            {"name": "x", "expires_at": "2020-01-01T00:00:00+00:00"},
            {"expires_at": ["Give a moment in the future, with its time zone."]},
        ),
        (
            {"name": "x", "expires_at": "2999-01-01T00:00:00"},
            {"expires_at": ["Give a moment in the future, with its time zone."]},
        ),
    ],
)
def test_a_token_a_member_may_not_have_is_refused(member, login, unchanged, payload, fields):
    session = login(member)
    with unchanged():
        body = error(session.post("/api/tokens", payload, content_type="application/json"), 400, "invalid")
    assert body["fields"] == fields


def test_a_suspended_member_gets_no_token(member, moderator, unchanged):
    member_suspend(actor=moderator, member=member, reason="Spam")
    with unchanged(), pytest.raises(PermissionDenied) as caught:
        token_create(actor=member, name="x")
    assert caught.value.code == "suspended"


def test_an_expired_token_is_refused_even_from_the_cache(member, idea, settings, time_machine, unchanged):
    # given a token that works for one more hour, checked and cached
    settings.PROSUMO_TOKEN_CACHE_SECONDS = 60
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    _, raw = token_create(actor=member, name="short", scopes=["write"], expires_at=start + timedelta(hours=1))
    assert Client().get("/api/me", headers=with_token(raw)).status_code == 200
    # when the hour is over (the cache's 60 s have not passed on the monotonic clock)
    time_machine.move_to(start + timedelta(hours=1), tick=False)
    with unchanged():
        read = Client().get("/api/me", headers=with_token(raw))
        write = Client().put(
            f"/api/ideas/{idea.pk}/vote", {"value": 1}, content_type="application/json", headers=with_token(raw)
        )
    # then
    error(read, 401, "token_expired")
    error(write, 401, "token_expired")


def test_changing_the_password_revokes_every_token(member, login, bearer):
    # given two tokens
    headers = bearer(member)
    session = login(member)
    other = session.post("/api/tokens", {"name": "laptop"}, content_type="application/json").json()
    # when the member changes their password on the site
    changed = session.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": "a brand new pass phrase", "password2": "a brand new pass phrase"},
    )
    # then both tokens are revoked, and say why
    assert changed.status_code == 302
    error(Client().get("/api/me", headers=headers), 401, "not_authenticated")
    error(Client().get("/api/me", headers=with_token(other["token"])), 401, "not_authenticated")
    assert sorted(ApiToken.objects.filter(member=member).values_list("revoked_reason", flat=True)) == [
        "password_changed",
        "password_changed",
    ]
    event = Event.objects.get(verb="member.password_changed")
    assert (event.actor_id, event.object_type, event.object_id) == (member.pk, "member", member.pk)


def test_a_password_reset_revokes_every_token(member, bearer):
    # given a token, and someone who can read the member's mail
    headers = bearer(member)
    client = Client()
    assert client.post("/accounts/password/reset/", {"email": member.email}).status_code == 302
    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+/)", mail.outbox[-1].body).group(1)
    form = client.get(link, follow=True)
    # when they set a new password through the emailed link
    done = client.post(
        form.redirect_chain[-1][0], {"password1": "a brand new pass phrase", "password2": "a brand new pass phrase"}
    )
    # then the token is revoked
    assert done.status_code == 302
    member.refresh_from_db()
    assert member.check_password("a brand new pass phrase")
    error(Client().get("/api/me", headers=headers), 401, "not_authenticated")
    assert ApiToken.objects.get(member=member).revoked_reason == "password_changed"


def test_suspension_revokes_tokens_and_lifting_it_does_not_bring_them_back(member, moderator, bearer):
    # given
    headers = bearer(member)
    # when
    member_suspend(actor=moderator, member=member, reason="Spam")
    member_unsuspend(actor=moderator, member=member)
    # then
    error(Client().get("/api/me", headers=headers), 401, "not_authenticated")
    token = ApiToken.objects.get(member=member)
    assert token.revoked_reason == "suspended"
    assert token.revoked_at is not None


def test_a_refused_suspension_leaves_the_tokens(member, make_member, bearer):
    # given a token, and a member who may not suspend
    headers = bearer(member)
    other = make_member()
    # when
    with pytest.raises(PermissionDenied) as caught:
        member_suspend(actor=other, member=member, reason="Spam")
    # then
    assert caught.value.code == "forbidden"
    assert Client().get("/api/me", headers=headers).status_code == 200
    assert ApiToken.objects.get(member=member).revoked_at is None


# Every operation and the scope a token needs for it; "session": no token at all.
SCOPES = {
    ("get", "/api/campaigns"): "read",
    ("post", "/api/campaigns"): "staff",
    ("get", "/api/campaigns/{campaign}"): "read",
    ("get", "/api/campaigns/{campaign}/ideas"): "read",
    ("post", "/api/campaigns/{campaign}/ideas"): "write",
    ("get", "/api/ideas/similar"): "read",
    ("get", "/api/ideas/{idea_id}"): "read",
    ("patch", "/api/ideas/{idea_id}"): "write",
    ("get", "/api/ideas/{idea_id}/revisions"): "read",
    ("get", "/api/ideas/{idea_id}/amendments"): "read",
    ("post", "/api/ideas/{idea_id}/amendments"): "write",
    ("put", "/api/amendments/{amendment_id}"): "write",
    ("post", "/api/amendments/{amendment_id}/accept"): "write",
    ("post", "/api/amendments/{amendment_id}/reject"): "write",
    ("post", "/api/amendments/{amendment_id}/changes"): "write",
    ("put", "/api/ideas/{idea_id}/vote"): "write",
    ("delete", "/api/ideas/{idea_id}/vote"): "write",
    ("get", "/api/ideas/{idea_id}/comments"): "read",
    ("post", "/api/ideas/{idea_id}/comments"): "write",
    ("post", "/api/ideas/{idea_id}/stage"): "staff",
    ("post", "/api/ideas/{idea_id}/merge"): "staff",
    ("post", "/api/ideas/{idea_id}/follow"): "write",
    ("delete", "/api/ideas/{idea_id}/follow"): "write",
    ("post", "/api/ideas/{idea_id}/coauthors"): "write",
    ("post", "/api/ideas/{idea_id}/attachments"): "write",
    ("post", "/api/flags"): "write",
    ("get", "/api/queue"): "staff",
    ("get", "/api/duplicates"): "staff",
    ("post", "/api/duplicates/dismissals"): "staff",
    ("get", "/api/briefs"): "read",
    ("post", "/api/briefs"): "staff",
    ("get", "/api/briefs/{brief_id}"): "read",
    ("get", "/api/briefs/{brief_id}/messages"): "read",
    ("post", "/api/briefs/{brief_id}/messages"): "write",
    ("get", "/api/messages/{message_id}"): "read",
    ("post", "/api/messages/{message_id}/revisions"): "write",
    ("post", "/api/messages/{message_id}/coauthors"): "write",
    ("put", "/api/messages/{message_id}/vote"): "write",
    ("delete", "/api/messages/{message_id}/vote"): "write",
    ("post", "/api/messages/{message_id}/comments"): "write",
    ("put", "/api/messages/{message_id}/shortlist"): "staff",
    ("delete", "/api/messages/{message_id}/shortlist"): "staff",
    ("get", "/api/channels"): "staff",
    ("post", "/api/channels"): "staff",
    ("post", "/api/channels/{channel_id}/spend"): "staff",
    ("get", "/api/experiments"): "staff",
    ("post", "/api/experiments"): "staff",
    ("get", "/api/experiments/{experiment_id}"): "staff",
    ("post", "/api/experiments/{experiment_id}/start"): "staff",
    ("post", "/api/experiments/{experiment_id}/finish"): "staff",
    ("post", "/api/experiments/{experiment_id}/conversions"): "staff",
    ("post", "/api/experiments/{experiment_id}/mail"): "staff",
    ("get", "/api/experiments/{experiment_id}/results"): "staff",
    ("get", "/api/decline-reasons"): "read",
    ("get", "/api/me"): "read",
    ("patch", "/api/me"): "write",
    ("post", "/api/me/avatar"): "write",
    ("delete", "/api/me/avatar"): "write",
    ("get", "/api/notifications"): "read",
    ("post", "/api/notifications/read"): "write",
    ("post", "/api/me/export"): "write",
    ("get", "/api/me/export"): "read",
    ("get", "/api/me/export/{export_id}/download"): "read",
    ("post", "/api/me/erase"): "write",
    ("post", "/api/customers/imports"): "staff",
    ("post", "/api/customers/import"): "staff",
    ("get", "/api/customers/imports"): "staff",
    ("get", "/api/customers/imports/{import_id}"): "staff",
    ("post", "/api/customers/imports/{import_id}/cancel"): "staff",
    ("get", "/api/tokens"): "read",
    ("post", "/api/tokens"): "session",
    ("delete", "/api/tokens/{token_id}"): "write",
    ("get", "/api/webhooks"): "staff",
    ("post", "/api/webhooks"): "staff",
    ("delete", "/api/webhooks/{webhook_id}"): "staff",
    ("get", "/api/webhooks/{webhook_id}/deliveries"): "staff",
    ("get", "/api/terms"): "read",
    ("get", "/api/rewards/me"): "read",
    ("put", "/api/rewards/me/leaderboard"): "write",
    ("get", "/api/rewards/leaderboard"): "read",
    ("get", "/api/rewards/rules"): "staff",
    ("put", "/api/rewards/rules"): "staff",
    ("post", "/api/comments/{comment_id}/improvement"): "staff",
    ("post", "/api/royalties/pools"): "staff",
    ("get", "/api/royalties/pools/{pool_id}"): "staff",
    ("post", "/api/royalties/pools/{pool_id}/periods"): "staff",
    ("get", "/api/royalties/statements"): "read",
    ("get", "/api/ideas/{idea_id}/credits"): "read",
    ("post", "/api/rewards/members/{member_id}/spend"): "staff",
    ("post", "/api/rewards/postings/{posting_id}/correction"): "staff",
    ("post", "/api/orders"): "staff",
    ("post", "/api/orders/webhook"): "signature",
    ("get", "/api/channel-spend"): "staff",
    ("post", "/api/channel-spend"): "staff",
    ("delete", "/api/channel-spend/{spend_id}"): "staff",
    ("get", "/api/surveys"): "staff",
    ("post", "/api/surveys"): "staff",
    ("post", "/api/surveys/{survey_id}/open"): "staff",
    ("post", "/api/surveys/{survey_id}/close"): "staff",
    ("get", "/api/surveys/{survey_id}"): "read",
    ("put", "/api/surveys/{survey_id}/answers"): "write",
    ("get", "/api/campaigns/{campaign}/pairs/next"): "read",
    ("post", "/api/campaigns/{campaign}/pairs/choices"): "write",
    ("get", "/api/campaigns/{campaign}/pairs/results"): "read",
    ("put", "/api/campaigns/{campaign}/budget"): "staff",
    ("put", "/api/ideas/{idea_id}/cost"): "staff",
    ("get", "/api/campaigns/{campaign}/budget/ballot"): "read",
    ("put", "/api/campaigns/{campaign}/budget/ballot"): "write",
    ("get", "/api/campaigns/{campaign}/budget/results"): "read",
    ("get", "/api/members"): "staff",
    ("get", "/api/members/{member_id}"): "staff",
    ("put", "/api/members/{member_id}/segment"): "staff",
    ("get", "/api/segments"): "staff",
    ("get", "/api/ideas/{idea_id}/reviews"): "staff",
    ("put", "/api/ideas/{idea_id}/review"): "staff",
    ("get", "/api/moderation/flags"): "staff",
    ("get", "/api/moderation/audit"): "staff",
    ("post", "/api/moderation/hide"): "staff",
    ("post", "/api/moderation/restore"): "staff",
    ("patch", "/api/campaigns/{campaign}"): "staff",
    ("get", "/api/insights/runs"): "staff",
    ("post", "/api/insights/runs"): "staff",
    ("get", "/api/insights/runs/{run_id}"): "staff",
    ("get", "/api/insights/runs/{run_id}/sections/{key}"): "staff",
    ("get", "/api/insights/runs/{run_id}/sections/{key}/tables/{table}"): "staff",
    ("get", "/api/insights/open-data"): "staff",
    ("post", "/api/insights/open-data"): "staff",
    ("post", "/api/insights/open-data/{release_id}/publish"): "staff",
    ("post", "/api/insights/open-data/unpublish"): "staff",
}


def test_the_openapi_document_names_each_operations_scope(db):
    # when
    paths = Client().get("/api/openapi.json").json()["paths"]
    # then every operation declares the scope this table gives it
    found = {(method, path): op["x-token-scope"] for path, item in paths.items() for method, op in item.items()}
    assert found == SCOPES
    vote = paths["/api/ideas/{idea_id}/vote"]["put"]
    assert vote["security"] == [{"TokenAuth": ["write"]}, {"SessionAuth": []}]
    assert paths["/api/campaigns"]["get"]["security"] == [{}, {"TokenAuth": ["read"]}, {"SessionAuth": []}]
    assert 403 not in {int(s) for s in paths["/api/campaigns"]["get"]["responses"]}
    assert paths["/api/tokens"]["post"]["security"] == [{"SessionAuth": []}]
    assert 403 in {int(s) for s in paths["/api/tokens"]["post"]["responses"]}


def test_token_scopes_are_kept_in_the_cache_too(member, idea, settings):
    # given a read token checked once, so that the next reads come from the cache
    settings.PROSUMO_TOKEN_CACHE_SECONDS = 60
    _, raw = token_create(actor=member, name="dashboard")
    assert Client().get("/api/me", headers=with_token(raw)).status_code == 200
    # when
    refused = Client().put(
        f"/api/ideas/{idea.pk}/vote", {"value": 1}, content_type="application/json", headers=with_token(raw)
    )
    # then
    error(refused, 403, "insufficient_scope")
    assert idea.votes.count() == 0


def test_the_token_list_says_when_and_why_a_token_ended(member, moderator, login, time_machine):
    time_machine.move_to(datetime(2026, 3, 2, 9, tzinfo=UTC), tick=False)
    token_create(actor=member, name="sync", scopes=["write"])
    member_suspend(actor=moderator, member=member, reason="Spam")
    member_unsuspend(actor=moderator, member=member)
    listed = login(member).get("/api/tokens").json()
    assert [(t["name"], t["revoked_at"], t["revoked_reason"]) for t in listed] == [
        ("sync", "2026-03-02T09:00:00Z", "suspended")
    ]


def test_no_two_schemas_of_the_api_share_a_name():
    # The OpenAPI document keys its schemas by class name: two classes of one name would
    # leave one of them documented with the other's fields (as a message's revision once did
    # to an idea's).
    from ninja import Schema

    import prosumo.api  # noqa: F401  (every router, and so every schema, imported)

    def every(cls: type) -> list[type]:
        return [sub for direct in cls.__subclasses__() for sub in (direct, *every(direct))]

    ours = {cls for cls in every(Schema) if cls.__module__.startswith("prosumo.")}
    names: dict[str, list[str]] = {}
    for cls in ours:
        names.setdefault(cls.__name__, []).append(cls.__module__)
    assert {name: modules for name, modules in names.items() if len(modules) > 1} == {}
