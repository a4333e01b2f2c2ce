"""Channel spend from a CSV file: all or nothing, every problem named by file, row and column."""

from __future__ import annotations

from datetime import date

import pytest
from typer.testing import CliRunner

from prosumo.activity.models import Event
from prosumo.commerce import services
from prosumo.commerce.models import ChannelSpend
from prosumo.core.errors import PermissionDenied

HEADER = "channel,starts_on,ends_on,amount,currency\n"


def test_a_good_file_records_each_period_with_its_event(admin):
    # when
    result = services.spend_import_csv(
        actor=admin,
        file_name="spend.csv",
        data=(
            HEADER
            + "email,2025-03-01,2025-03-31,1200.00,eur\nsocial,2025-03-01,2025-03-31,850,EUR\n"
            + "email,2025-04-01,2025-04-30,99.5,EUR\n"
        ).encode(),
    )
    # then
    assert (result.periods, result.channels, result.amount_cents) == (3, 2, 120_000 + 85_000 + 9_950)
    assert sorted(
        ChannelSpend.objects.values_list("channel", "starts_on", "ends_on", "amount_cents", "currency", "source")
    ) == [
        ("email", date(2025, 3, 1), date(2025, 3, 31), 120_000, "EUR", "csv"),
        ("email", date(2025, 4, 1), date(2025, 4, 30), 9_950, "EUR", "csv"),
        ("social", date(2025, 3, 1), date(2025, 3, 31), 85_000, "EUR", "csv"),
    ]
    events = Event.objects.filter(verb="spend.recorded")
    assert sorted((e.channel, e.value, e.actor_id, e.details["source"]) for e in events) == [
        ("email", 9_950, admin.pk, "csv"),
        ("email", 120_000, admin.pk, "csv"),
        ("social", 85_000, admin.pk, "csv"),
    ]


def test_a_file_with_bad_rows_records_nothing_and_names_every_problem(admin, rows_now):
    # given spend already recorded for email in March, and a file with problems in most rows
    services.spend_record(
        actor=admin,
        channel="email",
        starts_on=date(2025, 3, 1),
        ends_on=date(2025, 3, 31),
        amount_cents=100,
        currency="EUR",
    )
    data = (
        HEADER
        + "social,2025-03-01,2025-03-31,850,EUR\n"
        + "email,2025-03-15,2025-04-15,10,EUR\n"
        + ",2025-03-01,2025-02-01,-5,EURO\n"
        + "social,2025-03-20,2025-04-10,1,EUR\n"
        + 'tv,31/03/2025,2025-04-01,"12,50",EUR\n'
    ).encode()
    before = rows_now()
    # when
    with pytest.raises(services.CsvRefused) as refused:
        services.spend_import_csv(actor=admin, file_name="spend.csv", data=data)
    # then
    assert refused.value.lines == [
        "spend.csv, row 2, column starts_on: email already has spend from 2025-03-01 to 2025-03-31; "
        "periods of a channel cannot overlap.",
        "spend.csv, row 3, column channel: This value is missing.",
        "spend.csv, row 3, column amount: Write an amount such as 1234.56: 0 or more, at most two decimals.",
        "spend.csv, row 3, column currency: Write a three-letter currency code such as EUR.",
        "spend.csv, row 3, column ends_on: The period ends before it starts.",
        "spend.csv, row 4, column starts_on: This period overlaps row 1's of the same channel.",
        "spend.csv, row 5, column starts_on: Write a date as 2025-03-31.",
        "spend.csv, row 5, column amount: Write an amount such as 1234.56: 0 or more, at most two decimals.",
    ]
    assert refused.value.message == "Nothing was imported: spend.csv has 8 problems."
    assert rows_now() == before


def test_only_an_admin_imports_spend(make_member, rows_now):
    reviewer = make_member("reviewer")
    before = rows_now()
    with pytest.raises(PermissionDenied):
        services.spend_import_csv(
            actor=reviewer,
            file_name="s.csv",
            data=(HEADER + "email,2025-03-01,2025-03-31,1,EUR\n").encode(),
        )
    assert rows_now() == before


def test_the_staff_page_imports_a_file_or_shows_every_problem(admin, login, rows_now):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login(admin)
    assert client.get("/staff/spend/").status_code == 200  # the day's visit is logged once, now
    before = rows_now()
    bad = SimpleUploadedFile("spend.csv", (HEADER + "email,2025-03-01,2025-03-31,x,EUR\n").encode())
    refused = client.post("/staff/spend/", {"spend_file": bad})
    assert refused.status_code == 400
    assert "spend.csv, row 1, column amount: Write an amount such as 1234.56" in refused.content.decode()
    assert rows_now() == before
    good = SimpleUploadedFile("spend.csv", (HEADER + "email,2025-03-01,2025-03-31,12,EUR\n").encode())
    response = client.post("/staff/spend/", {"spend_file": good}, follow=True)
    assert "Spend imported: 1 periods, channels: 1." in response.content.decode()
    assert list(ChannelSpend.objects.values_list("channel", "amount_cents")) == [("email", 1200)]


def test_the_command_imports_a_file_and_exits_2_naming_every_bad_row(admin, import_command):
    code, output = import_command(
        "import-spend", "bad.csv", HEADER + "email,2025-03-01,2025-03-31,1,EUR\nemail,2025-03-31,2025-04-30,1,EUR\n"
    )
    assert code == 2
    assert output.splitlines() == [
        "Nothing was imported: bad.csv has 1 problems.",
        "bad.csv, row 2, column starts_on: This period overlaps row 1's of the same channel.",
    ]
    good = HEADER + "email,2025-03-01,2025-03-31,1,EUR\nemail,2025-04-01,2025-04-30,2,EUR\n"
    assert import_command("import-spend", "good.csv", good) == (
        0,
        "good.csv: spend imported: 2 periods, channels: 1.\n",
    )
    assert ChannelSpend.objects.filter(source="csv").count() == 2


def test_a_file_with_wrong_columns_or_none_at_all_is_refused(admin, tmp_path, rows_now):
    from prosumo.cli import app

    before = rows_now()
    with pytest.raises(services.CsvRefused) as refused:
        services.spend_import_csv(
            actor=admin, file_name="s.csv", data=b"channel,starts_on,amount,cost\nemail,2025-03-01,1,EUR\n"
        )
    assert refused.value.lines == [
        "s.csv, header: missing columns ends_on, currency.",
        "s.csv, header: unknown columns cost (the columns are channel, starts_on, ends_on, amount, currency).",
    ]
    with pytest.raises(services.CsvRefused) as empty:
        services.spend_import_csv(actor=admin, file_name="s.csv", data=HEADER.encode())
    assert empty.value.lines == ["s.csv has no spend after its header."]
    missing = CliRunner().invoke(app, ["import-spend", str(tmp_path / "none.csv")])
    assert (missing.exit_code, missing.output.strip()) == (2, f"{tmp_path / 'none.csv'}: no such file.")
    assert rows_now() == before
