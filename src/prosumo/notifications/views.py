"""The notifications pages: a member's list, and the one-click unsubscribe from an email."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from prosumo.community.http import MemberRequest
from prosumo.core.errors import NotFound
from prosumo.core.pages import page_errors
from prosumo.notifications.selectors import notifications_of
from prosumo.notifications.services import (
    UNSUBSCRIBE_KINDS,
    member_by_unsubscribe_token,
    member_unsubscribe,
    notifications_mark_read,
)
from prosumo.notifications.services import notification_open as notification_open_service


@login_required
def notifications(request: MemberRequest) -> HttpResponse:
    if request.method == "POST":
        notifications_mark_read(member=request.user)
        return redirect("notifications")
    items = notifications_of(request.user)
    return render(request, "notifications/list.html", {"items": items})


@login_required
@require_GET
@page_errors()
def notification_open(request: MemberRequest, notification_id: int) -> HttpResponse:
    """A notification's link: marks it read, then goes where it points (the list when it points nowhere)."""
    notification = notification_open_service(member=request.user, notification_id=notification_id)
    # The site writes every notification's address as a path of its own; anything else goes to the list.
    url = notification.url
    return redirect(url if url.startswith("/") and not url.startswith("//") else "notifications")


@csrf_exempt
@page_errors()
def unsubscribe(request: HttpRequest, token: str, kind: str | None = None) -> HttpResponse:
    """One click from an email: GET shows a confirmation page, POST stops that kind of mail.

    The link in each email names its kind (`UNSUBSCRIBE_KINDS`); the address without one, in
    older emails, stops every kind. The page is in the recipient's language, whatever the
    browser that opens it. A mail client's one-click unsubscribe (RFC 8058) POSTs
    ``List-Unsubscribe=One-Click`` to this address with no cookies, so there is no CSRF
    token to check: the unguessable token in the address is what authenticates the request,
    as it does for the GET.
    """
    if kind is not None and kind not in UNSUBSCRIBE_KINDS:
        raise NotFound(_("Not found."))
    if request.method == "POST":
        member = member_unsubscribe(token=token, kind=kind)
    else:
        member = member_by_unsubscribe_token(token)
    if member is None:
        raise NotFound(_("Not found."))
    language = member.locale or settings.LANGUAGE_CODE
    with translation.override(language):
        context = {"member": member, "token": token, "kind": kind, "what": UNSUBSCRIBE_KINDS[kind]() if kind else ""}
        template = "notifications/unsubscribed.html" if request.method == "POST" else "notifications/unsubscribe.html"
        response = render(request, template, context)
    response["Content-Language"] = language
    return response
