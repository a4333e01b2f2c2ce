"""Request types for views and endpoints, so the type checker knows what middleware and auth guarantee.

``HttpRequest`` types ``user`` as a member or an anonymous user and knows nothing
of ``htmx``. A view behind ``login_required`` (or an API endpoint behind the
default token/session auth) only ever sees a signed-in ``Member``; annotating its
``request`` as ``MemberRequest`` says so once instead of checking at every use.
This follows django-stubs' documented pattern for authenticated requests and
django-htmx's for ``request.htmx``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from prosumo.community.models import Member


class HtmxRequest(HttpRequest):
    """Any request after ``HtmxMiddleware``: ``request.htmx`` is truthy for htmx requests."""

    htmx: HtmxDetails


class MemberRequest(HtmxRequest):
    """A request from a signed-in member: the view is behind ``login_required`` or the API's auth."""

    user: Member
