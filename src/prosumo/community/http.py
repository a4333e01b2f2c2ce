"""The request of a signed-in member, so the type checker knows what auth guarantees.

``HttpRequest`` types ``user`` as a member or an anonymous user. A view behind
``login_required`` (or an API endpoint behind the default token/session auth) only ever
sees a signed-in ``Member``; annotating its ``request`` as ``MemberRequest`` says so once
instead of checking at every use. This follows django-stubs' documented pattern for
authenticated requests.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from prosumo.core.http import HtmxRequest

if TYPE_CHECKING:
    from prosumo.community.models import Member


class MemberRequest(HtmxRequest):
    """A request from a signed-in member: the view is behind ``login_required`` or the API's auth."""

    user: Member
