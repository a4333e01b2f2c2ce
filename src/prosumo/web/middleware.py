"""Pages for errors a view raises instead of answering: an action done too often."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.html import escape

from prosumo.core.errors import RateLimited


class RateLimitedPage:
    """A page action past its rate limit (prosumo.community.limits) answers 429 with a page saying how long to wait.

    For htmx, the message alone, as the idea page's other refusals are. The API answers
    the same error in JSON from its own handler and never reaches this.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, RateLimited):
            return None
        if getattr(request, "htmx", False):
            response = HttpResponse(escape(exception.message), status=429)
        else:
            response = render(request, "429.html", {"message": exception.message}, status=429)
        response["Retry-After"] = str(exception.retry_after)
        return response
