"""The analytics commands: ``analyze`` and ``import polis``, through Typer."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from prosumo.analytics.cli import app, register

SAMPLE = Path(__file__).parent / "data" / "polis_sample"
runner = CliRunner()


def test_import_then_analyze(tmp_path):
    # given
    dataset = tmp_path / "ds"
    # when
    imported = runner.invoke(app, ["import", "polis", str(SAMPLE), str(dataset)])
    analysed = runner.invoke(
        app,
        [
            "analyze",
            str(dataset),
            "--out",
            str(tmp_path / "r.html"),
            "--json",
            str(tmp_path / "r.json"),
            "--language",
            "es",
        ],
    )
    # then
    assert imported.exit_code == 0, imported.output
    assert analysed.exit_code == 0, analysed.output
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>\n<html lang='es'>")
    assert "<h1>Informe de Prosumo — " in page
    assert "<h2>¿Qué grupos de opinión hay, y qué los une o los divide?</h2>" in page
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert report["extent"]["members"] == 39
    assert "opinions" in [s["key"] for s in report["sections"]]


def test_bad_dataset_exits_2_naming_file_row_and_column(tmp_path):
    # given
    runner.invoke(app, ["import", "polis", str(SAMPLE), str(tmp_path / "ds")])
    (tmp_path / "ds" / "members.parquet").unlink()
    (tmp_path / "ds" / "members.csv").write_text(
        "member_id,joined_at,is_staff\n0,2017-07-16T00:00:00Z,false\n1,not a time,false\n"
    )
    # when
    result = runner.invoke(app, ["analyze", str(tmp_path / "ds"), "--out", str(tmp_path / "r.html")])
    # then
    assert result.exit_code == 2
    assert "members.csv, row 2, column joined_at: unparsable timestamp" in result.output
    assert not (tmp_path / "r.html").exists()


def test_a_currency_that_is_not_a_code_exits_2_and_writes_nothing(tmp_path):
    # when
    result = runner.invoke(
        app, ["analyze", str(tmp_path / "ds"), "--out", str(tmp_path / "r.html"), "--currency", "euro"]
    )
    # then
    assert result.exit_code == 2
    assert "--currency: 'EURO' is not a three-letter currency code (EUR)." in result.output
    assert not (tmp_path / "r.html").exists()


def test_bad_polis_export_exits_2(tmp_path):
    # given
    (tmp_path / "conv").mkdir()
    (tmp_path / "conv" / "comments.csv").write_text("timestamp,comment-id\n1,0\n")
    (tmp_path / "conv" / "votes.csv").write_text("timestamp,comment-id,voter-id,vote\n")
    # when
    result = runner.invoke(app, ["import", "polis", str(tmp_path / "conv"), str(tmp_path / "ds")])
    # then
    assert result.exit_code == 2
    assert "comments.csv: missing column author-id, moderated, comment-body" in result.output.replace("\n", "")
    assert not (tmp_path / "ds").exists()


def test_register_mounts_the_commands_on_another_app(tmp_path):
    # given
    host = typer.Typer()

    @host.command()
    def version() -> None:
        """Another command of the host."""

    register(host)
    # when
    result = runner.invoke(host, ["import", "polis", str(SAMPLE), str(tmp_path / "ds")])
    # then
    assert result.exit_code == 0, result.output
    assert (tmp_path / "ds" / "events.parquet").exists()


def test_a_spark_master_without_the_spark_engine_exits_2_and_writes_nothing(tmp_path):
    # given
    dataset = tmp_path / "ds"
    runner.invoke(app, ["import", "polis", str(SAMPLE), str(dataset)])
    # when
    result = runner.invoke(
        app, ["analyze", str(dataset), "--spark-master", "sc://spark:15002", "--out", str(tmp_path / "r.html")]
    )
    # then
    assert result.exit_code == 2
    assert "the Spark master is used only with --engine spark" in result.output
    assert not (tmp_path / "r.html").exists()


def test_a_uri_on_duckdb_exits_2_and_says_to_use_spark(tmp_path):
    # when
    result = runner.invoke(app, ["analyze", "hdfs://namenode/communities/acme", "--out", str(tmp_path / "r.html")])
    # then
    assert result.exit_code == 2
    assert "hdfs://namenode/communities/acme: a URI is read by a Spark cluster" in result.output
    assert not (tmp_path / "r.html").exists()
