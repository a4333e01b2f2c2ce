"""Staff dashboards: one page per question, charts beside their numbers, filters, CSV of every table."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext

from prosumo.analytics.sections.figures import MEMBER
from prosumo.analytics.sections.formats import Reader
from prosumo.community import selectors as community_selectors
from prosumo.community.http import MemberRequest
from prosumo.community.permissions import require_staff_page
from prosumo.core.errors import NotFound
from prosumo.core.pages import page_errors
from prosumo.core.spreadsheet import SpreadsheetWriter
from prosumo.ideas.selectors import campaign_choices
from prosumo.insights import labels
from prosumo.insights.charts import VEGA_SCRIPT
from prosumo.insights.filters import FILTERS
from prosumo.insights.selectors import dashboard_runs, run_section, worth_to_both_sides
from prosumo.insights.services import insights_request

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
        messages.success(request, "The analytics are being computed; this page shows them when ready.")
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
        {"id": f"chart{i}", "spec_id": f"chart{i}-spec", "spec": read.spec(spec)}
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
