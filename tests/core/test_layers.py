"""The apps sit in layers, and the import contract in pyproject.toml keeps them there.

`make lint` runs import-linter on the source; these tests check that the contract would
catch an import against the order (inside a function too), and that no app is left out.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _layers() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    [contract] = [c for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "layers"]
    return [name.strip() for layer in contract["layers"] for name in layer.split("|")]


def test_every_django_app_has_its_place_in_the_layers():
    apps = {f"prosumo.{p.parent.name}" for p in (ROOT / "src" / "prosumo").glob("*/apps.py")}
    assert apps
    assert apps - set(_layers()) == set()


def test_an_import_against_the_layers_fails_the_contract(tmp_path):
    # given a copy of the source where core, the lowest layer, imports ideas inside a function
    source = tmp_path / "src"
    shutil.copytree(ROOT / "src" / "prosumo", source / "prosumo", ignore=shutil.ignore_patterns("__pycache__"))
    (source / "prosumo" / "core" / "upward.py").write_text(
        "def idea_count() -> int:\n    from prosumo.ideas.models import Idea\n\n    return Idea.objects.count()\n"
    )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    # when import-linter checks it
    env = {**os.environ, "PYTHONPATH": str(source)}
    done = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    # then the layers contract is broken, naming the import
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Apps in layers: each imports only the layers below it BROKEN" in done.stdout
    assert "prosumo.core.upward -> prosumo.ideas.models" in done.stdout
