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
from prosumo.ideas.models import Campaign
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
#: The demo's segments and channels: names, the same in every language.
SEGMENTS_AND_CHANNELS = (
    "bronze",
    "silver",
    "gold",
    "email",
    "event",
    "partner",
    "referral",
    "search",
    "social",
    "direct",
)
#: The chart's words Spanish writes as English does.
SAME_IN_SPANISH = ("Personal",)
#: A chart's category that is a name or a number, not a word: an arm "#1", "1 / 2", "10+", "2-4", a currency, a date.
NAMES = re.compile(r"#?\d[\d /+-]*|[A-Z]{3}|\d{4}-\d\d-\d\d\S*")
RAW_KEY = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
NOT_A_NUMBER = re.compile(r"\b(?:nan|NaN|None|null)\b")
SCIENTIFIC = re.compile(r"\d(?:[.,]\d+)?[eE][+-]?\d+\b")


def shown_text(page: str) -> str:
    """What a reader sees: the text outside tags, scripts and styles, and the explanations in title attributes."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    titles = " ".join(re.findall(r"""title=["']([^"']*)["']""", page))
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)) + " " + titles)


AXES_AND_LEGENDS = ("x", "y", "color", "fill", "stroke", "shape", "size", "opacity", "strokeDash", "row", "column")


def chart_specs(page: str) -> list[dict]:
    return [
        json.loads(spec)
        for spec in re.findall(r"""<script [^>]*id=["']chart\d+-spec["'][^>]*>(.*?)</script>""", page, flags=re.S)
    ]


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

    for spec in chart_specs(page):
        walk(spec)
    return found


def chart_words(page: str) -> set[str]:
    """The words a page's charts draw from their data: a legend's entries, an axis's categories."""
    words: set[str] = set()
    for spec in chart_specs(page):
        for rows in (spec.get("datasets") or {}).values():
            for row in rows:
                words.update(v for v in row.values() if isinstance(v, str) and re.search(r"[A-Za-z]", v))
    return words


def untitled_axes(page: str) -> list[str]:
    """The axes and legends a chart titles with its column's key, having no title of its own in any layer."""
    untitled: list[str] = []
    for spec in chart_specs(page):
        encodings: list[dict] = []

        def walk(node: object) -> None:
            if isinstance(node, dict):
                for name, value in node.items():
                    if name == "encoding" and isinstance(value, dict):
                        encodings.append(value)  # noqa: B023 - walked here, at once
                    if name not in ("data", "datasets"):
                        walk(value)
            elif isinstance(node, list):
                for value in node:
                    walk(value)

        walk(spec)
        titled = {ch for enc in encodings for ch, e in enc.items() if isinstance(e, dict) and "title" in e}
        untitled += [
            f"{ch}: {e['field']}"
            for enc in encodings
            for ch, e in enc.items()
            if ch in AXES_AND_LEGENDS and isinstance(e, dict) and "field" in e and ch not in titled
        ]
    return untitled


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
    words: dict[str, dict[str, set[str]]] = {}
    untitled: dict[str, dict[str, list[str]]] = {}
    for language, client in readers.items():
        pages = {"dashboard": client.get("/staff/insights/")}
        pages.update({key: client.get(f"/staff/insights/{run.pk}/{key}/") for key in keys})
        assert {name: page.status_code for name, page in pages.items()} == dict.fromkeys(pages, 200)
        raw = {name: page.content.decode() for name, page in pages.items()}
        raw["report"] = to_html(report, reader_for(language))
        seen[language] = {name: shown_text(page) for name, page in raw.items()}
        titles[language] = {name: chart_titles(page) for name, page in raw.items()}
        words[language] = {name: chart_words(page) for name, page in raw.items()}
        untitled[language] = {name: untitled_axes(page) for name, page in raw.items()}
    # then: every figure reads in words, in the reader's language
    found = {
        (language, name): problems(text, spanish=language == "es")
        for language, pages in seen.items()
        for name, text in pages.items()
    }
    assert {where: p for where, p in found.items() if p} == {}
    # and every headline figure and table column has its label in the catalogue (a key whose
    # underscores became spaces, "name agree rest", reads as words but is still a key)
    unlabelled = {
        s["key"]: sorted(
            c
            for c in {*s["headline"], *(c for rows in s["tables"].values() for c in (rows[0] if rows else {}))}
            if figures.figure(s["key"], c) is None
        )
        for s in run.result["sections"]
    }
    assert {key: columns for key, columns in unlabelled.items() if columns} == {}
    # and the charts too: every axis and legend has a title, no category they draw is a raw key,
    # and on the Spanish pages no category is left as the English page draws it
    assert {(lang, name): u for lang, pages in untitled.items() for name, u in pages.items() if u} == {}
    raw_words = {
        (lang, name): sorted(w for w in ws if RAW_KEY.search(w))
        for lang, pages in words.items()
        for name, ws in pages.items()
    }
    assert {where: w for where, w in raw_words.items() if w} == {}
    names = {*SEGMENTS_AND_CHANNELS, *(c.title for c in Campaign.objects.all()), *SAME_IN_SPANISH}
    left_in_english = {
        name: sorted(w for w in words["es"][name] & words["en"][name] if w not in names and not NAMES.fullmatch(w))
        for name in words["es"]
    }
    assert {name: w for name, w in left_in_english.items() if w} == {}
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
