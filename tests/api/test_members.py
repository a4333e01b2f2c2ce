"""The signed-in member, notifications, the customer CSV import and webhook registration over the API."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from prosumo.community.models import CustomerRecord, Member
from prosumo.integrations.models import Webhook
from prosumo.notifications.models import Notification
from tests.api.conftest import error


def test_me_reads_and_updates_the_profile(member, call):
    # when
    updated = call(
        "PATCH", "/api/me", {"display_name": "Trail Walker", "country": "ES", "interests": ["tents"]}, as_member=member
    )
    me = call("GET", "/api/me", as_member=member)
    # then
    assert updated.status_code == 200
    assert (me.json()["display_name"], me.json()["country"], me.json()["interests"]) == (
        "Trail Walker",
        "ES",
        ["tents"],
    )
    member.refresh_from_db()
    assert member.display_name == "Trail Walker"


def test_me_update_bad_input_changes_nothing(member, call, unchanged):
    name = member.display_name
    with unchanged():
        body = error(call("PATCH", "/api/me", {"country": "Spain"}, as_member=member), 400, "invalid")
        assert list(body["fields"]) == ["country"]
        body = error(call("PATCH", "/api/me", {"email_preference": "hourly"}, as_member=member), 400, "invalid")
        assert list(body["fields"]) == ["email_preference"]
        body = error(call("PATCH", "/api/me", {"interests": "tents"}, as_member=member), 422, "invalid")
        assert list(body["fields"]) == ["interests"]
        error(call("PATCH", "/api/me", raw=b"[1, 2", as_member=member), 400, "malformed_json")
    member.refresh_from_db()
    assert (member.display_name, member.country) == (name, "")


def test_notifications_list_and_mark_read(idea, member, reviewer, call, django_capture_on_commit_callbacks):
    # given: a stage change tells the author
    with django_capture_on_commit_callbacks(execute=True):
        call(
            "POST",
            f"/api/ideas/{idea.pk}/stage",
            {"to_stage": "under_review", "message": "Our tent team will look at it this month."},
            as_member=reviewer,
        )
    # when
    listed = call("GET", "/api/notifications", as_member=member)
    marked = call("POST", "/api/notifications/read", {}, as_member=member)
    after = call("GET", "/api/notifications", as_member=member)
    # then
    assert listed.json()["unread"] == 1
    assert [n["verb"] for n in listed.json()["items"]] == ["idea.stage_changed"]
    assert marked.json() == {"marked": 1}
    assert after.json()["unread"] == 0


def test_mark_read_bad_input_changes_nothing(
    idea, member, reviewer, call, unchanged, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        call(
            "POST",
            f"/api/ideas/{idea.pk}/stage",
            {"to_stage": "under_review", "message": "Our tent team will look at it this month."},
            as_member=reviewer,
        )
    with unchanged():
        error(call("POST", "/api/notifications/read", {"ids": "all"}, as_member=member), 422, "invalid")
        error(Client().get("/api/notifications"), 401, "not_authenticated")
    assert Notification.objects.filter(recipient=member, read_at__isnull=True).count() == 1


CSV_OK = (
    b"customer_id,email,tier,spend,country,favourite\nC1,ana@example.org,gold,120.50,es,tents\nC2,bo@example.org,,0,,\n"
)


def import_csv(headers, content, name="customers.csv", query=""):
    return Client().post(
        f"/api/customers/import{query}",
        {"file": SimpleUploadedFile(name, content, content_type="text/csv")},
        headers=headers,
    )


def test_admin_imports_customers(admin, bearer):
    # when
    response = import_csv(bearer(admin), CSV_OK)
    # then
    assert response.status_code == 200
    assert response.json() == {"created": 2, "updated": 0, "matched": 0}
    ana = CustomerRecord.objects.get(customer_id="C1")
    assert (ana.email, ana.country, str(ana.spend), ana.attributes) == (
        "ana@example.org",
        "ES",
        "120.50",
        {"favourite": "tents"},
    )


def test_dry_run_imports_nothing(admin, bearer, unchanged):
    headers = bearer(admin)
    with unchanged():
        response = import_csv(headers, CSV_OK, query="?dry_run=true")
    assert response.json()["created"] == 2


def test_csv_with_bad_rows_names_their_lines_and_imports_nothing(admin, bearer, unchanged):
    # given: line 3 has a bad email, line 4 a negative spend and repeats C1
    content = (
        b"customer_id,email,tier,spend,country\nC1,ana@example.org,gold,10,ES\nC2,not-an-email,gold,5,ES\n"
        b"C1,cy@example.org,gold,-3,ES\n"
    )
    headers = bearer(admin)
    # when
    with unchanged():
        response = import_csv(headers, content)
    # then
    body = error(response, 400, "invalid")
    assert body["message"] == "2 row(s) are invalid; nothing was imported."
    assert body["fields"] == {
        "rows": [
            "line 3: email 'not-an-email' is not an email address",
            "line 4: customer_id 'C1' repeats line 2; spend '-3' is not a non-negative number",
        ]
    }


def test_csv_import_other_bad_files(admin, member, bearer, unchanged):
    headers = bearer(admin)
    with unchanged():
        body = error(import_csv(headers, b"id,mail\n1,a@example.org\n"), 400, "invalid")
        assert body["fields"] == {"file": ["columns"]}
        body = error(import_csv(headers, b"customer_id,email\nC1,\xe9t\xe9@example.org\n"), 400, "invalid")
        assert body["fields"] == {"file": ["encoding"]}
        assert "customers.csv" in body["message"]
        error(import_csv(bearer(member), CSV_OK), 403, "forbidden")
        error(Client().post("/api/customers/import", {}, headers=headers), 422, "invalid")
    assert CustomerRecord.objects.count() == 0
    assert Member.objects.filter(segment__isnull=False).count() == 0


def test_admin_registers_a_webhook(admin, call):
    response = call(
        "POST",
        "/api/webhooks",
        {"url": "https://hooks.example.org/prosumo", "verbs": ["idea.submitted", "idea.stage_changed"]},
        as_member=admin,
    )
    assert response.status_code == 201
    hook = Webhook.objects.get(pk=response.json()["id"])
    assert response.json()["secret"] == hook.secret
    assert len(hook.secret) >= 32
    assert hook.verbs == ["idea.submitted", "idea.stage_changed"]


def test_webhook_bad_input_changes_nothing(admin, member, call, unchanged):
    with unchanged():
        body = error(
            call("POST", "/api/webhooks", {"url": "ftp://example.org", "verbs": ["idea.deleted"]}, as_member=admin),
            400,
            "invalid",
        )
        assert sorted(body["fields"]) == ["url", "verbs"]
        error(
            call("POST", "/api/webhooks", {"url": "https://example.org", "verbs": "idea.submitted"}, as_member=admin),
            422,
            "invalid",
        )
        error(
            call(
                "POST", "/api/webhooks", {"url": "https://example.org", "verbs": ["idea.submitted"]}, as_member=member
            ),
            403,
            "forbidden",
        )


def test_webhook_url_must_be_a_real_http_address(admin, call, unchanged):
    too_long = "https://example.org/" + "a" * 490
    with unchanged():
        for url in ("https://", "http:// spaces.example.org", "javascript:alert(1)", too_long):
            body = error(
                call("POST", "/api/webhooks", {"url": url, "verbs": ["idea.submitted"]}, as_member=admin),
                400,
                "invalid",
            )
            assert list(body["fields"]) == ["url"], url


def test_admin_lists_and_deactivates_webhooks(admin, call):
    # given
    first = call(
        "POST", "/api/webhooks", {"url": "https://a.example.org/", "verbs": ["idea.submitted"]}, as_member=admin
    ).json()
    second = call(
        "POST", "/api/webhooks", {"url": "https://b.example.org/", "verbs": ["idea.stage_changed"]}, as_member=admin
    ).json()
    # when
    deactivated = call("DELETE", f"/api/webhooks/{first['id']}", as_member=admin)
    listed = call("GET", "/api/webhooks", as_member=admin)
    # then
    assert (deactivated.status_code, deactivated.json()["is_active"]) == (200, False)
    assert [(h["id"], h["is_active"]) for h in listed.json()] == [(second["id"], True), (first["id"], False)]
    assert all("secret" not in h for h in listed.json())
    assert Webhook.objects.get(pk=first["id"]).is_active is False


def test_webhook_management_bad_input_changes_nothing(admin, member, call, unchanged):
    hook = call(
        "POST", "/api/webhooks", {"url": "https://a.example.org/", "verbs": ["idea.submitted"]}, as_member=admin
    ).json()
    with unchanged():
        error(call("GET", "/api/webhooks", as_member=member), 403, "forbidden")
        error(call("DELETE", f"/api/webhooks/{hook['id']}", as_member=member), 403, "forbidden")
        error(call("GET", f"/api/webhooks/{hook['id']}/deliveries", as_member=member), 403, "forbidden")
        error(call("DELETE", f"/api/webhooks/{hook['id'] + 1000}", as_member=admin), 404, "not_found")
        error(call("GET", f"/api/webhooks/{hook['id'] + 1000}/deliveries", as_member=admin), 404, "not_found")
        error(call("DELETE", "/api/webhooks/first", as_member=admin), 422, "invalid")


@pytest.mark.parametrize("name", ["Ana\r\nBcc: everyone@example.org", "Ana\nB", "Ana\tB", "Ana\x00", "Ana\u2028B"])
def test_me_refuses_a_name_with_control_characters(member, call, unchanged, name):
    before = member.display_name
    with unchanged():
        body = error(call("PATCH", "/api/me", {"display_name": name}, as_member=member), 400, "invalid")
    assert list(body["fields"]) == ["display_name"]
    member.refresh_from_db()
    assert member.display_name == before
