"""The "Your data" pages: a copy of one's data, and erasing one's account."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from prosumo.community.http import MemberRequest
from prosumo.core.errors import Conflict, NotFound, ProsumoError
from prosumo.privacy import selectors, services
from prosumo.privacy.forms import EraseForm
from prosumo.privacy.permissions import access_member_export, require_account


@login_required
def my_data(request: MemberRequest) -> HttpResponse:
    member = require_account(request.user)
    context = {"export": selectors.latest_export(member=member), "keep_days": services.EXPORT_KEEP_DAYS}
    return render(request, "privacy/my_data.html", context)


@login_required
@require_POST
def export_request(request: MemberRequest) -> HttpResponse:
    try:
        services.member_export_request(actor=request.user)
    except ProsumoError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Your copy is being prepared; this page offers it when it is ready."))
    return redirect("my_data")


@login_required
def export_download(request: MemberRequest, export_id: int) -> HttpResponse:
    """The zip, for the member it belongs to only: anyone else gets the same 404 as for a missing one."""
    try:
        export = access_member_export(request.user, export_id)
        data = selectors.export_file(export=export, now=timezone.now())
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except Conflict as exc:
        messages.info(request, exc.message)
        return redirect("my_data")
    return zip_response(data, export.file_name)


def zip_response(data: bytes, file_name: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def erase(request: MemberRequest) -> HttpResponse:
    member = require_account(request.user)
    form = EraseForm(request.POST or None, has_password=member.has_usable_password())
    if request.method == "POST" and form.is_valid():
        try:
            services.member_erase(
                actor=member,
                member=member,
                password=form.cleaned_data.get("password"),
                confirm_email=form.cleaned_data.get("confirm_email"),
                remove_content=form.cleaned_data["remove_content"],
            )
        except ProsumoError as exc:
            placed = [name for name in exc.fields if name in form.fields]
            for name in placed:
                form.add_error(name, exc.message)
            if not placed:
                form.add_error(None, exc.message)
        else:
            logout(request)
            messages.success(request, _("Your account is erased. Thank you for the ideas you shared."))
            return redirect("home")
    return render(request, "privacy/erase.html", {"form": form}, status=400 if form.errors else 200)
