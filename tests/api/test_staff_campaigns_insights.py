"""The staff API for editing campaigns and for the analytics runs and their tables."""

from __future__ import annotations

import pytest

from prosumo.activity.models import Event
from prosumo.demo.loader import load_demo
from prosumo.insights.models import InsightRun
from tests.api.conftest import error


def test_an_admin_changes_only_the_fields_given(call, campaign, admin):
    # when
    edited = call(
        "PATCH",
        f"/api/campaigns/{campaign.slug}",
        {"title": "Tents for families", "ends_at": None, "scorecard_criteria": ["cost", "fun"]},
        as_member=admin,
    )
    # then
    assert edited.status_code == 200, edited.content
    body = edited.json()
    assert (body["title"], body["scorecard_criteria"], body["brief"]) == (
        "Tents for families",
        ["cost", "fun"],
        campaign.brief,
    )
    event = Event.objects.filter(verb="campaign.updated", object_id=campaign.pk).get()
    assert event.details == {"fields": ["ends_at", "scorecard_criteria", "title"]}


def test_a_bad_campaign_edit_changes_nothing(call, campaign, admin, moderator, unchanged):
    with unchanged():
        short = call("PATCH", f"/api/campaigns/{campaign.pk}", {"title": ""}, as_member=admin)
        cleared = call("PATCH", f"/api/campaigns/{campaign.pk}", {"title": None}, as_member=admin)
        mode = call("PATCH", f"/api/campaigns/{campaign.pk}", {"voting_mode": "lottery"}, as_member=admin)
        by_moderator = call("PATCH", f"/api/campaigns/{campaign.pk}", {"title": "Another title"}, as_member=moderator)
    assert "title" in error(short, 400, "invalid")["fields"]
    assert error(cleared, 400, "invalid")["fields"] == {"title": ["Give a value."]}
    assert "voting_mode" in error(mode, 400, "invalid")["fields"]
    error(by_moderator, 403, "forbidden")


@pytest.fixture
def demo(db):
    load_demo(members=60, seed=3)  # before any other member: the demo gives its members their ids


def test_staff_ask_for_a_run_and_read_its_tables(demo, call, admin, django_capture_on_commit_callbacks):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        asked = call("POST", "/api/insights/runs", {}, as_member=admin)
    # then
    assert asked.status_code == 202, asked.content
    run = InsightRun.objects.get(pk=asked.json()["id"])
    assert run.status == InsightRun.Status.DONE, run.error
    listed = call("GET", "/api/insights/runs", as_member=admin).json()
    assert [r["id"] for r in listed] == [run.pk]
    detail = call("GET", f"/api/insights/runs/{run.pk}", as_member=admin).json()
    stored = {s["key"]: s for s in run.result["sections"]}
    assert [s["key"] for s in detail["sections"]] == list(stored)
    key = next(k for k, s in stored.items() if s["tables"])
    table = next(iter(stored[key]["tables"]))
    section = call("GET", f"/api/insights/runs/{run.pk}/sections/{key}", as_member=admin).json()
    rows = call("GET", f"/api/insights/runs/{run.pk}/sections/{key}/tables/{table}", as_member=admin).json()
    assert section["headline"] == run.section(key)["headline"]
    assert rows == run.section(key)["tables"][table]


@pytest.mark.parametrize(
    "path",
    [
        "/api/insights/runs/999",
        "/api/insights/runs/{run}/sections/nope",
        "/api/insights/runs/{run}/sections/x/tables/y",
    ],
)
def test_a_missing_run_section_or_table_is_not_found(call, admin, path):
    run = InsightRun.objects.create(filters={}, filter_key="all")
    error(call("GET", path.format(run=run.pk), as_member=admin), 404, "not_found")


def test_runs_are_for_staff_and_bad_filters_are_named(call, member, admin, unchanged):
    error(call("GET", "/api/insights/runs", as_member=member), 403, "forbidden")
    with unchanged():
        refused = call("POST", "/api/insights/runs", {}, as_member=member)
    bad = call("POST", "/api/insights/runs", {"since": "yesterday", "segment": "Nobody"}, as_member=admin)
    error(refused, 403, "forbidden")
    assert set(error(bad, 400, "invalid")["fields"]) == {"since", "segment"}
    assert not InsightRun.objects.exists()
