"""Every Insights page and the report read in words, in English and in Spanish, on the demo community.

One test walks them all (the demo is built and analysed once): no raw key, no "nan" or
"None", no scientific notation, and on the Spanish pages no label left in English.
"""

from __future__ import annotations

import html
import json
import re

import pytest
from django.utils import timezone

from prosumo.analytics.dataset import load_dataset, write_dataset
from prosumo.analytics.metrics.involvement import STEP_DEFINITIONS
from prosumo.analytics.report import build_report, reader_for, to_html, to_json
from prosumo.analytics.sections import figures
from prosumo.demo.loader import load_demo
from prosumo.insights.export import commerce_left_out, export_tables
from prosumo.insights.models import InsightRun

#: The eight questions, and whom to invite: each must show a figure on the demo.
QUESTIONS = (
    "involvement",
    "capacity",
    "innovation",
    "channels",
    "relationship",
    "influence",
    "remuneration",
    "effectiveness",
    "propensity",
)
#: Words of the innovation ranking's reasons in English.
REASON_WORDS = (
    "ideas accepted (shrunk rate",
    "supports per idea",
    "ideas unlike earlier ones",
    "ideas on varied topics",
    "early on a theme",
    "lead-user survey score",
)
#: The notes a section writes when its question has no figure at all.
NO_FIGURE = ("Too few", "No costs table", "No matched comparison", "No diffusion fit", "No reward or royalty")
RAW_KEY = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
NOT_A_NUMBER = re.compile(r"\b(?:nan|NaN|None|null)\b")
SCIENTIFIC = re.compile(r"\d(?:[.,]\d+)?[eE][+-]?\d+\b")


def shown_text(page: str) -> str:
    """What a reader sees: the text outside tags, scripts and styles, and the explanations in title attributes."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    titles = " ".join(re.findall(r"""title=["']([^"']*)["']""", page))
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)) + " " + titles)


def chart_titles(page: str) -> set[str]:
    """The titles inside a page's Vega-Lite specs: the chart's, its axes' and its legends' (not its data)."""
    found: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for name, value in node.items():
                if name in ("data", "datasets"):
                    continue
                if name == "title" and isinstance(value, str) and value:
                    found.add(value)
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for spec in re.findall(r"""<script [^>]*id=["']chart\d+-spec["'][^>]*>(.*?)</script>""", page, flags=re.S):
        walk(json.loads(spec))
    return found


def english_labels() -> set[str]:
    """Every label, title and table name of the catalogue that Spanish writes differently."""
    spanish = reader_for("es")
    texts = {f.label for f in figures.FIGURES.values()} | set(figures.TITLES.values()) | set(figures.TABLES.values())
    texts |= {f.label for f in figures.SECTION_FIGURES.values()}
    texts |= set(figures.FEATURES.values())
    return {t for t in texts if spanish.gettext(t) != t}


def problems(text: str, *, spanish: bool) -> dict[str, list[str]]:
    found = {
        "raw keys": sorted(set(RAW_KEY.findall(text))),
        "not a number": sorted(set(NOT_A_NUMBER.findall(text))),
        "scientific notation": sorted(set(SCIENTIFIC.findall(text))),
    }
    if spanish:
        found["untranslated"] = sorted(
            t for t in english_labels() if re.search(rf"(?<![\w ]){re.escape(t)}(?![\w])", text)
        )
    return {k: v for k, v in found.items() if v}


@pytest.fixture
def demo(db):
    load_demo(members=120, seed=5)


def test_every_insights_page_and_the_report_read_in_words_in_both_languages(demo, make_member, login, tmp_path):
    # given: the demo community analysed once, and an admin reading English and one reading Spanish
    meta = {"name": "Demo", "source": "platform", "commerce": commerce_left_out()}  # as the Insights task writes it
    path = write_dataset(export_tables(), tmp_path / "dataset", meta)
    report = build_report(load_dataset(path), workers=2)
    now = timezone.now()
    run = InsightRun.objects.create(
        filter_key="all", status=InsightRun.Status.DONE, started_at=now, finished_at=now, result=to_json(report)
    )
    readers = {"en": login(make_member("admin")), "es": login(make_member("admin", locale="es"))}
    keys = [s["key"] for s in run.result["sections"]]
    assert len(keys) == 12
    # when: each reader opens the dashboard and every question; and the report is written in each language
    seen: dict[str, dict[str, str]] = {}
    titles: dict[str, dict[str, set[str]]] = {}
    for language, client in readers.items():
        pages = {"dashboard": client.get("/staff/insights/")}
        pages.update({key: client.get(f"/staff/insights/{run.pk}/{key}/") for key in keys})
        assert {name: page.status_code for name, page in pages.items()} == dict.fromkeys(pages, 200)
        raw = {name: page.content.decode() for name, page in pages.items()}
        raw["report"] = to_html(report, reader_for(language))
        seen[language] = {name: shown_text(page) for name, page in raw.items()}
        titles[language] = {name: chart_titles(page) for name, page in raw.items()}
    # then: every figure reads in words, in the reader's language
    found = {
        (language, name): problems(text, spanish=language == "es")
        for language, pages in seen.items()
        for name, text in pages.items()
    }
    assert {where: p for where, p in found.items() if p} == {}
    # and the same figure is written the same way on the dashboard, its page and in the report
    assert "Inequality of contributions (Gini, 0-1)" in seen["en"]["involvement"]
    assert "Desigualdad de las contribuciones (Gini, 0-1)" in seen["es"]["report"]
    # and the method notes that hold no figure of their own are in Spanish too
    involvement = next(s for s in run.result["sections"] if s["key"] == "involvement")
    assert len(involvement["notes"]) == 4
    for text in (seen["es"]["involvement"], seen["es"]["report"]):
        assert [note for note in involvement["notes"] if note in text] == []
        assert "Regla 90-9-1 de Nielsen" in text
    # and every one of the eight questions, and whom to invite, shows a figure on the demo
    sections = {s["key"]: s for s in run.result["sections"]}
    for key in QUESTIONS:
        figures_shown = [v for v in sections[key]["headline"].values() if type(v) in (int, float)]
        assert figures_shown, key
        assert [n for n in sections[key]["notes"] if n.startswith(NO_FIGURE)] == [], key
    assert type(sections["effectiveness"]["headline"]["spend_uplift"]) is float
    assert len(sections["propensity"]["tables"]["invite"]) > 0

    # and on the Spanish pages and report, nothing is left in English: no method note (those that
    # hold figures are rebuilt from translated templates), no chart or axis title inside the specs,
    # no funnel step definition, no reason of the innovation ranking
    assert sum(len(t) for t in titles["en"].values()) > 40  # the specs were found
    for name, text in seen["es"].items():
        key = "innovation" if name == "report" else name
        english_notes = [n for s in run.result["sections"] if name in (s["key"], "report") for n in s["notes"]]
        assert [n for n in english_notes if n and n in text] == [], name
        assert titles["es"][name] & titles["en"][name] == set(), name
        assert [d for d in STEP_DEFINITIONS.values() if d in text] == [], name
        assert [r for r in REASON_WORDS if r in text] == [], (name, key)
    assert "cocreadores emparejados" in seen["es"]["effectiveness"]
    assert "miembros que enviaron una idea" in seen["es"]["involvement"]
