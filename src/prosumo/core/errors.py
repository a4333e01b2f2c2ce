"""One error family for the whole platform.

A service raises a ``ProsumoError`` subclass; the API turns it into JSON
``{"code", "message", "fields"}`` with the error's HTTP status, and pages turn
it into a form error or an error page. Codes are stable: integrations rely on them.

Every error is a list of problems, each ``(field, code, message)``: ``problems()``
reads them from ``fields``. An entry of ``fields`` is either a code (a lowercase word
such as ``"too_many"``), whose message is the error's own, or a sentence of its own
(a form's check of one field among several). The API returns codes and messages as
they are; a page shows messages only, never a code.
"""

from __future__ import annotations

import re
from typing import ClassVar, NamedTuple

CODE = re.compile(r"[a-z][a-z0-9_]*\Z")


class Problem(NamedTuple):
    """One thing wrong with a request: the field it is about (None for the whole), a stable code, a sentence."""

    field: str | None
    code: str
    message: str


class ProsumoError(Exception):
    """Base of every error a person or an integration may be shown."""

    code: ClassVar[str] = "error"
    status: ClassVar[int] = 400

    def __init__(self, message: str, *, fields: dict[str, list[str]] | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        if code is not None:
            self.code = code  # type: ignore[misc]

    def as_dict(self) -> dict[str, object]:
        return {"code": self.code, "message": self.message, "fields": self.fields}

    def problems(self) -> list[Problem]:
        """What is wrong, field by field; the error as a whole when no field is named."""
        found = [
            Problem(name, entry, self.message) if CODE.match(entry) else Problem(name, self.code, entry)
            for name, entries in self.fields.items()
            for entry in entries
        ]
        return found or [Problem(None, self.code, self.message)]

    def text(self) -> str:
        """The error as one line for a person: its message, then each field's own sentence (no codes)."""
        parts = [self.message]
        for problem in self.problems():
            if problem.message not in parts:
                parts.append(problem.message)
        return " ".join(parts)


class InvalidInput(ProsumoError):
    code = "invalid"
    status = 400


class NotFound(ProsumoError):
    """Also raised for objects the actor may not see: the two look the same."""

    code = "not_found"
    status = 404


class PermissionDenied(ProsumoError):
    code = "forbidden"
    status = 403


class NotAuthenticated(ProsumoError):
    code = "not_authenticated"
    status = 401


class Conflict(ProsumoError):
    code = "conflict"
    status = 409


class RateLimited(ProsumoError):
    """One action done too often in too short a time (prosumo.core.ratelimit); ``retry_after`` seconds to wait.

    The API answers it with a ``Retry-After`` header, pages with a page that says how long to wait.
    """

    code = "rate_limited"
    status = 429

    def __init__(self, message: str, *, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


class StorageUnavailable(ProsumoError):
    """The server could not write a file (a read-only or full media folder): its fault, not the request's."""

    code = "storage_unavailable"
    status = 503


class BackupFailed(ProsumoError):
    """A backup or restore could not be carried out (a tool failed, the database was unreachable)."""

    code = "backup_failed"
    status = 500
