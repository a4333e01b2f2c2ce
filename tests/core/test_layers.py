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
from typing import Any

import pytest

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


def _layer_of() -> dict[str, int]:
    """Each Django app's label and its layer's place, lowest first (core is 0)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    [contract] = [c for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "layers"]
    return {
        name.strip().removeprefix("prosumo."): place
        for place, layer in enumerate(reversed(contract["layers"]))
        for name in layer.split("|")
    }


def migrations_against_the_layers(graph: Any, layer_of: dict[str, int]) -> list[str]:
    """The migration dependencies that go to an app above their own, or beside it in its layer."""
    wrong = []
    for app, name in sorted(graph.nodes):
        if app not in layer_of:
            continue  # Django's own apps and allauth's sit below all of ours
        for parent_app, parent_name in sorted(parent.key for parent in graph.node_map[(app, name)].parents):
            if parent_app != app and parent_app in layer_of and layer_of[parent_app] >= layer_of[app]:
                wrong.append(f"{app}.{name} -> {parent_app}.{parent_name}")
    return wrong


@pytest.mark.django_db
def test_migrations_depend_only_on_apps_below_their_own():
    from django.db.migrations.loader import MigrationLoader

    # given every app's migrations, as Django orders them
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    layer_of = _layer_of()
    assert {"core", "activity", "community", "ideas", "integrations"} <= set(layer_of)
    # then no migration waits for one of an app above its own
    assert migrations_against_the_layers(graph, layer_of) == []


def test_the_migration_check_names_a_dependency_against_the_layers():
    from django.db.migrations.graph import MigrationGraph

    # given a graph where community's second migration waits for ideas' first
    graph = MigrationGraph()
    for key in [("community", "0001_initial"), ("community", "0002_up"), ("ideas", "0001_initial")]:
        graph.add_node(key, None)
    graph.add_dependency("community.0002_up", ("community", "0002_up"), ("community", "0001_initial"))
    graph.add_dependency("community.0002_up", ("community", "0002_up"), ("ideas", "0001_initial"))
    graph.add_dependency("ideas.0001_initial", ("ideas", "0001_initial"), ("community", "0001_initial"))
    # then the check names that dependency, and only it
    assert migrations_against_the_layers(graph, _layer_of()) == ["community.0002_up -> ideas.0001_initial"]
