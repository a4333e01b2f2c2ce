"""Campaign and idea endpoints: the happy path and every kind of bad input, through the real HTTP stack."""

from __future__ import annotations

import pytest
from django.test import Client

from prosumo.activity.models import Event
from prosumo.ideas.models import Campaign, Idea, IdeaRevision
from tests.api.conftest import error

IDEA = {"title": "Tent with a porch", "body": "A short porch keeps muddy boots out of the sleeping area."}


@pytest.fixture
def hidden_campaign(make_campaign):
    """An invitation-only campaign that ordinary members cannot see."""
    return make_campaign(visibility="invitation")


@pytest.fixture
def hidden_idea(hidden_campaign, make_idea, admin):
    return make_idea(admin, in_campaign=hidden_campaign)


def missing_idea_id() -> int:
    return (Idea.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000


# campaigns


def test_campaign_list_shows_a_reader_only_the_campaigns_they_may_see(campaign, hidden_campaign, member, call):
    anonymous = Client().get("/api/campaigns")
    signed_in = call("GET", "/api/campaigns", as_member=member)
    assert [c["id"] for c in anonymous.json()] == [campaign.pk]
    assert [c["id"] for c in signed_in.json()] == [campaign.pk]


def test_admin_creates_a_campaign(admin, call):
    # when
    response = call(
        "POST",
        "/api/campaigns",
        {"title": "Quieter stoves", "brief": "How should a camp stove sound?", "voting_mode": "updown"},
        as_member=admin,
    )
    # then
    assert response.status_code == 201
    body = response.json()
    assert (body["slug"], body["voting_mode"], body["support_threshold"]) == ("quieter-stoves", "updown", 0)
    assert Event.objects.filter(verb="campaign.created", object_id=body["id"]).count() == 1


def test_member_may_not_create_a_campaign(member, call, unchanged):
    with unchanged():
        error(call("POST", "/api/campaigns", {"title": "Mine", "brief": "Mine"}, as_member=member), 403, "forbidden")


def test_campaign_create_bad_input(admin, call, unchanged):
    with unchanged():
        body = error(
            call("POST", "/api/campaigns", {"title": "T", "brief": "B", "support_threshold": "many"}, as_member=admin),
            422,
            "invalid",
        )
        assert list(body["fields"]) == ["support_threshold"]
        body = error(
            call("POST", "/api/campaigns", {"title": "T", "brief": "B", "voting_mode": "stars"}, as_member=admin),
            400,
            "invalid",
        )
        assert list(body["fields"]) == ["voting_mode"]
        error(call("POST", "/api/campaigns", raw=b'{"title": "T", "brief": ', as_member=admin), 400, "malformed_json")


def test_campaign_detail_by_id_and_slug(campaign):
    assert Client().get(f"/api/campaigns/{campaign.pk}").json()["slug"] == campaign.slug
    assert Client().get(f"/api/campaigns/{campaign.slug}").json()["id"] == campaign.pk


def test_a_campaign_whose_slug_is_a_number_opens_by_its_slug_before_any_id(make_campaign, campaign, member, call):
    # given: a campaign whose slug is "2027", and another one whose id is 2027
    year = make_campaign(title="Tents for 2027", slug="2027")
    Campaign.objects.filter(pk=campaign.pk).update(id=2027)
    # when
    by_slug = Client().get("/api/campaigns/2027")
    ideas = call("GET", "/api/campaigns/2027/ideas", as_member=member)
    other = Client().get(f"/api/campaigns/{campaign.slug}")
    # then: the slug wins; the campaign with id 2027 still opens by its own slug
    assert (by_slug.status_code, by_slug.json()["id"], by_slug.json()["slug"]) == (200, year.pk, "2027")
    assert (ideas.status_code, ideas.json()["count"]) == (200, 0)
    assert (other.status_code, other.json()["id"]) == (200, 2027)


def test_a_numeric_slug_a_member_cannot_see_does_not_hide_the_campaign_with_that_id(make_campaign, campaign):
    # given: an unpublished campaign whose slug is "2027", and a public one whose id is 2027
    make_campaign(title="Drafts for 2027", slug="2027", is_published=False)
    Campaign.objects.filter(pk=campaign.pk).update(id=2027)
    # when
    response = Client().get("/api/campaigns/2027")
    # then
    assert (response.status_code, response.json()["id"]) == (200, 2027)


def test_hidden_campaign_looks_exactly_like_a_missing_one(hidden_campaign, member, call):
    hidden = call("GET", f"/api/campaigns/{hidden_campaign.pk}", as_member=member)
    missing = call("GET", f"/api/campaigns/{hidden_campaign.pk + 1000}", as_member=member)
    assert error(hidden, 404, "not_found") == error(missing, 404, "not_found")


# idea list and pagination


def test_idea_list_pages(campaign, make_idea, make_member):
    # given
    ideas = [make_idea(make_member(), title=f"Idea number {n}") for n in range(5)]
    # when
    first = Client().get(f"/api/campaigns/{campaign.pk}/ideas?order=new&per_page=2")
    last = Client().get(f"/api/campaigns/{campaign.pk}/ideas?order=new&per_page=2&page=3")
    # then
    assert first.status_code == 200
    assert (first.json()["count"], first.json()["pages"], first.json()["page"]) == (5, 3, 1)
    assert [i["id"] for i in first.json()["items"]] == [ideas[4].pk, ideas[3].pk]
    assert [i["id"] for i in last.json()["items"]] == [ideas[0].pk]
    assert last.json()["items"][0]["author"]["id"] == ideas[0].author_id


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("page=0", "page"),
        ("page=-1", "page"),
        ("per_page=0", "per_page"),
        ("per_page=101", "per_page"),
        ("page=two", "page"),
    ],
)
def test_idea_list_refuses_bad_pagination(campaign, idea, query, field):
    body = error(Client().get(f"/api/campaigns/{campaign.pk}/ideas?{query}"), 422, "invalid")
    assert list(body["fields"]) == [field]


def test_idea_list_page_past_the_end_is_404(campaign, idea):
    body = error(Client().get(f"/api/campaigns/{campaign.pk}/ideas?page=2"), 404, "not_found")
    assert body["fields"] == {"page": ["1 to 1"]}


def test_idea_list_refuses_an_unknown_order(campaign, idea):
    body = error(Client().get(f"/api/campaigns/{campaign.pk}/ideas?order=random"), 400, "invalid")
    assert body["fields"] == {"order": ["invalid"]}


def test_idea_list_of_a_hidden_campaign_is_404(hidden_idea, hidden_campaign, member, call):
    error(call("GET", f"/api/campaigns/{hidden_campaign.pk}/ideas", as_member=member), 404, "not_found")


# submit, read, revise


def test_member_submits_an_idea(campaign, member, call):
    # when
    response = call("POST", f"/api/campaigns/{campaign.pk}/ideas", {**IDEA, "tags": ["Porch", "mud"]}, as_member=member)
    # then
    assert response.status_code == 201
    body = response.json()
    assert (body["title"], body["stage"], body["author"]["id"], body["support_count"]) == (
        IDEA["title"],
        "open",
        member.pk,
        0,
    )
    idea = Idea.objects.get(pk=body["id"])
    assert sorted(idea.tags.values_list("name", flat=True)) == ["mud", "porch"]
    assert Event.objects.filter(verb="idea.submitted", object_id=idea.pk, actor_id=member.pk).count() == 1


def test_idea_submit_bad_input_changes_nothing(campaign, hidden_campaign, member, call, unchanged):
    path = f"/api/campaigns/{campaign.pk}/ideas"
    with unchanged():
        body = error(call("POST", path, {"title": "Hi", "body": "too short"}, as_member=member), 400, "invalid")
        assert sorted(body["fields"]) == ["body", "title"]
        body = error(call("POST", path, {"title": 5, "body": ["x"]}, as_member=member), 422, "invalid")
        assert sorted(body["fields"]) == ["body", "title"]
        body = error(call("POST", path, {"body": IDEA["body"]}, as_member=member), 422, "invalid")
        assert list(body["fields"]) == ["title"]
        error(call("POST", path, raw=b"{'title': 'single quotes'}", as_member=member), 400, "malformed_json")
        error(call("POST", path, raw=b"\xff\xfe", as_member=member), 400, "malformed_json")
        hidden = call("POST", f"/api/campaigns/{hidden_campaign.pk}/ideas", IDEA, as_member=member)
        missing = call("POST", "/api/campaigns/999999/ideas", IDEA, as_member=member)
        assert error(hidden, 404, "not_found") == error(missing, 404, "not_found")
        error(Client().post(path, IDEA, content_type="application/json"), 401, "not_authenticated")


def test_idea_detail_and_revisions(idea):
    detail = Client().get(f"/api/ideas/{idea.pk}")
    revisions = Client().get(f"/api/ideas/{idea.pk}/revisions")
    assert detail.status_code == 200
    assert (detail.json()["id"], detail.json()["campaign_id"]) == (idea.pk, idea.campaign_id)
    assert [r["number"] for r in revisions.json()] == [1]


def test_idea_in_a_hidden_campaign_is_404_like_a_missing_one(hidden_idea, member, call):
    for suffix in ("", "/revisions", "/comments"):
        hidden = call("GET", f"/api/ideas/{hidden_idea.pk}{suffix}", as_member=member)
        missing = call("GET", f"/api/ideas/{missing_idea_id()}{suffix}", as_member=member)
        assert error(hidden, 404, "not_found") == error(missing, 404, "not_found")
    error(Client().get("/api/ideas/not-a-number"), 422, "invalid")


def test_author_revises_an_idea(idea, member, call):
    # when
    response = call("PATCH", f"/api/ideas/{idea.pk}", {**IDEA, "note": "shorter"}, as_member=member)
    # then
    assert response.status_code == 200
    assert (response.json()["number"], response.json()["note"]) == (2, "shorter")
    assert list(IdeaRevision.objects.filter(idea=idea).values_list("number", flat=True).order_by("number")) == [1, 2]


def test_revise_bad_input_changes_nothing(idea, member, make_member, hidden_idea, call, unchanged):
    path = f"/api/ideas/{idea.pk}"
    stranger = make_member()
    with unchanged():
        error(call("PATCH", path, IDEA, as_member=stranger), 403, "forbidden")
        error(call("PATCH", path, {"title": idea.title, "body": idea.body}, as_member=member), 400, "unchanged")
        error(call("PATCH", path, {"title": None, "body": IDEA["body"]}, as_member=member), 422, "invalid")
        error(call("PATCH", f"/api/ideas/{hidden_idea.pk}", IDEA, as_member=member), 404, "not_found")
        error(call("PATCH", f"/api/ideas/{missing_idea_id()}", IDEA, as_member=member), 404, "not_found")


def test_similar_ideas_leave_out_hidden_campaigns(idea, hidden_idea, member, call):
    response = call("GET", "/api/ideas/similar?text=tent+pitches+itself", as_member=member)
    assert [i["id"] for i in response.json()] == [idea.pk]


def test_campaign_count_unchanged_by_reads(campaign, idea, unchanged):
    with unchanged():
        Client().get("/api/campaigns")
        Client().get(f"/api/campaigns/{campaign.pk}/ideas")
        Client().get(f"/api/ideas/{idea.pk}")
    assert Campaign.objects.count() == 1


def test_similar_ideas_needs_text(idea, unchanged):
    with unchanged():
        body = error(Client().get("/api/ideas/similar"), 422, "invalid")
        assert list(body["fields"]) == ["text"]
        body = error(Client().get("/api/ideas/similar?text=tent&campaign=first"), 422, "invalid")
        assert list(body["fields"]) == ["campaign"]
