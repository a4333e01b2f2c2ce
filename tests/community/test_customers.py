"""Customer imports: the job that checks and writes a CSV, its limits, and every way a file can be bad.

Each import runs as it does in production: `customer_import_create` stores the file and
queues the job; in the test settings the queued job runs as soon as the transaction
commits (`import_csv` runs those commits). Bad files must change nothing: `unchanged`
compares every table an import writes before and after.
"""

from __future__ import annotations

import contextlib
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from prosumo.activity.models import Event
from prosumo.community import imports
from prosumo.community.bootstrap import create_verified_member
from prosumo.community.imports import customer_import_create, customer_import_run, customer_imports_resume
from prosumo.community.models import CustomerImport, CustomerImportFile, CustomerRecord, Member, Segment
from prosumo.core.errors import Conflict, InvalidInput, PermissionDenied

GOOD = """customer_id,email,tier,spend,country,favourite_sport
C-1,ana@example.org,Gold,1200.50,ES,climbing
C-2,ben@example.org,Silver,80,GB,
C-3,cy@example.org,,0,,running
"""


@pytest.fixture
def import_csv(django_capture_on_commit_callbacks):
    """Start an import as the pages do and let its job run; returns the job as it ended."""

    def start(actor, data, *, name="customers.csv", dry_run=False):
        with django_capture_on_commit_callbacks(execute=True):
            job = customer_import_create(
                actor=actor, file_name=name, data=data if isinstance(data, bytes) else data.encode(), dry_run=dry_run
            )
        return CustomerImport.objects.get(pk=job.pk)

    return start


def state() -> dict[str, object]:
    """Everything an import may write, apart from its own job row."""
    return {
        "records": sorted(CustomerRecord.objects.values_list("customer_id", "email", "tier", "spend", "member_id")),
        "segments": sorted(Segment.objects.values_list("name", "slug")),
        "member_segments": sorted(Member.objects.values_list("pk", "segment_id")),
        "events": Event.objects.filter(verb="customers.imported").count(),
    }


@pytest.fixture
def unchanged(db):
    @contextlib.contextmanager
    def block():
        before = state()
        yield
        assert state() == before

    return block


def test_import_creates_segments_and_matches_members(admin, import_csv):
    # given
    ana = create_verified_member(email="Ana@Example.org", password="correct horse 12")
    # when
    job = import_csv(admin, GOOD)
    # then
    assert (job.state, job.created_count, job.updated_count, job.matched_count) == ("done", 3, 0, 1)
    assert (job.rows_total, job.rows_checked, job.rows_written, job.errors, job.message) == (3, 3, 3, [], "")
    assert (job.runner, job.attempts, CustomerImportFile.objects.count()) == ("", 1, 0)
    ana.refresh_from_db()
    assert ana.segment.name == "Gold"
    record = CustomerRecord.objects.get(customer_id="C-1")
    assert record.spend == Decimal("1200.50")
    assert record.attributes == {"favourite_sport": "climbing"}
    assert record.member == ana
    assert set(Segment.objects.values_list("name", flat=True)) == {"Gold", "Silver"}
    event = Event.objects.get(verb="customers.imported")
    assert (event.actor_id, event.object_type, event.object_id) == (admin.pk, "customer_import", job.pk)
    assert event.details == {"created": 3, "updated": 0, "matched": 1}
    # importing again updates, never duplicates
    again = import_csv(admin, GOOD)
    assert (again.created_count, again.updated_count) == (0, 3)
    assert CustomerRecord.objects.count() == 3


def test_a_member_who_joins_later_is_matched(admin, import_csv):
    from prosumo.community.services import member_joined

    import_csv(admin, GOOD)
    ben = create_verified_member(email="ben@example.org", password="correct horse 12")
    member_joined(member=ben, channel="email")
    ben.refresh_from_db()
    assert ben.segment.name == "Silver"
    assert ben.country == "GB"


def test_a_file_of_many_batches_is_written_whole(admin, import_csv):
    # given: more rows than two batches, half of them known already
    rows = 2 * imports.BATCH_ROWS + 7
    body = "".join(f"K-{n},k{n}@example.org,Gold,{n}.5,ES\n" for n in range(rows))
    import_csv(admin, "customer_id,email,tier,spend,country\n" + "".join(body.splitlines(True)[: rows // 2]))
    # when
    job = import_csv(admin, "customer_id,email,tier,spend,country\n" + body)
    # then
    assert (job.state, job.rows_written, job.created_count, job.updated_count) == (
        "done",
        rows,
        rows - rows // 2,
        rows // 2,
    )
    assert CustomerRecord.objects.count() == rows
    assert CustomerRecord.objects.get(customer_id=f"K-{rows - 1}").spend == Decimal(f"{rows - 1}.50")


BAD = """customer_id,email,tier,spend,country
C-1,ana@example.org,Gold,12,ES
,nobody@example.org,Gold,1,ES
C-3,not-an-email,Gold,1,ES
C-1,dup@example.org,Gold,1,ES
C-5,eve@example.org,Gold,-3,ESP
"""


def test_bad_rows_are_named_by_line_and_column_and_nothing_is_imported(admin, import_csv, unchanged):
    # when
    with unchanged():
        job = import_csv(admin, BAD)
    # then
    assert job.state == "rejected"
    assert job.message == "4 rows are invalid; nothing was imported."
    assert job.errors == [
        "line 3, column customer_id: empty",
        "line 4, column email: 'not-an-email' is not an email address",
        "line 5, column customer_id: 'C-1' repeats line 2",
        "line 6, column spend: '-3' is not a non-negative number",
        "line 6, column country: 'ESP' is not a two-letter code",
    ]
    assert (job.error_count, job.rows_checked, job.rows_written) == (5, 5, 0)
    assert CustomerImportFile.objects.count() == 0  # a finished job keeps no customer data
    assert CustomerRecord.objects.count() == 0
    assert Segment.objects.count() == 0


def test_missing_columns_and_roles(admin, member, unchanged):
    with unchanged(), pytest.raises(InvalidInput) as err:
        customer_import_create(actor=admin, file_name="c.csv", data=b"id,mail\n1,a@b.c\n")
    assert err.value.message == "The CSV file lacks the column(s): customer_id, email."
    assert err.value.fields == {"file": ["columns"]}
    with unchanged(), pytest.raises(PermissionDenied):
        customer_import_create(actor=member, file_name="c.csv", data=GOOD.encode())
    assert CustomerImport.objects.count() == 0


# --- bad input: each refused with a message that says what and where, and nothing changed ----


def refused(data: bytes, name: str = "customers.csv") -> InvalidInput:
    with pytest.raises(InvalidInput) as err:
        customer_import_create(actor=None, file_name=name, data=data)
    assert CustomerImport.objects.count() == 0
    return err.value


def test_a_file_that_is_not_utf8_is_refused_with_the_place_of_the_bad_byte(db, unchanged):
    with unchanged():
        err = refused("customer_id,email\nC1,caf\xe9@example.org\n".encode("latin-1"), name="export.csv")
    assert err.message == (
        "export.csv is not UTF-8 text: line 2, column 7 holds the byte 0xE9. "
        "Save the file as CSV UTF-8 and upload it again."
    )
    assert err.fields == {"file": ["encoding"]}


def test_an_empty_file_and_a_header_without_rows_are_refused(db, unchanged):
    with unchanged():
        for empty in (b"", b"\xef\xbb\xbf", b"\n \n"):
            err = refused(empty)
            assert (err.message, err.fields) == ("customers.csv is empty.", {"file": ["empty"]})
        for header_only in (b"customer_id,email,tier\n", b"customer_id,email\r\n\r\n\r\n"):
            err = refused(header_only)
            assert (err.message, err.fields) == ("customers.csv has a header but no rows.", {"file": ["no_rows"]})


def test_a_repeated_column_is_refused(db, unchanged):
    with unchanged():
        err = refused(b"customer_id,email,email\nC1,a@example.org,b@example.org\n")
    assert err.message == "The header names the column(s) email more than once."


def test_a_file_over_the_byte_limit_is_refused_before_it_is_read(db, settings, unchanged):
    settings.PROSUMO_IMPORT_MAX_BYTES = 1000
    with unchanged():
        err = refused(GOOD.encode() + b"x" * 1000)
    assert err.message == (
        "customers.csv is 1,163 bytes; one import takes at most 1,000 bytes (PROSUMO_IMPORT_MAX_BYTES). "
        "Split the file and import each part."
    )
    assert err.fields == {"file": ["too_large"]}


def test_a_file_over_the_row_limit_is_rejected_and_nothing_changes(admin, import_csv, settings, unchanged):
    settings.PROSUMO_IMPORT_MAX_ROWS = 2
    with unchanged():
        job = import_csv(admin, GOOD)
    assert job.state == "rejected"
    assert job.message == (
        "The file has more than 2 rows; one import takes at most 2 (PROSUMO_IMPORT_MAX_ROWS). "
        "Split the file and import each part; nothing was imported."
    )
    assert (job.rows_checked, job.rows_written) == (2, 0)


def test_a_field_over_128_kb_is_named_by_line_and_column(admin, import_csv, unchanged):
    # given: line 3's fourth field is longer than Python's csv module reads
    huge = "n" * (imports.FIELD_MAX_CHARS + 1)
    data = f'customer_id,email,tier,notes\nC1,a@example.org,Gold,short\nC2,b@example.org,Gold,"{huge}"\nC3,c@example.org,,x\n'
    # when
    with unchanged():
        job = import_csv(admin, data)
    # then: the line is named, later lines are still checked, and nothing is written
    assert job.state == "rejected"
    assert job.errors == ["line 3, column notes: the field holds more than 131,072 characters"]
    assert job.rows_checked == 3


def test_a_spend_larger_than_the_column_holds_is_rejected(admin, import_csv, unchanged):
    # given: 1e20 was once stored and then broke the admin's customer list
    data = "customer_id,email,spend\nC1,a@example.org,1e20\nC2,b@example.org,999999999999.995\nC3,c@example.org,1e40\n"
    # when
    with unchanged():
        job = import_csv(admin, data)
    # then
    assert job.errors == [
        "line 2, column spend: '1e20' is more than 999,999,999,999.99, the largest spend a record holds",
        "line 3, column spend: '999999999999.995' is more than 999,999,999,999.99, the largest spend a record holds",
        "line 4, column spend: '1e40' is more than 999,999,999,999.99, the largest spend a record holds",
    ]


def test_the_largest_spend_is_stored_rounded_to_cents_and_the_admin_list_shows_it(admin, import_csv):
    # given
    job = import_csv(admin, "customer_id,email,spend\nC1,a@example.org,999999999999.99\nC2,b@example.org,12.345\n")
    assert job.state == "done"
    # when
    client = Client()
    client.force_login(Member.objects.get(pk=admin.pk))
    page = client.get("/admin/community/customerrecord/")
    # then
    assert page.status_code == 200
    assert sorted(CustomerRecord.objects.values_list("spend", flat=True)) == [
        Decimal("12.35"),
        Decimal("999999999999.99"),
    ]


def test_values_beyond_the_header_and_overlong_values_are_named(admin, import_csv, unchanged):
    long_id = "X" * 65
    data = f"customer_id,email,tier\nC1,a@example.org,Gold,Extra\n{long_id},b@example.org,{'T' * 65}\n"
    with unchanged():
        job = import_csv(admin, data)
    assert job.errors == [
        "line 2, column 4: a value beyond the header's 3 columns (quote a value that holds a comma)",
        "line 3, column customer_id: longer than 64 characters",
        "line 3, column tier: longer than 64 characters",
    ]


# --- dry runs, one import at a time, and a job whose worker stopped ----------------------------


def test_a_dry_run_says_what_would_change_and_writes_nothing(admin, import_csv, unchanged):
    import_csv(admin, "customer_id,email\nC-1,ana@example.org\n")
    create_verified_member(email="ben@example.org", password="correct horse 12")
    with unchanged():
        job = import_csv(admin, GOOD, dry_run=True)
    assert (job.state, job.created_count, job.updated_count, job.matched_count) == ("done", 2, 1, 1)
    assert (job.rows_checked, job.rows_written) == (3, 0)


def test_a_second_import_waits_for_the_first_to_finish(admin, unchanged):
    # given: an import queued but not yet run
    first = customer_import_create(actor=admin, file_name="first.csv", data=GOOD.encode())
    # when / then: another one is refused until it ends; a dry run may check meanwhile
    with unchanged(), pytest.raises(Conflict) as err:
        customer_import_create(actor=admin, file_name="second.csv", data=GOOD.encode())
    assert err.value.message == (
        f"Import {first.pk} (first.csv) is still running; wait for it to finish, then import this file."
    )
    customer_import_create(actor=admin, file_name="check.csv", data=GOOD.encode(), dry_run=True)
    customer_import_run(import_id=first.pk)
    customer_import_create(actor=admin, file_name="second.csv", data=GOOD.encode())


class WorkerKilled(BaseException):
    """Stands for SIGKILL: nothing in the job sees it, nothing is cleaned up."""


def test_a_job_killed_while_writing_is_taken_over_and_ends_fully_applied(
    admin, settings, django_capture_on_commit_callbacks, time_machine
):
    # given: a job that dies right after its first batch is committed
    time_machine.move_to(timezone.now(), tick=False)
    rows = imports.BATCH_ROWS * 2 + 3
    data = "customer_id,email,tier\n" + "".join(f"K-{n},k{n}@example.org,Gold\n" for n in range(rows))
    job = customer_import_create(actor=admin, file_name="big.csv", data=data.encode())

    def die_after_the_first_batch(now):
        if now.rows_written:
            raise WorkerKilled

    with pytest.raises(WorkerKilled):
        customer_import_run(import_id=job.pk, progress=die_after_the_first_batch)
    job.refresh_from_db()
    assert (job.state, job.rows_written, CustomerRecord.objects.count()) == (
        "writing",
        imports.BATCH_ROWS,
        imports.BATCH_ROWS,
    )
    # when: another run comes while the dead one still looks alive, then after it has gone quiet
    assert customer_import_run(import_id=job.pk).rows_written == imports.BATCH_ROWS
    assert customer_imports_resume() == []
    time_machine.shift(timedelta(seconds=settings.PROSUMO_IMPORT_STALE_SECONDS + 1))
    with django_capture_on_commit_callbacks(execute=True):
        assert customer_imports_resume() == [job.pk]
    # then: it went on from its cursor; every row is in place, each counted once
    job.refresh_from_db()
    assert (job.state, job.rows_written, job.created_count, job.updated_count, job.attempts) == (
        "done",
        rows,
        rows,
        0,
        2,
    )
    assert CustomerRecord.objects.count() == rows
    assert Event.objects.filter(verb="customers.imported").count() == 1


def test_a_job_killed_while_checking_starts_its_check_again(
    admin, settings, django_capture_on_commit_callbacks, time_machine
):
    time_machine.move_to(timezone.now(), tick=False)
    data = "customer_id,email\n" + "".join(f"K-{n},k{n}@example.org\n" for n in range(imports.CHECK_PROGRESS_ROWS + 5))
    job = customer_import_create(actor=admin, file_name="big.csv", data=data.encode())

    def die_while_checking(now):
        if now.rows_checked:
            raise WorkerKilled

    with pytest.raises(WorkerKilled):
        customer_import_run(import_id=job.pk, progress=die_while_checking)
    job.refresh_from_db()
    assert (job.state, job.rows_checked, CustomerRecord.objects.count()) == ("checking", imports.CHECK_PROGRESS_ROWS, 0)
    time_machine.shift(timedelta(seconds=settings.PROSUMO_IMPORT_STALE_SECONDS + 1))
    with django_capture_on_commit_callbacks(execute=True):
        customer_imports_resume()
    job.refresh_from_db()
    assert (job.state, job.rows_written) == ("done", imports.CHECK_PROGRESS_ROWS + 5)


def test_a_job_that_keeps_stopping_is_given_up(admin, settings, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    job = customer_import_create(actor=admin, file_name="c.csv", data=GOOD.encode())
    CustomerImport.objects.filter(pk=job.pk).update(
        attempts=imports.ATTEMPTS_MAX, message="OperationalError: disk I/O error"
    )
    job = customer_import_run(import_id=job.pk)
    assert job.state == "failed"
    assert job.message == (
        "The import stopped 5 times while checking; nothing was imported. Last error: OperationalError: disk I/O error"
    )
    assert CustomerRecord.objects.count() == 0


def test_an_import_can_be_cancelled_until_it_writes(admin, member):
    # given
    job = customer_import_create(actor=admin, file_name="c.csv", data=GOOD.encode())
    # when / then: a member may not, an admin may; a cancelled job never runs
    with pytest.raises(PermissionDenied):
        imports.customer_import_cancel(actor=member, import_id=job.pk)
    cancelled = imports.customer_import_cancel(actor=admin, import_id=job.pk)
    assert (cancelled.state, cancelled.message) == (
        "cancelled",
        "Cancelled before anything was written; nothing was imported.",
    )
    assert CustomerImportFile.objects.count() == 0
    assert customer_import_run(import_id=job.pk).state == "cancelled"
    assert CustomerRecord.objects.count() == 0
    # and: one that is writing cannot be stopped
    writing = customer_import_create(actor=admin, file_name="d.csv", data=GOOD.encode())
    CustomerImport.objects.filter(pk=writing.pk).update(state="writing")
    with pytest.raises(Conflict) as err:
        imports.customer_import_cancel(actor=admin, import_id=writing.pk)
    assert err.value.message == (
        f"Import {writing.pk} is writing its rows and cannot be stopped: its file passed every check."
    )
    assert CustomerImport.objects.get(pk=writing.pk).state == "writing"


# --- the console command runs the same job in its own process ----------------------------------


def test_cli_import_reports_and_exits_2_on_bad_file(tmp_path, db):
    from typer.testing import CliRunner

    from prosumo.cli import app

    bad = tmp_path / "bad.csv"
    bad.write_text(BAD)
    result = CliRunner().invoke(app, ["import-customers", str(bad)])
    assert result.exit_code == 2
    assert "4 rows are invalid; nothing was imported." in result.output
    assert "line 4, column email: 'not-an-email' is not an email address" in result.output
    good = tmp_path / "good.csv"
    good.write_text(GOOD)
    result = CliRunner().invoke(app, ["import-customers", str(good), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "would import: 3 new, 0 updated, 0 matched to members." in result.output
    assert CustomerRecord.objects.count() == 0
    result = CliRunner().invoke(app, ["import-customers", str(good)])
    assert result.exit_code == 0, result.output
    assert "imported: 3 new, 0 updated, 0 matched to members." in result.output
    assert CustomerRecord.objects.count() == 3
    latin = tmp_path / "latin.csv"
    latin.write_bytes("customer_id,email\nC1,caf\xe9@example.org\n".encode("latin-1"))
    result = CliRunner().invoke(app, ["import-customers", str(latin)])
    assert result.exit_code == 2
    assert "latin.csv is not UTF-8 text: line 2, column 7 holds the byte 0xE9." in result.output
    missing = CliRunner().invoke(app, ["import-customers", str(tmp_path / "nope.csv")])
    assert missing.exit_code == 2
    call_command("check")


def test_an_import_is_queued_on_the_bulk_queue_and_nothing_runs_in_the_request(
    admin, login, settings, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": settings.TASK_QUEUES}}
    with django_capture_on_commit_callbacks(execute=True):
        response = login(admin).post("/staff/import/", {"file": SimpleUploadedFile("c.csv", GOOD.encode())})
    job = CustomerImport.objects.get()
    assert response.status_code == 302
    assert (job.state, job.rows_checked, CustomerRecord.objects.count()) == ("queued", 0, 0)
    queued = DBTaskResult.objects.get()
    assert (queued.queue_name, queued.task_path, queued.args_kwargs["args"]) == (
        "bulk",
        "prosumo.community.tasks.run_customer_import",
        [job.pk],
    )
