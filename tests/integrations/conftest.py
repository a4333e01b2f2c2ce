"""The API helpers of tests/api, shared here: webhooks are registered and triggered through the API."""

from tests.api.conftest import bearer, call  # noqa: F401
