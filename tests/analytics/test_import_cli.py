"""``prosumo import fider|consul|decidim``: the samples import and analyse; bad input exits 2."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from prosumo.analytics.cli import app

SAMPLES = Path(__file__).parent / "samples"
runner = CliRunner()


def test_each_sample_imports_and_analyses(tmp_path):
    for platform, members in (("fider", 8), ("consul", 1), ("decidim", 7)):
        # given
        dataset = tmp_path / platform
        # when
        imported = runner.invoke(
            app, ["import", platform, str(SAMPLES / platform), str(dataset), "--licence", "CC BY 4.0"]
        )
        analysed = runner.invoke(
            app, ["analyze", str(dataset), "--out", str(tmp_path / "r.html"), "--json", str(tmp_path / "r.json")]
        )
        # then
        assert imported.exit_code == 0, imported.output
        assert "no licence recorded" not in imported.output
        assert analysed.exit_code == 0, analysed.output
        report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
        assert report["extent"]["members"] == members, platform
        assert "CC BY 4.0" in (tmp_path / "r.html").read_text(encoding="utf-8")


def test_a_bad_export_exits_2_with_its_file_row_and_column(tmp_path):
    # given
    (tmp_path / "backup").mkdir()
    for name in ("users.json", "posts.json", "comments.json"):
        (tmp_path / "backup" / name).write_text((SAMPLES / "fider" / name).read_text())
    (tmp_path / "backup" / "post_votes.json").write_text('[{"user_id": 1, "post_id": 11, "created_at": "soon"}]')
    # when
    result = runner.invoke(app, ["import", "fider", str(tmp_path / "backup"), str(tmp_path / "ds")])
    # then
    assert result.exit_code == 2
    assert "post_votes.json: row 1, column created_at: 'soon' is not a time (ISO 8601)" in result.output.replace(
        "\n", ""
    )
    assert not (tmp_path / "ds").exists()


def test_without_a_licence_the_import_says_so(tmp_path):
    # when
    result = runner.invoke(app, ["import", "fider", str(SAMPLES / "fider"), str(tmp_path / "ds")])
    # then
    assert result.exit_code == 0, result.output
    assert "no licence recorded: the export states none" in result.output.replace("\n", " ")
    assert json.loads((tmp_path / "ds" / "dataset.json").read_text())["licence"] is None
