"""What the browser walks do the same way: the test members' password, and signing in."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

PASSWORD = "kayak paddles at dawn 42"


def log_in(page: Any, base: str, email: str, password: str = PASSWORD) -> None:
    """Sign in through the login page, and wait until the page says so."""
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    page.get_by_role("button", name=re.compile("sign in", re.I)).click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
