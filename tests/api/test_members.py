"""The signed-in member, notifications, the customer CSV import and webhook registration over the API."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from prosumo.community.models import CustomerImport, CustomerRecord, Member
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


def import_csv(headers, content, name="customers.csv", query="", path="/api/customers/imports"):
    return Client().post(
        f"{path}{query}",
        {"file": SimpleUploadedFile(name, content, content_type="text/csv")},
        headers=headers,
    )


@pytest.fixture
def imported(django_capture_on_commit_callbacks):
    """POST a file (202, the job queued), let the job run as a worker would, and GET the job."""

    def send(headers, content, **options):
        with django_capture_on_commit_callbacks(execute=True):
            response = import_csv(headers, content, **options)
        assert response.status_code == 202, response.content
        assert response.json()["state"] == "queued"
        found = Client().get(f"/api/customers/imports/{response.json()['id']}", headers=headers)
        assert found.status_code == 200
        return found.json()

    return send


def test_admin_imports_customers_through_a_job(admin, bearer, imported):
    # when
    job = imported(bearer(admin), CSV_OK)
    # then: the job ran to its end
    assert {k: job[k] for k in ("state", "dry_run", "file_name", "rows_total", "rows_checked", "rows_written")} == {
        "state": "done",
        "dry_run": False,
        "file_name": "customers.csv",
        "rows_total": 2,
        "rows_checked": 2,
        "rows_written": 2,
    }
    assert (job["created"], job["updated"], job["matched"], job["errors"], job["error_count"]) == (2, 0, 0, [], 0)
    listed = Client().get("/api/customers/imports", headers=bearer(admin))
    assert [j["id"] for j in listed.json()] == [job["id"]]
    ana = CustomerRecord.objects.get(customer_id="C1")
    assert (ana.email, ana.country, str(ana.spend), ana.attributes) == (
        "ana@example.org",
        "ES",
        "120.50",
        {"favourite": "tents"},
    )


def test_a_queued_job_shows_its_progress_until_a_worker_runs_it(admin, bearer):
    # when: nothing runs the job (no worker)
    response = import_csv(bearer(admin), CSV_OK)
    # then
    assert response.status_code == 202
    job = response.json()
    assert (job["state"], job["rows_expected"], job["rows_total"], job["rows_checked"], job["rows_written"]) == (
        "queued",
        2,
        None,
        0,
        0,
    )
    assert CustomerRecord.objects.count() == 0


def test_dry_run_imports_nothing(admin, bearer, unchanged, imported):
    headers = bearer(admin)
    with unchanged():
        job = imported(headers, CSV_OK, query="?dry_run=true")
    assert (job["state"], job["created"], job["rows_written"]) == ("done", 2, 0)


def test_csv_with_bad_rows_names_their_lines_and_imports_nothing(admin, bearer, unchanged, imported):
    # given: line 3 has a bad email, line 4 a negative spend and repeats C1
    content = (
        b"customer_id,email,tier,spend,country\nC1,ana@example.org,gold,10,ES\nC2,not-an-email,gold,5,ES\n"
        b"C1,cy@example.org,gold,-3,ES\n"
    )
    headers = bearer(admin)
    # when
    with unchanged():
        job = imported(headers, content)
    # then: the job is rejected, each problem named by line and column
    assert (job["state"], job["message"]) == ("rejected", "2 rows are invalid; nothing was imported.")
    assert job["errors"] == [
        "line 3, column email: 'not-an-email' is not an email address",
        "line 4, column customer_id: 'C1' repeats line 2",
        "line 4, column spend: '-3' is not a non-negative number",
    ]


def test_csv_import_other_bad_files(admin, member, bearer, unchanged, settings):
    headers = bearer(admin)
    with unchanged():
        body = error(import_csv(headers, b"id,mail\n1,a@example.org\n"), 400, "invalid")
        assert body["fields"] == {"file": ["columns"]}
        body = error(import_csv(headers, b"customer_id,email\nC1,\xe9t\xe9@example.org\n"), 400, "invalid")
        assert body["fields"] == {"file": ["encoding"]}
        assert body["message"] == (
            "customers.csv is not UTF-8 text: line 2, column 4 holds the byte 0xE9. "
            "Save the file as CSV UTF-8 and upload it again."
        )
        body = error(import_csv(headers, b""), 400, "invalid")
        assert (body["message"], body["fields"]) == ("customers.csv is empty.", {"file": ["empty"]})
        body = error(import_csv(headers, b"customer_id,email\n"), 400, "invalid")
        assert body["message"] == "customers.csv has a header but no rows."
        settings.PROSUMO_IMPORT_MAX_BYTES = 100
        body = error(import_csv(headers, CSV_OK), 400, "invalid")
        assert body["message"] == (
            "customers.csv is 110 bytes; one import takes at most 100 bytes (PROSUMO_IMPORT_MAX_BYTES). "
            "Split the file and import each part."
        )
        settings.PROSUMO_IMPORT_MAX_BYTES = 10_000
        error(import_csv(bearer(member), CSV_OK), 403, "forbidden")
        error(Client().post("/api/customers/imports", {}, headers=headers), 422, "invalid")
    assert CustomerImport.objects.count() == 0
    assert CustomerRecord.objects.count() == 0
    assert Member.objects.filter(segment__isnull=False).count() == 0


def test_one_import_at_a_time_and_only_admins_see_jobs(admin, member, moderator, bearer, unchanged):
    # given: an import waiting for a worker
    first = import_csv(bearer(admin), CSV_OK).json()
    # when / then: a second one is refused with 409 until it ends
    with unchanged():
        body = error(import_csv(bearer(admin), CSV_OK, name="again.csv"), 409, "conflict")
    assert body["message"] == (
        f"Import {first['id']} (customers.csv) is still running; wait for it to finish, then import this file."
    )
    # and: nobody but an admin learns the job exists
    for someone in (member, moderator):
        error(Client().get(f"/api/customers/imports/{first['id']}", headers=bearer(someone)), 404, "not_found")
        error(Client().get("/api/customers/imports", headers=bearer(someone)), 403, "forbidden")
    error(Client().get("/api/customers/imports/999999", headers=bearer(admin)), 404, "not_found")
    error(Client().get(f"/api/customers/imports/{first['id']}"), 401, "not_authenticated")


def test_an_admin_cancels_a_queued_import(admin, bearer, unchanged):
    job = import_csv(bearer(admin), CSV_OK).json()
    with unchanged():
        response = Client().post(f"/api/customers/imports/{job['id']}/cancel", headers=bearer(admin))
        assert response.status_code == 200
        assert (response.json()["state"], response.json()["message"]) == (
            "cancelled",
            "Cancelled before anything was written; nothing was imported.",
        )
        again = Client().post(f"/api/customers/imports/{job['id']}/cancel", headers=bearer(admin))
        body = error(again, 409, "conflict")
        assert body["message"] == f"Import {job['id']} has ended already (Cancelled: nothing was imported)."


def test_the_former_import_path_starts_the_same_job(admin, bearer, imported):
    job = imported(bearer(admin), CSV_OK, path="/api/customers/import")
    assert (job["state"], job["created"]) == ("done", 2)


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
    # NUL is refused for every text the API reads, before the request reaches the profile (422)
    status = 422 if "\x00" in name else 400
    with unchanged():
        body = error(call("PATCH", "/api/me", {"display_name": name}, as_member=member), status, "invalid")
    assert list(body["fields"]) == ["display_name"]
    member.refresh_from_db()
    assert member.display_name == before
