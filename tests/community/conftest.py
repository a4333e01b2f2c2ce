"""The API helpers of tests/api, shared here: rate limits are checked through the API as well as the pages."""

from tests.api.conftest import bearer, call, unchanged  # noqa: F401
