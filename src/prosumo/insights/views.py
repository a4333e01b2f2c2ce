"""Staff dashboards: one page per question, charts beside their numbers, filters, CSV of every table."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from prosumo.analytics.sections.figures import MEMBER
from prosumo.analytics.sections.formats import Reader
from prosumo.community import selectors as community_selectors
from prosumo.community.http import MemberRequest
from prosumo.community.permissions import require_staff_page
from prosumo.core.errors import NotFound
from prosumo.core.files import file_response
from prosumo.core.pages import form_errors, page_errors
from prosumo.core.spreadsheet import SpreadsheetWriter
from prosumo.ideas.selectors import campaign_choices
from prosumo.insights import labels
from prosumo.insights.charts import VEGA_SCRIPT
from prosumo.insights.filters import FILTERS
from prosumo.insights.forms import OpenDataForm
from prosumo.insights.permissions import require_open_data_admin
from prosumo.insights.selectors import (
    dashboard_runs,
    open_data_download,
    open_data_published,
    open_data_releases,
    run_section,
    worth_to_both_sides,
)
from prosumo.insights.services import (
    insights_request,
    open_data_publish,
    open_data_request,
    open_data_unpublish,
)

PREVIEW_ROWS = 50
#: Columns that name a channel: each links to the page where its spend is recorded.
CHANNEL_COLUMNS = frozenset({"channel", "channel_a", "channel_b"})


def _choices() -> dict[str, Sequence[object]]:
    return {
        "segments": community_selectors.segment_names(),
        "campaigns": campaign_choices(),
        "channels": community_selectors.member_channels(),
    }


def _filtered(request: HttpRequest) -> str:
    """The dashboard again, with the filters just posted."""
    query = "&".join(f"{k}={request.POST.get(k, '')}" for k in FILTERS if request.POST.get(k))
    return f"{request.path}?{query}" if query else request.path


@login_required
@page_errors(back=_filtered)
def dashboard(request: MemberRequest) -> HttpResponse:
    require_staff_page(request.user)
    raw = {k: request.GET.get(k, "") for k in FILTERS}
    for bound in ("since", "until"):  # the form shows dates; runs store timestamps
        raw[bound] = raw[bound][:10]
    if request.method == "POST":
        insights_request(actor=request.user, filters={k: request.POST.get(k, "") for k in FILTERS})
        messages.success(request, gettext("The analytics are being computed; this page shows them when ready."))
        return redirect(_filtered(request))
    runs = dashboard_runs(raw)
    if runs.problem:
        messages.error(request, runs.problem)
    return render(
        request,
        "insights/dashboard.html",
        {"run": runs.done, "pending": runs.pending, "last_failed": runs.failed, "filters": raw, **_choices()},
    )


def _member_ids(found: dict[str, Any], read: Reader) -> set[int]:
    """The ids of the members a section's tables name (the staff see them by name)."""
    key = str(found.get("key", ""))
    return {
        int(v)
        for rows in found.get("tables", {}).values()
        for row in rows[:PREVIEW_ROWS]
        for name, v in row.items()
        if read.unit(key, name) == MEMBER and isinstance(v, int | float) and not isinstance(v, bool)
    }


def _cell(
    key: str, name: str, value: object, row: dict[str, Any], read: Reader, names: dict[int, str]
) -> dict[str, Any]:
    """One cell of a table as the page shows it: its text, and the profile it links to for a member."""
    if read.unit(key, name) == MEMBER and isinstance(value, int | float) and int(value) in names:
        return {"text": names[int(value)], "member": int(value)}
    currency = row.get("currency") if isinstance(row.get("currency"), str) else None
    text = read.value(key, name, value, currency=currency)
    if name in CHANNEL_COLUMNS and isinstance(value, str) and value:
        return {"text": text, "channel": value}
    return {"text": text}


#: The invitation ranking: its members shown link to the invite page, ticked.
INVITE_TABLE = ("propensity", "invite")


def _invite_url(run: Any, rows: list[dict[str, Any]]) -> str:
    """The staff invite page with the ranking's members shown preselected (and its campaign, if the run had one)."""
    query = [("member", int(r["member_id"])) for r in rows[:PREVIEW_ROWS] if r.get("member_id") is not None]
    campaign = (run.filters or {}).get("campaign")
    if campaign:
        query.append(("campaign", campaign))
    return f"{reverse('staff_invite')}?{urlencode(query)}" if query else ""


@login_required
@page_errors()
def section(request: HttpRequest, run_id: int, key: str) -> HttpResponse:
    require_staff_page(request.user)
    run, found = run_section(run_id, key)
    read = labels.reader()
    headline = labels.headline(found)
    # the method notes are the analytics' English sentences; the catalogue has those that hold no figure
    found = {**found, "notes": [read.note(note) for note in found.get("notes", [])]}
    names = {pk: member.name for pk, member in community_selectors.members_by_id(_member_ids(found, read)).items()}
    tables = [
        {
            "name": name,
            "label": read.table(name),
            "columns": [
                {"label": read.label(key, c), "explanation": read.explanation(key, c)}
                for c in (rows[0] if rows else [])
            ],
            "rows": [[_cell(key, c, v, r, read, names) for c, v in r.items()] for r in rows[:PREVIEW_ROWS]],
            "total": len(rows),
            "invite_url": _invite_url(run, rows) if (key, name) == INVITE_TABLE else "",
        }
        for name, rows in found.get("tables", {}).items()
    ]
    # Each spec goes to the page through json_script, which escapes "<", ">" and "&": data
    # (a segment's name, a channel) can never end the script element it is written in.
    charts = [
        {"id": f"chart{i}", "spec_id": f"chart{i}-spec", "spec": read.spec(spec, key)}
        for i, spec in enumerate(found.get("charts", []))
    ]
    return render(
        request,
        "insights/section.html",
        {
            "run": run,
            "section": found,
            "headline": headline,
            "tables": tables,
            "charts": charts,
            "vega_script": VEGA_SCRIPT,
        },
    )


@login_required
@page_errors()
def table_csv(request: HttpRequest, run_id: int, key: str, table: str) -> HttpResponse:
    require_staff_page(request.user)
    run, found = run_section(run_id, key)
    rows = found.get("tables", {}).get(table)
    if rows is None:
        raise NotFound(gettext("Not found."))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slugify(key)}-{slugify(table)}-run{run.pk}.csv"'
    writer = SpreadsheetWriter(response)  # cells that start like a formula are neutralised
    if rows:
        read = labels.reader()
        writer.writerow([read.label(key, column) for column in rows[0]])
        for row in rows:
            writer.writerow(row.values())
    return response


@login_required
@page_errors()
def worth(request: HttpRequest) -> HttpResponse:
    """Is the partnership worth it to both sides? One sentence from the latest run, or the data still missing."""
    require_staff_page(request.user)
    raw = {k: request.GET.get(k, "") for k in FILTERS}
    runs = dashboard_runs(raw)
    return render(request, "insights/worth.html", {"worth": worth_to_both_sides(runs.done), "filters": raw})


# --- the open data: staff build and publish it, anyone downloads it ---------------------------


@login_required
@page_errors()
def staff_open_data(request: MemberRequest) -> HttpResponse:
    """Admins build the open-data version under a licence, publish a ready one, or take it down."""
    require_staff_page(request.user)
    require_open_data_admin(request.user)
    form = OpenDataForm(request.POST or None, initial={"licence": "CC BY 4.0"})
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            open_data_request(actor=request.user, licence=form.cleaned_data["licence"])
            messages.success(request, gettext("The open data is being prepared; reload this page in a moment."))
            return redirect("staff_open_data")
    return render(
        request,
        "insights/staff_open_data.html",
        {"form": form, "releases": open_data_releases()},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
@page_errors(back="staff_open_data")
def staff_open_data_publish(request: MemberRequest, release_id: int) -> HttpResponse:
    require_staff_page(request.user)
    open_data_publish(actor=request.user, release_id=release_id)
    messages.success(request, gettext("The open data is published on the site."))
    return redirect("staff_open_data")


@login_required
@require_POST
@page_errors(back="staff_open_data")
def staff_open_data_unpublish(request: MemberRequest) -> HttpResponse:
    require_staff_page(request.user)
    open_data_unpublish(actor=request.user)
    messages.success(request, gettext("The open data is no longer offered for download."))
    return redirect("staff_open_data")


def open_data(request: HttpRequest) -> HttpResponse:
    """The public page of the open data: the version published, its date, licence and size."""
    return render(request, "insights/open_data.html", {"release": open_data_published(), "site_url": settings.SITE_URL})


@page_errors()
def open_data_file(request: HttpRequest, release_id: int) -> HttpResponseBase:
    """The published zip, with its licence inside; a release taken down is not found."""
    release = open_data_download(release_id)
    response = file_response(name=release.file, content_type="application/zip", download_name=release.download_name)
    response["Content-Type"] = "application/zip"  # the upload rule's list of types is for members' files
    response["Cache-Control"] = "no-cache"  # taken down means gone: every download asks the site again
    return response
