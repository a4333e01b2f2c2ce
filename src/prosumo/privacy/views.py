"""The "Your data" pages: a copy of one's data, and erasing one's account."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from prosumo.community.http import MemberRequest
from prosumo.core.files import download_response
from prosumo.core.pages import form_errors, page_errors
from prosumo.privacy import selectors, services
from prosumo.privacy.forms import EraseForm
from prosumo.privacy.permissions import access_member_export, require_account


@login_required
@page_errors()
def my_data(request: MemberRequest) -> HttpResponse:
    member = require_account(request.user)
    context = {"export": selectors.latest_export(member=member), "keep_days": services.EXPORT_KEEP_DAYS}
    return render(request, "privacy/my_data.html", context)


@login_required
@require_POST
@page_errors(back="my_data")
def export_request(request: MemberRequest) -> HttpResponse:
    services.member_export_request(actor=request.user)
    messages.success(request, _("Your copy is being prepared; this page offers it when it is ready."))
    return redirect("my_data")


@login_required
@page_errors(back=lambda request, export_id: reverse("my_data"))
def export_download(request: MemberRequest, export_id: int) -> HttpResponse:
    """The zip, for the member it belongs to only: anyone else gets the same 404 as for a missing one.

    A copy still being prepared sends the member back to the "Your data" page, saying so.
    """
    export = access_member_export(request.user, export_id)
    data = selectors.export_file(export=export, now=timezone.now())
    return download_response(data, content_type="application/zip", file_name=export.file_name)


@login_required
@page_errors()
def erase(request: MemberRequest) -> HttpResponse:
    member = require_account(request.user)
    form = EraseForm(request.POST or None, has_password=member.has_usable_password())
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            services.member_erase(
                actor=member,
                member=member,
                password=form.cleaned_data.get("password"),
                confirm_email=form.cleaned_data.get("confirm_email"),
                remove_content=form.cleaned_data["remove_content"],
            )
            logout(request)
            messages.success(request, _("Your account is erased. Thank you for the ideas you shared."))
            return redirect("home")
    return render(request, "privacy/erase.html", {"form": form}, status=400 if form.errors else 200)
