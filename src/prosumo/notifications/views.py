"""The notifications pages: a member's list, and the one-click unsubscribe from an email."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from prosumo.community.http import MemberRequest
from prosumo.core.errors import NotFound
from prosumo.core.pages import page_errors
from prosumo.notifications.selectors import notifications_of
from prosumo.notifications.services import member_unsubscribe, notifications_mark_read


@login_required
def notifications(request: MemberRequest) -> HttpResponse:
    if request.method == "POST":
        notifications_mark_read(member=request.user)
        return redirect("notifications")
    items = notifications_of(request.user)
    return render(request, "notifications/list.html", {"items": items})


@csrf_exempt
@page_errors()
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """One click from an email: GET shows a confirmation page, POST unsubscribes.

    A mail client's one-click unsubscribe (RFC 8058) POSTs ``List-Unsubscribe=One-Click``
    to this address with no cookies, so there is no CSRF token to check: the unguessable
    token in the address is what authenticates the request, as it does for the GET.
    """
    if request.method == "POST":
        member = member_unsubscribe(token=token)
        if member is None:
            raise NotFound(_("Not found."))
        return render(request, "notifications/unsubscribed.html", {"member": member})
    return render(request, "notifications/unsubscribe.html", {"token": token})
