"""The OpenAPI document and docs page, API tokens, bearer authentication and CSRF."""

from __future__ import annotations

import hashlib

from django.test import Client

from prosumo.community.models import ApiToken
from tests.api.conftest import error


def test_openapi_document_lists_the_endpoints_and_both_auth_schemes(db):
    # when
    response = Client().get("/api/openapi.json")
    # then
    assert response.status_code == 200
    doc = response.json()
    assert doc["info"]["title"] == "Prosumo API"
    paths = doc["paths"]
    for path in (
        "/api/campaigns/{campaign}/ideas",
        "/api/ideas/{idea_id}/vote",
        "/api/ideas/{idea_id}/stage",
        "/api/tokens",
        "/api/tokens/{token_id}",
        "/api/webhooks",
        "/api/customers/imports",
        "/api/customers/imports/{import_id}",
    ):
        assert path in paths, path
    assert "/api/docs/assets/{name}" not in paths
    schemes = doc["components"]["securitySchemes"]
    assert schemes["TokenAuth"] == {"type": "http", "scheme": "bearer"}
    assert schemes["SessionAuth"]["in"] == "cookie"
    assert doc["components"]["schemas"]["ErrorOut"]["required"] == ["code", "message", "fields"]


def test_docs_page_loads_swagger_from_this_server_only(db):
    # when
    page = Client().get("/api/docs")
    # then
    assert page.status_code == 200
    html = page.content.decode()
    assert '<div id="swagger-ui"></div>' in html
    assert "http://" not in html
    assert "https://" not in html
    assert "//cdn" not in html
    assets = [
        "/api/docs/assets/swagger-ui.css",
        "/api/docs/assets/swagger-ui-bundle.js",
        "/api/docs/assets/swagger-ui-init.js",
    ]
    for asset in assets:
        assert f'"{asset}"' in html
        served = Client().get(asset)
        assert served.status_code == 200, asset
        assert len(b"".join(served.streaming_content)) > 1000
    assert '"url": "/api/openapi.json"' in html


def test_docs_assets_serve_only_the_listed_files(db):
    error(Client().get("/api/docs/assets/swagger-ui.css.map"), 404, "not_found")
    assert Client().get("/api/docs/assets/..%2F..%2F__init__.py").status_code == 404


def test_token_created_with_a_session_works_as_bearer_and_only_its_digest_is_stored(member, login):
    # given
    session = login(member)
    # when
    created = session.post("/api/tokens", {"name": "CRM sync"}, content_type="application/json")
    # then
    assert created.status_code == 201
    body = created.json()
    raw = body["token"]
    assert raw.startswith("psm_")
    assert body["name"] == "CRM sync"
    row = ApiToken.objects.get(pk=body["id"])
    assert row.digest == hashlib.sha256(raw.encode()).hexdigest()
    assert row.prefix == raw[:10] == body["prefix"]
    stored = [str(v) for v in ApiToken.objects.filter(pk=row.pk).values().get().values()]
    assert raw not in stored
    me = Client().get("/api/me", headers={"Authorization": f"Bearer {raw}"})
    assert me.status_code == 200
    assert me.json()["id"] == member.pk
    row.refresh_from_db()
    assert row.last_used_at is not None


def test_a_token_cannot_create_another_token_but_lists_them(member, bearer, login, unchanged):
    # given a token, and one more made from the member's session
    headers = bearer(member)
    login(member).post("/api/tokens", {"name": "second"}, content_type="application/json")
    # when the token tries to make a third
    with unchanged():
        created = Client().post("/api/tokens", {"name": "third"}, content_type="application/json", headers=headers)
    listed = Client().get("/api/tokens", headers=headers)
    # then only a session makes tokens
    error(created, 403, "session_required")
    assert ApiToken.objects.filter(member=member).count() == 2
    assert [t["name"] for t in listed.json()] == ["second", "tests"]
    assert [t["revoked_at"] for t in listed.json()] == [None, None]
    assert [t["scopes"] for t in listed.json()] == [["read"], ["read", "write"]]
    assert all("token" not in t and "digest" not in t for t in listed.json())


def test_revoked_token_gets_401_not_authenticated(member, login):
    # given
    session = login(member)
    created = session.post("/api/tokens", {"name": "laptop"}, content_type="application/json").json()
    headers = {"Authorization": f"Bearer {created['token']}"}
    assert Client().get("/api/me", headers=headers).status_code == 200
    # when
    revoked = session.delete(f"/api/tokens/{created['id']}")
    after = Client().get("/api/me", headers=headers)
    # then
    assert revoked.status_code == 200
    assert revoked.json() == {"revoked": True}
    body = error(after, 401, "not_authenticated")
    assert body["fields"] == {}
    assert ApiToken.objects.get(pk=created["id"]).revoked_at is not None


def test_unknown_token_gets_401_even_on_public_reads_and_with_a_session(member, login, campaign):
    # given
    headers = {"Authorization": "Bearer psm_not-a-real-token"}
    # then
    error(Client().get("/api/me", headers=headers), 401, "not_authenticated")
    error(Client().get(f"/api/campaigns/{campaign.pk}", headers=headers), 401, "not_authenticated")
    error(login(member).get("/api/me", headers=headers), 401, "not_authenticated")


def test_no_credentials_gets_401(db, unchanged):
    with unchanged():
        error(Client().get("/api/me"), 401, "not_authenticated")
        error(Client().post("/api/tokens", {"name": "x"}, content_type="application/json"), 401, "not_authenticated")


def test_revoking_someone_elses_token_is_404_and_changes_nothing(member, make_member, login, call, unchanged):
    # given
    other = make_member()
    theirs = login(other).post("/api/tokens", {"name": "theirs"}, content_type="application/json").json()
    # when
    with unchanged():
        response = call("DELETE", f"/api/tokens/{theirs['id']}", as_member=member)
    # then
    error(response, 404, "not_found")
    assert ApiToken.objects.get(pk=theirs["id"]).revoked_at is None


def test_token_name_is_required(member, login, unchanged):
    session = login(member)
    with unchanged():
        body = error(session.post("/api/tokens", {"name": "   "}, content_type="application/json"), 400, "invalid")
        assert body["fields"] == {"name": ["length"]}
        body = error(session.post("/api/tokens", {}, content_type="application/json"), 422, "invalid")
        assert list(body["fields"]) == ["name"]


def test_session_post_without_csrf_token_is_refused(member, unchanged):
    # given
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    # when
    with unchanged():
        refused = client.post("/api/tokens", {"name": "no csrf"}, content_type="application/json")
    # then
    error(refused, 403, "csrf_failed")


def test_session_post_with_csrf_token_is_accepted(member):
    # given
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    client.get("/api/docs")
    token = client.cookies["csrftoken"].value
    # when
    response = client.post(
        "/api/tokens", {"name": "with csrf"}, content_type="application/json", headers={"X-CSRFToken": token}
    )
    # then
    assert response.status_code == 201


def test_token_request_needs_no_csrf_token(member, bearer, idea):
    # given
    client = Client(enforce_csrf_checks=True)
    # when
    response = client.put(
        f"/api/ideas/{idea.pk}/vote", {"value": 1}, content_type="application/json", headers=bearer(member)
    )
    # then
    assert response.status_code == 200
    assert idea.votes.filter(member=member).count() == 1


def test_suspended_members_token_is_refused(member, bearer, moderator, unchanged):
    # given
    from prosumo.community.services import member_suspend

    headers = bearer(member)
    member_suspend(actor=moderator, member=member, reason="Spam in three campaigns")
    # when
    with unchanged():
        response = Client().patch("/api/me", {"bio": "still here?"}, content_type="application/json", headers=headers)
    # then the suspension revoked the token
    error(response, 401, "not_authenticated")


def test_unknown_api_path_is_a_json_404(db):
    error(Client().get("/api/campaign"), 404, "not_found")
    error(Client().post("/api/ideas/1/applause", {}, content_type="application/json"), 404, "not_found")
    wrong_method = Client().post("/api/decline-reasons")
    assert (wrong_method.status_code, wrong_method["Allow"]) == (405, "GET")
    assert wrong_method.json()["code"] == "method_not_allowed"
    assert "POST" in wrong_method.json()["message"]
