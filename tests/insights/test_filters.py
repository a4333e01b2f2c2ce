"""Every Insights filter, and a combination, gives a dataset the analytics accept."""

from __future__ import annotations

import datetime as dt

import pyarrow.compute as pc
import pytest

from prosumo.analytics.dataset import validate
from prosumo.demo.loader import load_demo
from prosumo.insights.export import export_tables
from prosumo.insights.filters import subset
from prosumo.insights.models import InsightRun
from prosumo.insights.services import clean_filters


@pytest.fixture
def demo_tables(db):
    load_demo(members=120, seed=5)
    return export_tables()


def _day(days_before_last: int, tables) -> str:
    last = pc.max(tables["events"]["occurred_at"]).as_py()
    return (last - dt.timedelta(days=days_before_last)).date().isoformat()


FILTERS = [
    {"segment": "gold"},
    {"segment": "silver"},
    {"campaign": "5"},
    {"campaign": "3"},
    {"channel": "email"},
    {"channel": "referral"},
    {"since": 120},
    {"until": 120},
    {"since": 200, "until": 60},
    {"segment": "gold", "campaign": "5", "channel": "email", "since": 300, "until": 30},
]


def test_every_filter_keeps_the_demo_a_valid_dataset(demo_tables):
    for raw in FILTERS:  # one demo for all: loading it is the slow part
        # given: the filter as staff would choose it
        filters = clean_filters({k: (_day(v, demo_tables) if k in ("since", "until") else v) for k, v in raw.items()})
        # when
        tables = validate(subset(demo_tables, filters))  # raises DatasetError when inconsistent
        # then: what is kept is what the filter asked for
        members = tables["members"].to_pandas()
        people = members[~members["is_staff"]]
        for name in ("segment", "channel"):
            if name in filters:
                assert set(people[name]) == {filters[name]}, raw
        ideas = tables["ideas"].to_pandas()
        if "campaign" in filters:
            assert set(ideas["campaign_id"]) <= {int(filters["campaign"])}, raw
        events = tables["events"].to_pandas()
        if "since" in filters:
            assert (events["occurred_at"] >= dt.datetime.fromisoformat(filters["since"])).all(), raw
            assert (ideas["created_at"] >= dt.datetime.fromisoformat(filters["since"])).all(), raw
        if "until" in filters:
            assert (events["occurred_at"] < dt.datetime.fromisoformat(filters["until"])).all(), raw
            assert (members["joined_at"] < dt.datetime.fromisoformat(filters["until"])).all(), raw
        assert len(people) > 0, raw
        assert len(events) > 0, raw


def test_an_idea_shared_with_someone_outside_the_group_is_left_out_whole(demo_tables):
    # given: the demo's co-authored ideas, credited across channels
    authors = demo_tables["idea_authors"].to_pandas()
    channel = dict(zip(*(demo_tables["members"][c].to_pylist() for c in ("member_id", "channel")), strict=True))
    authors["channel"] = authors["member_id"].map(channel)
    mixed = authors.groupby("idea_id")["channel"].agg(lambda c: "email" in set(c) and set(c) != {"email"})
    assert mixed.any()
    # when
    tables = validate(subset(demo_tables, {"channel": "email"}))
    # then: no mixed idea is kept, and every kept idea's shares are whole
    kept = set(tables["ideas"]["idea_id"].to_pylist())
    assert kept.isdisjoint(set(mixed[mixed].index))
    shares = tables["idea_authors"].to_pandas().groupby("idea_id")["share"].sum()
    assert shares.round(9).eq(1.0).all()


def test_compute_now_with_every_filter_at_once(demo_tables, admin, login, django_capture_on_commit_callbacks):
    # given: staff on the Insights page of the demo
    client = login(admin)
    form = {"segment": "gold", "campaign": "5", "channel": "email", "since": _day(300, demo_tables)}
    # when: they press "Compute now" with the filters set
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/staff/insights/", form)
    # then
    assert response.status_code == 302
    run = InsightRun.objects.get()
    assert run.error == ""
    assert run.status == InsightRun.Status.DONE
    assert run.filters["segment"] == "gold"


def test_every_filter_computes_every_section(demo_tables, tmp_path):
    from prosumo.analytics.dataset import load_dataset, write_dataset
    from prosumo.analytics.report import build_report

    # one of each kind, and all at once (each filter's dataset is checked above); computing is the slow part
    for n, raw in enumerate([FILTERS[0], FILTERS[2], FILTERS[4], FILTERS[8], FILTERS[9]]):
        # given: the demo narrowed by the filter, written as a run writes it
        filters = clean_filters({k: (_day(v, demo_tables) if k in ("since", "until") else v) for k, v in raw.items()})
        path = write_dataset(
            subset(demo_tables, filters), tmp_path / f"run{n}", {"name": "Prosumo", "filters": filters}
        )
        # when
        report = build_report(load_dataset(path), workers=2)  # two sections at a time, as a run computes
        # then: every question is answered, or says why it cannot be, and none fails
        errors = {s.key: s.notes for s in report.sections if s.key in report.failed}
        assert report.failed == [], (raw, errors)
