"""The API helpers of tests/api, shared here: webhooks are registered and triggered through the API.

The receivers of these tests listen on 127.0.0.1, an address webhooks may not reach
unless the operator allows it: the tests allow it, as an operator with an internal
receiver would (PROSUMO_WEBHOOK_ALLOWED_HOSTS).
"""

from typing import Any

import pytest

from tests.api.conftest import bearer, call, unchanged  # noqa: F401


@pytest.fixture(autouse=True)
def _local_receivers_allowed(settings: Any) -> None:
    settings.PROSUMO_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
