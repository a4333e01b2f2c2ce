"""Orders and channel spend coming in: a CSV file, the API, a shop's signed webhook, the staff pages.

Every path checks every order first and names every problem together (a CSV file by
file, row and column; JSON by ``orders.N.field``); a batch with one bad order writes
nothing. A batch that passes is written in one transaction: orders whose ``order_id``
is already recorded are left as they are (a shop may send an order twice), the rest are
matched to members and written, and one ``orders.imported`` event records the batch.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import re
import uuid
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from prosumo.activity.services import event_record
from prosumo.commerce.models import ChannelSpend, Order, Product, Source, WebhookReceipt
from prosumo.commerce.permissions import require_commerce_admin
from prosumo.community.models import CustomerRecord, Member
from prosumo.core.errors import Conflict, InvalidInput, NotAuthenticated, NotFound, PermissionDenied
from prosumo.core.input import text_problem
from prosumo.ideas.models import Idea

#: The columns of an orders CSV file, in the order the docs show them (docs/commerce.md).
CSV_COLUMNS = (
    "order_id",
    "customer_id",
    "email",
    "email_sha256",
    "ordered_at",
    "amount",
    "currency",
    "product",
    "product_name",
    "idea_id",
    "code",
    "refund_of",
)
#: The keys of one order in JSON (the API and the webhook): money as whole cents.
JSON_KEYS = tuple("amount_cents" if c == "amount" else c for c in CSV_COLUMNS)
MAX_CENTS = 10**15  # ten trillion in any currency: more is a mistake, and it still fits 64 bits
JSON_ORDERS_MAX = 1_000  # orders in one API or webhook request
AMOUNT = re.compile(r"-?\d{1,13}(\.\d{1,2})?\Z")
SHA256_HEX = re.compile(r"[0-9a-f]{64}\Z")
CURRENCY = re.compile(r"[A-Z]{3}\Z")
LIMITS = {
    "refund_of": 128,
    "order_id": 128,
    "customer_id": 64,
    "product": 64,
    "product_name": 160,
    "channel": 64,
    "code": 32,
}
CHUNK = 5_000  # ids per lookup query: far below any database's limit on bound values
SPEND_LOCK_SPACE = 2_024_011  # the first key of the advisory lock on a channel's spend (PostgreSQL)
PROBLEMS_SHOWN = 200  # problems a page shows of a refused file; the command line prints them all
FUTURE_SLACK = timedelta(days=1)  # a shop's clock, or its time zone, may run ahead of ours

Progress = Callable[[str, int, int], None]  # phase ("checking" or "writing"), done, total


def email_sha256(email: str) -> str:
    """The hash customers are matched by: SHA-256, in lowercase hex, of the email trimmed and in lowercase.

    The same as ``hashlib.sha256(email.strip().lower().encode("utf-8")).hexdigest()`` in the
    shop's own code, and as the "hashed email" that advertising platforms ask for.
    """
    return hashlib.sha256(email.strip().lower().encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class OrderLine:
    """One order, checked: what the database will hold."""

    order_id: str
    customer_id: str
    email_sha256: str
    ordered_at: datetime
    amount_cents: int
    currency: str
    product: str
    product_name: str
    idea_id: int | None
    code: str = ""  # a code the customer gave with the order (an experiment's arm, docs/outreach.md)
    #: The order this one refunds (its ``order_id``), or "": a refund's amount is negative.
    refund_of: str = ""


@dataclass(frozen=True)
class OrderProblem:
    """What is wrong with one order: its place in the batch (0 first), the column and a sentence."""

    index: int
    column: str
    message: str


@dataclass(frozen=True)
class OrdersResult:
    received: int
    created: int
    duplicates: int
    matched: int


# --- checking one order -------------------------------------------------------------------------


def _text(values: Mapping[str, Any], key: str, problems: dict[str, str], *, required: bool = False) -> str:
    value = values.get(key)
    if value is None:
        value = ""
    if not isinstance(value, str):
        problems[key] = gettext("Give text here.")
        return ""
    value = value.strip()
    problem = text_problem(value)
    if problem is not None:
        problems[key] = gettext("This text cannot be stored.")
        return ""
    if required and not value:
        problems[key] = gettext("This value is missing.")
    elif key in LIMITS and len(value) > LIMITS[key]:
        problems[key] = gettext("At most {limit} characters.").format(limit=LIMITS[key])
    return value


def parse_cents(text: str) -> int | None:
    """An amount as people write it (``1234.5``, ``-1234.56``, ``1234``) in cents; None when it is not one."""
    if not AMOUNT.match(text):
        return None
    sign = -1 if text.startswith("-") else 1
    whole, _, fraction = text.lstrip("-").partition(".")
    return sign * (int(whole) * 100 + int((fraction + "00")[:2]))


def parse_moment(text: str) -> datetime | None:
    """An ISO 8601 date or time; a date is midnight UTC, a time without an offset is UTC."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def order_check(values: Mapping[str, Any], *, now: datetime) -> tuple[OrderLine | None, dict[str, str]]:
    """One order from a CSV row (text) or a JSON object (typed); every problem found, by column."""
    problems: dict[str, str] = {}
    order_id = _text(values, "order_id", problems, required=True)
    customer_id = _text(values, "customer_id", problems)
    email = _text(values, "email", problems)
    hashed = _text(values, "email_sha256", problems).lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            problems["email"] = gettext("Not an email address.")
        else:
            if hashed and hashed != email_sha256(email):
                problems["email_sha256"] = gettext("Not the SHA-256 of this row's email.")
            hashed = email_sha256(email)
    elif hashed and not SHA256_HEX.match(hashed):
        problems["email_sha256"] = gettext("Give the SHA-256 of the email: 64 hexadecimal digits.")
    refund_of = _text(values, "refund_of", problems)
    if refund_of and refund_of == order_id:
        problems["refund_of"] = gettext("An order cannot refund itself.")
    # a refund that names its order may leave the customer and the product to that order's
    if (
        not (customer_id or email or hashed or refund_of)
        and not {
            "customer_id",
            "email",
            "email_sha256",
        }
        & problems.keys()
    ):
        problems["customer_id"] = gettext("Name the customer: a customer_id, an email or an email_sha256.")
    when = _text(values, "ordered_at", problems, required=True)
    ordered_at = parse_moment(when) if when else None
    if when and "ordered_at" not in problems:
        if ordered_at is None:
            problems["ordered_at"] = gettext("Write a date or time as 2025-03-31 or 2025-03-31T14:05:00Z.")
        elif ordered_at > now + FUTURE_SLACK:
            problems["ordered_at"] = gettext("This date is in the future.")
    cents = _cents(values, problems)
    currency = _text(values, "currency", problems, required=True).upper()
    if currency and not CURRENCY.match(currency):
        problems["currency"] = gettext("Write a three-letter currency code such as EUR.")
    product = _text(values, "product", problems, required=not refund_of)
    product_name = _text(values, "product_name", problems)
    idea_id = _idea_id(values.get("idea_id"), problems)
    code = _text(values, "code", problems)
    if problems:
        return None, problems
    assert ordered_at is not None
    assert cents is not None
    if refund_of:
        cents = -abs(cents)  # the amount refunded, written with or without its minus sign
    return (
        OrderLine(
            order_id, customer_id, hashed, ordered_at, cents, currency, product, product_name, idea_id, code, refund_of
        ),
        problems,
    )


def _cents(values: Mapping[str, Any], problems: dict[str, str]) -> int | None:
    if "amount_cents" in values:  # JSON: whole cents
        raw = values["amount_cents"]
        if raw is None:
            problems["amount_cents"] = gettext("This value is missing.")
            return None
        if isinstance(raw, bool) or not isinstance(raw, int) or not -MAX_CENTS <= raw <= MAX_CENTS:
            problems["amount_cents"] = gettext("Give a whole number of cents (negative for a refund).")
            return None
        return raw
    # No comma, neither for thousands nor for decimals: "12,50" would be read as 1250 or as 12.50
    # depending on the country that wrote it, so it is refused rather than guessed.
    text = _text(values, "amount", problems, required=True)
    if not text or "amount" in problems:
        return None
    cents = parse_cents(text)
    if cents is None or cents > MAX_CENTS:
        problems["amount"] = gettext("Write an amount such as 1234.56 (-1234.56 for a refund), at most two decimals.")
    return cents


def _idea_id(raw: Any, problems: dict[str, str]) -> int | None:
    if raw is None or raw == "":
        return None
    if isinstance(raw, str) and raw.strip().isdigit():
        raw = int(raw.strip())
    if isinstance(raw, bool) or not isinstance(raw, int) or not 1 <= raw < 2**63:
        problems["idea_id"] = gettext("Give the idea's number.")
        return None
    return raw


def orders_check(rows: Sequence[Mapping[str, Any]], *, progress: Progress | None = None) -> list[OrderLine]:
    """Every order checked, with the ideas they name and the ids repeated in the batch.

    Raises ``BatchRefused`` with every problem when any order is wrong.
    """
    now = timezone.now()
    lines: list[OrderLine | None] = []
    problems: list[OrderProblem] = []
    first_row: dict[str, int] = {}
    named: dict[int, int] = {}  # the idea each order names, bad orders included: every problem is reported
    for index, values in enumerate(rows):
        line, found = order_check(values, now=now)
        idea_id = _idea_id(values.get("idea_id"), {})
        if idea_id is not None:
            named[index] = idea_id
        problems.extend(OrderProblem(index, column, message) for column, message in found.items())
        if line is not None and line.order_id in first_row:
            problems.append(
                OrderProblem(
                    index,
                    "order_id",
                    gettext("Order {order} is in this batch twice (first at {first}).").format(
                        order=line.order_id, first=first_row[line.order_id] + 1
                    ),
                )
            )
            line = None
        if line is not None:
            first_row[line.order_id] = index
        lines.append(line)
        if progress is not None and (index + 1) % 1_000 == 0:
            progress("checking", index + 1, len(rows))
    known = _existing(Idea.objects.all(), "pk", set(named.values()))
    for index, idea_id in named.items():
        if idea_id not in known:
            problems.append(
                OrderProblem(index, "idea_id", gettext("There is no idea {number}.").format(number=idea_id))
            )
    lines = _refunds_resolved(lines, first_row, problems)
    if problems:
        raise BatchRefused(sorted(problems, key=lambda p: p.index))
    if progress is not None:
        progress("checking", len(rows), len(rows))
    return [line for line in lines if line is not None]


def _refunds_resolved(
    lines: list[OrderLine | None], first_row: dict[str, int], problems: list[OrderProblem]
) -> list[OrderLine | None]:
    """Each refund with the order it names (recorded, or a sale in this batch): its customer, product and idea
    when the refund leaves them out; a problem when that order is unknown, a refund itself, or in another currency."""
    named = {line.refund_of for line in lines if line is not None and line.refund_of}
    if not named:
        return lines
    originals: dict[str, tuple[str, str, str, int | None, str]] = {}
    for start in range(0, len(sorted(named)), CHUNK):
        chunk = sorted(named)[start : start + CHUNK]
        for row in Order.objects.filter(order_id__in=chunk, refund_of="").values_list(
            "order_id", "customer_id", "email_sha256", "product__code", "idea_id", "currency"
        ):
            originals[row[0]] = (row[1], row[2], row[3], row[4], row[5])
    for order_id in named - originals.keys():
        at = first_row.get(order_id)
        original = lines[at] if at is not None else None
        if original is not None and not original.refund_of:
            originals[order_id] = (
                original.customer_id,
                original.email_sha256,
                original.product,
                original.idea_id,
                original.currency,
            )
    resolved: list[OrderLine | None] = []
    for index, line in enumerate(lines):
        if line is None or not line.refund_of:
            resolved.append(line)
            continue
        found = originals.get(line.refund_of)
        if found is None:
            problems.append(
                OrderProblem(
                    index, "refund_of", gettext("There is no sale {order} to refund.").format(order=line.refund_of)
                )
            )
            resolved.append(None)
            continue
        customer_id, hashed, product, idea_id, currency = found
        if currency != line.currency:
            problems.append(
                OrderProblem(
                    index,
                    "currency",
                    gettext("Order {order} was in {currency}: refund it in the same currency.").format(
                        order=line.refund_of, currency=currency
                    ),
                )
            )
            resolved.append(None)
            continue
        named_customer = line.customer_id or line.email_sha256
        resolved.append(
            replace(
                line,
                customer_id=line.customer_id if named_customer else customer_id,
                email_sha256=line.email_sha256 if named_customer else hashed,
                product=line.product or product,
                idea_id=line.idea_id if line.idea_id is not None else idea_id,
            )
        )
    return resolved


class BatchRefused(InvalidInput):
    """A batch with at least one bad order; ``problems_found`` lists them all, in batch order."""

    def __init__(self, problems: list[OrderProblem]):
        self.problems_found = problems
        fields: dict[str, list[str]] = {}
        for p in problems:
            fields.setdefault(f"orders.{p.index}.{p.column}", []).append(p.message)
        super().__init__(
            gettext("Nothing was imported: {count} problems in the orders.").format(count=len(problems)),
            fields=fields,
        )


def _existing(queryset: Any, field: str, values: set[Any]) -> set[Any]:
    found: set[Any] = set()
    ordered = sorted(values)
    for start in range(0, len(ordered), CHUNK):
        chunk = ordered[start : start + CHUNK]
        found.update(queryset.filter(**{f"{field}__in": chunk}).values_list(field, flat=True))
    return found


# --- matching customers to members ------------------------------------------------------------------


def customer_members(lines: Sequence[OrderLine]) -> tuple[dict[str, int], dict[str, int]]:
    """Members by the shop's customer id (through the customer records) and by the hash of their email.

    Hashing every member's email costs a fraction of a second per hundred thousand
    members, and only a batch that names a hash pays it.
    """
    ids = sorted({line.customer_id for line in lines if line.customer_id})
    by_id: dict[str, int] = {}
    for start in range(0, len(ids), CHUNK):
        by_id.update(
            CustomerRecord.objects.filter(customer_id__in=ids[start : start + CHUNK], member__isnull=False).values_list(
                "customer_id", "member_id"
            )
        )
    wanted = {line.email_sha256 for line in lines if line.email_sha256}
    by_hash: dict[str, int] = {}
    if wanted:
        for member_id, email in Member.objects.filter(erased_at__isnull=True).values_list("pk", "email").iterator():
            digest = email_sha256(email)
            if digest in wanted:
                by_hash[digest] = member_id
    return by_id, by_hash


def orders_match(*, member_id: int | None = None) -> int:
    """Give orders recorded before their customer was known to be a member that member; how many it matched.

    ``member_id`` given: that member's customer records' ids and the hash of their email
    (a member who has just joined). None: every customer record that names a member (after
    a customer import). Only orders without a member change, so running it again matches
    nothing more and writes nothing; an ``orders.matched`` event counts the orders matched.
    """
    unmatched = Order.objects.filter(member__isnull=True)
    pairs: list[tuple[Q, int]] = []
    if member_id is not None:
        member = Member.objects.filter(pk=member_id, erased_at__isnull=True).first()
        if member is None:
            return 0
        ids = list(CustomerRecord.objects.filter(member_id=member.pk).values_list("customer_id", flat=True))
        rule = Q(customer_id__in=ids) if ids else Q(pk__in=[])
        if member.email:
            rule |= Q(email_sha256=email_sha256(member.email))
        pairs.append((rule, member.pk))
    else:
        waiting = unmatched.exclude(customer_id="").values("customer_id")
        records = CustomerRecord.objects.filter(member__isnull=False, customer_id__in=waiting)
        by_member: dict[int, list[str]] = defaultdict(list)
        for customer_id, owner in records.values_list("customer_id", "member_id").order_by("customer_id"):
            by_member[int(owner)].append(customer_id)
        pairs.extend((Q(customer_id__in=ids), owner) for owner, ids in sorted(by_member.items()))
    matched, members = 0, 0
    with transaction.atomic():
        for rule, owner in pairs:
            count = unmatched.filter(rule).update(member_id=owner)
            matched += count
            members += 1 if count else 0
        if matched:
            event_record(
                verb="orders.matched",
                actor_id=None,
                value=matched,
                details={"matched": matched, "members": members, "member_id": member_id},
            )
    return matched


def orders_match_on(*, event: Any) -> None:
    """Reaction: a member joined, or a customer import matched customers to members; match their orders later."""
    from prosumo.commerce.tasks import match_orders

    member_id = event.object_id if event.verb == "member.joined" else None
    transaction.on_commit(lambda: match_orders.enqueue(member_id))


#: The events after which orders may find their member.
MATCHING_VERBS = ("member.joined", "customers.imported")


# --- writing a batch ----------------------------------------------------------------------------------


def orders_record(
    *,
    actor: Member | None,
    rows: Sequence[Mapping[str, Any]],
    source: str,
    file_name: str = "",
    progress: Progress | None = None,
) -> OrdersResult:
    """Check and write a batch of orders: all of them, or none if any is wrong.

    ``actor`` None is the platform itself: the command line, or a webhook whose
    signature was checked. Orders already recorded (by ``order_id``) are left as they are.
    """
    if actor is not None:
        actor = require_commerce_admin(actor)
    lines = orders_check(rows, progress=progress)
    with transaction.atomic():
        return _orders_write(actor=actor, lines=lines, source=source, file_name=file_name, progress=progress)


def _orders_write(
    *, actor: Member | None, lines: list[OrderLine], source: str, file_name: str, progress: Progress | None
) -> OrdersResult:
    known = _existing(Order.objects.all(), "order_id", {line.order_id for line in lines})
    new = [line for line in lines if line.order_id not in known]
    products = _products(new)
    by_id, by_hash = customer_members(new)
    batch = uuid.uuid4()
    now = timezone.now()
    orders = []
    for line in new:
        product = products[line.product]
        member_id = by_id.get(line.customer_id) or by_hash.get(line.email_sha256)
        orders.append(
            Order(
                order_id=line.order_id,
                customer_id=line.customer_id,
                email_sha256=line.email_sha256,
                member_id=member_id,
                ordered_at=line.ordered_at,
                amount_cents=line.amount_cents,
                currency=line.currency,
                product=product,
                idea_id=line.idea_id or product.idea_id,
                code=line.code,
                refund_of=line.refund_of,
                source=source,
                batch=batch,
                imported_at=now,
            )
        )
    for start in range(0, len(orders), 1_000):
        # A shop may send one order twice at the same moment: the second insert leaves the first alone.
        Order.objects.bulk_create(orders[start : start + 1_000], ignore_conflicts=True)
        if progress is not None:
            progress("writing", min(start + 1_000, len(orders)), len(orders))
    written = Order.objects.filter(batch=batch)
    created = written.count()
    matched = written.filter(member__isnull=False).count()
    result = OrdersResult(received=len(lines), created=created, duplicates=len(lines) - created, matched=matched)
    if created:
        event_record(
            verb="orders.imported",
            actor_id=actor.pk if actor else None,
            value=created,
            details={
                "source": source,
                "file": file_name,
                "received": result.received,
                "created": created,
                "duplicates": result.duplicates,
                "matched": matched,
                "batch": str(batch),
            },
        )
    return result


def _products(lines: list[OrderLine]) -> dict[str, Product]:
    names: dict[str, str] = {}
    ideas: dict[str, int] = {}
    for line in lines:
        if line.product_name:
            names.setdefault(line.product, line.product_name)
        if line.idea_id is not None:
            ideas.setdefault(line.product, line.idea_id)
    codes = sorted({line.product for line in lines})
    Product.objects.bulk_create(
        [Product(code=code, name=names.get(code, ""), idea_id=ideas.get(code)) for code in codes],
        ignore_conflicts=True,
        batch_size=1_000,
    )
    found: dict[str, Product] = {}
    for start in range(0, len(codes), CHUNK):
        found.update((p.code, p) for p in Product.objects.filter(code__in=codes[start : start + CHUNK]))
    return found


# --- a CSV file ----------------------------------------------------------------------------------------


def orders_import_csv(
    *,
    actor: Member | None,
    file_name: str,
    data: bytes,
    progress: Progress | None = None,
) -> OrdersResult:
    """Import an orders CSV file (docs/commerce.md): every row, or none.

    Every problem is named by file, row and column in one report (``CsvRefused``); rows
    count from 1 at the first row after the header.
    """
    if actor is not None:
        actor = require_commerce_admin(actor)
    rows = _csv_rows(file_name, data)
    try:
        lines = orders_check(rows, progress=progress)
    except BatchRefused as exc:
        raise CsvRefused(
            file_name,
            [
                gettext("{file}, row {row}, column {column}: {message}").format(
                    file=file_name, row=p.index + 1, column=p.column, message=p.message
                )
                for p in exc.problems_found
            ],
        ) from exc
    with transaction.atomic():
        return _orders_write(actor=actor, lines=lines, source=Source.CSV, file_name=file_name, progress=progress)


class CsvRefused(InvalidInput):
    """A CSV file refused whole; ``lines`` names each problem with its file, row and column."""

    def __init__(self, file_name: str, lines: list[str]):
        self.lines = lines
        shown = lines[:PROBLEMS_SHOWN]
        if len(lines) > PROBLEMS_SHOWN:
            shown.append(gettext("... and {count} more.").format(count=len(lines) - PROBLEMS_SHOWN))
        message = gettext("Nothing was imported: {file} has {count} problems.").format(file=file_name, count=len(lines))
        # The summary first, so that a page, which shows the fields' sentences, says it too.
        super().__init__(message, fields={"file": [message, *shown]})


def _csv_rows(
    file_name: str,
    data: bytes,
    *,
    required: Sequence[str] = ("order_id", "ordered_at", "amount", "currency", "product"),
    known: Sequence[str] = CSV_COLUMNS,
    empty: str | None = None,
) -> list[dict[str, str]]:
    """The file's rows as dicts; refuses what cannot be read as a whole (encoding, header, size, broken CSV).

    ``required`` and ``known`` are the file's columns (an orders file's by default); ``empty``
    says, translated, with ``{file}`` in it, that the file has no rows after its header.
    """
    limit = settings.PROSUMO_IMPORT_MAX_BYTES
    if len(data) > limit:
        raise CsvRefused(
            file_name,
            [
                gettext("{file} is {size} bytes; one import takes at most {limit} (PROSUMO_IMPORT_MAX_BYTES).").format(
                    file=file_name, size=len(data), limit=limit
                )
            ],
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise CsvRefused(
            file_name,
            [
                gettext("{file}, line {line}: not UTF-8 text. Save the file as CSV UTF-8.").format(
                    file=file_name, line=line
                )
            ],
        ) from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    records = _records(reader)
    header_record = next(records, None)
    if header_record is None or isinstance(header_record, str):
        raise CsvRefused(file_name, [gettext("{file} is empty.").format(file=file_name)])
    header = [name.strip() for name in header_record]
    problems: list[str] = []
    missing = [c for c in required if c not in header]
    unknown = [c for c in header if c not in known]
    repeated = sorted({c for c in header if header.count(c) > 1})
    if missing:
        problems.append(
            gettext("{file}, header: missing columns {columns}.").format(file=file_name, columns=", ".join(missing))
        )
    if unknown:
        problems.append(
            gettext("{file}, header: unknown columns {columns} (the columns are {known}).").format(
                file=file_name, columns=", ".join(unknown), known=", ".join(known)
            )
        )
    if repeated:
        problems.append(
            gettext("{file}, header: repeated columns {columns}.").format(file=file_name, columns=", ".join(repeated))
        )
    if problems:
        raise CsvRefused(file_name, problems)
    rows: list[dict[str, str]] = []
    for number, record in enumerate(records, start=1):
        if isinstance(record, str):
            problems.append(
                gettext("{file}, row {row}: the CSV cannot be read: {problem}").format(
                    file=file_name, row=number, problem=record
                )
            )
            break  # after a broken quote the reader cannot tell where rows begin
        if not any(cell.strip() for cell in record):
            continue
        if len(record) != len(header):
            problems.append(
                gettext("{file}, row {row}: {count} values, but the header names {columns} columns.").format(
                    file=file_name, row=number, count=len(record), columns=len(header)
                )
            )
            continue
        rows.append(dict(zip(header, record, strict=True)))
    if len(rows) > settings.PROSUMO_IMPORT_MAX_ROWS:
        problems.append(
            gettext("{file} has more than {most} rows (PROSUMO_IMPORT_MAX_ROWS): split it.").format(
                file=file_name, most=settings.PROSUMO_IMPORT_MAX_ROWS
            )
        )
    if problems:
        raise CsvRefused(file_name, problems)
    if not rows:
        empty = empty or gettext("{file} has no orders after its header.")
        raise CsvRefused(file_name, [empty.format(file=file_name)])
    return rows


def _records(reader: Any) -> Iterator[list[str] | str]:
    """Each record, or the csv module's complaint (then nothing more)."""
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield str(exc)
            return
        yield record


# --- the shop's webhook ------------------------------------------------------------------------------


def webhook_signature(*, secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=`` and the hex HMAC-SHA256, keyed with the shared secret, of the timestamp, a dot and the body."""
    digest = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256).hexdigest()
    return "sha256=" + digest


def orders_receive(*, body: bytes, timestamp: str | None, signature: str | None) -> OrdersResult:
    """A batch of orders a shop sent, signed (docs/commerce.md); a bad signature or a replay changes nothing."""
    secret = settings.PROSUMO_ORDERS_WEBHOOK_SECRET
    if not secret:
        raise PermissionDenied(
            gettext("The order webhook is off: the site has no PROSUMO_ORDERS_WEBHOOK_SECRET."), code="webhook_off"
        )
    if not timestamp or not signature:
        raise NotAuthenticated(
            gettext("Sign the request: X-Prosumo-Timestamp and X-Prosumo-Signature headers."),
            code="signature_missing",
        )
    tolerance = settings.PROSUMO_ORDERS_WEBHOOK_TOLERANCE_SECONDS
    now = timezone.now()
    if not timestamp.isdigit() or abs(now.timestamp() - int(timestamp)) > tolerance:
        raise NotAuthenticated(
            gettext("The signature's timestamp is not within {seconds} seconds of the site's clock.").format(
                seconds=tolerance
            ),
            code="signature_expired",
        )
    expected = webhook_signature(secret=secret, timestamp=timestamp, body=body)
    if not hmac.compare_digest(expected.encode(), signature.strip().encode()):
        raise NotAuthenticated(gettext("The signature does not match the body."), code="signature_invalid")
    rows = _webhook_rows(body)
    lines = orders_check(rows)
    with transaction.atomic():
        WebhookReceipt.objects.filter(received_at__lt=now - timedelta(seconds=2 * tolerance)).delete()
        try:
            with transaction.atomic():
                WebhookReceipt.objects.create(signature=expected.removeprefix("sha256="), received_at=now)
        except IntegrityError:
            raise Conflict(
                gettext("This signed request was received already; send each request once."), code="replayed"
            ) from None
        return _orders_write(actor=None, lines=lines, source=Source.WEBHOOK, file_name="", progress=None)


def _webhook_rows(body: bytes) -> list[Mapping[str, Any]]:
    try:
        data = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InvalidInput(
            gettext("The request body is not valid JSON: {error}.").format(error=exc), code="malformed_json"
        ) from exc
    return orders_rows(data)


def orders_rows(data: Any) -> list[Mapping[str, Any]]:
    """The orders of a JSON body ``{"orders": [...]}``, at most ``JSON_ORDERS_MAX``."""
    orders = data.get("orders") if isinstance(data, dict) else None
    if not isinstance(orders, list) or not all(isinstance(o, dict) for o in orders):
        raise InvalidInput(
            gettext('Send a JSON object {"orders": [...]}, each order an object.'), fields={"orders": ["invalid"]}
        )
    if not orders:
        raise InvalidInput(gettext("The request holds no orders."), fields={"orders": ["empty"]})
    if len(orders) > JSON_ORDERS_MAX:
        raise InvalidInput(
            gettext("Send at most {most} orders in one request.").format(most=JSON_ORDERS_MAX),
            fields={"orders": ["too_many"]},
        )
    unknown = sorted({key for o in orders for key in o if key not in JSON_KEYS})
    if unknown:
        raise InvalidInput(
            gettext("Unknown keys {keys}; an order has {known}.").format(
                keys=", ".join(unknown), known=", ".join(JSON_KEYS)
            ),
            fields={"orders": ["unknown_keys"]},
        )
    return orders


# --- channel spend -----------------------------------------------------------------------------------


def spend_record(
    *,
    actor: Member | None,
    channel: str,
    starts_on: date,
    ends_on: date,
    amount_cents: int,
    currency: str,
    source: str = Source.FORM,
) -> ChannelSpend:
    """Record what one acquisition channel cost over a period (dates inclusive); periods of a channel never overlap."""
    if actor is not None:
        actor = require_commerce_admin(actor)
    problems: dict[str, list[str]] = {}
    channel = channel.strip() if isinstance(channel, str) else ""
    if not channel or len(channel) > LIMITS["channel"] or text_problem(channel) is not None:
        problems["channel"] = [gettext("Name the channel, as members' channels are named (email, social, ...).")]
    if ends_on < starts_on:
        problems["ends_on"] = [gettext("The period ends before it starts.")]
    if isinstance(amount_cents, bool) or not isinstance(amount_cents, int) or not 0 <= amount_cents <= MAX_CENTS:
        problems["amount_cents"] = [gettext("Give a whole number of cents, 0 or more.")]
    currency = currency.strip().upper() if isinstance(currency, str) else ""
    if not CURRENCY.match(currency):
        problems["currency"] = [gettext("Write a three-letter currency code such as EUR.")]
    if problems:
        raise InvalidInput(gettext("The spend was not recorded."), fields=problems)
    with transaction.atomic():
        return _spend_write(
            actor=actor,
            channel=channel,
            starts_on=starts_on,
            ends_on=ends_on,
            amount_cents=amount_cents,
            currency=currency,
            source=source,
        )


_OVERLAP = "{channel} already has spend from {start} to {end}; periods of a channel cannot overlap."


def _spend_write(
    *,
    actor: Member | None,
    channel: str,
    starts_on: date,
    ends_on: date,
    amount_cents: int,
    currency: str,
    source: str,
) -> ChannelSpend:
    """One checked period written with its event, inside the caller's transaction; refused if it overlaps."""
    _lock_channel(channel)
    overlap = (
        ChannelSpend.objects.filter(channel=channel, starts_on__lte=ends_on, ends_on__gte=starts_on)
        .order_by("starts_on")
        .first()
    )
    if overlap is not None:
        raise Conflict(
            gettext(_OVERLAP).format(
                channel=channel, start=overlap.starts_on.isoformat(), end=overlap.ends_on.isoformat()
            ),
            code="overlap",
            fields={"starts_on": ["overlap"]},
        )
    spend = ChannelSpend.objects.create(
        channel=channel,
        starts_on=starts_on,
        ends_on=ends_on,
        amount_cents=amount_cents,
        currency=currency,
        source=source,
        recorded_by=actor,
    )
    event_record(
        verb="spend.recorded",
        actor_id=actor.pk if actor else None,
        object_type="channel_spend",
        object_id=spend.pk,
        channel=channel,
        value=amount_cents,
        details={
            "currency": currency,
            "starts_on": starts_on.isoformat(),
            "ends_on": ends_on.isoformat(),
            "source": source,
        },
    )
    return spend


def _lock_channel(channel: str) -> None:
    """One channel's spend is recorded by one transaction at a time, so that the overlap check holds.

    PostgreSQL: an advisory lock on the channel's name, held until commit (a row lock
    would not do: the first spend of a channel has no row to lock). SQLite lets one
    transaction write at a time anyway.
    """
    if connection.vendor == "postgresql":
        key = zlib.crc32(channel.encode("utf-8")) - 2**31  # the signed 32-bit range the lock takes
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [SPEND_LOCK_SPACE, key])


def spend_remove(*, actor: Member, spend_id: int) -> None:
    """Take back spend recorded by mistake."""
    admin = require_commerce_admin(actor)
    with transaction.atomic():
        spend = ChannelSpend.objects.select_for_update().filter(pk=spend_id).first()
        if spend is None:
            raise NotFound(gettext("That spend does not exist."))
        event_record(
            verb="spend.removed",
            actor_id=admin.pk,
            object_type="channel_spend",
            object_id=spend.pk,
            channel=spend.channel,
            value=spend.amount_cents,
            details={
                "currency": spend.currency,
                "starts_on": spend.starts_on.isoformat(),
                "ends_on": spend.ends_on.isoformat(),
            },
        )
        spend.delete()


# --- channel spend from a CSV file ------------------------------------------------------------------------

#: The columns of a channel spend CSV file (docs/commerce.md): one period of one channel a row.
SPEND_CSV_COLUMNS = ("channel", "starts_on", "ends_on", "amount", "currency")


@dataclass(frozen=True)
class SpendResult:
    periods: int
    channels: int
    amount_cents: int


def spend_import_csv(*, actor: Member | None, file_name: str, data: bytes) -> SpendResult:
    """Import channel spend from a CSV file: every period, or none.

    Every problem is named by file, row and column in one report (``CsvRefused``): a
    value that is wrong, a period that overlaps another of the same channel in the file
    or one already recorded. ``actor`` None is the command line. Each period writes its
    ``spend.recorded`` event, as one recorded on the page does.
    """
    if actor is not None:
        actor = require_commerce_admin(actor)
    rows = _csv_rows(
        file_name,
        data,
        required=SPEND_CSV_COLUMNS,
        known=SPEND_CSV_COLUMNS,
        empty=gettext("{file} has no spend after its header."),
    )
    periods: list[tuple[int, str, date, date, int, str]] = []
    problems: list[tuple[int, str, str]] = []
    for index, values in enumerate(rows):
        found: dict[str, str] = {}
        channel = _text(values, "channel", found, required=True)
        days = {}
        for key in ("starts_on", "ends_on"):
            text = _text(values, key, found, required=True)
            try:
                days[key] = date.fromisoformat(text) if text else None
            except ValueError:
                found[key] = gettext("Write a date as 2025-03-31.")
        amount = _text(values, "amount", found, required=True)
        cents = parse_cents(amount) if amount else None
        if amount and "amount" not in found and (cents is None or not 0 <= cents <= MAX_CENTS):
            found["amount"] = gettext("Write an amount such as 1234.56: 0 or more, at most two decimals.")
        currency = _text(values, "currency", found, required=True).upper()
        if currency and not CURRENCY.match(currency):
            found["currency"] = gettext("Write a three-letter currency code such as EUR.")
        starts, ends = days.get("starts_on"), days.get("ends_on")
        if starts and ends and ends < starts:
            found["ends_on"] = gettext("The period ends before it starts.")
        problems.extend((index, column, message) for column, message in found.items())
        if not found and starts and ends and cents is not None:
            periods.append((index, channel, starts, ends, cents, currency))
    problems.extend(_spend_overlaps(periods))
    if problems:
        raise CsvRefused(
            file_name,
            [
                gettext("{file}, row {row}, column {column}: {message}").format(
                    file=file_name, row=index + 1, column=column, message=message
                )
                for index, column, message in sorted(problems, key=lambda p: p[0])
            ],
        )
    with transaction.atomic():
        for _index, channel, starts, ends, cents, currency in periods:
            _spend_write(
                actor=actor,
                channel=channel,
                starts_on=starts,
                ends_on=ends,
                amount_cents=cents,
                currency=currency,
                source=Source.CSV,
            )
    return SpendResult(
        periods=len(periods),
        channels=len({p[1] for p in periods}),
        amount_cents=sum(p[4] for p in periods),
    )


def _spend_overlaps(periods: list[tuple[int, str, date, date, int, str]]) -> list[tuple[int, str, str]]:
    """Each period that overlaps an earlier one of its channel in the file, or one already recorded."""
    problems: list[tuple[int, str, str]] = []
    by_channel: dict[str, list[tuple[int, date, date]]] = defaultdict(list)
    for index, channel, starts, ends, _cents, _currency in periods:
        for other, other_starts, other_ends in by_channel[channel]:
            if starts <= other_ends and other_starts <= ends:
                problems.append(
                    (
                        index,
                        "starts_on",
                        gettext("This period overlaps row {row}'s of the same channel.").format(row=other + 1),
                    )
                )
                break
        by_channel[channel].append((index, starts, ends))
    recorded = ChannelSpend.objects.filter(channel__in=sorted(by_channel)).order_by("starts_on")
    for spend in recorded:
        for index, starts, ends in by_channel[spend.channel]:
            if starts <= spend.ends_on and spend.starts_on <= ends:
                problems.append(
                    (
                        index,
                        "starts_on",
                        gettext(_OVERLAP).format(
                            channel=spend.channel, start=spend.starts_on.isoformat(), end=spend.ends_on.isoformat()
                        ),
                    )
                )
    return problems
