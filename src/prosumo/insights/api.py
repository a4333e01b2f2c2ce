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
from prosumo.insights.models import InsightRun, OpenDataRelease
from prosumo.insights.permissions import require_open_data_admin

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


# --- the open data (docs/open-data.md): admins build and publish it ---------------------------


class OpenDataReleaseOut(Schema):
    id: int
    licence: str
    state: str = Field(description="queued, building, ready or failed")
    requested_at: datetime
    ready_at: datetime | None
    published: bool = Field(description="whether it is the version offered on `/open-data/`")
    published_at: datetime | None
    size_bytes: int = Field(description="the zip's size, once ready")
    download_url: str | None = Field(description="while published: where anyone downloads it")
    error: str = Field(description="once failed: what stopped the build")


class OpenDataIn(BodyIn):
    licence: str = Field(description='the licence it is published under, e.g. "CC BY 4.0" (at most 100 characters)')


def _release_out(release: OpenDataRelease) -> dict[str, Any]:
    return {
        "id": release.pk,
        "licence": release.licence,
        "state": release.state,
        "requested_at": release.requested_at,
        "ready_at": release.ready_at,
        "published": release.published,
        "published_at": release.published_at,
        "size_bytes": release.size_bytes,
        "download_url": f"/open-data/{release.pk}/open-data.zip" if release.published else None,
        "error": release.error,
    }


@router.get("/insights/open-data", response={200: list[OpenDataReleaseOut], **ERRORS}, auth=needs(Scope.STAFF))
def open_data_releases(request: MemberRequest) -> Any:
    """The open-data releases, newest first: the one published, one being built, the last built or failed (admins)."""
    require_open_data_admin(request.user)
    return [_release_out(r) for r in selectors.open_data_releases()]


@router.post(
    "/insights/open-data", response={202: OpenDataReleaseOut, 400: ErrorOut, **ERRORS}, auth=needs(Scope.STAFF)
)
def open_data_request(request: MemberRequest, payload: OpenDataIn) -> Any:
    """Build the open-data version under this licence (admins): 202 with the release, built in the background.

    One build at a time: while one is queued or being built, 409 `open_data_building`.
    """
    release = services.open_data_request(actor=request.user, licence=payload.licence)
    return Status(202, _release_out(release))


@router.post(
    "/insights/open-data/{release_id}/publish", response={200: OpenDataReleaseOut, **ERRORS}, auth=needs(Scope.STAFF)
)
def open_data_publish(request: MemberRequest, release_id: int) -> Any:
    """Offer a ready release for download on `/open-data/`, in place of the one before (admins); 409 if not ready."""
    return _release_out(services.open_data_publish(actor=request.user, release_id=release_id))


@router.post(
    "/insights/open-data/unpublish", response={200: OpenDataReleaseOut | None, **ERRORS}, auth=needs(Scope.STAFF)
)
def open_data_unpublish(request: MemberRequest) -> Any:
    """Take the published release off the site (admins): the release taken off, or null when none was published."""
    release = services.open_data_unpublish(actor=request.user)
    return None if release is None else _release_out(release)
