"""Helpers for the commerce tests: a snapshot of every row the imports can write."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.conftest import bearer, call  # the API tests' request helpers

__all__ = ["bearer", "call"]


def commerce_rows() -> dict[str, Any]:
    from prosumo.activity.models import Event
    from prosumo.commerce.models import ChannelSpend, Order, Product, WebhookReceipt

    return {
        "orders": sorted(Order.objects.values_list("order_id", "amount_cents", "member_id", "idea_id")),
        "products": sorted(Product.objects.values_list("code", "idea_id")),
        "spend": sorted(ChannelSpend.objects.values_list("channel", "starts_on", "ends_on", "amount_cents")),
        "receipts": WebhookReceipt.objects.count(),
        "events": Event.objects.count(),
    }


@pytest.fixture
def rows_now() -> Any:
    return commerce_rows
