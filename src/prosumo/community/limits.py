"""The one decorator that puts an action's rate limit on a page and on an API endpoint alike.

The limits themselves are in ``settings.PROSUMO_RATE_LIMITS``; counting is in
``prosumo.core.ratelimit``. Here: who is counted (the signed-in member or token's member,
and the client address) and who is not (moderators and admins, on moderation actions).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, TypeVar

from django.http import HttpRequest

from prosumo.community.permissions import can_moderate
from prosumo.core.ratelimit import client_address, rate_check, rate_counted

View = TypeVar("View", bound=Callable[..., Any])

# Moderation actions, on which moderators and admins are never limited: a moderator going
# through a wave of spam flags as fast as they read.
MODERATION_ACTIONS = frozenset({"flag"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def rate_limit(request: HttpRequest, action: str) -> None:
    """Count the request's ``action`` against its member and its address; raise ``RateLimited`` past a limit."""
    if not rate_counted(action):
        return
    user = request.user
    if action in MODERATION_ACTIONS and can_moderate(user):
        return
    member_id = user.pk if user.is_authenticated else None
    rate_check(action, member_id=member_id, address=client_address(request))


def rate_limited(action: str) -> Callable[[View], View]:
    """Limit a view or an API endpoint to ``settings.PROSUMO_RATE_LIMITS[action]``; reads are never counted.

    On an API endpoint, put it under the router's decorator: the endpoint is then called
    after authentication (a token's member is known) and after the input was validated.
    Past the limit it raises ``RateLimited``: the API answers 429 with ``Retry-After``, a
    page answers with the "slow down" page (prosumo.web.middleware).
    """

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def limited(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if request.method not in SAFE_METHODS:
                rate_limit(request, action)
            return view(request, *args, **kwargs)

        # Ninja reads an endpoint's parameters from its signature and resolves string
        # annotations in the function's own module, which the wrapper is not in.
        limited.__signature__ = inspect.signature(view, eval_str=True)  # type: ignore[attr-defined]
        return limited  # type: ignore[return-value]

    return decorate
