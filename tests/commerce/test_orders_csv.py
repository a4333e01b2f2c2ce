"""Orders from a CSV file: all or nothing, every problem named by file, row and column; customers matched."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest

from prosumo.activity.models import Event
from prosumo.commerce import services
from prosumo.commerce.models import Order, Product
from prosumo.community.models import CustomerRecord
from prosumo.core.errors import PermissionDenied

HEADER = "order_id,customer_id,email,email_sha256,ordered_at,amount,currency,product,product_name,idea_id\n"


def test_email_hash_is_sha256_of_the_trimmed_lowercase_email():
    # the value docs/commerce.md shows for this address
    expected = "c2c46c1bf8a9ac33c2bfbe9c37d43bd6ff7532f55cc51d31a387eaa75eee64ab"
    assert services.email_sha256("  Ana.Lopez@Example.ORG ") == expected
    assert hashlib.sha256(b"ana.lopez@example.org").hexdigest() == expected


def test_a_good_file_is_imported_and_customers_are_matched_by_id_and_by_email_hash(admin, make_member, idea):
    # given a member known by a customer record, one known only by email, and a customer who is no member
    by_id = make_member()
    CustomerRecord.objects.create(customer_id="C-1", email="other@example.org", member=by_id)
    by_email = make_member()
    hashed = services.email_sha256(by_email.email.upper())
    data = (
        HEADER
        + "A1,C-1,,,2025-03-01,12.50,eur,SKU-1,Garden chair,\n"
        + f"A2,,,{hashed},2025-03-02T10:00:00+02:00,100,EUR,SKU-2,,{idea.pk}\n"
        + f"A3,,{by_email.email},,2025-03-03T09:30:00Z,0.5,EUR,SKU-2,,\n"
        + "A4,C-404,stranger@example.org,,2025-03-04,7,USD,SKU-1,,\n"
    ).encode()
    # when
    result = services.orders_import_csv(actor=admin, file_name="march.csv", data=data)
    # then
    assert (result.received, result.created, result.duplicates, result.matched) == (4, 4, 0, 3)
    orders = {o.order_id: o for o in Order.objects.select_related("product")}
    assert orders["A1"].member_id == by_id.pk
    assert (orders["A1"].amount_cents, orders["A1"].currency, orders["A1"].product.name) == (
        1250,
        "EUR",
        "Garden chair",
    )
    assert orders["A2"].member_id == by_email.pk
    assert orders["A2"].ordered_at == datetime(2025, 3, 2, 8, 0, tzinfo=UTC)
    assert (orders["A2"].amount_cents, orders["A2"].idea_id) == (10000, idea.pk)
    # the product came from the idea, so a later order of it without idea_id is counted as co-created too
    assert orders["A3"].member_id == by_email.pk
    assert (orders["A3"].amount_cents, orders["A3"].idea_id) == (50, idea.pk)
    assert orders["A3"].email_sha256 == services.email_sha256(by_email.email)
    # a non-member's plain email is never stored, only its hash
    assert orders["A4"].member_id is None
    assert orders["A4"].email_sha256 == services.email_sha256("stranger@example.org")
    assert not Order.objects.filter(email_sha256__contains="@").exists()
    assert Product.objects.get(code="SKU-2").idea_id == idea.pk
    event = Event.objects.get(verb="orders.imported")
    assert event.actor_id == admin.pk
    assert event.value == 4
    assert {k: event.details[k] for k in ("source", "file", "created", "duplicates", "matched")} == {
        "source": "csv",
        "file": "march.csv",
        "created": 4,
        "duplicates": 0,
        "matched": 3,
    }


def test_a_file_with_bad_rows_imports_nothing_and_names_every_problem(admin, rows_now):
    # given a file with one good row and problems in four other rows, among them a missing idea
    data = (
        HEADER
        + "B1,C-1,,,2025-03-01,12.50,EUR,SKU-1,,\n"
        + "B2,C-2,,,yesterday,12.50,EUR,SKU-1,,\n"
        + "B3,,,,2025-03-01,12.505,EURO,SKU-1,,\n"
        + 'B5,C-5,,,2025-03-01,"12,50",EUR,SKU-1,,\n'
        + "B4,C-4,not-an-email,,2025-03-01,3,EUR,,,999999\n"
        + "B1,C-1,,,2025-03-01,12.50,EUR,SKU-1,,\n"
    ).encode()
    before = rows_now()
    # when
    with pytest.raises(services.CsvRefused) as refused:
        services.orders_import_csv(actor=admin, file_name="bad.csv", data=data)
    # then
    assert refused.value.lines == [
        "bad.csv, row 2, column ordered_at: Write a date or time as 2025-03-31 or 2025-03-31T14:05:00Z.",
        "bad.csv, row 3, column customer_id: Name the customer: a customer_id, an email or an email_sha256.",
        "bad.csv, row 3, column amount: Write an amount such as 1234.56 (-1234.56 for a refund), at most two decimals.",
        "bad.csv, row 3, column currency: Write a three-letter currency code such as EUR.",
        "bad.csv, row 4, column amount: Write an amount such as 1234.56 (-1234.56 for a refund), at most two decimals.",
        "bad.csv, row 5, column email: Not an email address.",
        "bad.csv, row 5, column product: This value is missing.",
        "bad.csv, row 5, column idea_id: There is no idea 999999.",
        "bad.csv, row 6, column order_id: Order B1 is in this batch twice (first at 1).",
    ]
    assert refused.value.message == "Nothing was imported: bad.csv has 9 problems."
    assert rows_now() == before


def test_an_unknown_idea_is_named_with_its_row(admin, rows_now):
    data = (HEADER + "C1,C-1,,,2025-03-01,1,EUR,SKU-1,,424242\n").encode()
    before = rows_now()
    with pytest.raises(services.CsvRefused) as refused:
        services.orders_import_csv(actor=admin, file_name="o.csv", data=data)
    assert refused.value.lines == ["o.csv, row 1, column idea_id: There is no idea 424242."]
    assert rows_now() == before


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", "o.csv is empty."),
        (b"order_id,amount\n", "o.csv, header: missing columns ordered_at, currency, product."),
        (
            b"order_id,ordered_at,amount,currency,product,colour\nX,2025-01-01,1,EUR,P,red\n",
            "o.csv, header: unknown columns colour (the columns are order_id, customer_id, email, email_sha256, "
            "ordered_at, amount, currency, product, product_name, idea_id, code, refund_of).",
        ),
        (b"order_id,ordered_at,amount,currency,product\n", "o.csv has no orders after its header."),
        (
            b"order_id,ordered_at,amount,currency,product\nX,2025-01-01,1\n",
            "o.csv, row 1: 3 values, but the header names 5 columns.",
        ),
        (b"order_id,ordered_at\n\xff\n", "o.csv, line 2: not UTF-8 text. Save the file as CSV UTF-8."),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_with_where(admin, rows_now, data, problem):
    before = rows_now()
    with pytest.raises(services.CsvRefused) as refused:
        services.orders_import_csv(actor=admin, file_name="o.csv", data=data)
    assert refused.value.lines == [problem]
    assert rows_now() == before


def test_a_re_sent_file_counts_each_order_once(admin):
    data = (HEADER + "D1,C-1,,,2025-03-01,10,EUR,SKU-1,,\n").encode()
    services.orders_import_csv(actor=admin, file_name="a.csv", data=data)
    events = Event.objects.count()
    # when the same file and one more order come again
    again = services.orders_import_csv(
        actor=admin, file_name="b.csv", data=data + b"D2,C-1,,,2025-03-02,20,EUR,SKU-1,,\n"
    )
    # then
    assert (again.created, again.duplicates) == (1, 1)
    assert sorted(Order.objects.values_list("order_id", "amount_cents")) == [("D1", 1000), ("D2", 2000)]
    assert Event.objects.count() == events + 1
    # and a file of orders all seen before changes nothing, not even the log
    repeat = services.orders_import_csv(actor=admin, file_name="a.csv", data=data)
    assert (repeat.created, repeat.duplicates) == (0, 1)
    assert Event.objects.count() == events + 1


@pytest.mark.parametrize("role", ["member", "moderator", "reviewer"])
def test_only_an_admin_imports_orders(make_member, rows_now, role):
    actor = make_member(role)
    before = rows_now()
    with pytest.raises(PermissionDenied):
        services.orders_import_csv(
            actor=actor, file_name="a.csv", data=(HEADER + "E1,C,,,2025-03-01,1,EUR,S,,\n").encode()
        )
    assert rows_now() == before


def test_the_staff_page_imports_a_file_and_shows_every_problem_of_a_bad_one(admin, login, rows_now):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login(admin)
    assert client.get("/staff/orders/").status_code == 200  # the day's visit is logged once, now
    bad = SimpleUploadedFile("bad.csv", (HEADER + "F1,,,,2025-03-01,1,EUR,S,,\nF2,C,,,2025-13-01,1,EUR,S,,\n").encode())
    before = rows_now()
    refused = client.post("/staff/orders/", {"file": bad})
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "Nothing was imported: bad.csv has 2 problems." in page
    assert "bad.csv, row 1, column customer_id: Name the customer" in page
    assert "bad.csv, row 2, column ordered_at: Write a date or time" in page
    assert rows_now() == before
    good = SimpleUploadedFile("good.csv", (HEADER + "F1,C,,,2025-03-01,19.99,EUR,S,Lamp,\n").encode())
    done = client.post("/staff/orders/", {"file": good}, follow=True)
    assert done.status_code == 200
    assert "1 orders imported (0 from members); 0 were recorded already." in done.content.decode()
    assert "19.99 EUR" in done.content.decode()


def test_the_command_imports_a_file_and_exits_2_naming_every_bad_row(admin, import_command):
    code, output = import_command(
        "import-orders", "bad.csv", HEADER + "G1,,,,2025-03-01,1,EUR,S,,\nG2,C,,,2025-03-01,-3.333,EUR,S,,\n"
    )
    assert code == 2
    assert output.splitlines() == [
        "Nothing was imported: bad.csv has 2 problems.",
        "bad.csv, row 1, column customer_id: Name the customer: a customer_id, an email or an email_sha256.",
        "bad.csv, row 2, column amount: Write an amount such as 1234.56 (-1234.56 for a refund), at most two decimals.",
    ]
    code, output = import_command("import-orders", "good.csv", HEADER + "G1,C,,,2025-03-01,1,EUR,S,,\n")
    assert code == 0, output
    assert output.strip() == "good.csv: 1 orders imported, 0 matched to members, 0 recorded already."
    assert Event.objects.get(verb="orders.imported").actor_id is None


def test_the_orders_and_spend_pages_make_as_many_queries_for_many_rows_as_for_one(admin, login, make_member, idea):
    from datetime import date

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(admin)

    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as caught:
            assert client.get(url).status_code == 200
        return len(caught.captured_queries)

    buyer = make_member()
    CustomerRecord.objects.create(customer_id="C-1", email="c1@example.org", member=buyer)
    rows = "".join(f"Q{n},C-1,,,2025-03-01,1,EUR,SKU-{n},,{idea.pk}\n" for n in range(1))
    services.orders_import_csv(actor=admin, file_name="one.csv", data=(HEADER + rows).encode())
    services.spend_record(
        actor=admin,
        channel="email",
        starts_on=date(2025, 1, 1),
        ends_on=date(2025, 1, 31),
        amount_cents=1,
        currency="EUR",
    )
    queries("/staff/orders/")  # the day's visit is logged on the first page
    one = (queries("/staff/orders/"), queries("/staff/spend/"))
    rows = "".join(f"R{n},C-1,,,2025-03-01,1,EUR,SKU-{n},,{idea.pk}\n" for n in range(30))
    services.orders_import_csv(actor=admin, file_name="many.csv", data=(HEADER + rows).encode())
    for month in range(2, 12):
        services.spend_record(
            actor=admin,
            channel=f"channel-{month}",
            starts_on=date(2025, month, 1),
            ends_on=date(2025, month, 28),
            amount_cents=1,
            currency="EUR",
        )
    assert (queries("/staff/orders/"), queries("/staff/spend/")) == one


REFUNDS = "order_id,customer_id,ordered_at,amount,currency,product,idea_id,refund_of\n"


def test_refunds_come_in_negative_or_naming_their_sale_and_take_its_customer_and_product(admin, make_member, idea):
    # given a member's sale of an idea's product, recorded earlier
    buyer = make_member()
    CustomerRecord.objects.create(customer_id="C-1", email="c1@example.org", member=buyer)
    services.orders_import_csv(
        actor=admin, file_name="sales.csv", data=(REFUNDS + f"S1,C-1,2025-03-01,100.00,EUR,LAMP,{idea.pk},\n").encode()
    )
    # when: a refund naming that sale (its amount written plain), a sale and its refund in one file,
    # and a refund written as a negative amount without naming its sale
    result = services.orders_import_csv(
        actor=admin,
        file_name="refunds.csv",
        data=(
            REFUNDS
            + "R1,,2025-03-05,30.00,EUR,,,S1\n"
            + "S2,C-1,2025-03-06,20.00,EUR,BULB,,\n"
            + "R2,,2025-03-07,-20.00,EUR,,,S2\n"
            + "R3,C-1,2025-03-08,-5.50,EUR,BULB,,\n"
        ).encode(),
    )
    # then: each refund is stored negative, with the sale's customer (so its member), product and idea
    assert result.created == 4
    rows = Order.objects.filter(order_id__in=["R1", "R2", "R3"]).order_by("order_id")
    assert [(o.order_id, o.amount_cents, o.member_id, o.product.code, o.idea_id, o.refund_of) for o in rows] == [
        ("R1", -3000, buyer.pk, "LAMP", idea.pk, "S1"),
        ("R2", -2000, buyer.pk, "BULB", None, "S2"),
        ("R3", -550, buyer.pk, "BULB", None, ""),
    ]


def test_a_refund_of_an_unknown_sale_or_in_another_currency_is_refused_with_its_row(admin, idea, rows_now):
    services.orders_import_csv(
        actor=admin, file_name="sales.csv", data=(REFUNDS + "S1,C-1,2025-03-01,100.00,EUR,LAMP,,\n").encode()
    )
    before = rows_now()
    with pytest.raises(services.CsvRefused) as refused:
        services.orders_import_csv(
            actor=admin,
            file_name="refunds.csv",
            data=(
                REFUNDS
                + "R1,,2025-03-05,30.00,EUR,,,NOPE\n"
                + "R2,,2025-03-05,30.00,USD,,,S1\n"
                + "R3,,2025-03-05,10.00,EUR,,,R3\n"
                + "R4,,2025-03-05,10.00,EUR,,,\n"
            ).encode(),
        )
    assert refused.value.lines == [
        "refunds.csv, row 1, column refund_of: There is no sale NOPE to refund.",
        "refunds.csv, row 2, column currency: Order S1 was in EUR: refund it in the same currency.",
        "refunds.csv, row 3, column refund_of: An order cannot refund itself.",
        "refunds.csv, row 4, column customer_id: Name the customer: a customer_id, an email or an email_sha256.",
        "refunds.csv, row 4, column product: This value is missing.",
    ]
    assert rows_now() == before
