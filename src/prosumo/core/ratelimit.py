"""Rate limits: how often one member, or one client address, may do one action.

The limits are written once, in ``settings.PROSUMO_RATE_LIMITS`` (action -> limits per
member and per address), and checked by `rate_check`, which the pages and the API reach
through one decorator (``prosumo.community.limits.rate_limited``). Counting is done by
the ``limits`` library with fixed windows: a window opens at an action's first hit and
lasts the limit's period. The counts live where every web process sees them: by default
in the ``RateCounter`` table (`DatabaseStorage`, one upsert per count), or in Redis or
memcached (``PROSUMO_RATE_LIMIT_STORAGE``) on larger sites.
"""

from __future__ import annotations

import ipaddress
import math
import time
from functools import lru_cache

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest
from django.utils.translation import gettext, ngettext
from limits import RateLimitItem, parse_many
from limits.storage import Storage, storage_from_string
from limits.strategies import FixedWindowRateLimiter

from prosumo.core.errors import RateLimited
from prosumo.core.models import RateCounter


class DatabaseStorage(Storage):
    """The ``limits`` storage in the site's own database: ``database://`` (the ``RateCounter`` table).

    Each count is one statement, an INSERT that adds to the row of a window still open or
    starts a new window in a row whose window has ended, so concurrent web processes never
    lose a count (SQLite and PostgreSQL both take ``ON CONFLICT ... RETURNING``).
    """

    STORAGE_SCHEME = ["database"]

    @property
    def base_exceptions(self) -> type[Exception]:
        return DatabaseError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        qn = connection.ops.quote_name
        table, name, hits, expires_at = qn(RateCounter._meta.db_table), qn("key"), qn("hits"), qn("expires_at")
        ended = f"{table}.{expires_at} <= %s"
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} ({name}, {hits}, {expires_at}) VALUES (%s, %s, %s)"  # noqa: S608 (names from the model; values bound)
                f" ON CONFLICT ({name}) DO UPDATE SET"
                f" {hits} = CASE WHEN {ended} THEN excluded.{hits} ELSE {table}.{hits} + excluded.{hits} END,"
                f" {expires_at} = CASE WHEN {ended} THEN excluded.{expires_at} ELSE {table}.{expires_at} END"
                f" RETURNING {hits}",
                [key, amount, now + expiry, now, now],
            )
            return int(cursor.fetchone()[0])

    def get(self, key: str) -> int:
        row = RateCounter.objects.filter(key=key, expires_at__gt=time.time()).values_list("hits", flat=True).first()
        return row or 0

    def get_expiry(self, key: str) -> float:
        now = time.time()
        expires_at = RateCounter.objects.filter(key=key, expires_at__gt=now).values_list("expires_at", flat=True)
        return expires_at.first() or now

    def check(self) -> bool:
        try:
            RateCounter.objects.exists()
        except DatabaseError:
            return False
        return True

    def reset(self) -> int | None:
        deleted, _ = RateCounter.objects.all().delete()
        return deleted

    def clear(self, key: str) -> None:
        RateCounter.objects.filter(key=key).delete()


def prune_rate_counters() -> int:
    """Delete the counts whose window has ended; how many rows went."""
    deleted, _ = RateCounter.objects.filter(expires_at__lte=time.time()).delete()
    return deleted


@lru_cache(maxsize=4)
def _limiter(uri: str) -> FixedWindowRateLimiter:
    storage = storage_from_string("database://" if uri == "database" else uri)
    return FixedWindowRateLimiter(storage)


@lru_cache(maxsize=64)
def _parsed(limits: str) -> list[RateLimitItem]:
    """Shortest period first: a refusal by the minute's limit does not spend the hour's."""
    return sorted(parse_many(limits), key=lambda item: item.get_expiry()) if limits else []


def _wait_message(seconds: int) -> str:
    if seconds < 120:
        wait = ngettext("{n} second", "{n} seconds", seconds).format(n=seconds)
    else:
        minutes = math.ceil(seconds / 60)
        wait = ngettext("{n} minute", "{n} minutes", minutes).format(n=minutes)
    return gettext("You are doing this too often. Please wait {wait} and try again.").format(wait=wait)


def rate_counted(action: str) -> bool:
    """Whether any limit applies to ``action`` (an operator may lift both with "off")."""
    member_limits, address_limits = settings.PROSUMO_RATE_LIMITS[action]
    return bool(member_limits or address_limits)


def rate_check(action: str, *, member_id: int | None, address: str | None) -> None:
    """Count one ``action`` for the member and for the address; raise ``RateLimited`` past a limit.

    An action past a limit is refused and counts toward that limit only, not toward the
    longer ones after it; the member's limits are checked before the address's.
    """
    if not rate_counted(action):
        return
    member_limits, address_limits = settings.PROSUMO_RATE_LIMITS[action]
    limiter = _limiter(settings.PROSUMO_RATE_LIMIT_STORAGE)
    subjects = []
    if member_id is not None:
        subjects.append((_parsed(member_limits), ("member", str(member_id))))
    if address:
        subjects.append((_parsed(address_limits), ("address", address)))
    for items, who in subjects:
        for item in items:
            if not limiter.hit(item, action, *who):
                # Wait for every limit now spent, not only this one: the next try must be let through.
                reset_at = max(
                    limiter.get_window_stats(spent, action, *spent_by).reset_time
                    for spent_items, spent_by in subjects
                    for spent in spent_items
                    if not limiter.test(spent, action, *spent_by)
                )
                retry_after = max(1, math.ceil(reset_at - time.time()))
                raise RateLimited(_wait_message(retry_after), retry_after=retry_after)


def client_address(request: HttpRequest) -> str:
    """The address a request's limits are counted by.

    The connection's address, or behind ``PROSUMO_TRUSTED_PROXIES`` proxies the one the
    farthest trusted proxy saw (X-Forwarded-For, read from the right: a client can write
    the left part itself). An IPv6 client counts by its /64 network, which one household
    or machine usually holds whole; an IPv4-mapped IPv6 address counts as its IPv4 one.
    """
    address = str(request.META.get("REMOTE_ADDR", ""))
    proxies = settings.PROSUMO_TRUSTED_PROXIES
    forwarded = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if proxies > 0 and forwarded:
        address = forwarded[-min(proxies, len(forwarded))]
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)
