"""API tokens: creating, revoking and checking them.

A token acts as its member within its scopes (docs/security.md, "Accounts and tokens").
`tokens_end` is called by the community services in the transaction of a suspension or
a password change, so the tokens end with the change.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import cache
from typing import cast

from django.conf import settings
from django.core.cache import cache as site_cache
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext

from prosumo.community.models import ApiToken, Member, Role, Scope, TokenEnd, hash_token
from prosumo.community.permissions import is_staff, require_member
from prosumo.core import statements
from prosumo.core.errors import InvalidInput, NotAuthenticated, NotFound, PermissionDenied

TOKEN_LAST_USED_PRECISION = timedelta(minutes=1)


def token_create(
    *, actor: Member, name: str, scopes: Iterable[str] = (), expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """A new token for the actor; the raw token is returned once and never stored.

    Every token can read; ``scopes`` adds ``write`` and, for staff, ``staff``. Only a
    signed-in session may call this: the API refuses it to a token (``session_required``),
    so a token can never outlive its own revocation through a token it made.
    """
    member = require_member(actor)
    errors: dict[str, list[str]] = {}
    name = name.strip()
    if not 1 <= len(name) <= 80:
        errors["name"] = ["length"]
    wanted = {Scope.READ, *scopes}
    unknown = sorted(wanted - set(Scope.values))
    if unknown:
        errors["scopes"] = [
            gettext("Unknown scope {names}; choose among {known}.").format(
                names=", ".join(unknown), known=", ".join(Scope.values)
            )
        ]
    elif Scope.STAFF in wanted and not is_staff(member):
        errors["scopes"] = [gettext("Only staff can give a token the staff scope.")]
    if expires_at is not None and (timezone.is_naive(expires_at) or expires_at <= timezone.now()):
        errors["expires_at"] = [gettext("Give a moment in the future, with its time zone.")]
    if errors:
        message = (
            gettext("Name the token (1 to 80 characters).")
            if list(errors) == ["name"]
            else gettext("The token was not created.")
        )
        raise InvalidInput(message, fields=errors)
    raw = ApiToken.new_raw_token()
    token = ApiToken.objects.create(
        member=member,
        name=name,
        prefix=raw[:10],
        digest=hash_token(raw),
        scopes=" ".join(s for s in Scope.values if s in wanted),
        expires_at=expires_at,
    )
    return token, raw


def token_revoke(*, actor: Member, token_id: int) -> None:
    member = require_member(actor)
    updated = ApiToken.objects.filter(pk=token_id, member=member, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_reason=TokenEnd.REVOKED
    )
    if not updated:
        raise NotFound(gettext("No such token."))
    token_cache.forget(digests=[ApiToken.objects.values_list("digest", flat=True).get(pk=token_id)])


def tokens_end(*, member_id: int, reason: str) -> int:
    """Revoke every live token of a member (their password changed, or they were suspended); how many.

    Called inside the transaction of the change; the cache forgets them once it commits,
    and a process whose cache still has them never lets them write (see `token_authenticate`).
    """
    ended = ApiToken.objects.filter(member_id=member_id, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_reason=reason
    )
    transaction.on_commit(lambda: token_cache.forget(member_id=member_id))
    return ended


class _TokenCache:
    """Recently authenticated tokens, for PROSUMO_TOKEN_CACHE_SECONDS, in the site's cache.

    An integration sends many requests with one token; looking the token and its member up
    on each costs a statement and a member to build. Only reads are served from here: a
    request that may write (any method but GET, HEAD and OPTIONS) always looks the token up
    in the database, so a revoked or expired token, a suspended member or a lost role never
    writes, whichever process made the change. The entries live in Django's default cache:
    each process's own memory on one node, or the cache every node shares
    (PROSUMO_CACHE_URL, docs/scale.md), where a revocation on one node is forgotten on all
    at once. With a per-process cache, another process may still answer a revoked token's
    reads for up to the cache's lifetime.
    """

    PREFIX = "token:"

    def key(self, digest: str) -> str:
        return f"{self.PREFIX}{digest}"

    def get(self, digest: str) -> tuple[Member, ApiToken] | None:
        entry = site_cache.get(self.key(digest))
        if entry is None or entry[0] < time.time():
            return None
        return entry[1], entry[2]

    def put(self, digest: str, member: Member, token: ApiToken) -> None:
        seconds = settings.PROSUMO_TOKEN_CACHE_SECONDS
        if seconds <= 0:
            return
        site_cache.set(self.key(digest), (time.time() + seconds, member, token), seconds)

    def touched(self, digest: str, last_used_at: datetime) -> None:
        entry = site_cache.get(self.key(digest))
        if entry is not None and (left := entry[0] - time.time()) > 0:
            entry[2].last_used_at = last_used_at
            site_cache.set(self.key(digest), entry, left)

    def forget(self, *, digests: Iterable[str] = (), member_id: int | None = None) -> None:
        """Forget these tokens, and every token of a member that the database still holds."""
        keys = [self.key(d) for d in digests]
        if member_id is not None:
            keys += [self.key(d) for d in ApiToken.objects.filter(member_id=member_id).values_list("digest", flat=True)]
        if keys:
            site_cache.delete_many(keys)


token_cache = _TokenCache()


@cache
def _token_parts() -> tuple[statements.Part, statements.Part]:
    return (
        statements.Part(ApiToken, "t", tuple(f.attname for f in ApiToken._meta.concrete_fields)),
        statements.Part(Member, "m", tuple(f.attname for f in Member._meta.concrete_fields)),
    )


@cache
def _token_sql(vendor: str) -> str:
    token, member = _token_parts()
    qn = connection.ops.quote_name
    return (
        f"SELECT {token.columns()}, {member.columns()} FROM {statements.quoted_table(ApiToken)} t"  # noqa: S608 (names from model metadata, values bound)
        f" JOIN {statements.quoted_table(Member)} m ON m.{qn('id')} = t.{qn('member_id')}"
        f" WHERE t.{qn('digest')} = %s AND t.{qn('revoked_at')} IS NULL"
    )


def _token_lookup(digest: str) -> tuple[ApiToken, Member] | None:
    """The live token with this digest and its member, by a statement written once (every API call asks)."""
    token_part, member_part = _token_parts()
    found = statements.fetch(_token_sql(connection.vendor), [digest], token_part, member_part)
    if not found:
        return None
    token, member = found[0]
    assert token is not None  # an inner join: both sides are there
    assert member is not None
    return cast(ApiToken, token_part.instance(token)), cast(Member, member_part.instance(member))


def token_authenticate(raw: str, *, scope: str, writing: bool) -> Member:
    """The member a token acts as in a request that needs ``scope``, or an error saying why not.

    ``writing`` is true for every request that may change something: those never trust
    the cache. Without the ``staff`` scope the member acts as a plain member (a copy of
    the row with the member role; nothing saves it).
    """
    digest = hash_token(raw)
    now = timezone.now()
    cached = None if writing else token_cache.get(digest)
    if cached is not None:
        member, token = cached
    else:
        found = _token_lookup(digest)
        if found is None or not found[1].is_active:
            raise NotAuthenticated(gettext("Sign in or send a valid API token."))
        token, member = found
    if token.expires_at is not None and token.expires_at <= now:
        raise NotAuthenticated(
            gettext("This API token expired; create a new one while signed in."), code="token_expired"
        )
    scopes = token.scope_list
    # A member who is not staff could never have the staff scope: their answer stays the
    # service's own ("forbidden"), as before scopes existed.
    if scope not in scopes and (scope != Scope.STAFF or is_staff(member)):
        raise PermissionDenied(
            gettext("This API token lacks the {scope} scope; create a token that has it.").format(scope=scope),
            code="insufficient_scope",
        )
    # Written at most once a minute per token: a write on every request would serialise an
    # integration's parallel requests on the token's row and double the writes of a vote.
    if token.last_used_at is None or now - token.last_used_at >= TOKEN_LAST_USED_PRECISION:
        statements.update(ApiToken(pk=token.pk, last_used_at=now), ["last_used_at"])
        token.last_used_at = now
        token_cache.touched(digest, now)
    if cached is None:  # only a database check starts the trust period, never a cache hit
        token_cache.put(digest, member, token)
    if Scope.STAFF not in scopes:
        member.role, member.is_superuser = Role.MEMBER, False
    return member
