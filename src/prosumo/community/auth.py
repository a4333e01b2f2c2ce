"""How API requests authenticate, and the scope each endpoint needs of a token.

Every endpoint says what it needs in its route decorator, with one of the lists
below as its ``auth``: `PUBLIC` (anyone reads; a token sent needs ``read``),
``needs(Scope.READ)``, ``needs(Scope.WRITE)``, ``needs(Scope.STAFF)``, or
`SESSION_ONLY` (a signed-in browser session; a token is refused). A session has
every scope. The OpenAPI document shows the scope on each operation (its
``security`` and ``x-token-scope``, see `token_scope`); docs/api.md lists them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext
from ninja.security import HttpBearer
from ninja.security.apikey import APIKeyCookie
from ninja.utils import check_csrf

from prosumo.community.models import Scope
from prosumo.community.tokens import token_authenticate
from prosumo.core.errors import PermissionDenied

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SESSION = "session"  # the `x-token-scope` of an endpoint that takes no token at all


class TokenAuth(HttpBearer):
    """``Authorization: Bearer psm_...`` with the scope the endpoint needs.

    An unknown, revoked or expired token is refused (401), never ignored; a token
    without the scope gets 403 ``insufficient_scope``.
    """

    def __init__(self, scope: str = Scope.READ) -> None:
        super().__init__()
        self.scope = scope

    def authenticate(self, request: HttpRequest, token: str) -> object | None:
        member = token_authenticate(token, scope=self.scope, writing=request.method not in SAFE_METHODS)
        request.user = member
        return member


class SessionAuth(APIKeyCookie):
    """The browser session; unsafe methods need the CSRF token, as Django's forms do."""

    param_name = settings.SESSION_COOKIE_NAME

    def __call__(self, request: HttpRequest) -> object | None:
        if not request.user.is_authenticated:
            return None
        if request.method not in SAFE_METHODS | {"TRACE"} and check_csrf(request) is not None:
            raise PermissionDenied(
                gettext(
                    "The CSRF token is missing or wrong: send the X-CSRFToken header with a session, "
                    "or authenticate with an API token instead."
                ),
                code="csrf_failed",
            )
        return request.user

    def authenticate(self, request: HttpRequest, key: str | None) -> object | None:
        return request.user if request.user.is_authenticated else None


class NoToken(HttpBearer):
    """Refuses any bearer token: the endpoint is for a signed-in session only (creating tokens)."""

    def authenticate(self, request: HttpRequest, token: str) -> object | None:
        raise PermissionDenied(
            gettext("Create API tokens while signed in to the site; a token cannot create another token."),
            code="session_required",
        )


class PublicAuth:
    """Readers need no account; a token or session still identifies a member when sent."""

    scope = Scope.READ

    def __call__(self, request: HttpRequest) -> object:
        header = request.headers.get("Authorization", "")
        if header.lower().startswith("bearer "):
            TokenAuth(Scope.READ).authenticate(request, header.split(" ", 1)[1].strip())
        return True


def needs(scope: Scope) -> list[Any]:
    """The ``auth`` of an endpoint for signed-in members: a token with ``scope``, or a session."""
    return [TokenAuth(scope), SessionAuth()]


PUBLIC: list[Any] = [PublicAuth()]
SESSION_ONLY: list[Any] = [NoToken(), SessionAuth()]


def token_scope(auth_callbacks: Sequence[Any]) -> str | None:
    """The scope an operation's auth asks of a token, ``session`` when it takes none; None if it has no auth."""
    for callback in auth_callbacks:
        if isinstance(callback, NoToken):
            return SESSION
        scope = getattr(callback, "scope", None)
        if scope is not None:
            return str(scope)
    return None
