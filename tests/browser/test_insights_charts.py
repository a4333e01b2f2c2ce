"""The Insights charts as drawn in Chromium: their categories, axis titles, numbers and months in the reader's language."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.session import PASSWORD, log_in

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]

ROWS = [
    {"feature": "tenure_days", "coefficient": 1500.0, "month": "2026-01-01T00:00:00+00:00"},
    {"feature": "survey_motive_econ", "coefficient": -500.0, "month": "2026-03-01T00:00:00+00:00"},
]
#: As the propensity section draws it: a bar per model input (no axis titles of its own), and a line over months.
CHARTS = [
    {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "data": {"name": "rows"},
        "datasets": {"rows": ROWS},
        "mark": "bar",
        "encoding": {
            "x": {"field": "coefficient", "type": "quantitative"},
            "y": {"field": "feature", "type": "nominal", "sort": ["tenure_days", "survey_motive_econ"]},
        },
    },
    {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "data": {"name": "rows"},
        "datasets": {"rows": ROWS},
        "mark": "line",
        "encoding": {
            "x": {"field": "month", "type": "temporal", "title": "month"},
            "y": {"field": "coefficient", "type": "quantitative", "title": "coefficient"},
        },
    },
]


@pytest.fixture
def run(transactional_db: Any) -> Any:
    from prosumo.insights.models import InsightRun

    now = timezone.now()
    section = {"key": "propensity", "title": "propensity", "headline": {}, "tables": {}, "charts": CHARTS, "notes": []}
    return InsightRun.objects.create(
        filter_key="all", status=InsightRun.Status.DONE, started_at=now, finished_at=now, result={"sections": [section]}
    )


def _drawn(page: Any, base: str, run: Any) -> str:
    page.goto(f"{base}/staff/insights/{run.pk}/propensity/")
    expect(page.locator("[id^=chart] svg.marks")).to_have_count(2, timeout=30_000)
    return str(
        page.evaluate("[...document.querySelectorAll('[id^=chart] svg text')].map(t => t.textContent).join(' ')")
    )


def test_charts_draw_words_months_and_numbers_in_the_readers_language(
    run: Any, live_server: Any, new_page: Callable[[], Any]
) -> None:
    from prosumo.community.bootstrap import create_verified_member
    from prosumo.community.models import Member

    # given: a staff member reading English, then Spanish
    admin = create_verified_member(email="admin@example.org", password=PASSWORD, role="admin", superuser=True)
    page = new_page()
    log_in(page, live_server.url, admin.email)
    # when
    english = _drawn(page, live_server.url, run)
    Member.objects.filter(pk=admin.pk).update(locale="es")
    spanish = _drawn(page, live_server.url, run)
    # then: the model inputs in words, the axes titled, months and thousands in the reader's way
    assert "Days as a member" in english
    assert "Motive: something of value" in english
    assert "Predictor" in english
    assert "1,500" in english or "1,000" in english
    assert "Días como miembro" in spanish
    assert "Motivo: obtener algo de valor" in spanish
    assert "Factor" in spanish
    assert "1.500" in spanish or "1.000" in spanish
    assert {"marzo", "mar"} & set(spanish.split())
    assert {"March", "Mar"} & set(english.split())
    assert {"tenure_days", "survey_motive_econ", "feature"} & set(english.split() + spanish.split()) == set()
    assert {"January", "March", "Jan", "Mar"} & set(spanish.split()) == set()
