"""The per-process token cache: it may answer reads, never writes."""

from __future__ import annotations

from django.test import Client
from django.utils import timezone

from prosumo.community.models import ApiToken, Member
from prosumo.community.services import member_suspend
from prosumo.community.tokens import token_cache, token_create, token_revoke
from tests.api.conftest import error


def vote(client: Client, raw: str, idea_id: int) -> int:
    return client.put(
        f"/api/ideas/{idea_id}/vote",
        data='{"value": 1}',
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    ).status_code


def test_cached_token_is_refused_at_once_after_revoke_or_suspension(
    idea, make_member, moderator, settings, django_capture_on_commit_callbacks
):
    settings.PROSUMO_TOKEN_CACHE_SECONDS = 60
    client = Client()
    member = make_member()
    token, raw = token_create(actor=member, name="integration", scopes=["write"])
    assert client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    assert token_cache.get(token.digest) is not None
    token_revoke(actor=member, token_id=token.pk)
    assert token_cache.get(token.digest) is None
    assert vote(client, raw, idea.pk) == 401
    other = make_member()
    token2, raw2 = token_create(actor=other, name="integration", scopes=["write"])
    assert client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {raw2}").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        member_suspend(actor=moderator, member=other, reason="Spam")
    assert token_cache.get(token2.digest) is None
    error(client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {raw2}"), 401, "not_authenticated")
    assert idea.votes.count() == 0


def test_a_change_made_by_another_process_stops_every_write_at_once(idea, make_member, settings):
    # given two tokens this process has just checked and cached
    settings.PROSUMO_TOKEN_CACHE_SECONDS = 60
    client = Client()
    revoked, suspended = make_member(), make_member()
    token, raw = token_create(actor=revoked, name="integration", scopes=["write"])
    _, raw2 = token_create(actor=suspended, name="integration", scopes=["write"])
    for key in (raw, raw2):
        assert client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
    # when another process revokes one and suspends the other's member: the rows change, this cache is not told
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    Member.objects.filter(pk=suspended.pk).update(suspended_at=timezone.now(), suspended_reason="Spam")
    # then reads may still be answered from the cache for its lifetime, but no write goes through
    assert client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    assert vote(client, raw, idea.pk) == 401
    refused = client.put(
        f"/api/ideas/{idea.pk}/vote",
        '{"value": 1}',
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw2}",
    )
    error(refused, 403, "suspended")
    assert idea.votes.count() == 0


def test_a_role_lost_in_another_process_is_lost_for_writes_at_once(idea, make_member, settings):
    # given an admin's staff token, checked and cached
    settings.PROSUMO_TOKEN_CACHE_SECONDS = 60
    admin = make_member("admin")
    _, raw = token_create(actor=admin, name="integration", scopes=["write", "staff"])
    assert Client().get("/api/me", HTTP_AUTHORIZATION=f"Bearer {raw}").json()["role"] == "admin"
    # when another process makes them a plain member
    Member.objects.filter(pk=admin.pk).update(role="member")
    # then a staff write is refused
    response = Client().post(
        f"/api/ideas/{idea.pk}/stage",
        {"to_stage": "under_review", "message": "We look at it."},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    error(response, 403, "forbidden")
    idea.refresh_from_db()
    assert idea.stage == "open"
