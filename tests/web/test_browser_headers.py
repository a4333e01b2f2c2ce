"""The headers that tell browsers what a page may do: Content-Security-Policy and its neighbours."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from csp.decorators import csp_update
from csp.utils import build_policy
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from prosumo.core.headers import ContentSecurityPolicyMiddleware

ROOT = Path(__file__).resolve().parents[2]

POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}
PERMISSIONS = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), "
    "magnetometer=(), microphone=(), midi=(), payment=(), usb=(), browsing-topics=()"
)


def directives(header: str) -> dict[str, list[str]]:
    return {name: sources for name, *sources in (part.split() for part in header.split(";") if part.strip())}


@pytest.mark.parametrize("path", ["/", "/campaigns/", "/accounts/login/", "/api/docs", "/api/campaigns"])
def test_every_response_carries_the_policy_and_the_other_browser_headers(db, client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert directives(response["Content-Security-Policy"]) == POLICY
    assert response["Permissions-Policy"] == PERMISSIONS
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_staff_pages_and_the_admin_carry_it_too(admin, login, campaign):
    client = login(admin)
    for path in ("/staff/queue/", "/staff/insights/", "/admin/", f"/staff/campaigns/{campaign.pk}/edit/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert directives(response["Content-Security-Policy"]) == POLICY, path


def test_the_kept_policy_gives_way_to_a_nonce_a_view_change_and_a_new_setting():
    # given: one middleware instance, as a web process keeps it
    seen = {}

    def page(request):
        if request.path == "/nonce/":
            seen["nonce"] = str(request.csp_nonce)
        return HttpResponse("page")

    middleware = ContentSecurityPolicyMiddleware(page)
    factory = RequestFactory()
    # when / then: a response that changes nothing gets django-csp's own header
    plain = middleware(factory.get("/plain/"))["Content-Security-Policy"]
    assert plain == build_policy()
    assert directives(plain) == POLICY
    # a page that used the nonce names it
    with_nonce = middleware(factory.get("/nonce/"))["Content-Security-Policy"]
    assert f"'nonce-{seen['nonce']}'" in directives(with_nonce)["script-src"]
    # a view's own change is applied
    changed = ContentSecurityPolicyMiddleware(csp_update({"img-src": ["https://img.example.org"]})(page))
    assert directives(changed(factory.get("/plain/"))["Content-Security-Policy"])["img-src"] == [
        "'self'",
        "data:",
        "https://img.example.org",
    ]
    # and a changed setting is read again by the same instance
    with override_settings(CONTENT_SECURITY_POLICY={"DIRECTIVES": {"default-src": ["'none'"]}}):
        assert middleware(factory.get("/plain/"))["Content-Security-Policy"] == "default-src 'none'"
    assert middleware(factory.get("/plain/"))["Content-Security-Policy"] == plain


def test_no_page_template_has_inline_script_handlers_or_style_attributes():
    # given: every template the site renders itself
    templates = sorted((ROOT / "src" / "prosumo").glob("**/templates/**/*.html"))
    assert len(templates) > 20
    found = []
    for template in templates:
        text = template.read_text()
        for needle in (" style=", " onclick=", " onchange=", " onsubmit=", " onload=", " onerror=", "javascript:"):
            if needle in text:
                found.append(f"{template.relative_to(ROOT)}: {needle.strip()}")
        # an inline script is allowed only as JSON data (json_script) or with the policy's nonce
        for tag in text.split("<script")[1:]:
            head = tag.split(">", 1)[0]
            if "src=" not in head and 'type="application/json"' not in head and "CSP_NONCE" not in head:
                found.append(f"{template.relative_to(ROOT)}: inline <script{head}>")
    assert found == []


def settings_with(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Load the real settings in a fresh interpreter with these variables, and print the policy."""
    code = "import json; from prosumo import settings as s; print(json.dumps(s.CONTENT_SECURITY_POLICY, default=str))"
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "PROSUMO_SECRET_KEY": "x" * 50, **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def test_an_operator_adds_sources_for_their_own_scripts():
    # when
    run = settings_with(
        {
            "PROSUMO_CSP_EXTRA": "script-src https://stats.example.org; connect-src https://stats.example.org;"
            " frame-src https://video.example.org",
            "PROSUMO_CSP_REPORT_URI": "https://reports.example.org/csp",
        }
    )
    # then: sources are added to what the site needs, never in place of it
    assert run.returncode == 0, run.stderr
    policy = json.loads(run.stdout)["DIRECTIVES"]
    assert policy["script-src"] == ["'self'", "csp.constants.NONCE", "https://stats.example.org"]
    assert policy["connect-src"] == ["'self'", "https://stats.example.org"]
    assert policy["frame-src"] == ["'self'", "https://video.example.org"]
    assert policy["report-uri"] == ["https://reports.example.org/csp"]
    assert policy["style-src"] == ["'self'"]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            "scripts-src https://stats.example.org",
            "PROSUMO_CSP_EXTRA: 'scripts-src' is not a Content-Security-Policy directive that takes sources.",
        ),
        ("script-src", "PROSUMO_CSP_EXTRA: 'script-src' needs at least one source after it."),
        (
            "upgrade-insecure-requests yes",
            "PROSUMO_CSP_EXTRA: 'upgrade-insecure-requests' is not a Content-Security-Policy directive that takes "
            "sources.",
        ),
    ],
)
def test_a_mistyped_extra_policy_stops_the_site_from_starting(extra, message):
    run = settings_with({"PROSUMO_CSP_EXTRA": extra})
    assert run.returncode == 1
    assert run.stdout == ""
    assert run.stderr.strip().splitlines()[-1] == f"django.core.exceptions.ImproperlyConfigured: {message}"


def test_social_login_may_post_on_to_the_provider():
    run = settings_with({"PROSUMO_SOCIAL_PROVIDERS": "github"})
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["DIRECTIVES"]["form-action"] == ["'self'", "https:"]
