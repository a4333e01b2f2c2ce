"""Reading read-heavy pages from a PostgreSQL replica (``DATABASE_REPLICA_URL``, docs/scale.md).

Only a view marked with `replica_reads` reads from the replica, and only while it answers
a GET or HEAD: every write, every read inside a transaction and the look-up of who is
asking stay on the primary. A browser that has just written (any other method) gets the
``PRIMARY_COOKIE`` cookie for ``PROSUMO_REPLICA_LAG_SECONDS`` from `PrimaryAfterWrite`,
and while it has it the marked views read from the primary too: a member sees their own
vote or comment at once, however far the replica lags. Without a replica none of this
does anything.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, HttpResponse
from django.template.response import SimpleTemplateResponse

REPLICA = "replica"
PRIMARY_COOKIE = "prosumo_primary"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")

V = TypeVar("V", bound=Callable[..., HttpResponse])

_replica_reads: ContextVar[bool] = ContextVar("prosumo_replica_reads", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


class ReplicaRouter:
    """Reads of a `replica_reads` view go to the replica; everything else to the primary."""

    def db_for_read(self, model: type[Any], **hints: Any) -> str | None:
        if _replica_reads.get() and not connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model: type[Any], **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # the replica holds the primary's rows: an object read there is the primary's object

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS  # the replica follows the primary's schema by replication


def reads_from_replica(request: HttpRequest) -> bool:
    """Whether a `replica_reads` view may answer this request from the replica."""
    return replica_configured() and request.method in SAFE_METHODS and PRIMARY_COOKIE not in request.COOKIES


@contextmanager
def from_replica() -> Iterator[None]:
    """Within it, the ORM's and the statements' reads outside a transaction go to the replica (when there is one)."""
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


def replica_reads(view: V) -> V:
    """Mark a read-heavy view: its reads come from the replica, when there is one and the browser has not just written."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not reads_from_replica(request):
            return view(request, *args, **kwargs)
        user = getattr(request, "user", None)
        if user is not None:
            bool(user.is_authenticated)  # who is asking: read from the primary, before the switch
        with from_replica():
            response = view(request, *args, **kwargs)
            if isinstance(response, SimpleTemplateResponse) and not response.is_rendered:
                response.render()  # a template's lazy reads happen here, still on the replica
            return response

    return wrapped  # type: ignore[return-value]


class PrimaryAfterWrite:
    """After a request that may have written, its browser reads from the primary for a while."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        if not replica_configured():
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.method not in SAFE_METHODS:
            response.set_cookie(
                PRIMARY_COOKIE,
                "1",
                max_age=max(1, round(settings.PROSUMO_REPLICA_LAG_SECONDS)),
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response
