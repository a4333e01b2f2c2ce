"""Command-line entry points of the analytics: ``analyze`` and ``import polis|fider|consul|decidim``.

The platform's ``prosumo`` command mounts them with :func:`register`; this module also
runs on its own (``python -m prosumo.analytics.cli analyze DATASET``). Bad input
(a dataset or export that does not follow its format) exits with code 2 and a message
naming the file, row and column.
"""

from __future__ import annotations

import json
import os
import warnings
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

__all__ = ["analyze", "app", "import_consul", "import_decidim", "import_fider", "import_polis", "register"]

BAD_INPUT = 2
_err = Console(stderr=True)


class Engine(StrEnum):
    """Where the metrics run."""

    duckdb = "duckdb"
    spark = "spark"


class Language(StrEnum):
    """The languages a report is written in."""

    en = "en"
    es = "es"


def _fail(message: str) -> typer.Exit:
    _err.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    return typer.Exit(code=BAD_INPUT)


def analyze(
    dataset: Annotated[
        str,
        typer.Argument(
            help="Dataset folder (Parquet or CSV tables + dataset.json); with --engine spark also a URI the "
            "cluster reads (hdfs://..., s3a://...)."
        ),
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="Where to write the HTML report.")] = Path("report.html"),
    json_path: Annotated[Path | None, typer.Option("--json", help="Also write the report as JSON here.")] = None,
    engine: Annotated[Engine, typer.Option("--engine", help="duckdb (default) or spark.")] = Engine.duckdb,
    spark_master: Annotated[
        str | None,
        typer.Option(
            "--spark-master",
            help="With --engine spark: a master URL (spark://host:7077, yarn, local[4]) or a Spark Connect "
            "address (sc://host:15002). Default: $PROSUMO_SPARK_MASTER, else the master spark-submit gives, "
            "else local mode on two cores.",
        ),
    ] = None,
    workers: Annotated[
        int, typer.Option("--workers", min=1, help="Sections computed at the same time (DuckDB only).")
    ] = min(2, os.cpu_count() or 1),
    language: Annotated[
        Language, typer.Option("--language", help="The report's language: en (default) or es.")
    ] = Language.en,
    currency: Annotated[
        str, typer.Option("--currency", help="Three-letter code of the dataset's money (default EUR).")
    ] = "EUR",
) -> None:
    """Analyse a community dataset and write a self-contained HTML report."""
    from prosumo.analytics.dataset import DatasetError, SettingError, duckdb_settings, load_dataset
    from prosumo.analytics.report import build_report, reader_for, to_html, to_json

    currency = currency.strip().upper()
    if len(currency) != 3 or not (currency.isascii() and currency.isalpha()):
        raise _fail(f"--currency: {currency!r} is not a three-letter currency code (EUR).")
    if spark_master and engine is not Engine.spark:
        raise _fail(f"--spark-master {spark_master}: the Spark master is used only with --engine spark.")
    if engine is Engine.spark:
        # PySpark 4.3 repeats, on every conversion, that pandas 3 is not fully
        # supported; results cross as Arrow, so the warning says nothing here.
        warnings.filterwarnings("ignore", "PySpark does not yet fully support", FutureWarning)
    try:
        if engine is Engine.duckdb:
            duckdb_settings()  # a setting that cannot be used fails before the tables are read
        ds = load_dataset(dataset, backend=engine.value, spark_master=spark_master)
    except (DatasetError, SettingError) as exc:
        raise _fail(str(exc)) from exc
    with Progress(
        TextColumn("[bold]{task.description:<14}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=_err,
        transient=False,
    ) as bar:
        task = bar.add_task("loading", total=None)

        def step(name: str, done: int, total: int) -> None:
            bar.update(task, description=name, completed=done, total=total)

        report = build_report(ds, progress=step, workers=workers)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(to_html(report, reader_for(language.value, currency)), encoding="utf-8")
    if json_path is not None:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(json.dumps(to_json(report), ensure_ascii=False, indent=1), encoding="utf-8")
    _err.print(f"report written to {out}" + (f" and {json_path}" if json_path else ""))
    if report.failed:
        _err.print(f"[yellow]sections that failed:[/] {', '.join(report.failed)} (see their notes)")


def import_polis(
    folder: Annotated[Path, typer.Argument(help="A Pol.is export folder (comments.csv, votes.csv, ...).")],
    dataset: Annotated[Path, typer.Argument(help="Dataset folder to write.")],
) -> None:
    """Turn a Pol.is open-data export into a community dataset."""
    from prosumo.analytics.dataset import DatasetError
    from prosumo.analytics.importers.polis import PolisFormatError, write_polis_dataset

    try:
        written = write_polis_dataset(folder, dataset)
    except (PolisFormatError, DatasetError) as exc:
        raise _fail(str(exc)) from exc
    _err.print(f"dataset written to {written}")


_Licence = Annotated[
    str | None,
    typer.Option(
        "--licence", help="The licence the data was published under, e.g. 'CC BY 4.0' (the export states none)."
    ),
]
_Attribution = Annotated[
    str | None,
    typer.Option("--attribution", help="Who to credit and how, as the licence asks (the export states none)."),
]


def _import(platform: str, folder: Path, dataset: Path, licence: str | None, attribution: str | None) -> None:
    from importlib import import_module

    from prosumo.analytics.dataset import DatasetError
    from prosumo.analytics.importers.common import ExportFormatError

    module = import_module(f"prosumo.analytics.importers.{platform}")
    try:
        written = getattr(module, f"write_{platform}_dataset")(
            folder, dataset, licence=licence, attribution=attribution
        )
    except (ExportFormatError, DatasetError) as exc:
        raise _fail(str(exc)) from exc
    _err.print(f"dataset written to {written}")
    if not licence:
        _err.print("[yellow]no licence recorded:[/] the export states none; give it with --licence and --attribution")


def import_fider(
    folder: Annotated[
        Path, typer.Argument(help="A Fider backup: the zip or its folder (users.json, posts.json, ...).")
    ],
    dataset: Annotated[Path, typer.Argument(help="Dataset folder to write.")],
    licence: _Licence = None,
    attribution: _Attribution = None,
) -> None:
    """Turn a Fider backup (users, posts, votes, comments) into a community dataset."""
    _import("fider", folder, dataset, licence, attribution)


def import_consul(
    folder: Annotated[
        Path,
        typer.Argument(
            help="CONSUL's public data downloads: a folder or zip (proposals.csv, comments.csv, votes.csv)."
        ),
    ],
    dataset: Annotated[Path, typer.Argument(help="Dataset folder to write.")],
    licence: _Licence = None,
    attribution: _Attribution = None,
) -> None:
    """Turn CONSUL's public downloads of proposals, comments and supports into a community dataset."""
    _import("consul", folder, dataset, licence, attribution)


def import_decidim(
    folder: Annotated[
        Path, typer.Argument(help="A Decidim open-data download: the zip or its folder (proposals, proposal comments).")
    ],
    dataset: Annotated[Path, typer.Argument(help="Dataset folder to write.")],
    licence: _Licence = None,
    attribution: _Attribution = None,
) -> None:
    """Turn a Decidim open-data download (proposals and their comments) into a community dataset."""
    _import("decidim", folder, dataset, licence, attribution)


def register(app: typer.Typer) -> None:
    """Add ``analyze`` and the ``import`` commands to a Typer app (the ``prosumo`` command)."""
    app.command("analyze")(analyze)
    importers = typer.Typer(help="Import another platform's export as a community dataset.")
    importers.command("polis")(import_polis)
    importers.command("fider")(import_fider)
    importers.command("consul")(import_consul)
    importers.command("decidim")(import_decidim)
    app.add_typer(importers, name="import")


app = typer.Typer(help="Prosumo analytics.", no_args_is_help=True)
register(app)

if __name__ == "__main__":
    app()
