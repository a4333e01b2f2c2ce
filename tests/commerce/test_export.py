"""The dataset export's `outcomes` and `costs` come from the imported orders and the recorded spend."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pyarrow.parquet as pq
import pytest

from prosumo.analytics.dataset import load_dataset
from prosumo.analytics.metrics.channels import compute as channels_compute
from prosumo.analytics.metrics.effectiveness import company_value
from prosumo.commerce import services
from prosumo.commerce.models import Product
from prosumo.community.models import CustomerRecord
from prosumo.insights.export import export_dataset

HEADER = "order_id,customer_id,ordered_at,amount,currency,product,idea_id\n"


@pytest.fixture
def commerce(admin, make_member, idea, settings):
    settings.PROSUMO_CURRENCY = "EUR"
    buyer = make_member(channel="email")
    CustomerRecord.objects.create(customer_id="C-1", email="c1@example.org", member=buyer)
    services.orders_import_csv(
        actor=admin,
        file_name="orders.csv",
        data=(
            HEADER
            + f"O1,C-1,2025-02-01T10:00:00Z,40.00,EUR,LAMP,{idea.pk}\n"
            + "O2,C-1,2025-02-03T10:00:00Z,9.99,EUR,BULB,\n"
            + "O3,C-1,2025-02-04T10:00:00Z,15.00,USD,BULB,\n"
            + "O4,C-404,2025-02-05T10:00:00Z,70.00,EUR,BULB,\n"
        ).encode(),
    )
    for channel, starts, ends, cents, currency in (
        ("email", date(2025, 1, 1), date(2025, 1, 31), 30_000, "EUR"),
        ("email", date(2025, 2, 1), date(2025, 2, 28), 12_050, "EUR"),
        ("social", date(2025, 1, 1), date(2025, 1, 31), 50_000, "GBP"),
    ):
        services.spend_record(
            actor=admin, channel=channel, starts_on=starts, ends_on=ends, amount_cents=cents, currency=currency
        )
    return buyer


def test_outcomes_and_costs_are_the_members_orders_and_the_spend_in_the_site_currency(commerce, idea, tmp_path):
    # when
    path = export_dataset(tmp_path / "ds")
    # then: the member's two euro orders, in euros; the dollar order and the non-member's order left out
    outcomes = pq.read_table(path / "outcomes.parquet").to_pylist()
    lamp, bulb = (Product.objects.get(code=code).pk for code in ("LAMP", "BULB"))
    assert [(o["member_id"], o["product_id"], o["ordered_at"], o["amount"], o["from_idea_id"]) for o in outcomes] == [
        (commerce.pk, lamp, datetime(2025, 2, 1, 10, tzinfo=UTC), 40.0, idea.pk),
        (commerce.pk, bulb, datetime(2025, 2, 3, 10, tzinfo=UTC), 9.99, None),
    ]
    costs = pq.read_table(path / "costs.parquet").to_pylist()
    assert costs == [
        {
            "channel": "email",
            "period_start": datetime(2025, 1, 1, tzinfo=UTC),
            "period_end": datetime(2025, 2, 1, tzinfo=UTC),
            "spend": 300.0,
        },
        {
            "channel": "email",
            "period_start": datetime(2025, 2, 1, tzinfo=UTC),
            "period_end": datetime(2025, 3, 1, tzinfo=UTC),
            "spend": 120.5,
        },
    ]
    meta = json.loads((path / "dataset.json").read_text())
    assert meta["commerce"] == {
        "currency": "EUR",
        "orders_before_joining": True,  # the buyer joined today; the orders are from 2025
        "orders_in_other_currencies": 1,
        "orders_of_non_members": 1,
        "spend_in_other_currencies": 1,
    }
    # and the analytics read them: revenue, co-created revenue, spend and cost per channel
    ds = load_dataset(path)
    company = company_value(ds)
    assert (company["revenue"], company["co_created_revenue"], company["co_created_products"]) == (
        pytest.approx(49.99),
        40.0,
        1,
    )
    assert company["acquisition_spend"] == 420.5
    channels = channels_compute(ds)
    assert channels.has_costs is True
    email = channels.table.set_index("channel").loc["email"]
    assert email["spend"] == 420.5


def test_no_spend_recorded_writes_no_costs_table(admin, tmp_path, db):
    path = export_dataset(tmp_path / "ds")
    assert not (path / "costs.parquet").exists()
    assert pq.read_table(path / "outcomes.parquet").num_rows == 0


def test_revenue_figures_net_the_refunds(admin, make_member, idea, tmp_path, settings):
    # given a member's sale of an idea's product for 40.00, a refund of 15.00 naming it, and a negative order of 5.00
    settings.PROSUMO_CURRENCY = "EUR"
    buyer = make_member()
    CustomerRecord.objects.create(customer_id="C-1", email="c1@example.org", member=buyer)
    services.orders_import_csv(
        actor=admin,
        file_name="orders.csv",
        data=(
            "order_id,customer_id,ordered_at,amount,currency,product,idea_id,refund_of\n"
            + f"O1,C-1,2025-02-01T10:00:00Z,40.00,EUR,LAMP,{idea.pk},\n"
            + "O1-R,,2025-02-03T10:00:00Z,15.00,EUR,,,O1\n"
            + f"O2,C-1,2025-02-04T10:00:00Z,-5.00,EUR,LAMP,{idea.pk},\n"
        ).encode(),
    )
    # when
    ds = load_dataset(export_dataset(tmp_path / "ds"))
    # then: the revenue of the idea's product is what the company kept
    assert company_value(ds)["co_created_revenue"] == pytest.approx(20.0)
