"""Every kind of page under the Content-Security-Policy, in real Chromium: nothing refused, charts drawn.

The browser reports each thing the policy refuses as a ``securitypolicyviolation``
event on the document; a script added before any page script collects them, and the
test also fails on any console error or uncaught exception. A page that needed an
inline script, a style attribute, eval or a file from another site fails here.

To check a new page, add its path to ``PAGES`` under the person who may see it; the
placeholders are filled from the ``site`` fixture.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.session import PASSWORD, log_in

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]

HOSTILE_SEGMENT = "</script><img src=x onerror=alert(1)>"

#: (who is signed in, path) for every kind of page; "{name}" is filled from the site fixture.
PAGES: list[tuple[str, str]] = [
    ("visitor", "/"),
    ("visitor", "/campaigns/"),
    ("visitor", "/accounts/login/"),
    ("visitor", "/accounts/signup/"),
    ("visitor", "/accounts/password/reset/"),
    ("member", "/"),
    ("member", "/c/{campaign}/"),
    ("member", "/c/{campaign}/?stage=open"),
    ("member", "/c/{campaign}/submit/"),
    ("member", "/ideas/{idea}/"),
    ("member", "/ideas/{idea}/revisions/"),
    ("member", "/members/{member}/"),
    ("member", "/me/"),
    ("member", "/notifications/"),
    ("member", "/accounts/email/"),
    ("member", "/accounts/password/change/"),
    ("member", "/api/docs"),
    ("admin", "/ideas/{idea}/"),
    ("admin", "/members/{member}/"),
    ("admin", "/staff/queue/"),
    ("admin", "/staff/duplicates/"),
    ("admin", "/staff/moderation/"),
    ("admin", "/staff/invite/"),
    ("admin", "/staff/campaigns/"),
    ("admin", "/staff/campaigns/new/"),
    ("admin", "/staff/campaigns/{campaign_id}/edit/"),
    ("admin", "/staff/import/"),
    ("admin", "/staff/import/{import_job}/"),
    ("admin", "/staff/insights/"),
    ("admin", "/staff/insights/{run}/involvement/"),
    ("admin", "/admin/"),
    ("admin", "/admin/community/member/"),
    ("admin", "/admin/community/member/{member}/change/"),
    ("admin", "/admin/ideas/idea/{idea}/change/"),
]

WATCH = """
window.__policyViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__policyViolations.push(
    [e.effectiveDirective, e.blockedURI, e.sourceFile + ":" + e.lineNumber, e.sample].join(" | ")
  );
});
"""


@pytest.fixture
def community(
    restore_seed_data: None, transactional_db: Any, django_capture_on_commit_callbacks: Any
) -> dict[str, Any]:
    """An admin, a member, a campaign with an idea and a comment, and a finished customer import."""
    from prosumo.community.bootstrap import create_verified_member
    from prosumo.ideas.services import campaign_create, comment_post, idea_submit

    admin = create_verified_member(email="admin@example.org", password=PASSWORD, role="admin", superuser=True)
    member = create_verified_member(email="member@example.org", password=PASSWORD, display_name="Trail Member")
    with django_capture_on_commit_callbacks(execute=True):
        campaign = campaign_create(
            actor=admin, title="Outdoor gear ideas", brief="Tell us **what** to make.", support_threshold=10
        )
        idea = idea_submit(
            actor=member,
            campaign_id=campaign.pk,
            title="Solar-powered lantern with USB charging",
            body="A lantern with a *solar panel* on top.",
            accept_terms=1,  # the demo's contribution terms
            licence="non_exclusive",
        )
        comment_post(actor=admin, idea_id=idea.pk, body="Thank you, we will look at panel sizes.", accept_terms=1)
    return {
        "admin": admin,
        "member": member,
        "ids": {"campaign": campaign.slug, "campaign_id": campaign.pk, "idea": idea.pk, "member": member.pk},
    }


@pytest.fixture
def demo(restore_seed_data: None, transactional_db: Any) -> None:
    """The demo community's 120 members and their activity, loaded first (it numbers its own rows)."""
    from prosumo.demo.loader import load_demo

    load_demo(members=120, seed=5)


@pytest.fixture
def site(demo: None, community: dict[str, Any], django_capture_on_commit_callbacks: Any) -> dict[str, Any]:
    """The community and the demo's members, ten of them in a segment whose name is HTML; insights computed."""
    from prosumo.community.imports import customer_import_create
    from prosumo.community.models import CustomerImport, Member
    from prosumo.insights.models import InsightRun
    from prosumo.insights.services import insights_request

    emails = list(Member.objects.filter(role="member").order_by("pk").values_list("email", flat=True)[:10])
    rows = "".join(f'C-{i},{email},"{HOSTILE_SEGMENT}",100,ES\n' for i, email in enumerate(emails))
    with django_capture_on_commit_callbacks(execute=True):
        customer_import_create(
            actor=community["admin"],
            file_name="tiers.csv",
            data=("customer_id,email,tier,spend,country\n" + rows).encode(),
        )
    with django_capture_on_commit_callbacks(execute=True):
        insights_request(actor=community["admin"])
    run = InsightRun.objects.get()
    assert run.status == InsightRun.Status.DONE, run.error
    ids = {**community["ids"], "import_job": CustomerImport.objects.get().pk, "run": run.pk}
    return {**community, "ids": ids, "charts": len(run.section("involvement")["charts"])}


def watched_page(new_page: Callable[[], Any], problems: list[str]) -> Any:
    page = new_page()
    # The first Insights page builds the Vega bundle (two seconds of CPU, more while the other
    # test processes share the two cores); this test is about the policy, not about speed.
    page.set_default_timeout(30_000)
    page.set_default_navigation_timeout(30_000)
    page.add_init_script(WATCH)

    def console(message: Any) -> None:
        # the browser asks every site for /favicon.ico; this one has none, which is not a fault of the page
        if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
            problems.append(f"console {message.type}: {message.text} at {message.location}")

    page.on("console", console)
    page.on("pageerror", lambda e: problems.append(f"uncaught: {e}"))
    page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
    return page


def test_no_page_breaks_the_policy_and_charts_still_draw(
    site: dict[str, Any], live_server: Any, new_page: Callable[[], Any]
) -> None:
    base = live_server.url
    problems: list[str] = []
    pages = {"visitor": watched_page(new_page, problems)}
    for who in ("member", "admin"):
        pages[who] = watched_page(new_page, problems)
        log_in(pages[who], base, site[who].email)
    seen: dict[str, list[str]] = {}
    for who, path in PAGES:
        page = pages[who]
        url = base + path.format(**site["ids"])
        response = page.goto(url)
        assert response is not None, url
        assert response.status == 200, url
        assert "default-src 'self'" in response.headers["content-security-policy"], url
        page.wait_for_load_state("networkidle")
        if path == "/api/docs":
            expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
        if "/staff/insights/" in path and path.endswith("/involvement/"):
            # the charts are drawn (as SVG, by the site's own Vega), the hostile name shown as text only
            expect(page.locator("#chart0 svg")).to_be_visible(timeout=30_000)
            expect(page.locator("[id^=chart] svg.marks")).to_have_count(site["charts"], timeout=30_000)
            expect(page.locator("img[src=x]")).to_have_count(0)
            specs = page.evaluate(
                "[...document.querySelectorAll('script[id$=\"-spec\"]')].map(s => JSON.parse(s.textContent))"
            )
            assert HOSTILE_SEGMENT in json.dumps(specs, ensure_ascii=False)
        seen[f"{who} {path}"] = page.evaluate("window.__policyViolations")
    assert {where: found for where, found in seen.items() if found} == {}
    assert problems == []
    # and the listener does hear a refusal: an inline script and a style attribute put into a page are refused
    page = pages["member"]
    page.goto(base + "/")
    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.ranInline = true;";
          document.body.append(script);
          document.querySelector("h1").setAttribute("style", "color: red");
        }"""
    )
    page.wait_for_function("window.__policyViolations.length >= 2")
    assert page.evaluate("window.ranInline === undefined") is True
    assert sorted(v.split(" | ")[0] for v in page.evaluate("window.__policyViolations")) == [
        "script-src-elem",
        "style-src-attr",
    ]


def test_the_language_and_stage_choices_still_submit_without_inline_handlers(
    community: dict[str, Any], live_server: Any, new_page: Callable[[], Any]
) -> None:
    base = live_server.url
    problems: list[str] = []
    page = watched_page(new_page, problems)
    page.goto(f"{base}/c/{community['ids']['campaign']}/")
    # when: a stage is chosen, the list reloads with that filter; then the language is changed
    page.select_option("select[name=stage]", "open")
    expect(page).to_have_url(re.compile(r"[?&]stage=open"))
    page.select_option("select[name=language]", "es")
    # then
    expect(page.locator("html")).to_have_attribute("lang", "es")
    assert page.evaluate("window.__policyViolations") == []
    assert problems == []


def test_the_offline_report_draws_its_charts_under_its_own_policy(
    tmp_path: Path, browser: Any, new_page: Callable[[], Any]
) -> None:
    from prosumo.analytics.report import to_html
    from tests.analytics.test_report import HOSTILE, hostile_report

    # given: a report whose data holds markup, written to a file as `prosumo analyze` does
    path = tmp_path / "report.html"
    path.write_text(to_html(hostile_report()))
    problems: list[str] = []
    page = watched_page(new_page, problems)
    # when
    page.goto(path.as_uri())
    # then: the chart is drawn, its tooltip shows the name as text, and nothing was refused
    expect(page.locator("#chart0 svg.marks")).to_be_visible()
    page.locator("#chart0 .mark-rect path").first.hover()
    expect(page.locator("#vg-tooltip-element.visible")).to_contain_text(HOSTILE)
    expect(page.locator("img[src=x]")).to_have_count(0)
    assert page.evaluate("window.__policyViolations") == []
    assert problems == []
