"""Every domain app has the same files, so that a reader finds each concern in the same place.

An app that lacks one has no such concern of its own, and says why in `EXCEPTIONS`;
docs/architecture.md shows the same list as a table ("What goes in each file"). There
are no empty files to satisfy the rule: a concern an app does not have is an exception.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ROOT / "src" / "prosumo"
DOCS = ROOT / "docs" / "architecture.md"

#: What every domain app holds: a module, a package of that name (``services/``) or, for templates, a folder.
FILES = (
    "models",
    "services",
    "selectors",
    "permissions",
    "api",
    "views",
    "urls",
    "templates",
    "tasks",
    "admin",
    "apps",
)

#: Django apps that are not domain apps: they hold no part of Prosumo's domain.
NOT_DOMAIN = {
    "core": "what any web application needs (errors, mail outbox, tasks, scheduler), with nothing of the domain",
    "web": "the shell around the apps' pages: base templates, home page, context, middleware, sign-up hooks",
}

#: (app, file) -> why the app has no such file.
EXCEPTIONS = {
    (
        "activity",
        "permissions",
    ): "the event log has no rule of its own: Insights and a member's copy read it under theirs",
    ("activity", "api"): "no endpoint reads the log directly; Insights and the dataset export present it",
    ("activity", "views"): "no page of its own: the log appears in the pages of the apps that read it",
    ("activity", "urls"): "no page of its own",
    ("activity", "templates"): "no page of its own",
    (
        "notifications",
        "permissions",
    ): "a member reads and marks only their own notifications, which the selectors and services take; who may read an idea's news is ideas' rule, registered in ideas' apps.py",
    ("integrations", "views"): "webhooks are managed through the API and the Django admin; no page",
    ("integrations", "urls"): "no page",
    ("integrations", "templates"): "no page",
    (
        "provenance",
        "permissions",
    ): "its pages use the idea's reading rule (`ideas.permissions.access_idea`) and the staff rule (`community.permissions.require_staff_page`) unchanged",
    (
        "provenance",
        "api",
    ): "a certificate is downloaded as a JSON file from its page, for `prosumo verify`; no endpoint",
    (
        "rewards",
        "tasks",
    ): "points are awarded by its reactions, which the event outbox's task runs; its news goes out through notifications",
    ("insights", "admin"): "runs are started and read on the Insights pages; nothing to edit by hand",
}


def _domain_apps() -> list[str]:
    return sorted(p.parent.name for p in APPS.glob("*/apps.py") if p.parent.name not in NOT_DOMAIN)


def _has(app: str, name: str) -> bool:
    here = APPS / app
    if name == "templates":
        return any(p.is_file() for p in (here / "templates").rglob("*"))
    return (here / f"{name}.py").is_file() or (here / name / "__init__.py").is_file()


def test_every_domain_app_has_the_same_files_or_says_why_not():
    apps = _domain_apps()
    assert {"community", "ideas", "rewards"} <= set(apps)
    missing = {(app, name) for app in apps for name in FILES if not _has(app, name)}
    unexplained = sorted(missing - set(EXCEPTIONS))
    assert unexplained == [], f"add the file, or an exception with its reason here and in {DOCS.name}"


def test_no_exception_outlives_its_reason():
    # an app that gained the file, or left, no longer needs its exception
    apps = set(_domain_apps())
    stale = sorted((app, name) for app, name in EXCEPTIONS if app not in apps or _has(app, name))
    assert stale == []


def test_the_architecture_page_lists_the_same_exceptions():
    text = DOCS.read_text()
    rows = re.findall(r"^\| `(\w+)` \| `(\w+)` \| (.+?) \|$", text, flags=re.MULTILINE)
    assert {(app, name): why for app, name, why in rows} == EXCEPTIONS
    assert len(rows) == len(EXCEPTIONS)
