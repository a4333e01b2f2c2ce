from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.management import call_command

from prosumo.community.models import CustomerRecord, Segment
from prosumo.community.services import customers_import_csv
from prosumo.core.errors import InvalidInput, PermissionDenied

GOOD = """customer_id,email,tier,spend,country,favourite_sport
C-1,ana@example.org,Gold,1200.50,ES,climbing
C-2,ben@example.org,Silver,80,GB,
C-3,cy@example.org,,0,,running
"""


def test_import_creates_segments_and_matches_members(admin):
    from prosumo.core.bootstrap import create_verified_member

    ana = create_verified_member(email="Ana@Example.org", password="correct horse 12")
    report = customers_import_csv(actor=admin, data=GOOD.encode())
    assert (report.created, report.updated, report.matched) == (3, 0, 1)
    ana.refresh_from_db()
    assert ana.segment.name == "Gold"
    record = CustomerRecord.objects.get(customer_id="C-1")
    assert record.spend == Decimal("1200.50")
    assert record.attributes == {"favourite_sport": "climbing"}
    assert set(Segment.objects.values_list("name", flat=True)) == {"Gold", "Silver"}
    # importing again updates, never duplicates
    report = customers_import_csv(actor=admin, data=GOOD.encode())
    assert (report.created, report.updated) == (0, 3)
    assert CustomerRecord.objects.count() == 3


def test_a_member_who_joins_later_is_matched(admin):
    from prosumo.community.services import member_joined
    from prosumo.core.bootstrap import create_verified_member

    customers_import_csv(actor=admin, data=GOOD.encode())
    ben = create_verified_member(email="ben@example.org", password="correct horse 12")
    member_joined(member=ben, channel="email")
    ben.refresh_from_db()
    assert ben.segment.name == "Silver"
    assert ben.country == "GB"


BAD = """customer_id,email,tier,spend,country
C-1,ana@example.org,Gold,12,ES
,nobody@example.org,Gold,1,ES
C-3,not-an-email,Gold,1,ES
C-1,dup@example.org,Gold,1,ES
C-5,eve@example.org,Gold,-3,ESP
"""


def test_bad_rows_are_reported_by_line_and_nothing_is_imported(admin):
    with pytest.raises(InvalidInput) as err:
        customers_import_csv(actor=admin, data=BAD.encode())
    rows = err.value.fields["rows"]
    assert rows == [
        "line 3: customer_id is empty",
        "line 4: email 'not-an-email' is not an email address",
        "line 5: customer_id 'C-1' repeats line 2",
        "line 6: spend '-3' is not a non-negative number; country 'ESP' is not a two-letter code",
    ]
    assert CustomerRecord.objects.count() == 0
    assert Segment.objects.count() == 0


def test_missing_columns_and_roles(admin, member):
    with pytest.raises(InvalidInput) as err:
        customers_import_csv(actor=admin, data=b"id,mail\n1,a@b.c\n")
    assert "customer_id, email" in err.value.message
    with pytest.raises(PermissionDenied):
        customers_import_csv(actor=member, data=GOOD.encode())


def test_cli_import_reports_and_exits_2_on_bad_file(tmp_path, db, capsys):
    from typer.testing import CliRunner

    from prosumo.cli import app

    bad = tmp_path / "bad.csv"
    bad.write_text(BAD)
    result = CliRunner().invoke(app, ["import-customers", str(bad)])
    assert result.exit_code == 2
    assert "line 4: email 'not-an-email' is not an email address" in result.output
    good = tmp_path / "good.csv"
    good.write_text(GOOD)
    result = CliRunner().invoke(app, ["import-customers", str(good), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "would import: 3 new" in result.output
    assert CustomerRecord.objects.count() == 0
    missing = CliRunner().invoke(app, ["import-customers", str(tmp_path / "nope.csv")])
    assert missing.exit_code == 2
    call_command("check")
