"""Customer imports: a CSV checked and written by a background job, never inside a request.

How an import keeps both of its promises (a file with a bad row changes nothing; a good
file ends fully applied, even if its worker is killed) without one long transaction that
would lock out every vote (docs/operations.md, "Imports and other long jobs"):

1. ``customer_import_create`` runs in the request and does only what is cheap: size,
   encoding, header, at least one row. It stores the file in a ``CustomerImport`` row and
   queues ``run_customer_import`` on the "bulk" queue.
2. The job checks every row, writing nothing but its own progress. Any bad row rejects
   the file, each problem named by line and column; nothing else has changed.
3. A file that passes is committed: the job moves to ``writing`` and writes the records in
   batches of ``BATCH_ROWS``, each one short transaction that also advances the job's
   cursor (``rows_written``). A killed job is taken over by a worker
   (``customer_imports_resume``) and carries on from its cursor, on the same stored file.
"""

from __future__ import annotations

import csv
import functools
import io
import logging
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from importlib import resources

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext, ngettext

from prosumo.activity.services import event_record
from prosumo.community.models import CustomerImport, CustomerImportFile, CustomerRecord, Member, Role, Segment
from prosumo.community.permissions import require_role
from prosumo.core import statements
from prosumo.core.errors import Conflict, InvalidInput, NotFound

logger = logging.getLogger(__name__)

REQUIRED_COLUMNS = ("customer_id", "email")
KNOWN_COLUMNS = ("customer_id", "email", "tier", "spend", "country")
# The widths of CustomerRecord's columns: PostgreSQL refuses a longer value, SQLite would keep it.
CUSTOMER_ID_MAX = CustomerRecord._meta.get_field("customer_id").max_length or 64
EMAIL_MAX = CustomerRecord._meta.get_field("email").max_length or 254
TIER_MAX = CustomerRecord._meta.get_field("tier").max_length or 64
# numeric(14, 2): 12 digits before the point. A larger spend was once stored by SQLite and
# then broke every page that read it back (the admin's customer list answered 500).
SPEND_MAX = Decimal("999999999999.99")
CENT = Decimal("0.01")
FIELD_MAX_CHARS = 131_072  # Python's csv module refuses a longer field; we name it instead
# Rows per write transaction: a few tens of milliseconds on SQLite, and fewer than the 999 values
# the oldest SQLite that Django supports binds in one statement (a batch looks its rows up by id).
BATCH_ROWS = 900
CHECK_PROGRESS_ROWS = 2_000  # rows checked between two progress notes
ERRORS_KEPT = 1_000  # problems listed on a rejected import; the count covers them all
ATTEMPTS_MAX = 5  # runs of one job (first run and takeovers) before it is marked failed
PAUSE_MIN = 0.05  # seconds between two batches, at least; at least as long as the batch took

Progress = Callable[[CustomerImport], None]


@functools.cache
def country_codes() -> frozenset[str]:
    """The ISO 3166-1 two-letter codes, from the table the tz database keeps (tzdata's iso3166.tab)."""
    table = resources.files("tzdata").joinpath("zoneinfo", "iso3166.tab").read_text(encoding="utf-8")
    return frozenset(line[:2] for line in table.splitlines() if line and not line.startswith("#"))


# --- limits and the cheap checks, done in the request --------------------------------


def size_check(*, file_name: str, size: int) -> None:
    """Refuse a file over PROSUMO_IMPORT_MAX_BYTES, before anyone reads it."""
    limit = settings.PROSUMO_IMPORT_MAX_BYTES
    if size > limit:
        raise InvalidInput(
            gettext(
                "{name} is {size}; one import takes at most {limit} (PROSUMO_IMPORT_MAX_BYTES). "
                "Split the file and import each part."
            ).format(name=file_name, size=_mb(size), limit=_mb(limit)),
            fields={"file": ["too_large"]},
        )


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB" if size >= 100 * 1024 else f"{size:,} bytes"


def _decode(file_name: str, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InvalidInput(
            gettext(
                "{name} is not UTF-8 text: line {line}, column {column} holds the byte 0x{byte:02X}. "
                "Save the file as CSV UTF-8 and upload it again."
            ).format(name=file_name, line=line, column=column, byte=data[exc.start]),
            fields={"file": ["encoding"]},
        ) from exc


def _header(file_name: str, text: str) -> list[str]:
    """The header's column names; refuses an empty file, missing or repeated columns, and a file with no rows."""
    records = _Records(text)
    first = next(records, None) if text.strip() else None
    if first is None:
        raise InvalidInput(gettext("{name} is empty.").format(name=file_name), fields={"file": ["empty"]})
    if first.problem:
        raise InvalidInput(
            gettext("{name}: the header cannot be read: {problem}").format(name=file_name, problem=first.problem),
            fields={"file": ["header"]},
        )
    header = [name.strip() for name in first.fields]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise InvalidInput(
            gettext("The CSV file lacks the column(s): {names}.").format(names=", ".join(missing)),
            fields={"file": ["columns"]},
        )
    repeated = sorted({name for name in header if name and header.count(name) > 1})
    if repeated:
        raise InvalidInput(
            gettext("The header names the column(s) {names} more than once.").format(names=", ".join(repeated)),
            fields={"file": ["columns"]},
        )
    if next(records, None) is None:
        raise InvalidInput(
            gettext("{name} has a header but no rows.").format(name=file_name), fields={"file": ["no_rows"]}
        )
    return header


def customer_import_create(
    *, actor: Member | None, file_name: str, data: bytes, dry_run: bool = False, enqueue: bool = True
) -> CustomerImport:
    """Accept a customer CSV for import: quick checks here, every row in the job it queues.

    Raises InvalidInput for a file that is too large, not UTF-8, empty, without the
    required columns or without rows, and Conflict while another import is writing.
    With ``enqueue=False`` the caller runs the job itself (``prosumo import-customers``).
    """
    if actor is not None:
        require_role(actor, Role.ADMIN)
    file_name = file_name[:255]
    size_check(file_name=file_name, size=len(data))
    text = _decode(file_name, data)
    _header(file_name, text)
    try:
        with transaction.atomic():
            job = CustomerImport.objects.create(
                requested_by=actor,
                file_name=file_name,
                size_bytes=len(data),
                dry_run=dry_run,
                rows_expected=max(len(text.splitlines()) - 1, 1),
            )
            CustomerImportFile.objects.create(customer_import=job, data=data)
            if enqueue:
                from prosumo.community.tasks import run_customer_import

                transaction.on_commit(lambda: run_customer_import.enqueue(job.pk))
    except IntegrityError as exc:
        running = CustomerImport.objects.filter(dry_run=False, state__in=CustomerImport.ACTIVE).first()
        raise Conflict(
            gettext("Import {id} ({name}) is still running; wait for it to finish, then import this file.").format(
                id=running.pk if running else "?", name=running.file_name if running else ""
            ),
            fields={"file": ["busy"]},
        ) from exc
    return CustomerImport.objects.get(pk=job.pk)  # a job run at once (tests, trials) shows its end


# --- reading rows ---------------------------------------------------------------------


@dataclass(frozen=True)
class Record:
    """One CSV record: its first line, its fields, or why it could not be read."""

    line: int
    fields: list[str]
    problem: str = ""
    column: int = 0  # the field the problem is in, counted from 1, when known


class _Records:
    """The non-blank records of a CSV text with the line each starts on; an unreadable record is named, not fatal."""

    def __init__(self, text: str) -> None:
        self._lines = io.StringIO(text, newline="")
        self._taken: list[str] = []
        self._reader = csv.reader(self._feed())
        self._line = 0

    def _feed(self) -> Iterator[str]:
        for line in self._lines:
            self._taken.append(line)
            yield line

    def __iter__(self) -> Iterator[Record]:
        return self

    def __next__(self) -> Record:
        while True:
            self._taken.clear()
            start = self._reader.line_num + 1
            try:
                fields = next(self._reader)
            except csv.Error as exc:
                return _unreadable(start, str(exc), "".join(self._taken))
            if fields:
                return Record(start, fields)


def _unreadable(line: int, error: str, raw: str) -> Record:
    if error.startswith("field larger than field limit"):
        return Record(
            line,
            [],
            gettext("the field holds more than {limit} characters").format(limit=f"{FIELD_MAX_CHARS:,}"),
            column=_long_field(raw),
        )
    return Record(line, [], gettext("the CSV cannot be read here ({error})").format(error=error))


def _long_field(raw: str) -> int:
    """The number (from 1) of the first field of a raw record longer than FIELD_MAX_CHARS; only for messages."""
    index, length, quoted = 1, 0, False
    for char in raw:
        if char == '"':
            quoted = not quoted  # a doubled quote inside a field flips twice: the count stays right
        elif char == "," and not quoted:
            index, length = index + 1, 0
        else:
            length += 1
            if length > FIELD_MAX_CHARS:
                break
    return index


@dataclass(frozen=True)
class Row:
    line: int
    customer_id: str
    email: str
    tier: str
    spend: Decimal
    country: str
    attributes: dict[str, str]


def _shown(value: str) -> str:
    return repr(value if len(value) <= 40 else value[:37] + "...")


class _Checker:
    """Turns records into rows, collecting every problem by line and column."""

    def __init__(self, header: list[str]) -> None:
        self.header = header
        self.seen: dict[str, int] = {}

    def row(self, record: Record) -> tuple[Row | None, list[str]]:
        def problem(column: str, text: str) -> None:
            problems.append(
                gettext("line {line}, column {column}: {problem}").format(line=record.line, column=column, problem=text)
            )

        problems: list[str] = []
        if record.problem and record.column:
            named = self.header[record.column - 1] if record.column <= len(self.header) else ""
            problem(named or str(record.column), record.problem)
            return None, problems
        if record.problem:
            return None, [gettext("line {line}: {problem}").format(line=record.line, problem=record.problem)]
        values = [v.strip() for v in record.fields]
        beyond = [n for n, v in enumerate(values[len(self.header) :], start=len(self.header) + 1) if v]
        if beyond:
            problem(
                str(beyond[0]),
                gettext("a value beyond the header's {count} columns (quote a value that holds a comma)").format(
                    count=len(self.header)
                ),
            )
        row = dict(zip(self.header, values, strict=False))
        cid = row.get("customer_id", "")
        if not cid:
            problem("customer_id", gettext("empty"))
        elif len(cid) > CUSTOMER_ID_MAX:
            problem("customer_id", gettext("longer than {max} characters").format(max=CUSTOMER_ID_MAX))
        elif cid in self.seen:
            problem(
                "customer_id",
                gettext("{cid} repeats line {first_line}").format(cid=_shown(cid), first_line=self.seen[cid]),
            )
        else:
            self.seen[cid] = record.line
        email = row.get("email", "")
        try:
            if len(email) > EMAIL_MAX:
                raise ValidationError("long")
            validate_email(email)
        except ValidationError:
            problem("email", gettext("{email} is not an email address").format(email=_shown(email)))
        spend = Decimal(0)
        if row.get("spend"):
            try:
                spend = Decimal(row["spend"])
                if not spend.is_finite() or spend < 0:
                    raise InvalidOperation
            except InvalidOperation:
                problem("spend", gettext("{spend} is not a non-negative number").format(spend=_shown(row["spend"])))
            else:
                # Compared before rounding too: 1e40 has more digits than rounding to cents can hold.
                if spend > SPEND_MAX or (spend := spend.quantize(CENT, rounding=ROUND_HALF_UP)) > SPEND_MAX:
                    problem(
                        "spend",
                        gettext("{spend} is more than {max}, the largest spend a record holds").format(
                            spend=_shown(row["spend"]), max=f"{SPEND_MAX:,}"
                        ),
                    )
        country = row.get("country", "").upper()
        if country and (len(country) != 2 or not country.isalpha()):
            problem("country", gettext("{country} is not a two-letter code").format(country=_shown(country)))
        elif country and country not in country_codes():
            problem(
                "country",
                gettext("{country} is not a country code (ISO 3166-1, such as ES or GB)").format(
                    country=_shown(country)
                ),
            )
        tier = row.get("tier", "")
        if len(tier) > TIER_MAX:
            problem("tier", gettext("longer than {max} characters").format(max=TIER_MAX))
        if problems:
            return None, problems
        return _row(record.line, row), []


def _row(line: int, values: dict[str, str]) -> Row:
    """A record that passed its check, as the values to write."""
    spend = values.get("spend", "")
    return Row(
        line,
        values.get("customer_id", ""),
        values.get("email", "").lower(),
        values.get("tier", ""),
        Decimal(spend).quantize(CENT, rounding=ROUND_HALF_UP) if spend else Decimal(0),
        values.get("country", "").upper(),
        {k: v for k, v in values.items() if k and k not in KNOWN_COLUMNS},
    )


def _rows(text: str) -> Iterator[tuple[Row | None, list[str]]]:
    """Each row of the file, checked: the row and no problems, or None and its problems."""
    records = _Records(text)
    checker = _Checker([name.strip() for name in next(records).fields])
    for record in records:
        yield checker.row(record)


def _checked_rows(text: str) -> Iterator[Row]:
    """Each row of a file that passed its check, not checked again: a rule added since cannot stop it half-way."""
    records = _Records(text)
    header = [name.strip() for name in next(records).fields]
    for record in records:
        if record.problem:  # the stored file cannot change; this would be a bug
            raise RuntimeError(f"line {record.line} of a checked file cannot be read: {record.problem}")
        yield _row(record.line, dict(zip(header, (v.strip() for v in record.fields), strict=False)))


# --- running the job -----------------------------------------------------------------


class LeaseLost(Exception):
    """Another run of the job took it over (this one was thought dead); this run stops."""


@dataclass
class _Run:
    job_id: int
    runner: str
    progress: Progress | None
    segments: dict[str, int] = field(default_factory=dict)

    def note(self, **fields: object) -> None:
        """Progress, written only while this run still holds the job."""
        with transaction.atomic():
            held = CustomerImport.objects.filter(pk=self.job_id, runner=self.runner).update(
                heartbeat_at=timezone.now(), **fields
            )
        if not held:
            raise LeaseLost
        self.tell()

    def tell(self) -> None:
        if self.progress is not None:
            self.progress(CustomerImport.objects.get(pk=self.job_id))


def customer_import_run(*, import_id: int, progress: Progress | None = None) -> CustomerImport:
    """Run (or carry on with) one import; safe to call twice, and a no-op on a finished or held job."""
    run = _Run(import_id, uuid.uuid4().hex, progress)
    now = timezone.now()
    stale = now - timedelta(seconds=settings.PROSUMO_IMPORT_STALE_SECONDS)
    with transaction.atomic():
        claimed = (
            CustomerImport.objects.filter(pk=import_id, state__in=CustomerImport.ACTIVE)
            .filter(Q(runner="") | Q(heartbeat_at__lt=stale))
            .update(
                runner=run.runner,
                heartbeat_at=now,
                attempts=F("attempts") + 1,
                started_at=Coalesce("started_at", now),
            )
        )
    if not claimed:
        found = CustomerImport.objects.filter(pk=import_id).first()
        if found is None:
            raise NotFound(gettext("No such import."))
        return found
    job = CustomerImport.objects.get(pk=import_id)
    if job.attempts > ATTEMPTS_MAX:
        _finish(run, state=CustomerImport.State.FAILED, message=_gave_up(job))
        return _job(import_id)
    stored = CustomerImportFile.objects.filter(customer_import_id=import_id).first()
    if stored is None:  # cancelled between the claim and here
        return _job(import_id)
    text = bytes(stored.data).decode("utf-8-sig")
    try:
        if job.state in (CustomerImport.State.QUEUED, CustomerImport.State.CHECKING):
            _check(run, job, text)
            job = CustomerImport.objects.get(pk=import_id)
        if job.state == CustomerImport.State.WRITING:
            _write(run, job, text)
    except LeaseLost:
        logger.warning("Import %s was taken over by another run; this one stops.", import_id)
    except Exception as exc:
        logger.exception("Import %s failed", import_id)
        _stumble(run, exc)
    return _job(import_id)


def _job(import_id: int) -> CustomerImport:
    return CustomerImport.objects.get(pk=import_id)


def _gave_up(job: CustomerImport) -> str:
    if job.state == CustomerImport.State.WRITING:
        return gettext(
            "The import stopped {attempts} times and was given up after writing {written} of {total} rows; "
            "import the file again to write the rest. Last error: {error}"
        ).format(attempts=ATTEMPTS_MAX, written=job.rows_written, total=job.rows_total, error=job.message)
    return gettext(
        "The import stopped {attempts} times while checking; nothing was imported. Last error: {error}"
    ).format(attempts=ATTEMPTS_MAX, error=job.message)


def _stumble(run: _Run, exc: Exception) -> None:
    """An unexpected error: while checking, the job fails (nothing changed); while writing, it is retried."""
    error = f"{type(exc).__name__}: {exc}"[:2000]
    job = _job(run.job_id)
    if job.state == CustomerImport.State.WRITING:
        # Let it go: a worker takes it over after PROSUMO_IMPORT_STALE_SECONDS, up to ATTEMPTS_MAX runs.
        CustomerImport.objects.filter(pk=run.job_id, runner=run.runner).update(runner="", message=error)
    else:
        _finish(
            run,
            state=CustomerImport.State.FAILED,
            message=gettext("The import failed while checking; nothing was imported. {error}").format(error=error),
        )


def _finish(run: _Run, *, state: str, message: str = "", **fields: object) -> None:
    """End the job; its file goes (in the same transaction), so a finished job holds no customer data."""
    with transaction.atomic():
        run.note(state=state, message=message, finished_at=timezone.now(), runner="", **fields)
        CustomerImportFile.objects.filter(customer_import_id=run.job_id).delete()


def _check(run: _Run, job: CustomerImport, text: str) -> None:
    """Every row, checked; nothing is written but the job's progress. Rejects, or commits to writing."""
    run.note(state=CustomerImport.State.CHECKING, rows_checked=0)
    errors: list[str] = []
    error_count = bad_rows = checked = 0
    limit = settings.PROSUMO_IMPORT_MAX_ROWS
    preview = _Preview() if job.dry_run else None
    for row, problems in _rows(text):
        checked += 1
        if checked > limit:
            _finish(
                run,
                state=CustomerImport.State.REJECTED,
                message=gettext(
                    "The file has more than {limit} rows; one import takes at most {limit} (PROSUMO_IMPORT_MAX_ROWS). "
                    "Split the file and import each part; nothing was imported."
                ).format(limit=f"{limit:,}"),
                rows_checked=checked - 1,
            )
            return
        if problems:
            bad_rows += 1
            error_count += len(problems)
            errors.extend(problems[: max(ERRORS_KEPT - len(errors), 0)])
        elif preview is not None and row is not None:
            preview.add(row)
        if checked % CHECK_PROGRESS_ROWS == 0:
            run.note(rows_checked=checked)
    if bad_rows:
        _finish(
            run,
            state=CustomerImport.State.REJECTED,
            message=ngettext(
                "{count} row is invalid; nothing was imported.",
                "{count} rows are invalid; nothing was imported.",
                bad_rows,
            ).format(count=bad_rows),
            rows_checked=checked,
            rows_total=checked,
            errors=errors,
            error_count=error_count,
        )
    elif preview is not None:
        preview.flush()
        _finish(
            run,
            state=CustomerImport.State.DONE,
            rows_checked=checked,
            rows_total=checked,
            created_count=preview.created,
            updated_count=preview.updated,
            matched_count=preview.matched,
        )
    else:
        # The commit point: from here the file is written to the end, whatever happens to this worker.
        run.note(state=CustomerImport.State.WRITING, rows_checked=checked, rows_total=checked, rows_written=0)


@dataclass
class _Preview:
    """What a dry run would do: new, updated and matched counts, read a batch at a time."""

    created: int = 0
    updated: int = 0
    matched: int = 0
    pending: list[Row] = field(default_factory=list)

    def add(self, row: Row) -> None:
        self.pending.append(row)
        if len(self.pending) == BATCH_ROWS:
            self.flush()

    def flush(self) -> None:
        rows, self.pending = self.pending, []
        if not rows:
            return
        known = set(
            CustomerRecord.objects.filter(customer_id__in=[r.customer_id for r in rows]).values_list(
                "customer_id", flat=True
            )
        )
        members = _members_by_email({r.email for r in rows})
        self.updated += len(known)
        self.created += len(rows) - len(known)
        self.matched += sum(1 for r in rows if r.email in members)


def _members_by_email(emails: set[str]) -> dict[str, tuple[int, int | None]]:
    """{lower-case email: (member id, segment id)} for the members among these addresses."""
    found = (
        Member.objects.annotate(address=Lower("email"))
        .filter(address__in=emails)
        .values_list("address", "pk", "segment_id")
    )
    return {address: (pk, segment) for address, pk, segment in found}


def _write(run: _Run, job: CustomerImport, text: str) -> None:
    """The checked rows, written in batches from the job's cursor; each batch one short transaction."""
    cursor = job.rows_written
    batch: list[Row] = []
    for n, row in enumerate(_checked_rows(text)):
        if n < cursor:
            continue
        batch.append(row)
        if len(batch) == BATCH_ROWS:
            cursor = _write_batch(run, batch, cursor)
            batch = []
    if batch:
        cursor = _write_batch(run, batch, cursor)
    with transaction.atomic():
        done = _job(run.job_id)
        _finish(run, state=CustomerImport.State.DONE)
        event_record(
            verb="customers.imported",
            actor_id=done.requested_by_id,
            object_type="customer_import",
            object_id=done.pk,
            details={
                "created": done.created_count,
                "updated": done.updated_count,
                "matched": done.matched_count,
            },
        )
    run.tell()


# The record's columns an import writes; `member` is filled in inside the write transaction.
RECORD_COLUMNS = ("customer_id", "email", "tier", "spend", "country", "attributes", "segment", "member", "imported_at")
MEMBER_AT = RECORD_COLUMNS.index("member")


def _write_batch(run: _Run, rows: list[Row], cursor: int) -> int:
    """Write one batch of records; the values are prepared first, so the transaction only looks up and writes."""
    segments = _segments(run, {r.tier for r in rows if r.tier})
    now = timezone.now()
    values = statements.upsert_rows(
        CustomerRecord,
        RECORD_COLUMNS,
        (
            (r.customer_id, r.email, r.tier, r.spend, r.country, r.attributes, segments.get(r.tier), None, now)
            for r in rows
        ),
    )
    started = time.monotonic()
    with transaction.atomic():
        job = (
            CustomerImport.objects.select_for_update()
            .only("pk", "rows_written", "created_count", "updated_count", "matched_count", "heartbeat_at")
            .filter(pk=run.job_id, runner=run.runner, state=CustomerImport.State.WRITING)
            .first()
        )
        if job is None or job.rows_written != cursor:
            raise LeaseLost
        # Members are looked up here, not before: one who joins meanwhile is linked by the
        # import or by their own sign-up (member_joined), never by neither.
        members = _members_by_email({r.email for r in rows})
        known = set(
            CustomerRecord.objects.filter(customer_id__in=[r.customer_id for r in rows]).values_list(
                "customer_id", flat=True
            )
        )
        for row, r in zip(values, rows, strict=True):
            row[MEMBER_AT] = members[r.email][0] if r.email in members else None
        statements.upsert(CustomerRecord, RECORD_COLUMNS, ("customer_id",), values)
        # A matched member takes the tier of their last row as their segment.
        final = {members[r.email][0]: segments[r.tier] for r in rows if r.email in members and r.tier}
        moves: dict[int, list[int]] = {}
        for member_id, segment_id in final.items():
            moves.setdefault(segment_id, []).append(member_id)
        for segment_id, member_ids in moves.items():
            Member.objects.filter(pk__in=member_ids).exclude(segment_id=segment_id).update(segment_id=segment_id)
        job.rows_written = cursor + len(rows)
        job.created_count += len(rows) - len(known)
        job.updated_count += len(known)
        job.matched_count += sum(1 for r in rows if r.email in members)
        job.heartbeat_at = timezone.now()
        job.save(update_fields=["rows_written", "created_count", "updated_count", "matched_count", "heartbeat_at"])
    took = time.monotonic() - started
    run.tell()
    # Leave the database to others for at least as long as the batch held it: a vote waiting
    # for SQLite's write lock gets it in this gap instead of queueing behind the next batch.
    time.sleep(max(took, PAUSE_MIN))
    return cursor + len(rows)


def _segments(run: _Run, tiers: set[str]) -> dict[str, int]:
    """{tier: segment id}, creating a segment for a tier seen for the first time (matched by slug, then name)."""
    for tier in tiers - set(run.segments):
        slug = slugify(tier)[:80] or "segment"
        segment = Segment.objects.filter(slug=slug).first() or Segment.objects.filter(name=tier).first()
        if segment is None:
            segment = Segment.objects.create(slug=slug, name=tier)
        run.segments[tier] = segment.pk
    return {tier: run.segments[tier] for tier in tiers}


# --- after a worker was killed, and from the console ----------------------------------


def customer_imports_resume() -> list[int]:
    """Queue again every unfinished import whose run has gone quiet (its worker died); returns their ids.

    The schedule runs it every minute (``resume_customer_imports``). The queued run takes the
    job over from where its cursor stands (see ``customer_import_run``).
    """
    from prosumo.community.tasks import run_customer_import

    now = timezone.now()
    stale = now - timedelta(seconds=settings.PROSUMO_IMPORT_STALE_SECONDS)
    resumed = []
    for pk in CustomerImport.objects.filter(state__in=CustomerImport.ACTIVE, heartbeat_at__lt=stale).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            if CustomerImport.objects.filter(pk=pk, heartbeat_at__lt=stale).update(runner="", heartbeat_at=now):
                transaction.on_commit(functools.partial(run_customer_import.enqueue, pk))
                resumed.append(pk)
    return resumed


def customer_import_cancel(*, actor: Member | None, import_id: int) -> CustomerImport:
    """Stop an import that is queued or still being checked: nothing was written, and nothing will be.

    One that is writing cannot be stopped (Conflict): its file passed every check, and it
    ends fully applied. ``actor`` is None from the console.
    """
    if actor is not None:
        require_role(actor, Role.ADMIN)
    with transaction.atomic():
        cancelled = CustomerImport.objects.filter(
            pk=import_id, state__in=[CustomerImport.State.QUEUED, CustomerImport.State.CHECKING]
        ).update(
            state=CustomerImport.State.CANCELLED,
            runner="",
            finished_at=timezone.now(),
            message=gettext("Cancelled before anything was written; nothing was imported."),
        )
        if cancelled:
            CustomerImportFile.objects.filter(customer_import_id=import_id).delete()
    job = CustomerImport.objects.filter(pk=import_id).first()
    if job is None:
        raise NotFound(gettext("No such import."))
    if not cancelled and job.state == CustomerImport.State.WRITING:
        raise Conflict(
            gettext("Import {id} is writing its rows and cannot be stopped: its file passed every check.").format(
                id=job.pk
            )
        )
    if not cancelled:
        raise Conflict(
            gettext("Import {id} has ended already ({state}).").format(id=job.pk, state=job.get_state_display())
        )
    return job
