from __future__ import annotations

from django.test import Client

from prosumo.community.services import member_suspend
from prosumo.integrations.services import token_cache, token_create, token_revoke


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
    token, raw = token_create(actor=member, name="integration")
    assert vote(client, raw, idea.pk) == 200
    assert token_cache.get(token.digest) is not None
    token_revoke(actor=member, token_id=token.pk)
    assert vote(client, raw, idea.pk) == 401
    other = make_member()
    _, raw2 = token_create(actor=other, name="integration")
    assert client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {raw2}").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        member_suspend(actor=moderator, member=other, reason="Spam")
    response = client.put(
        f"/api/ideas/{idea.pk}/vote",
        data='{"value": 1}',
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw2}",
    )
    assert response.status_code == 403
    assert response.json()["code"] == "suspended"
