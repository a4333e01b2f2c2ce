"""Fixtures for surveys: surveys created and opened through the services, as staff do."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tests.api.conftest import bearer, call  # the API tests' request helpers

__all__ = ["bearer", "call"]

ANSWERS = {
    "motive_econ": 5,
    "motive_psych": 6,
    "motive_social": 4,
    "cost_econ": 2,
    "cost_psych": 3,
    "cost_social": 1,
    "satisfaction": 7,
}


@pytest.fixture
def make_survey(admin: Any, django_capture_on_commit_callbacks: Any) -> Callable[..., Any]:
    from prosumo.surveys.services import survey_create, survey_open

    def make(template: str = "co_production", *, open_it: bool = True, **fields: Any) -> Any:
        fields.setdefault("closes_at", timezone.now() + timedelta(days=14))
        survey = survey_create(actor=admin, template=template, **fields)
        if open_it:
            with django_capture_on_commit_callbacks(execute=True):
                survey = survey_open(actor=admin, survey_id=survey.pk)
        return survey

    return make
