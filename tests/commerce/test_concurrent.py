"""The same orders sent at once from many places are counted once; overlapping spend is recorded once.

PostgreSQL, parallel threads, each on its own connection, released at the same instant.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db import connection

from prosumo.activity.models import Event
from prosumo.commerce import services
from prosumo.commerce.models import ChannelSpend, Order, Source
from prosumo.core.errors import Conflict
from tests.rewards.test_awards_concurrent import in_parallel

pytestmark = pytest.mark.postgres_only


@pytest.fixture
def on_postgresql(transactional_db: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip(f"needs PostgreSQL; DATABASE_URL points at {connection.vendor}")


def test_one_batch_sent_by_eight_senders_at_once_is_counted_once(on_postgresql):
    rows = [
        {
            "order_id": f"P-{n}",
            "customer_id": "C-1",
            "ordered_at": "2025-01-02",
            "amount_cents": 100 + n,
            "currency": "EUR",
            "product": f"SKU-{n % 3}",
        }
        for n in range(20)
    ]
    results = in_parallel([lambda: services.orders_record(actor=None, rows=rows, source=Source.API) for _ in range(8)])
    assert sum(r.created for r in results) == 20
    assert sum(r.duplicates for r in results) == 7 * 20
    assert Order.objects.count() == 20
    assert sum(Order.objects.values_list("amount_cents", flat=True)) == sum(100 + n for n in range(20))
    assert sum(e.value for e in Event.objects.filter(verb="orders.imported")) == 20


def test_overlapping_spend_recorded_at_once_is_kept_once(on_postgresql):
    def record(day: int) -> Any:
        try:
            return services.spend_record(
                actor=None,
                channel="social",
                starts_on=date(2025, 3, day),
                ends_on=date(2025, 3, 20),
                amount_cents=1000,
                currency="EUR",
            )
        except Conflict as refused:
            return refused.code

    outcomes = in_parallel([lambda day=day: record(day) for day in range(1, 7)])
    assert sorted(o for o in outcomes if isinstance(o, str)) == ["overlap"] * 5
    assert ChannelSpend.objects.count() == 1
    assert Event.objects.filter(verb="spend.recorded").count() == 1
