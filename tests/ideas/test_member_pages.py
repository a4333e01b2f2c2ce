"""What a member sees on the campaign and idea pages: status and dates, when ideas and votes are taken, declined ideas."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from django.test import Client
from django.utils import timezone
from django.utils.formats import date_format

from prosumo.ideas.models import Campaign, DeclineReason, Idea
from prosumo.ideas.services import stage_change


def _end(campaign: Any, days_ago: int = 1) -> None:
    Campaign.objects.filter(pk=campaign.pk).update(ends_at=timezone.now() - timedelta(days=days_ago))


def _decline(reviewer: Any, idea: Any) -> None:
    reason = DeclineReason.objects.get(label="Out of scope for this campaign")
    stage_change(
        actor=reviewer, idea_id=idea.pk, to_stage="declined", message="Not for this campaign.", reason_id=reason.pk
    )


def test_the_campaign_list_shows_status_end_date_brief_and_cover(make_campaign: Any) -> None:
    # given a running campaign with an end date and a cover, and one that has ended
    now = timezone.now()
    running = make_campaign(
        title="Quieter tents", brief="Tell us how **quiet** a tent can be.", ends_at=now + timedelta(days=10)
    )
    Campaign.objects.filter(pk=running.pk).update(cover="covers/quiet.png")
    ended = make_campaign(title="Old campaign")
    _end(ended)
    # when a visitor opens the list
    page = Client().get("/campaigns/").content.decode()
    # then each card says where the campaign stands, when it ends, its brief in plain words, and its cover
    card = page[page.index('id="campaign-' + running.slug) :]
    card = card[: card.index("</div></div>")]
    assert '<span class="badge status-running">Running</span>' in card
    assert "Ends on " + date_format(timezone.localtime(now + timedelta(days=10)), "DATE_FORMAT") in card
    assert "Tell us how quiet a tent can be." in card
    assert f'src="/c/{running.slug}/cover/"' in card
    assert f'href="/c/{running.slug}/submit/"' in card
    ended_card = page[page.index('id="campaign-' + ended.slug) :]
    ended_card = ended_card[: ended_card.index("</div></div>")]
    assert '<span class="badge status-ended">Ended</span>' in ended_card
    assert "Ended on " in ended_card
    assert "/submit/" not in ended_card
    assert "<img" not in ended_card


def test_an_ended_campaign_offers_no_submit_and_its_submit_page_refuses_before_writing(
    campaign: Any, login: Any, member: Any
) -> None:
    # given a campaign that has ended
    _end(campaign)
    client = login(member)
    # when the member opens the campaign
    page = client.get(f"/c/{campaign.slug}/").content.decode()
    # then it says so and offers no "Submit an idea"
    assert "Submit an idea" not in page
    assert 'id="campaign-closed"' in page
    assert "This campaign has ended: it takes no new ideas." in page
    # and its submit page sends the member back with the reason before they write anything
    response = client.get(f"/c/{campaign.slug}/submit/", follow=True)
    assert response.redirect_chain == [(f"/c/{campaign.slug}/", 302)]
    assert "This campaign is not taking ideas now." in response.content.decode()
    # and a posted idea is refused the same way, saving nothing
    response = client.post(f"/c/{campaign.slug}/submit/", {"title": "Late idea here", "body": "Too late to be taken."})
    assert (response.status_code, response["Location"]) == (302, f"/c/{campaign.slug}/")
    assert not Idea.objects.exists()


def test_a_running_campaign_still_offers_submit(campaign: Any, login: Any, member: Any) -> None:
    client = login(member)
    assert 'id="submit-idea"' in client.get(f"/c/{campaign.slug}/").content.decode()
    response = client.get(f"/c/{campaign.slug}/submit/")
    assert response.status_code == 200
    assert 'name="title"' in response.content.decode()


def _vote_forms(html: str) -> list[str]:
    return re.findall(r'action="/ideas/\d+/(?:un)?vote/"', html)


def test_vote_buttons_only_where_voting_is_open(
    make_campaign: Any, make_idea: Any, member: Any, make_member: Any, reviewer: Any, login: Any
) -> None:
    # given an open idea, a declined one and a launched one in an up/down campaign
    updown = make_campaign(voting_mode="updown")
    author = make_member()
    open_idea = make_idea(author, in_campaign=updown, title="Open idea for a tent")
    declined = make_idea(author, in_campaign=updown, title="Declined idea for a tent")
    launched = make_idea(author, in_campaign=updown, title="Launched idea for a tent")
    _decline(reviewer, declined)
    stage_change(actor=reviewer, idea_id=launched.pk, to_stage="launched", message="It is in the shops now.")
    client = login(member)
    # then only the open idea's page offers vote buttons
    assert _vote_forms(client.get(f"/ideas/{open_idea.pk}/").content.decode()) == [
        f'action="/ideas/{open_idea.pk}/vote/"'
    ]
    for closed in (declined, launched):
        page = client.get(f"/ideas/{closed.pk}/").content.decode()
        assert _vote_forms(page) == []
        assert "Voting is closed for this idea at its stage." in page
    # and no list card carries a vote button
    listing = client.get(f"/c/{updown.slug}/?stage=launched").content.decode()
    assert "Launched idea for a tent" in listing
    assert _vote_forms(listing) == []
    # and a visitor is not asked to log in to vote on a closed idea
    assert "Log in to vote" not in Client().get(f"/ideas/{declined.pk}/").content.decode()
    assert "Log in to vote" in Client().get(f"/ideas/{open_idea.pk}/").content.decode()


def test_declined_ideas_leave_the_default_list_and_a_filter_shows_them(
    campaign: Any, make_idea: Any, make_member: Any, reviewer: Any
) -> None:
    # given an open idea and a declined one
    author = make_member()
    kept = make_idea(author, title="An idea still open for support")
    declined = make_idea(author, title="An idea the team declined")
    _decline(reviewer, declined)
    # when a visitor opens the campaign
    default = Client().get(f"/c/{campaign.slug}/").content.decode()
    # then the declined idea is not listed, in any order
    assert kept.title in default
    assert declined.title not in default
    for order in ("new", "top", "trending"):
        assert declined.title not in Client().get(f"/c/{campaign.slug}/?order={order}").content.decode()
    # and the stage filter shows it
    filtered = Client().get(f"/c/{campaign.slug}/?stage=declined").content.decode()
    assert declined.title in filtered
    assert kept.title not in filtered
    # and the home page's trending list leaves it out too
    assert declined.title not in Client().get("/").content.decode()
