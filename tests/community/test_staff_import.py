"""The staff import page: upload, a job page that polls with htmx while the job runs, and bad files refused."""

from __future__ import annotations

import html
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from prosumo.activity.models import Event
from prosumo.community.imports import customer_import_create
from prosumo.community.models import CustomerImport, CustomerRecord, Segment

GOOD = b"customer_id,email,tier,spend\nC-1,ana@example.org,Gold,10\nC-2,ben@example.org,Silver,5\n"


def upload(client, content, name="customers.csv", **extra):
    return client.post("/staff/import/", {"file": SimpleUploadedFile(name, content, content_type="text/csv"), **extra})


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def nothing_written(db):
    def counts():
        return (
            CustomerImport.objects.count(),
            CustomerRecord.objects.count(),
            Segment.objects.count(),
            Event.objects.filter(verb="customers.imported").count(),
        )

    before = counts()
    yield
    assert counts() == before


def test_an_upload_leads_to_the_jobs_page_which_shows_the_result(admin, login, django_capture_on_commit_callbacks):
    client = login(admin)
    # when: the job runs when the request commits, as a worker would run it from the "bulk" queue
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, GOOD)
    # then
    job = CustomerImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/staff/import/{job.pk}/"
    page = client.get(response["Location"])
    assert page.status_code == 200
    body = text(page)
    assert "Import of customers.csv" in body
    assert "Rows checked: 2 of 2" in body
    assert "Rows written: 2 of 2" in body
    assert "2 new, 0 updated, 0 matched to members." in body
    assert "hx-trigger" not in body  # a finished job is not polled
    listing = text(client.get("/staff/import/"))
    assert f'<a href="/staff/import/{job.pk}/">customers.csv</a>' in listing
    assert CustomerRecord.objects.count() == 2


def test_a_running_job_is_polled_with_htmx_and_answers_with_the_fragment(admin, login):
    # given: a job waiting for a worker
    job = customer_import_create(actor=admin, file_name="customers.csv", data=GOOD)
    client = login(admin)
    # when
    page = text(client.get(f"/staff/import/{job.pk}/"))
    fragment = text(client.get(f"/staff/import/{job.pk}/", headers={"HX-Request": "true"}))
    # then
    assert f'hx-get="/staff/import/{job.pk}/" hx-trigger="every 1s" hx-swap="outerHTML"' in page
    assert "Waiting for the background worker to start it." in page
    assert "Rows checked: 0 of about 2" in page
    assert fragment.startswith('<div class="card" id="import-job" data-state="queued"')
    assert "<html" not in fragment


def test_a_file_with_bad_rows_shows_each_by_line_and_column(admin, login, django_capture_on_commit_callbacks):
    client = login(admin)
    content = b"customer_id,email,spend\nC-1,ana@example.org,1e20\nC-2,nope,1\n"
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, content)
    body = text(client.get(response["Location"]))
    assert "2 rows are invalid; nothing was imported." in body
    assert (
        "<li>line 2, column spend: '1e20' is more than 999,999,999,999.99, the largest spend a record holds</li>"
        in body
    )
    assert "<li>line 3, column email: 'nope' is not an email address</li>" in body
    assert CustomerRecord.objects.count() == 0


def test_a_dry_run_reports_what_would_change(admin, login, django_capture_on_commit_callbacks):
    client = login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, GOOD, dry_run="on")
    body = text(client.get(response["Location"]))
    assert "The file is valid. Importing it would add 2 new records and update 0; 0 match members." in body
    assert "Rows written" not in body
    assert CustomerRecord.objects.count() == 0


def test_a_file_that_is_not_utf8_is_refused_on_the_form(admin, login, nothing_written):
    # given: a CSV saved as Latin-1 (this page answered 500 before)
    content = "customer_id,email\nC-1,josé@example.org\n".encode("latin-1")
    # when
    response = upload(login(admin), content, name="latin.csv")
    # then
    assert response.status_code == 400
    assert (
        "latin.csv is not UTF-8 text: line 2, column 8 holds the byte 0xE9. "
        "Save the file as CSV UTF-8 and upload it again." in text(response)
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The submitted file is empty."),
        (b"customer_id,email,tier\n", "customers.csv has a header but no rows."),
        (b"id,mail\n1,a@example.org\n", "The CSV file lacks the column(s): customer_id, email."),
    ],
)
def test_other_bad_files_are_refused_on_the_form(admin, login, nothing_written, content, message):
    response = upload(login(admin), content)
    assert response.status_code == 400
    assert message in text(response)


def test_a_file_over_the_limit_is_refused_on_the_form(admin, login, nothing_written, settings):
    settings.PROSUMO_IMPORT_MAX_BYTES = 50
    response = upload(login(admin), GOOD)
    assert response.status_code == 400
    assert (
        "customers.csv is 86 bytes; one import takes at most 50 bytes (PROSUMO_IMPORT_MAX_BYTES). "
        "Split the file and import each part." in text(response)
    )
    assert "One file holds at most 200,000 rows and 50\xa0bytes." in text(response)


def test_only_admins_import(moderator, login, nothing_written):
    response = upload(login(moderator), GOOD)
    assert response.status_code == 403
    assert "You do not have permission to do that." in text(response)


def test_staff_cancel_a_queued_import_from_its_page(admin, login):
    job = customer_import_create(actor=admin, file_name="customers.csv", data=GOOD)
    client = login(admin)
    assert "Cancel this import" in text(client.get(f"/staff/import/{job.pk}/"))
    response = client.post(f"/staff/import/{job.pk}/", {"cancel": "1"})
    assert response.status_code == 302
    page = text(client.get(response["Location"]))
    assert "The import is cancelled; nothing was imported." in page
    assert "Cancelled: nothing was imported" in page
    assert "Cancel this import" not in page
    assert (CustomerImport.objects.get().state, CustomerRecord.objects.count()) == ("cancelled", 0)


def test_an_unknown_country_code_is_refused_with_its_line(admin, login, django_capture_on_commit_callbacks):
    # given two-letter codes that name no country (UK is not ISO's code for Britain: GB is)
    content = b"customer_id,email,country\nC-1,ana@example.org,es\nC-2,ben@example.org,XX\nC-3,cleo@example.org,UK\n"
    client = login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, content, dry_run="on")
    # then the check names each, and nothing is imported
    job = CustomerImport.objects.get()
    assert (job.state, job.message) == ("rejected", "2 rows are invalid; nothing was imported.")
    assert job.errors == [
        "line 3, column country: 'XX' is not a country code (ISO 3166-1, such as ES or GB)",
        "line 4, column country: 'UK' is not a country code (ISO 3166-1, such as ES or GB)",
    ]
    body = text(client.get(response["Location"]))
    assert body.count("'XX' is not a country code") == 1
    assert CustomerRecord.objects.count() == 0


def test_the_dry_run_reports_what_the_import_then_does(admin, login, make_member, django_capture_on_commit_callbacks):
    # given a known record, a member written in capitals, the same member twice, and a row with two problems
    known, other = make_member(), make_member()
    CustomerRecord.objects.create(customer_id="C-1", email="old@example.org")
    content = (
        f"customer_id,email,tier,country\nC-1,{known.email.upper()},Gold,ES\nC-2,{known.email},Gold,gb\n"
        f"C-3,{other.email},,\nC-4,new@example.org,,\n"
    ).encode()
    client = login(admin)
    # when the file is checked, then imported
    reports = []
    for dry_run in ("on", ""):
        with django_capture_on_commit_callbacks(execute=True):
            response = upload(client, content, dry_run=dry_run)
        reports.append(CustomerImport.objects.get(pk=response["Location"].split("/")[-2]))
    check, done = reports
    # then the check's figures are the import's, and the page words them the same
    assert (check.created_count, check.updated_count, check.matched_count) == (3, 1, 3)
    assert (done.created_count, done.updated_count, done.matched_count) == (3, 1, 3)
    assert CustomerRecord.objects.filter(member__isnull=False).count() == 3
    body = text(client.get(f"/staff/import/{check.pk}/"))
    assert "Importing it would add 3 new records and update 1; 3 match members." in body
    # and a row with two problems lists each problem once, on its line
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, b"customer_id,email\nC-9,nope\nC-9,nope\n")
    body = text(client.get(response["Location"]))
    assert re.findall(r"<li>(line .*?)</li>", body) == [
        "line 2, column email: 'nope' is not an email address",
        "line 3, column customer_id: 'C-9' repeats line 2",
        "line 3, column email: 'nope' is not an email address",
    ]
