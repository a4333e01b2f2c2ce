"""The request type for views, so the type checker knows what middleware guarantees.

``HttpRequest`` knows nothing of ``htmx``; after ``HtmxMiddleware`` every request has
it. This follows django-htmx's documented pattern for ``request.htmx``. The request of a
signed-in member is ``prosumo.community.http.MemberRequest``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails


class HtmxRequest(HttpRequest):
    """Any request after ``HtmxMiddleware``: ``request.htmx`` is truthy for htmx requests."""

    htmx: HtmxDetails
