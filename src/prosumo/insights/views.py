"""Staff dashboards: one page per question, charts beside their numbers, filters, CSV of every table."""

from __future__ import annotations

import functools
from collections.abc import Sequence

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext
from django.views.decorators.cache import cache_control

from prosumo.community import selectors as community_selectors
from prosumo.community.http import MemberRequest
from prosumo.community.permissions import require_staff_page
from prosumo.core.errors import NotFound
from prosumo.core.pages import page_errors
from prosumo.core.spreadsheet import SpreadsheetWriter
from prosumo.ideas.selectors import campaign_choices
from prosumo.insights import labels
from prosumo.insights.filters import FILTERS
from prosumo.insights.selectors import dashboard_runs, run_section, worth_to_both_sides
from prosumo.insights.services import insights_request

PREVIEW_ROWS = 50


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


@functools.cache
def _vega_script() -> str:
    from prosumo.analytics.report import _vega_bundle

    return _vega_bundle()


@cache_control(max_age=86400, private=True)
@login_required
@page_errors()
def vega(request: HttpRequest) -> HttpResponse:
    require_staff_page(request.user)
    return HttpResponse(_vega_script(), content_type="text/javascript")


def shown(value: object) -> object:
    """A number as a person reads it on the page (4 significant digits); the CSV keeps every digit.

    A word the analytics write in place of a figure ("too few") is shown in the page's language.
    """
    if isinstance(value, float) and not isinstance(value, bool):
        if value != value:  # NaN
            return "—"
        return f"{value:,.0f}" if abs(value) >= 1e5 else f"{value:,.4g}"
    return labels.value_label(value)


@login_required
@page_errors()
def section(request: HttpRequest, run_id: int, key: str) -> HttpResponse:
    require_staff_page(request.user)
    run, found = run_section(run_id, key)
    found = {**found, "headline": {name: shown(v) for name, v in (found.get("headline") or {}).items()}}
    tables = [
        {
            "name": name,
            "columns": list(rows[0].keys()) if rows else [],
            "rows": [[shown(v) for v in r.values()] for r in rows[:PREVIEW_ROWS]],
            "total": len(rows),
        }
        for name, rows in found.get("tables", {}).items()
    ]
    # Each spec goes to the page through json_script, which escapes "<", ">" and "&": data
    # (a segment's name, a channel) can never end the script element it is written in.
    charts = [
        {"id": f"chart{i}", "spec_id": f"chart{i}-spec", "spec": spec} for i, spec in enumerate(found.get("charts", []))
    ]
    return render(request, "insights/section.html", {"run": run, "section": found, "tables": tables, "charts": charts})


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
        writer.writerow(rows[0].keys())
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
