"""JSON endpoints for the analytics runs behind the staff dashboards: ask for one, list them, read their tables."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, Router, Schema, Status

from prosumo.community.auth import needs
from prosumo.community.http import MemberRequest
from prosumo.community.models import Scope
from prosumo.community.permissions import require_staff
from prosumo.core.input import BodyIn
from prosumo.core.schemas import ERRORS, ErrorOut
from prosumo.insights import selectors, services
from prosumo.insights.models import InsightRun

router = Router(tags=["insights"])


class InsightSectionRef(Schema):
    key: str
    title: str
    tables: list[str] = Field(description="the names of its tables: `GET .../sections/{key}/tables/{table}`")


class InsightRunOut(Schema):
    id: int
    status: str = Field(description="pending, running, done or failed")
    filters: dict[str, str] = Field(description="segment, campaign, channel, since, until: those the run kept to")
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    extent: dict[str, Any] = Field(description="members, ideas and events read, first and last event")
    error: str
    sections: list[InsightSectionRef] = Field(description="once `done`: the sections of the result")


class InsightSectionOut(Schema):
    run_id: int
    key: str
    title: str
    headline: dict[str, Any]
    tables: dict[str, list[dict[str, Any]]]
    notes: list[str]


class InsightRunIn(BodyIn):
    segment: str | None = Field(None, description="a segment's name")
    campaign: str | None = Field(None, description="a campaign's id")
    channel: str | None = None
    since: str | None = Field(None, description="YYYY-MM-DD")
    until: str | None = Field(None, description="YYYY-MM-DD, after `since`")


def _run_out(run: InsightRun) -> dict[str, Any]:
    sections = run.result.get("sections", []) if run.status == InsightRun.Status.DONE else []
    return {
        "id": run.pk,
        "status": run.status,
        "filters": run.filters,
        "created_at": run.created_at,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "extent": run.extent,
        "error": run.error,
        "sections": [
            {"key": s.get("key", ""), "title": s.get("title", ""), "tables": list(s.get("tables", {}))}
            for s in sections
        ],
    }


@router.get("/insights/runs", response={200: list[InsightRunOut], **ERRORS}, auth=needs(Scope.STAFF))
def runs(request: MemberRequest) -> Any:
    """The latest 50 runs of the analytics, newest first."""
    require_staff(request.user)
    return [_run_out(r) for r in selectors.runs_latest()]


@router.post("/insights/runs", response={202: InsightRunOut, 400: ErrorOut, **ERRORS}, auth=needs(Scope.STAFF))
def run_request(request: MemberRequest, payload: InsightRunIn) -> Any:
    """Ask for a run with these filters: 202 with the run, computed in the background (the one already queued, if any)."""
    require_staff(request.user)
    run = services.insights_request(actor=request.user, filters=payload.dict())
    return Status(202, _run_out(run))


@router.get("/insights/runs/{run_id}", response={200: InsightRunOut, **ERRORS}, auth=needs(Scope.STAFF))
def run_detail(request: MemberRequest, run_id: int) -> Any:
    require_staff(request.user)
    return _run_out(selectors.run_get(run_id))


@router.get(
    "/insights/runs/{run_id}/sections/{key}", response={200: InsightSectionOut, **ERRORS}, auth=needs(Scope.STAFF)
)
def run_section(request: MemberRequest, run_id: int, key: str) -> Any:
    """One section of a finished run: its headline figures, tables (rows of column: value) and notes."""
    require_staff(request.user)
    run, found = selectors.run_section(run_id, key)
    return {
        "run_id": run.pk,
        "key": key,
        "title": found.get("title", ""),
        "headline": found.get("headline", {}),
        "tables": found.get("tables", {}),
        "notes": [str(n) for n in found.get("notes", [])],
    }


@router.get(
    "/insights/runs/{run_id}/sections/{key}/tables/{table}",
    response={200: list[dict[str, Any]], **ERRORS},
    auth=needs(Scope.STAFF),
)
def run_table(request: MemberRequest, run_id: int, key: str, table: str) -> Any:
    """One table of a section, as rows of column: value, in the order the analytics wrote them (the page's CSV as JSON)."""
    require_staff(request.user)
    return selectors.run_table(run_id, key, table)
