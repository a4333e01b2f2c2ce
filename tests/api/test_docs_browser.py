"""The interactive API docs render in real Chromium with every request outside this server refused."""

from __future__ import annotations

import os

import pytest
from django.test import Client

CHROMIUM = "/usr/bin/chromium"
ORIGIN = "http://testserver"


@pytest.mark.browser
def test_swagger_ui_renders_offline(db, monkeypatch):
    # given: a browser whose every request is answered by Django's test client, or refused
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"This test needs Debian's Chromium at {CHROMIUM} (apt-get install chromium).")
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    client = Client()
    served: list[str] = []
    refused: list[str] = []

    def answer(route):
        url = route.request.url
        if not url.startswith(ORIGIN + "/"):
            refused.append(url)
            route.abort()
            return
        response = client.get(url.removeprefix(ORIGIN))
        body = b"".join(response.streaming_content) if response.streaming else response.content
        served.append(url.removeprefix(ORIGIN))
        route.fulfill(status=response.status_code, body=body, content_type=response["Content-Type"])

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page()
            page.set_default_timeout(15_000)
            page.route("**/*", answer)
            # when
            page.goto(f"{ORIGIN}/api/docs")
            page.wait_for_selector(".opblock")
            # then
            assert page.locator(".info .title").first.inner_text().startswith("Prosumo API")
            assert page.locator(".opblock").count() >= 25
            assert page.locator(".opblock-summary-path", has_text="/api/ideas/{idea_id}/vote").count() == 2
        finally:
            browser.close()
    assert refused == []
    assert "/api/openapi.json" in served
    assert "/api/docs/assets/swagger-ui-bundle.js" in served
