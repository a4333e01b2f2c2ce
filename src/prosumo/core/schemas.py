"""The API's error body, shared by every app's endpoints (``prosumo.api`` writes it)."""

from __future__ import annotations

from typing import Any

from ninja import Schema


class ErrorOut(Schema):
    code: str
    message: str
    fields: dict[str, list[str]]


# The errors any endpoint may answer with, for its OpenAPI description.
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
LIMITED: dict[int, Any] = {429: ErrorOut}  # endpoints under a rate limit (docs/security.md, "Limits")
