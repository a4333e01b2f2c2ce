"""Asking for an analytics run; the run itself is a background task."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction

from prosumo.community.models import Member, Segment
from prosumo.community.permissions import is_staff, require_member
from prosumo.core.errors import InvalidInput, PermissionDenied
from prosumo.core.input import id_in_range, text_problem
from prosumo.ideas.models import Campaign
from prosumo.insights.filters import FILTERS, filter_key
from prosumo.insights.models import InsightRun


def clean_filters(raw: dict[str, Any]) -> dict[str, Any]:
    filters = {k: str(raw[k]).strip() for k in FILTERS if raw.get(k) not in (None, "")}
    errors: dict[str, list[str]] = {}
    for name, value in filters.items():
        problem = text_problem(value)
        if problem is not None:
            errors[name] = [problem]
    if errors:
        raise InvalidInput("The filters are not valid.", fields=errors)  # before any query sees them
    if "segment" in filters and not Segment.objects.filter(name=filters["segment"]).exists():
        errors["segment"] = ["No such segment."]
    if "campaign" in filters and not (
        filters["campaign"].isascii()
        and filters["campaign"].isdigit()
        and id_in_range(int(filters["campaign"]))
        and Campaign.objects.filter(pk=int(filters["campaign"])).exists()
    ):
        errors["campaign"] = ["No such campaign."]
    for bound in ("since", "until"):
        if bound in filters:
            try:
                filters[bound] = date.fromisoformat(filters[bound]).isoformat() + "T00:00:00+00:00"
            except ValueError:
                errors[bound] = ["Give a date as YYYY-MM-DD."]
    if not errors and "since" in filters and "until" in filters and filters["since"] >= filters["until"]:
        errors["until"] = ["The period must end after it starts."]
    if errors:
        raise InvalidInput("The filters are not valid.", fields=errors)
    return filters


def insights_request(*, actor: Member | None, filters: dict[str, Any] | None = None) -> InsightRun:
    """Queue a run of the analytics for these filters, or return the one already queued."""
    if actor is not None:
        require_member(actor)
        if not is_staff(actor):
            raise PermissionDenied("Only staff can run the analytics.")
    cleaned = clean_filters(filters or {})
    key = filter_key(cleaned)
    with transaction.atomic():
        queued = InsightRun.objects.filter(
            filter_key=key, status__in=[InsightRun.Status.PENDING, InsightRun.Status.RUNNING]
        ).first()
        if queued is not None:
            return queued
        run = InsightRun.objects.create(filters=cleaned, filter_key=key, requested_by=actor)
        from prosumo.insights.tasks import compute_insights

        transaction.on_commit(lambda: compute_insights.enqueue(run.pk))
    return run
