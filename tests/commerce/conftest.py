"""Helpers for the commerce tests: a snapshot of every row the imports can write, and the import commands run on files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

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


@pytest.fixture
def import_command(tmp_path: Path) -> Callable[[str, str, str], tuple[int, str]]:
    """Run `prosumo COMMAND FILE` on a file named ``name`` holding ``text``; its exit code and output.

    A refused file (exit code 2) must have changed nothing that the imports write.
    """
    from prosumo.cli import app

    def run(command: str, name: str, text: str) -> tuple[int, str]:
        path = tmp_path / name
        path.write_text(text)
        before = commerce_rows()
        result = CliRunner().invoke(app, [command, str(path)])
        if result.exit_code == 2:
            assert commerce_rows() == before
        return result.exit_code, result.output

    return run
