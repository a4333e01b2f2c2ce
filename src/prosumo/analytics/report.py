"""The report: every question answered for one dataset, as HTML for people and JSON for machines.

:func:`build_report` computes and presents every metric of
:data:`prosumo.analytics.registry.METRICS`; a metric that fails does not stop the
report (its section carries the error in its notes). :func:`to_html` writes one
self-contained page: the Vega-Lite charts are drawn by the vega / vega-lite /
vega-embed JavaScript embedded in the page (from ``vl-convert-python``'s bundle), so
the file opens from disk with no network. :func:`to_json` gives the same content as
plain JSON.
"""

from __future__ import annotations

import base64
import datetime as dt
import gettext
import hashlib
import html
import importlib.util
import json
import math
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd

from prosumo.analytics.section import Section
from prosumo.analytics.sections.figures import N_
from prosumo.analytics.sections.formats import Reader, vega_locale
from prosumo.core.spreadsheet import spreadsheet_csv

if TYPE_CHECKING:
    from prosumo.analytics.dataset import Dataset
    from prosumo.analytics.registry import Metric

__all__ = ["Report", "build_report", "metric_modules", "to_html", "to_json"]

_HTML_ROWS = 25
_CSV_LINK_ROWS = 20_000
_LOCALE = Path(__file__).resolve().parents[1] / "locale"
_FIRST_ROWS = N_("(first {shown} of {total} rows)")
_COMPUTED_IN = N_("computed in {seconds} s")
_HEADING = N_("Prosumo report — {title}")
_SOURCE, _LICENCE, _ATTRIBUTION = N_("Source:"), N_("Licence:"), N_("Attribution:")

Progress = Callable[[str, int, int], None]


@dataclass
class Report:
    """A dataset's report: its metadata and extent, and one section per question."""

    title: str
    meta: dict[str, Any]
    extent: dict[str, Any]
    sections: list[Section]
    created_at: str
    engine: str
    seconds: dict[str, float] = field(default_factory=dict)
    failed: list[str] = field(default_factory=list)


def metric_modules() -> list[str]:
    """Keys of the registered metrics (:data:`prosumo.analytics.registry.METRICS`), in report order."""
    from prosumo.analytics.registry import METRICS

    return [m.key for m in METRICS]


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


def _extent(ds: Dataset) -> dict[str, Any]:
    events = ds.events
    span = events.aggregate(first=events.occurred_at.min(), last=events.occurred_at.max()).to_pyarrow()
    # Spark hands timestamps back without their zone (its session zone is UTC);
    # every time in the contract is UTC, so a naive one is read as UTC.
    first, last = (_utc(span.column(c)[0].as_py()) for c in ("first", "last"))
    return {
        "members": int(ds.members.count().to_pyarrow().as_py()),
        "ideas": int(ds.ideas.count().to_pyarrow().as_py()),
        "events": int(events.count().to_pyarrow().as_py()),
        "first_event": first.isoformat() if first else None,
        "last_event": last.isoformat() if last else None,
    }


def _failed_section(key: str, exc: BaseException) -> Section:
    last = traceback.extract_tb(exc.__traceback__)[-1:] if exc.__traceback__ else []
    where = f" (at {last[0].filename.rsplit('/', 1)[-1]}:{last[0].lineno})" if last else ""
    return Section(
        key=key,
        title=f"{key} (failed)",
        notes=[f"error: {type(exc).__name__}: {exc}{where}"],
    )


def _runnable(item: str | Metric[Any] | ModuleType) -> Metric[Any] | Exception | None:
    """The metric to run for one entry of ``modules``; ``None`` to skip it, an exception to report it."""
    from prosumo.analytics.registry import Metric, metric

    if isinstance(item, Metric):
        return item
    if isinstance(item, str):
        try:
            return metric(item)
        except KeyError as exc:
            # a helper module of the metrics (activity, attribution) answers no question
            if importlib.util.find_spec(f"prosumo.analytics.metrics.{item}") is not None:
                return None
            return exc
    section = getattr(item, "section", None)
    if not callable(section):
        return None
    # a module with its own ``section(ds)``: the whole question in one function
    return Metric(item.__name__.rsplit(".", 1)[-1], section, _as_section, cost=0.0)


def _as_section(result: Any) -> Section:
    return cast(Section, result)


def build_report(
    ds: Dataset,
    *,
    progress: Progress | None = None,
    modules: Sequence[str | Metric[Any] | ModuleType] | None = None,
    workers: int = 1,
) -> Report:
    """Compute and present every registered metric and collect the sections.

    Parameters
    ----------
    ds:
        A :class:`prosumo.analytics.dataset.Dataset`.
    progress:
        Called as ``progress(step, done, total)`` when each metric starts and once at
        the end (``step`` is the metric's key, then ``"done"``).
    modules:
        Which metrics to run: keys of :data:`prosumo.analytics.registry.METRICS`,
        :class:`~prosumo.analytics.registry.Metric` objects, or modules with a
        ``section(ds)`` function; every registered metric when ``None``. Names of the
        metrics' helper modules (``activity``) are skipped and do not count in
        ``total``; any other unknown name is reported as a failed section.
    workers:
        Sections computed at the same time, each thread on its own connection
        (:meth:`~prosumo.analytics.dataset.Dataset.fork`); the costliest metrics
        (:attr:`~prosumo.analytics.registry.Metric.cost`) start first. While one
        section runs Python (scikit-learn, pandas, igraph's conversions) another's
        DuckDB query can use the second core. Only on DuckDB; other engines run one
        section at a time. The sections are the same either way; ``seconds`` then
        overlap.
    """
    from prosumo.analytics.registry import METRICS

    chosen: Sequence[str | Metric[Any] | ModuleType] = METRICS if modules is None else modules
    runnable: list[tuple[str, Metric[Any] | Exception]] = []
    for item in chosen:
        found = _runnable(item)
        if found is None:
            continue
        runnable.append((str(item) if isinstance(found, Exception) else found.key, found))
    total = len(runnable)
    results: dict[int, Section] = {}
    seconds: dict[str, float] = {}
    failed: list[str] = []
    lock = threading.Lock()
    started = [0]

    def run(index: int, dataset: Dataset) -> None:
        name, metric = runnable[index]
        with lock:
            if progress:
                progress(name, started[0], total)
            started[0] += 1
        start = time.perf_counter()
        try:
            if isinstance(metric, Exception):
                raise metric
            result = metric.section(dataset)
            if not isinstance(result, Section):
                raise TypeError(f"section() returned {type(result).__name__}, not Section")
            results[index] = result
        except Exception as exc:  # a failing question must not take the report down
            results[index] = _failed_section(name, exc)
            with lock:
                failed.append(name)
        finally:
            seconds[name] = round(time.perf_counter() - start, 3)

    can_fork = callable(getattr(ds, "can_fork", None)) and ds.can_fork()
    if workers <= 1 or total <= 1 or not can_fork:
        for index in range(total):
            run(index, ds)
    else:
        local = threading.local()
        spare = [ds]

        def in_thread(index: int) -> None:
            if not hasattr(local, "ds"):
                with lock:
                    local.ds = spare.pop() if spare else ds.fork()
            run(index, local.ds)

        def cost(index: int) -> float:
            found = runnable[index][1]
            return 0.0 if isinstance(found, Exception) else found.cost

        order = sorted(range(total), key=lambda i: (-cost(i), i))
        with ThreadPoolExecutor(max_workers=min(workers, total)) as pool:
            for future in [pool.submit(in_thread, i) for i in order]:
                future.result()
    sections = [results[i] for i in range(total)]
    names = [name for name, _ in runnable]
    failed.sort(key=names.index)
    seconds = {name: seconds[name] for name in names if name in seconds}
    if progress:
        progress("done", total, total)
    meta = dict(ds.meta or {})
    backend = getattr(ds, "backend", None)
    return Report(
        title=str(meta.get("name") or "Community dataset"),
        meta=meta,
        extent=_extent(ds),
        sections=sections,
        created_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        engine=getattr(backend, "name", "unknown"),
        seconds=seconds,
        failed=failed,
    )


# --------------------------------------------------------------------------- JSON


def _jsonable(value: Any) -> Any:
    """Plain JSON values: numpy scalars unwrapped, NaN/inf -> None, times -> ISO 8601."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, pd.Timestamp | dt.datetime | dt.date):
        return value.isoformat()
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, bool | int | str) or value is None:
        return value
    return str(value)


def _records(frame: pd.DataFrame, max_rows: int | None) -> list[dict[str, Any]]:
    shown = frame if max_rows is None else frame.head(max_rows)
    records: list[dict[str, Any]] = json.loads(shown.to_json(orient="records", date_format="iso", default_handler=str))
    return records


def _chart_spec(chart: Any) -> dict[str, Any]:
    if isinstance(chart, dict):
        return chart
    spec: dict[str, Any] = chart.to_dict()
    return spec


def _specs(section: Section) -> tuple[list[dict[str, Any]], list[str]]:
    specs, problems = [], []
    for i, chart in enumerate(section.charts):
        try:
            specs.append(_chart_spec(chart))
        except Exception as exc:  # e.g. too many rows for an inline chart
            problems.append(f"chart {i + 1} could not be drawn: {type(exc).__name__}: {exc}")
    return specs, problems


def to_json(report: Report, *, max_rows: int | None = None) -> dict[str, Any]:
    """The report as plain JSON: metadata, extent, and per section headline, tables, charts, notes.

    ``max_rows`` caps the rows written per table (all rows when ``None``).
    """
    sections = []
    for section in report.sections:
        specs, problems = _specs(section)
        sections.append(
            {
                "key": section.key,
                "title": section.title,
                "headline": _jsonable(section.headline),
                "tables": {name: _records(frame, max_rows) for name, frame in section.tables.items()},
                "charts": specs,
                "notes": list(section.notes) + problems,
                # A store that keeps JSON objects without their key order (PostgreSQL's jsonb)
                # loses the order the section chose for its figures and columns: kept apart.
                "order": {
                    "headline": [str(name) for name in section.headline],
                    "tables": {name: [str(c) for c in frame.columns] for name, frame in section.tables.items()},
                },
            }
        )
    return {
        "title": report.title,
        "meta": _jsonable(report.meta),
        "extent": _jsonable(report.extent),
        "created_at": report.created_at,
        "engine": report.engine,
        "seconds": report.seconds,
        "failed": report.failed,
        "sections": sections,
    }


# --------------------------------------------------------------------------- HTML

_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 auto;
       max-width: 1180px; padding: 1.5rem; color: #1d1d1f; line-height: 1.45; }
header { border-bottom: 2px solid #ddd; margin-bottom: 1.5rem; }
h1 { margin-bottom: .3rem; } h2 { margin-top: 2.5rem; border-bottom: 1px solid #eee; }
.attribution { background: #f6f6f6; padding: .6rem .9rem; font-size: .9rem; }
.scroll-x { overflow-x: auto; max-width: 100%; }
.row { display: flex; flex-wrap: wrap; gap: 1.5rem; align-items: flex-start; }
.charts { flex: 1 1 560px; min-width: 320px; } .chart { margin-bottom: 1rem; }
.numbers { flex: 0 1 320px; }
table { border-collapse: collapse; font-size: .85rem; margin: .5rem 0 1rem; }
th, td { border-bottom: 1px solid #e3e3e3; padding: .2rem .5rem; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
details { margin: .4rem 0; } summary { cursor: pointer; font-weight: 600; }
.failed { color: #a00; } .notes li { margin: .2rem 0; } nav li { margin: .1rem 0; }
.small { font-size: .85rem; color: #555; }
.vega-embed { position: relative; display: inline-block; max-width: 100%; }
#vg-tooltip-element { visibility: hidden; padding: 8px; position: fixed; z-index: 1000; font: 11px sans-serif;
  border-radius: 3px; box-shadow: 2px 2px 4px rgba(0,0,0,.1); background: rgba(255,255,255,.95);
  border: 1px solid #d9d9d9; color: #000; }
#vg-tooltip-element.visible { visibility: visible; } #vg-tooltip-element h2 { margin: 0 0 10px; font-size: 13px; }
#vg-tooltip-element table { border-spacing: 0; margin: 0; font-size: 11px; }
#vg-tooltip-element td { border: 0; padding: 2px 0; } #vg-tooltip-element td.key { color: #808080; text-align: right;
  padding-right: 4px; } #vg-tooltip-element td.value { max-width: 300px; text-align: left; }
"""


def vega_bundle() -> str:
    """Vega, Vega-Lite, vega-embed and vega-tooltip in one script, as vl-convert-python ships them (a few seconds the first time in a process)."""
    import vl_convert as vlc
    from altair.utils._importers import vl_version_for_vl_convert

    # The stub marks `snippet` as required; the function's own signature defaults it to None
    # (the default snippet that puts vegaEmbed, vegaLite and vega on window).
    return vlc.javascript_bundle(vl_version=vl_version_for_vl_convert())  # type: ignore[call-arg]


def reader_for(language: str = "en", currency: str = "EUR") -> Reader:
    """The report's reader in ``language``, translated from the site's catalogue (English where it has none)."""
    if language == "en":
        return Reader(language="en", currency=currency)
    catalogue = gettext.translation("django", localedir=_LOCALE, languages=[language], fallback=True)
    return Reader(language=language, gettext=catalogue.gettext, currency=currency)


def _headline_table(key: str, headline: dict[str, Any], read: Reader) -> str:
    if not headline:
        return ""
    rows = "".join(
        f"<tr><th title='{html.escape(read.explanation(key, k))}'>{html.escape(read.label(key, str(k)))}</th>"
        f"<td class='num'>{html.escape(read.value(key, str(k), _jsonable(v)))}</td></tr>"
        for k, v in headline.items()
    )
    return f"<table class='headline'>{rows}</table>"


def _frame_table(key: str, name: str, frame: pd.DataFrame, read: Reader) -> str:
    shown = frame.head(_HTML_ROWS)
    columns = [str(c) for c in shown.columns]
    head = "".join(
        f"<th title='{html.escape(read.explanation(key, c))}'>{html.escape(read.label(key, c))}</th>" for c in columns
    )
    body = []
    for row in shown.itertuples(index=False):
        values = dict(zip(columns, (_jsonable(v) for v in row), strict=True))
        currency = values.get("currency") if isinstance(values.get("currency"), str) else None
        cells = []
        for column, value in values.items():
            css = " class='num'" if isinstance(value, int | float) and not isinstance(value, bool) else ""
            cells.append(f"<td{css}>{html.escape(read.value(key, column, value, currency=currency))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    more = ""
    if len(frame) > _HTML_ROWS:
        more = " " + read.gettext(_FIRST_ROWS).format(shown=_HTML_ROWS, total=read.number(len(frame)))
    link = ""
    if len(frame) <= _CSV_LINK_ROWS:
        # for people to open in a spreadsheet: a cell that starts like a formula is neutralised
        csv_text = spreadsheet_csv(
            [read.label(key, c) for c in columns],
            ([_jsonable(v) for v in row] for row in frame.itertuples(index=False)),
        )
        data = base64.b64encode(csv_text.encode("utf-8")).decode("ascii")
        link = f" <a download='{html.escape(name)}.csv' href='data:text/csv;charset=utf-8;base64,{data}'>CSV</a>"
    return (
        f"<details><summary>{html.escape(read.table(name))}{more}</summary>{link}"
        f"<div class='scroll-x'><table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
        "</details>"
    )


_SCRIPT_ESCAPES = str.maketrans({"<": "\\u003C", ">": "\\u003E", "&": "\\u0026"})


def _script_json(value: Any) -> str:
    """JSON safe to place inside a <script> element: no "<", ">" or "&" in it (as Django's json_script)."""
    return json.dumps(value, ensure_ascii=False, default=str).translate(_SCRIPT_ESCAPES)


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def _policy(scripts: Sequence[str]) -> str:
    """A Content-Security-Policy for the page: only its own style and scripts (by hash), nothing fetched.

    The file is opened from disk, where no server sends a header; the same policy in a
    meta element means that markup slipped into the data could not run a script.
    """
    script_src = " ".join(_csp_hash(s) for s in scripts) or "'none'"
    return (
        f"default-src 'none'; script-src {script_src}; style-src {_csp_hash(_STYLE)}; img-src data:; "
        "base-uri 'none'; form-action 'none'"
    )


def to_html(report: Report, read: Reader | None = None) -> str:
    """One self-contained HTML page: charts drawn offline, numbers beside them, attribution.

    The vega, vega-lite and vega-embed scripts are embedded in the page, so it opens
    from disk without a network connection. ``read`` gives the language and currency
    (English and euros when none is given).
    """
    read = read or reader_for()
    meta = report.meta
    chart_specs: list[tuple[str, dict[str, Any]]] = []
    parts: list[str] = []
    nav = []
    for i, section in enumerate(report.sections):
        anchor = f"s{i}-{section.key}"
        css = " class='failed'" if section.key in report.failed else ""
        title = read.title(section.key, section.title)
        nav.append(f"<li><a href='#{anchor}'{css}>{html.escape(title)}</a></li>")
        specs, problems = _specs(section)
        charts = []
        for spec in specs:
            div = f"chart{len(chart_specs)}"
            chart_specs.append((div, read.spec(spec, section.key)))
            charts.append(f"<div class='chart' id='{div}'></div>")
        notes = [read.note(note) for note in section.notes] + problems
        notes_html = (
            "<ul class='notes'>" + "".join(f"<li>{html.escape(n)}</li>" for n in notes) + "</ul>" if notes else ""
        )
        tables = "".join(_frame_table(section.key, name, frame, read) for name, frame in section.tables.items())
        seconds = report.seconds.get(section.key)
        timing = (
            f"<p class='small'>{html.escape(read.gettext(_COMPUTED_IN).format(seconds=read.number(round(seconds, 2))))}</p>"
            if seconds is not None
            else ""
        )
        parts.append(
            f"<section id='{anchor}'><h2{css}>{html.escape(title)}</h2>"
            f"<div class='row'><div class='charts'>{''.join(charts)}</div>"
            f"<div class='numbers'>{_headline_table(section.key, section.headline, read)}{timing}</div></div>"
            f"{notes_html}{tables}</section>"
        )
    extent = report.extent
    facts = {
        "members": extent.get("members"),
        "ideas": extent.get("ideas"),
        "events": extent.get("events"),
        "first_event": extent.get("first_event"),
        "last_event": extent.get("last_event"),
        "engine": report.engine,
        "report_made": report.created_at,
    }
    source = meta.get("source")
    licence = meta.get("licence")
    attribution = meta.get("attribution")
    credit = ""
    if source or licence or attribution:
        credit = (
            "<div class='attribution'>"
            + (f"<p><b>{html.escape(read.gettext(_SOURCE))}</b> {html.escape(str(source))}</p>" if source else "")
            + (f"<p><b>{html.escape(read.gettext(_LICENCE))}</b> {html.escape(str(licence))}</p>" if licence else "")
            + (
                f"<p><b>{html.escape(read.gettext(_ATTRIBUTION))}</b> {html.escape(str(attribution))}</p>"
                if attribution
                else ""
            )
            + "</div>"
        )
    scripts = ""
    inline_scripts: list[str] = []
    if chart_specs:
        embeds = "\n".join(
            f"<script type='application/json' id='{div}-spec'>{_script_json(spec)}</script>"
            for div, spec in chart_specs
        )
        ids = _script_json([div for div, _ in chart_specs])
        # Vega's expressions run in its interpreter (ast), not through eval, and vega-embed
        # adds no style element: the page's own style covers the charts and their tooltips.
        draw = (
            f"\nfor (const id of {ids}) {{\n"
            "  const spec = JSON.parse(document.getElementById(id + '-spec').textContent);\n"
            "  vegaEmbed('#' + id, spec, {actions: false, renderer: 'svg', ast: true, defaultStyle: false,"
            f" tooltip: {{disableDefaultStyle: true}}, ...{_script_json(vega_locale(read.language))}}})"
            ".catch(err => { document.getElementById(id).textContent = String(err); });\n"
            "}\n"
        )
        inline_scripts = [vega_bundle(), draw]
        scripts = f"<script>{inline_scripts[0]}</script>\n{embeds}\n<script>{draw}</script>"
    heading = html.escape(read.gettext(_HEADING).format(title=report.title))
    return (
        f"<!DOCTYPE html>\n<html lang='{html.escape(read.language)}'><head><meta charset='utf-8'>"
        f'<meta http-equiv="Content-Security-Policy" content="{_policy(inline_scripts)}">'
        f"<title>{heading}</title><style>{_STYLE}</style></head><body>"
        f"<header><h1>{heading}</h1>{_headline_table('report', facts, read)}{credit}</header>"
        f"<nav><ol>{''.join(nav)}</ol></nav>{''.join(parts)}{scripts}</body></html>\n"
    )
