"""Pages of the proof log: the contribution terms, an idea's authorship certificate."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from prosumo.community.http import MemberRequest
from prosumo.community.models import TermsVersion
from prosumo.community.permissions import require_staff_page
from prosumo.community.terms import terms_current
from prosumo.core.errors import InvalidInput
from prosumo.core.files import download_response
from prosumo.core.input import id_in_range
from prosumo.core.markdown import render_markdown
from prosumo.core.pages import page_errors
from prosumo.ideas.permissions import access_idea
from prosumo.provenance import selectors
from prosumo.provenance.models import LogEntry
from prosumo.provenance.proof import key_id, unb64
from prosumo.provenance.services import idea_flag


@require_GET
def terms(request: HttpRequest, number: int | None = None) -> HttpResponse:
    """The contribution terms: the current version, or an earlier one by its number."""
    version = terms_current() if number is None else TermsVersion.objects.filter(number=number).first()
    if version is None:
        raise Http404("No such version of the terms.")
    current = terms_current()
    context = {"version": version, "text": render_markdown(version.text), "current": current}
    return render(request, "provenance/terms.html", context)


@require_GET
@page_errors()
def certificate(request: HttpRequest, idea_id: int) -> HttpResponse:
    """An idea's authorship certificate, as a page to print; anyone who may read the idea may see it.

    Read only: a GET writes nothing. Until a signed head covers the idea's latest entry
    (the task that logs it signs one), the page says so with 409.
    """
    idea = access_idea(request.user, idea_id)
    try:
        document = selectors.certificate_read(idea=idea)
    except InvalidInput as exc:
        return render(
            request, "provenance/certificate_pending.html", {"idea": idea, "message": exc.message}, status=409
        )
    stamp = selectors.timestamp_of(document)
    context = {
        "idea": idea,
        "document": document,
        "key_id": key_id(unb64(document["public_key"])),
        "stamp_authority": stamp[0] if stamp else None,
        "stamp_time": stamp[1] if stamp else None,
    }
    return render(request, "provenance/certificate.html", context)


@require_GET
@page_errors()
def certificate_download(request: HttpRequest, idea_id: int) -> HttpResponse:
    """The same certificate as a JSON file, for `prosumo verify`."""
    idea = access_idea(request.user, idea_id)
    try:
        document = selectors.certificate_read(idea=idea)
    except InvalidInput as exc:
        return JsonResponse(exc.as_dict(), status=409)
    return download_response(
        json.dumps(document, indent=2, ensure_ascii=False) + "\n",
        content_type="application/json; charset=utf-8",
        file_name=f"idea-{idea.pk}-certificate.json",
    )


@require_GET
@login_required
@page_errors()
def prior_art(request: MemberRequest, idea_id: int) -> HttpResponse:
    """Staff: the ideas most like this one, the earliest in the proof log first (docs/ip.md)."""
    require_staff_page(request.user)
    idea = access_idea(request.user, idea_id)
    first = LogEntry.objects.filter(kind="revision", idea_id=idea.pk).order_by("index").first()
    context = {
        "idea": idea,
        "first": first,
        "similar": selectors.prior_art(viewer=request.user, idea=idea),
        "flags": selectors.idea_flags(idea_id=idea.pk),
    }
    return render(request, "provenance/prior_art.html", context)


def _idea_id(text: str) -> int:
    if not text.isdigit() or not id_in_range(int(text)):
        raise InvalidInput(_("No such idea."), fields={"earlier_idea": ["invalid"]})
    return int(text)


@require_POST
@login_required
@page_errors(back="idea_prior_art")
def flag(request: MemberRequest, idea_id: int) -> HttpResponse:
    """Staff, from the prior-art page: record a dispute, or an earlier idea as prior art, with a reason."""
    earlier = request.POST.get("earlier_idea", "").strip()
    idea_flag(
        actor=request.user,
        idea_id=idea_id,
        kind=request.POST.get("kind", ""),
        reason=request.POST.get("reason", ""),
        earlier_idea_id=_idea_id(earlier) if earlier else None,
    )
    messages.success(request, _("The flag is recorded."))
    return redirect("idea_prior_art", idea_id=idea_id)
