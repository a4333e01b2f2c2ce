"""The feedback loop in a real browser: join, submit, support, comment, answer, be told.

Chromium drives the live server; mail goes over SMTP to a real local server and the
test reads it there. Assertions are about what a person sees on the page, except the
last step, which checks the analytics contract (channel and events) in the database.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import VIEWPORT
from tests.browser.layout import MOBILE, OVERFLOW
from tests.browser.session import PASSWORD, log_in
from tests.browser.smtp import Mailbox, text_of
from tests.browser.test_accessibility import RULES, _serious

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

EXISTING_IDEA = "Solar-powered lantern with USB charging"
NEW_IDEA = "Lantern that charges from a solar panel"
REVIEWER_MESSAGE = "Thank you! The product team will test panel sizes and battery life this month."


@pytest.fixture
def community(restore_seed_data: None, transactional_db: Any) -> dict[str, Any]:
    """An admin-made campaign with one idea in it, a reviewer and a second member."""
    from prosumo.community.bootstrap import create_verified_member
    from prosumo.ideas.services import campaign_create, idea_submit

    admin = create_verified_member(
        email="admin@example.org", password=PASSWORD, role="admin", display_name="Camp Admin"
    )
    reviewer = create_verified_member(
        email="reviewer@example.org", password=PASSWORD, role="reviewer", display_name="Product Reviewer"
    )
    member = create_verified_member(email="member@example.org", password=PASSWORD, display_name="Trail Member")
    early = create_verified_member(email="early@example.org", password=PASSWORD, display_name="Early Camper")
    campaign = campaign_create(
        actor=admin,
        title="Outdoor gear ideas",
        brief="What would make your next trip outdoors **easier**? Lights, packs, tents: tell us.",
        voting_mode="support",
        support_threshold=10,
    )
    idea_submit(
        actor=early,
        campaign_id=campaign.pk,
        title=EXISTING_IDEA,
        body="A camping lantern with a small solar panel on top and a USB port to charge phones.",
        tags=["lighting"],
    )
    return {"campaign": campaign, "reviewer": reviewer, "member": member}


def test_a_visitor_joins_submits_and_hears_back(
    community: dict[str, Any],
    live_server: Any,
    smtp_mail: Mailbox,
    new_page: Callable[[], Any],
    screenshot: Callable[[Any, str], Any],
) -> None:
    from prosumo.activity.models import Event
    from prosumo.community.models import Member

    base = live_server.url
    visitor_email = "visitor@example.org"

    # 2. A visitor arrives from the newsletter, joins, and verifies the address from the email.
    author = new_page()
    author.goto(f"{base}/?ch=newsletter")
    expect(author.get_by_role("heading", name="Make it with us")).to_be_visible()
    expect(author.get_by_role("link", name="Outdoor gear ideas")).to_be_visible()
    expect(author.locator(".grid")).to_contain_text("What would make your next trip outdoors easier? Lights,")
    expect(author.get_by_role("link", name=EXISTING_IDEA)).to_be_visible()
    screenshot(author, "home")
    author.get_by_role("link", name="Join").click()
    author.fill("input[name=email]", visitor_email)
    author.fill("input[name=password1]", PASSWORD)
    author.fill("input[name=password2]", PASSWORD)
    author.get_by_role("button", name=re.compile("sign up", re.I)).click()
    expect(author.get_by_role("heading", name=re.compile("verify your email", re.I))).to_be_visible()

    confirmation = smtp_mail.wait_for(to=visitor_email, subject_contains="Confirm")
    link = re.search(r"http://\S+/accounts/confirm-email/\S+/", text_of(confirmation))
    assert link is not None, text_of(confirmation)
    author.goto(link.group(0))
    author.get_by_role("button", name="Confirm").click()
    expect(author.get_by_text(f"You have confirmed {visitor_email}.")).to_be_visible()
    if "/accounts/login/" in author.url:
        log_in(author, base, visitor_email)
    expect(author.get_by_role("button", name="Log out")).to_be_visible()

    # 3. They open the campaign, start an idea, and are shown the similar one already there.
    author.goto(f"{base}/")
    author.get_by_role("link", name="Outdoor gear ideas").click()
    expect(author.get_by_role("heading", name="Outdoor gear ideas")).to_be_visible()
    screenshot(author, "campaign")
    author.get_by_role("link", name="Submit an idea").click()
    author.locator("#id_title").press_sequentially(NEW_IDEA, delay=15)
    similar = author.locator("#similar-list")
    expect(similar).to_contain_text("Similar ideas already here")
    expect(similar.get_by_role("link", name=EXISTING_IDEA)).to_be_visible()
    author.fill(
        "#id_body", "A lantern with a **fold-out solar panel** that charges the battery in one sunny afternoon."
    )
    author.fill("#id_tags", "lighting, solar")
    screenshot(author, "submit-with-similar")
    author.get_by_role("button", name="Submit").click()
    expect(author.get_by_role("heading", name=NEW_IDEA)).to_be_visible()
    expect(author.locator(".messages")).to_contain_text("Your idea is in. Thank you!")
    expect(author.locator("#support-count")).to_have_text("0")
    idea_url = author.url
    assert re.fullmatch(rf"{re.escape(base)}/ideas/\d+/", idea_url), idea_url
    author.get_by_role("button", name="Log out").click()
    expect(author.get_by_role("link", name="Log in")).to_be_visible()

    # 4. A second member supports the idea and proposes an improvement.
    supporter = new_page()
    log_in(supporter, base, community["member"].email)
    supporter.goto(idea_url)
    supporter.get_by_role("button", name="Support").click()
    expect(supporter.locator("#support-count")).to_have_text("1")
    expect(supporter.get_by_role("button", name="Withdraw support")).to_be_visible()
    comment_form = supporter.locator("#comment-form")
    comment_form.locator("textarea[name=body]").fill("Add a hook on the bottom so it can hang upside down in a tent.")
    comment_form.get_by_label(re.compile("builds on the idea", re.I)).check()
    comment_form.get_by_role("button", name="Post comment").click()
    comment = supporter.locator(".comment.builds-on")
    expect(comment).to_contain_text("Add a hook on the bottom")
    expect(comment).to_contain_text("builds on the idea")

    # 5. The reviewer sees the idea in the queue, and moves it to "under review" with a message.
    reviewer = new_page()
    log_in(reviewer, base, community["reviewer"].email)
    reviewer.get_by_role("link", name="Answer queue").click()
    queue = reviewer.locator("#queue")
    expect(queue.get_by_role("link", name=NEW_IDEA)).to_be_visible()
    expect(queue.get_by_role("link", name=EXISTING_IDEA)).to_be_visible()
    screenshot(reviewer, "staff-queue")
    queue.get_by_role("link", name=NEW_IDEA).click()
    stage_form = reviewer.locator("#stage-form")
    stage_form.locator("select[name=to_stage]").select_option(label="Under review")
    stage_form.locator("textarea[name=message]").fill(REVIEWER_MESSAGE)
    stage_form.get_by_role("button", name="Move and notify").click()
    expect(reviewer.locator("#stage-badge")).to_have_text("Under review")
    expect(reviewer.locator(".messages")).to_contain_text("The idea moved")

    # 6. The author comes back: two unread notifications (the comment and the answer).
    log_in(author, base, visitor_email)
    expect(author.locator("#unread-count")).to_have_text("2")
    author.locator("#notifications-link").click()
    notifications = author.locator(".notification")
    expect(notifications).to_have_count(2)
    answer = notifications.filter(has_text="is now: Under review")
    expect(answer).to_contain_text(f"“{NEW_IDEA}” is now: Under review")
    expect(answer).to_contain_text(REVIEWER_MESSAGE)
    expect(notifications.filter(has_text="commented on")).to_contain_text("Trail Member commented on")
    screenshot(author, "notifications")
    answer.get_by_role("link").click()
    timeline = author.locator("#timeline")
    expect(timeline).to_contain_text("Under review")
    expect(timeline).to_contain_text(REVIEWER_MESSAGE)
    expect(timeline).not_to_contain_text("Waiting for an answer from the team.")
    expect(author.locator("#support-count")).to_have_text("1")
    screenshot(author, "idea")

    stage_email = smtp_mail.wait_for(to=visitor_email, subject_contains="is now: Under review")
    assert REVIEWER_MESSAGE in text_of(stage_email)
    assert idea_url in text_of(stage_email)

    # 7. The analytics contract: where the member came from, and one event per action.
    joined = Member.objects.get(email=visitor_email)
    assert joined.channel == "newsletter"
    idea_id = int(idea_url.rstrip("/").rsplit("/", 1)[1])
    assert Event.objects.filter(verb="member.joined", actor_id=joined.pk, channel="newsletter").count() == 1
    assert Event.objects.filter(verb="idea.submitted", object_id=idea_id, actor_id=joined.pk).count() == 1
    assert Event.objects.filter(verb="idea.supported", object_id=idea_id, actor_id=community["member"].pk).count() == 1
    posted = Event.objects.get(verb="comment.posted", actor_id=community["member"].pk)
    assert posted.details["builds_on"] is True
    changed = Event.objects.get(verb="idea.stage_changed", object_id=idea_id)
    assert (changed.actor_id, changed.details["from"], changed.details["to"]) == (
        community["reviewer"].pk,
        "open",
        "under_review",
    )


def test_an_idea_without_a_description_is_refused_on_the_page(
    community: dict[str, Any],
    live_server: Any,
    new_page: Callable[[], Any],
    screenshot: Callable[[Any, str], Any],
) -> None:
    from prosumo.ideas.models import Idea

    # given a signed-in member on the submit page, and the one idea already there
    page = new_page()
    log_in(page, live_server.url, community["member"].email)
    page.goto(f"{live_server.url}/c/{community['campaign'].slug}/submit/")

    # when they send a title with a description of only spaces (the browser's `required` lets spaces through)
    page.fill("#id_title", "A tent with a skylight")
    page.fill("#id_body", "     ")
    page.get_by_role("button", name="Submit").click()

    # then the form comes back with the error beside the description, and nothing was created
    expect(page.locator("#idea-form .field", has=page.locator("#id_body"))).to_contain_text("This field is required.")
    expect(page.locator("#id_title")).to_have_value("A tent with a skylight")
    screenshot(page, "submit-error")
    assert list(Idea.objects.values_list("title", flat=True)) == [EXISTING_IDEA]


def test_an_admin_sets_up_a_campaign_with_supporter_gates(
    community: dict[str, Any],
    live_server: Any,
    new_page: Callable[[], Any],
    screenshot: Callable[[Any, str], Any],
) -> None:
    from prosumo.ideas.models import Campaign

    # given an admin on the new campaign page
    page = new_page()
    log_in(page, live_server.url, "admin@example.org")
    page.goto(f"{live_server.url}/staff/campaigns/new/")

    # when they fill the brief (and see it previewed), two LEGO-style gates and a scorecard
    page.fill("#id_title", "Lighter packs")
    page.fill("#id_brief", "How could your **pack** weigh less without losing pockets?")
    expect(page.locator("#brief-preview strong")).to_have_text("pack")
    page.fill("#id_support_gates", "100 60\n1000 365")
    page.fill("#id_scorecard_criteria", "desirability\nfeasibility\nviability")
    screenshot(page, "staff-campaign-new")
    page.get_by_role("button", name="Create campaign").click()

    # then the campaign list shows it running, and it is stored as the admin set it
    expect(page.locator("body")).to_contain_text("Campaign “Lighter packs” created.")
    expect(page.locator("tr", has_text="Lighter packs")).to_contain_text("Running")
    screenshot(page, "staff-campaigns")
    stored = Campaign.objects.get(title="Lighter packs")
    assert stored.support_gates == [{"supporters": 100, "days": 60}, {"supporters": 1000, "days": 365}]
    assert stored.scorecard_criteria == ["desirability", "feasibility", "viability"]


@pytest.fixture
def new_modes(restore_seed_data: None, transactional_db: Any) -> dict[str, Any]:
    """A pairwise campaign, a participatory budget and an idea open to amendments, each with its ideas."""
    from prosumo.budgets.services import budget_set, cost_set
    from prosumo.community.bootstrap import create_verified_member
    from prosumo.ideas.services import campaign_create, idea_submit

    admin = create_verified_member(
        email="admin@example.org", password=PASSWORD, role="admin", display_name="Camp Admin"
    )
    author = create_verified_member(email="author@example.org", password=PASSWORD, display_name="Alba Author")
    create_verified_member(email="member@example.org", password=PASSWORD, display_name="Trail Member")
    body = "A roofed corner of the campsite where families can cook and eat when it rains."
    pairwise = campaign_create(
        actor=admin, title="Light in the tent", brief="Which light would you take?", voting_mode="pairwise"
    )
    for title in ("A lantern that hangs from the roof", "A strip of lights along the seams", "A torch with a red mode"):
        idea_submit(actor=admin, campaign_id=pairwise.pk, title=title, body=body)
    fund = campaign_create(
        actor=admin, title="The campsite fund", brief="Spend 1,000 EUR on the campsite.", voting_mode="budget"
    )
    budget_set(actor=admin, campaign_id=fund.pk, amount_cents=1000_00, currency="EUR")
    costed = {}
    for title, cents in (("A rain shelter for cooking", 700_00), ("Hot showers", 500_00), ("A bike rack", 200_00)):
        costed[title] = idea_submit(actor=admin, campaign_id=fund.pk, title=title, body=body)
        cost_set(actor=admin, idea_id=costed[title].pk, amount_cents=cents)
    campsite = campaign_create(actor=admin, title="The campsite", brief="What would make the campsite better?")
    shelter = idea_submit(actor=author, campaign_id=campsite.pk, title="A shelter by the lake", body=body)
    return {"pairwise": pairwise, "fund": fund, "costed": costed, "shelter": shelter, "body": body}


@pytest.mark.timeout(300)
def test_a_member_compares_pairs_votes_a_budget_and_amends_an_idea(
    new_modes: dict[str, Any],
    live_server: Any,
    new_page: Callable[[], Any],
    screenshot: Callable[[Any, str], Any],
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    from prosumo.activity.models import Event
    from prosumo.budgets.models import Ballot
    from prosumo.ideas.models import CoAuthor
    from prosumo.pairwise.models import Choice

    base = live_server.url

    axe = Axe()

    def both(page: Any, name: str) -> None:
        """Check the page with axe, and save it at the desktop size and on a phone, where nothing may pass the screen's edge."""
        assert _serious(axe.run(page, options=RULES)) == [], f"axe on {name}"
        screenshot(page, name)
        page.set_viewport_size(MOBILE)
        assert page.evaluate(OVERFLOW) == [], f"what passes 390 px on {name}"
        screenshot(page, f"{name}-mobile")
        page.set_viewport_size(VIEWPORT)

    member = new_page()
    log_in(member, base, "member@example.org")

    # 1. A pairwise session: two picks and a "can't decide", then the results.
    member.goto(f"{base}/c/{new_modes['pairwise'].slug}/")
    member.get_by_role("link", name="Compare ideas").click()
    expect(member.locator("#pairwise-answered")).to_have_text("You have answered 0 pairs.")
    both(member, "pairwise")
    for button, count in (("#pick-left", 1), ("#pick-right", 2), ("#pick-neither", 3)):
        member.locator(button).click()
        expect(member.locator("#pairwise-answered")).to_contain_text(f"You have answered {count} pair")
    assert sorted(Choice.objects.values_list("outcome", flat=True)) == ["cant_decide", "left", "right"]
    member.get_by_role("link", name="See the results").click()
    expect(member.locator("#pairwise-results tbody tr")).to_have_count(3)
    both(member, "pairwise-results")

    # 2. A budget ballot: refused over the budget, cast within it, then changed.
    costed = new_modes["costed"]
    member.goto(f"{base}/c/{new_modes['fund'].slug}/")
    member.get_by_role("link", name="Your ballot").click()
    member.get_by_label(re.compile("A rain shelter for cooking")).check()
    member.get_by_label(re.compile("Hot showers")).check()
    member.get_by_role("button", name="Cast my ballot").click()
    expect(member.locator("#ballot-error")).to_contain_text("more than the budget of 1,000.00 EUR")
    both(member, "budget-refused")
    member.get_by_label(re.compile("Hot showers")).uncheck()
    member.get_by_role("button", name="Cast my ballot").click()
    expect(member.locator("#ballot-saved")).to_be_visible()
    member.get_by_label(re.compile("A rain shelter for cooking")).uncheck()
    member.get_by_label(re.compile("Hot showers")).check()
    member.get_by_label(re.compile("A bike rack")).check()
    member.get_by_role("button", name="Save my new ballot").click()
    expect(member.get_by_label(re.compile("Hot showers"))).to_be_checked()
    expect(member.get_by_label(re.compile("A rain shelter for cooking"))).not_to_be_checked()
    ballot = Ballot.objects.get()
    assert sorted(ballot.ideas.values_list("title", flat=True)) == ["A bike rack", "Hot showers"]
    assert ballot.total_cents == 700_00
    both(member, "budget-ballot")
    member.get_by_role("link", name="See the results").click()
    expect(member.locator(f"#budget-idea-{costed['Hot showers'].pk}")).to_contain_text("Funded")
    expect(member.locator(f"#budget-idea-{costed['A rain shelter for cooking'].pk}")).not_to_contain_text("Funded")
    both(member, "budget-results")

    # 3. An amendment: the member proposes a paragraph, the idea's author accepts it.
    shelter, added = new_modes["shelter"], "It needs a sink with running water, and a bench along the wall."
    member.goto(f"{base}/ideas/{shelter.pk}/")
    member.get_by_role("link", name="Propose a change").click()
    member.get_by_label("Text").fill(f"{new_modes['body']}\n\n{added}")
    member.get_by_label("Why this change").fill("Cooking needs water")
    both(member, "amendment-propose")
    member.get_by_role("button", name="Propose this change").click()
    expect(member.locator("#amendment-status")).to_contain_text("Waiting for the author")
    author = new_page()
    log_in(author, base, "author@example.org")
    author.goto(f"{base}/ideas/{shelter.pk}/")
    author.locator("#amendments").get_by_role("link", name="Cooking needs water").click()
    expect(author.locator("#amendment-diff ins")).to_have_text(added)
    both(author, "amendment-review")
    author.get_by_label("Their share of the idea, in percent").fill("10")
    author.locator("#accept-amendment").click()
    expect(author.locator("#amendment-status")).to_contain_text("Accepted")
    both(author, "amendment-accepted")
    author.goto(f"{base}/ideas/{shelter.pk}/")
    expect(author.locator("article .card").first).to_contain_text(added)
    expect(author.locator("article p.small").first).to_contain_text("Trail Member (10%)")
    assert CoAuthor.objects.get().member.email == "member@example.org"

    # 4. Each step left its event in the documented vocabulary.
    verbs = set(Event.objects.values_list("verb", flat=True))
    assert {
        "pairwise.chosen",
        "pairwise.cant_decide",
        "budget.ballot_cast",
        "budget.ballot_changed",
        "idea.amendment_proposed",
        "idea.amendment_accepted",
    } <= verbs
