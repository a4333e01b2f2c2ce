"""The ideas pages: lists, the submit form, voting, comments, scorecards, the staff's invitation form."""

from __future__ import annotations

import pytest
from django.test import Client

from prosumo.ideas.services import comment_post


@pytest.mark.parametrize("order", ["hot", "new", "top", "trending"])
def test_campaign_orders(busy_idea, order):
    response = Client().get(f"/c/{busy_idea.campaign.slug}/?order={order}")
    assert response.status_code == 200
    assert busy_idea.title in response.content.decode()


def test_submit_form_errors_are_shown_and_nothing_is_saved(campaign, login, member):
    from prosumo.ideas.models import Idea

    response = login(member).post(f"/c/{campaign.slug}/submit/", {"title": "Hi", "body": "short"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "The title needs 5 to 160 characters." in text
    assert not Idea.objects.exists()


def test_submit_then_vote_through_pages(campaign, login, member, make_member):
    client = login(member)
    response = client.post(
        f"/c/{campaign.slug}/submit/",
        {
            "title": "Solar charger pocket",
            "body": "A pocket on the tent roof that holds a solar panel.",
            "tags": "solar, power",
        },
    )
    assert response.status_code == 302
    idea_url = response["Location"]
    voter = login(make_member())
    assert voter.post(idea_url + "vote/", {"value": "1"}).status_code == 302
    assert '<strong id="support-count">1</strong> of 3 supporters needed' in voter.get(idea_url).content.decode()


def test_similar_ideas_partial(busy_idea):
    response = Client().get(
        "/similar/", {"title": "tent pitches itself", "body": "", "campaign": busy_idea.campaign_id}
    )
    assert busy_idea.title in response.content.decode()


def test_comment_edit_keeps_history_and_only_for_the_author(idea, login, make_member):
    from prosumo.ideas.models import Comment

    writer, other = make_member(), make_member()
    comment = comment_post(actor=writer, idea_id=idea.pk, body="Frist thought")
    url = f"/ideas/{idea.pk}/comments/{comment.pk}/edit/"
    assert login(writer).post(url, {"body": "First thought"}).status_code == 302
    login(other).post(url, {"body": "Vandalised"})
    comment.refresh_from_db()
    assert comment.body == "First thought"
    assert list(comment.revisions.values_list("body", flat=True)) == ["Frist thought"]
    page = login(writer).get(f"/ideas/{idea.pk}/").content.decode()
    assert "Frist thought" in page  # in the history
    assert Comment.objects.count() == 1


def test_reviewers_see_the_scorecard_summary(idea, login, reviewer, make_member):
    from prosumo.ideas.services import review_submit

    second = make_member("reviewer")
    review_submit(actor=reviewer, idea_id=idea.pk, scores={"desirability": 5, "feasibility": 2, "viability": 3})
    review_submit(actor=second, idea_id=idea.pk, scores={"desirability": 4, "feasibility": 3, "viability": 3})
    page = login(reviewer).get(f"/ideas/{idea.pk}/").content.decode()
    assert "2 scorecards" in page
    assert "<td>desirability</td><td>4.5</td>" in page
    assert "review-summary" not in login(idea.author).get(f"/ideas/{idea.pk}/").content.decode()


def test_staff_invite_page_sends_and_lists(login, admin, campaign, member, django_capture_on_commit_callbacks):
    from django.core import mail

    from prosumo.community.models import Invitation

    client = login(admin)
    assert client.get("/staff/invite/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/staff/invite/", {"email": "friend@example.org", "campaign": campaign.pk})
    assert response.status_code == 302
    assert Invitation.objects.get().email == "friend@example.org"
    assert mail.outbox[-1].to == ["friend@example.org"]
    bad = client.post("/staff/invite/", {"email": "not an email"})
    assert bad.status_code == 400
    assert Invitation.objects.count() == 1
    assert login(member).get("/staff/invite/").status_code == 404


def test_a_campaign_whose_slug_is_a_number_opens_on_its_page(make_campaign, campaign):
    # given: a campaign named for a year, whose slug is all digits, beside another campaign
    year = make_campaign(title="Tents for 2027", slug="2027")
    # when
    by_slug = Client().get("/c/2027/")
    by_id = Client().get(f"/c/{campaign.pk}/")
    # then: the digits name the campaign with that slug; an id still opens the other one
    assert by_slug.status_code == 200
    assert by_slug.context["campaign"].pk == year.pk
    assert by_id.status_code == 200
    assert by_id.context["campaign"].pk == campaign.pk
