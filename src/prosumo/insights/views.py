"""Staff dashboards: one page per question, charts beside their numbers, filters, CSV of every table."""

from __future__ import annotations

import functools
from collections.abc import Sequence

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.views.decorators.cache import cache_control

from prosumo.community.http import MemberRequest
from prosumo.community.models import Member, Segment
from prosumo.community.permissions import is_staff
from prosumo.core.errors import ProsumoError
from prosumo.core.spreadsheet import SpreadsheetWriter
from prosumo.ideas.models import Campaign
from prosumo.insights.filters import FILTERS, filter_key
from prosumo.insights.models import InsightRun
from prosumo.insights.services import clean_filters, insights_request

PREVIEW_ROWS = 50


def _staff(request: HttpRequest) -> None:
    if not is_staff(request.user):
        raise Http404


def _choices() -> dict[str, Sequence[object]]:
    return {
        "segments": list(Segment.objects.order_by("name").values_list("name", flat=True)),
        "campaigns": list(Campaign.objects.order_by("-starts_at").values_list("pk", "title")),
        "channels": sorted({c for c in Member.objects.values_list("channel", flat=True).distinct() if c}),
    }


@login_required
def dashboard(request: MemberRequest) -> HttpResponse:
    _staff(request)
    raw = {k: request.GET.get(k, "") for k in FILTERS}
    for bound in ("since", "until"):  # the form shows dates; runs store timestamps
        raw[bound] = raw[bound][:10]
    if request.method == "POST":
        try:
            insights_request(actor=request.user, filters={k: request.POST.get(k, "") for k in FILTERS})
        except ProsumoError as exc:
            messages.error(request, exc.message + " " + "; ".join(m for ms in exc.fields.values() for m in ms))
        else:
            messages.success(request, "The analytics are being computed; this page shows them when ready.")
        query = "&".join(f"{k}={request.POST.get(k, '')}" for k in FILTERS if request.POST.get(k))
        return redirect(f"{request.path}?{query}" if query else request.path)
    try:
        key = filter_key(clean_filters(raw))
    except ProsumoError as exc:
        messages.error(request, exc.message)
        key = "all"
    done = InsightRun.objects.filter(filter_key=key, status=InsightRun.Status.DONE).first()
    pending = InsightRun.objects.filter(
        filter_key=key, status__in=[InsightRun.Status.PENDING, InsightRun.Status.RUNNING]
    ).first()
    failed = InsightRun.objects.filter(filter_key=key).first()
    return render(
        request,
        "insights/dashboard.html",
        {
            "run": done,
            "pending": pending,
            "last_failed": failed if failed and failed.status == InsightRun.Status.FAILED else None,
            "filters": raw,
            **_choices(),
        },
    )


@functools.cache
def _vega_script() -> str:
    from prosumo.analytics.report import _vega_bundle

    return _vega_bundle()


@cache_control(max_age=86400, private=True)
@login_required
def vega(request: HttpRequest) -> HttpResponse:
    _staff(request)
    return HttpResponse(_vega_script(), content_type="text/javascript")


def _run_and_section(run_id: int, key: str) -> tuple[InsightRun, dict]:
    run = InsightRun.objects.filter(pk=run_id, status=InsightRun.Status.DONE).first()
    section = run.section(key) if run else None
    if run is None or section is None:
        raise Http404
    return run, section


def shown(value: object) -> object:
    """A number as a person reads it on the page (4 significant digits); the CSV keeps every digit."""
    if isinstance(value, float) and not isinstance(value, bool):
        if value != value:  # NaN
            return "—"
        return f"{value:,.0f}" if abs(value) >= 1e5 else f"{value:,.4g}"
    return value


@login_required
def section(request: HttpRequest, run_id: int, key: str) -> HttpResponse:
    _staff(request)
    run, found = _run_and_section(run_id, key)
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
def table_csv(request: HttpRequest, run_id: int, key: str, table: str) -> HttpResponse:
    _staff(request)
    run, found = _run_and_section(run_id, key)
    rows = found.get("tables", {}).get(table)
    if rows is None:
        raise Http404
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slugify(key)}-{slugify(table)}-run{run.pk}.csv"'
    writer = SpreadsheetWriter(response)  # cells that start like a formula are neutralised
    if rows:
        writer.writerow(rows[0].keys())
        for row in rows:
            writer.writerow(row.values())
    return response
