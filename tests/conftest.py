"""Shared fixtures: members of each role, a campaign and an idea, through the real services."""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.test import Client

from tests.migrated import migrated_template, shared_folder

_counter = itertools.count(1)
_clock_ahead: list[time_machine.travel] = []


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--clock-ahead",
        type=int,
        default=0,
        metavar="DAYS",
        help="Run the suite with the clock moved DAYS ahead (still ticking): a test that depends on today's "
        "date without freezing the clock fails here before it fails on the calendar.",
    )
    parser.addoption(
        "--screenshots",
        action="store_true",
        help="The browser tests save their screenshots into docs/screenshots (otherwise into a temporary folder).",
    )


def pytest_configure(config: pytest.Config) -> None:
    days = config.getoption("--clock-ahead")
    if days:
        travel = time_machine.travel(datetime.now(UTC) + timedelta(days=days), tick=True)
        travel.start()
        _clock_ahead.append(travel)


def pytest_unconfigure(config: pytest.Config) -> None:
    while _clock_ahead:
        _clock_ahead.pop().stop()


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Each test starts with an empty cache: allauth counts sign-ups, resets and confirmation mails
    per address and per IP there, and one test's count must not refuse the next test's request."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True, scope="session")
def _seed_after_flush() -> None:
    """A transactional test ends with a flush, which empties the decline reasons that
    migration 0003 writes; put them back, so that every test starts from what a new
    site has (the flush sends ``post_migrate``: the sites app relies on it the same way)."""
    import importlib

    from django.apps import apps
    from django.db.models.signals import post_migrate

    seed = importlib.import_module("prosumo.ideas.migrations.0003_decline_reasons")

    def reseed(sender: Any, using: str = "default", **kwargs: Any) -> None:
        seed.add(apps, None)

    post_migrate.connect(reseed, sender=apps.get_app_config("ideas"), weak=False, dispatch_uid="test-seed")


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file that `prosumo migrate` made, built once per run and shared by every worker.

    Tests that start a site in real processes copy it (`tests.migrated.copy_migrated`)
    instead of running the migrations again; tests/core/test_file_modes.py and the backup
    tests still run `prosumo migrate` itself.
    """
    return migrated_template(shared_folder(tmp_path_factory) / "migrated-sqlite")


def pytest_report_header(config: pytest.Config) -> str | None:
    days = config.getoption("--clock-ahead")
    return f"clock moved {days} days ahead: now is {datetime.now(UTC):%Y-%m-%d %H:%M} UTC" if days else None


@pytest.fixture
def make_member(db: Any) -> Callable[..., Any]:
    from prosumo.community.bootstrap import create_verified_member

    def make(role: str = "member", **extra: Any) -> Any:
        n = next(_counter)
        extra.setdefault("display_name", f"{role.capitalize()} {n}")
        return create_verified_member(email=f"{role}{n}@example.org", password="correct horse 12", role=role, **extra)

    return make


@pytest.fixture
def member(make_member: Callable[..., Any]) -> Any:
    return make_member()


@pytest.fixture
def admin(make_member: Callable[..., Any]) -> Any:
    return make_member("admin")


@pytest.fixture
def reviewer(make_member: Callable[..., Any]) -> Any:
    return make_member("reviewer")


@pytest.fixture
def moderator(make_member: Callable[..., Any]) -> Any:
    return make_member("moderator")


@pytest.fixture
def make_campaign(admin: Any) -> Callable[..., Any]:
    from prosumo.ideas.services import campaign_create

    def make(**fields: Any) -> Any:
        fields.setdefault("title", f"Campaign {next(_counter)}")
        fields.setdefault("brief", "Tell us how to make our tents better for families.")
        return campaign_create(actor=admin, **fields)

    return make


@pytest.fixture
def campaign(make_campaign: Callable[..., Any]) -> Any:
    return make_campaign(support_threshold=3)


@pytest.fixture
def make_idea(campaign: Any, django_capture_on_commit_callbacks: Any) -> Callable[..., Any]:
    from prosumo.ideas.services import idea_submit

    def make(author: Any, in_campaign: Any = None, **fields: Any) -> Any:
        fields.setdefault("title", "A tent that pitches itself in one minute")
        fields.setdefault("body", "Pre-bent poles attached to the fabric so that the tent unfolds like an umbrella.")
        with django_capture_on_commit_callbacks(execute=True):
            return idea_submit(actor=author, campaign_id=(in_campaign or campaign).pk, **fields)

    return make


@pytest.fixture
def idea(make_idea: Callable[..., Any], member: Any) -> Any:
    return make_idea(member)


@pytest.fixture
def login() -> Callable[[Any], Client]:
    def as_member(member: Any) -> Client:
        client = Client()
        client.force_login(member)
        return client

    return as_member


NOBODY = 65534


@pytest.fixture
def read_only_media(settings: Any) -> Iterator[Path]:
    """``MEDIA_ROOT`` is a folder this process may read but not write, for the length of the test.

    File modes do not bind root, so when the suite runs as root the test gives up root's
    rights (the effective user and group become ``nobody``) until it ends; the database
    connection is already open, so only file writes feel it.
    """
    folder = Path(tempfile.mkdtemp(prefix="prosumo-read-only-media-"))
    (folder / "attachments").mkdir()
    folder.chmod(0o555)
    settings.MEDIA_ROOT = str(folder)
    as_root = os.geteuid() == 0
    if as_root:
        os.setegid(NOBODY)
        os.seteuid(NOBODY)
    try:
        yield folder
    finally:
        if as_root:
            os.seteuid(0)
            os.setegid(0)
        folder.chmod(0o755)
        shutil.rmtree(folder)


def files_in(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


@pytest.fixture(autouse=True)
def _language_reset() -> Iterator[None]:
    """Pages switch the thread's language per request; put it back so that no later test runs in Spanish."""
    yield
    from django.conf import settings
    from django.utils import translation

    if settings.configured:
        translation.deactivate()


@pytest.fixture
def busy_idea(
    idea: Any, make_member: Callable[..., Any], reviewer: Any, django_capture_on_commit_callbacks: Any
) -> Any:
    """An idea under review with a supporter, a comment that builds on it and the author's reply."""
    from prosumo.ideas.services import comment_post, stage_change, vote_cast

    supporter = make_member()
    vote_cast(actor=supporter, idea_id=idea.pk)
    comment = comment_post(actor=supporter, idea_id=idea.pk, body="What about **kids**?", builds_on=True)
    comment_post(actor=idea.author, idea_id=idea.pk, body="Good point, thanks", parent_id=comment.pk)
    with django_capture_on_commit_callbacks(execute=True):
        stage_change(
            actor=reviewer, idea_id=idea.pk, to_stage="under_review", message="Our team is reviewing this idea."
        )
    return idea
