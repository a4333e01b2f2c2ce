"""Real parts for the browser tests: Debian's Chromium driven by Playwright, and a real SMTP server.

* ``mailbox``: an aiosmtpd server on 127.0.0.1 and a free port that keeps every message
  it receives; Django sends to it through its SMTP backend (``smtp_mail``).
* ``browser``: Chromium from /usr/bin/chromium (Playwright's own download does not run here).
* ``new_page``: a fresh browser context (its own cookies: one person) and a page in it.

Playwright's sync API runs an event loop in the test's thread, which trips Django's
"no ORM calls from async code" guard when the test reads the database; the browser
fixture sets ``DJANGO_ALLOW_ASYNC_UNSAFE`` while the browser is open, and only then.
"""

from __future__ import annotations

import importlib
import os
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.smtp import Mailbox, send_to

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
VIEWPORT = {"width": 1280, "height": 800}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    from aiosmtpd.controller import Controller

    box = Mailbox(port=_free_port())
    controller = Controller(box, hostname="127.0.0.1", port=box.port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


@pytest.fixture
def smtp_mail(settings: Any, mailbox: Mailbox, live_server: Any) -> Mailbox:
    """Django sends mail over SMTP to `mailbox`, with links pointing at the live server."""
    send_to(settings, mailbox)
    settings.SITE_URL = live_server.url
    return mailbox


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not os.path.exists(CHROMIUM):
        pytest.fail(
            f"The browser tests need Debian's Chromium at {CHROMIUM}: run `apt-get install chromium` (or `make browser`)."
        )
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                yield chromium
            finally:
                chromium.close()


@pytest.fixture
def new_page(browser: Any) -> Iterator[Callable[[], Any]]:
    """Open a page in a fresh context: each call is another person at another computer."""
    contexts: list[Any] = []

    def open_page() -> Any:
        context = browser.new_context(viewport=VIEWPORT, locale="en-US")
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def screenshot(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[Any, str], Path]:
    """Save a full-page PNG of what the page shows, as docs/screenshots/<name>.png with `--screenshots`."""
    folder = SCREENSHOTS if request.config.getoption("--screenshots") else tmp_path
    folder.mkdir(parents=True, exist_ok=True)

    def save(page: Any, name: str) -> Path:
        path = folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save


@pytest.fixture
def restore_seed_data() -> Iterator[None]:
    """Put back what migrations seed, once the live-server test's database is flushed.

    A ``transactional_db`` test ends with ``flush``, which empties every model table,
    the decline reasons a data migration adds included, and leaves the full-text table
    (not a model) as it was. ``flush`` then sends ``post_migrate``, as Django's sites app
    relies on to recreate its row; a one-shot receiver does the same for these.
    """
    yield
    from django.apps import apps
    from django.db import connections
    from django.db.models.signals import post_migrate

    ideas = apps.get_app_config("ideas")
    seed = importlib.import_module("prosumo.ideas.migrations.0003_decline_reasons")

    def reseed(sender: Any, using: str = "default", **kwargs: Any) -> None:
        post_migrate.disconnect(reseed, sender=ideas)
        with connections[using].cursor() as cur:
            cur.execute("DELETE FROM idea_search")
        seed.add(apps, None)

    post_migrate.connect(reseed, sender=ideas, weak=False)
