"""How a page answers a ``ProsumoError``: one decorator and one form helper, so that views hold no except blocks.

* ``NotFound`` is a 404 page (a hidden object and a missing one look the same).
* An error raised while a form is handled goes on the form: each message beside its
  field, never a code (``form_errors``).
* Any other error of an action posted from a page goes back to that page with the
  message (``page_errors(back=...)``); an htmx request gets the message alone, with 400.
* ``PermissionDenied`` on a page with nowhere to go back to is a 403 page.

A rate limit (``RateLimited``) passes through to ``prosumo.web.middleware.RateLimitedPage``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import escape
from django.views.defaults import permission_denied

from prosumo.core.errors import NotFound, PermissionDenied, ProsumoError, RateLimited

View = TypeVar("View", bound=Callable[..., HttpResponseBase])


def page_errors(back: str | Callable[..., str] | None = None, *, anchor: str = "") -> Callable[[View], View]:
    """Answer a ``ProsumoError`` from the view as a page would (see the module's docstring).

    ``back`` is where a refused action returns: a URL name, reversed with the view's own
    arguments, or a function of the request and them that returns an address; ``anchor`` is added to a name.
    """

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            try:
                return view(request, *args, **kwargs)
            except RateLimited:
                raise
            except NotFound as exc:
                raise Http404(exc.message) from exc
            except ProsumoError as exc:
                if back is None:
                    if isinstance(exc, PermissionDenied):
                        return permission_denied(request, exc)
                    raise
                return refused(request, exc.text(), address(back, request, kwargs, anchor))

        return wrapped  # type: ignore[return-value]

    return decorate


def address(back: str | Callable[..., str], request: HttpRequest, kwargs: dict[str, Any], anchor: str = "") -> str:
    if callable(back):
        return back(request, **kwargs)
    return reverse(back, kwargs=kwargs or None) + anchor


def refused(request: HttpRequest, message: str, to: str) -> HttpResponse:
    """Back to the page a POST came from with the reason it was refused (for htmx, the reason alone)."""
    messages.error(request, message)
    if getattr(request, "htmx", False):
        return HttpResponse(escape(message), status=400)
    return redirect(to)


@dataclass
class Caught:
    """What ``form_errors`` caught: the error, if the block raised one."""

    error: ProsumoError | None = None

    @property
    def status(self) -> int:
        return self.error.status if self.error is not None else 200


@contextmanager
def form_errors(form: forms.BaseForm) -> Iterator[Caught]:
    """Inside the block, a service's error becomes the form's errors, and the block ends there."""
    caught = Caught()
    try:
        yield caught
    except RateLimited:
        raise
    except ProsumoError as exc:
        caught.error = exc
        show_on_form(form, exc)


def show_on_form(form: forms.BaseForm, exc: ProsumoError) -> None:
    """Each problem's message beside its field (on top when the form has no such field), each once."""
    shown: set[tuple[str | None, str]] = set()
    for problem in exc.problems():
        target = problem.field if problem.field in form.fields else None
        if (target, problem.message) not in shown:
            shown.add((target, problem.message))
            form.add_error(target, problem.message)
