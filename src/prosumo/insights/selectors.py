"""Reads for the staff dashboards: the runs behind a page of filters, and one section of a run."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext

from prosumo.core.errors import NotFound, ProsumoError
from prosumo.insights.filters import filter_key
from prosumo.insights.models import InsightRun
from prosumo.insights.services import clean_filters


@dataclass
class DashboardRuns:
    done: InsightRun | None  # the latest finished run for these filters
    pending: InsightRun | None  # one waiting or running
    failed: InsightRun | None  # the latest run, when it failed
    problem: str  # why the filters were set aside (all data is shown instead); empty when they were not


def dashboard_runs(raw: dict[str, Any]) -> DashboardRuns:
    """The runs for these filters as the dashboard's form gives them; filters that do not hold fall back to all data."""
    problem = ""
    try:
        key = filter_key(clean_filters(raw))
    except ProsumoError as exc:
        key, problem = "all", exc.message
    runs = InsightRun.objects.filter(filter_key=key)
    latest = runs.first()
    return DashboardRuns(
        done=runs.filter(status=InsightRun.Status.DONE).first(),
        pending=runs.filter(status__in=[InsightRun.Status.PENDING, InsightRun.Status.RUNNING]).first(),
        failed=latest if latest is not None and latest.status == InsightRun.Status.FAILED else None,
        problem=problem,
    )


def run_section(run_id: int, key: str) -> tuple[InsightRun, dict]:
    """A finished run and one of its sections; NotFound when either is missing."""
    run = InsightRun.objects.filter(pk=run_id, status=InsightRun.Status.DONE).first()
    section = run.section(key) if run else None
    if run is None or section is None:
        raise NotFound(gettext("Not found."))
    return run, section
