"""The API asks for the contribution terms and a licence when an idea is submitted (docs/ip.md)."""

from __future__ import annotations

from prosumo.community.terms import terms_publish
from prosumo.ideas.models import Idea
from tests.api.conftest import error

IDEA = {"title": "Tent with a porch", "body": "A short porch keeps muddy boots out of the sleeping area."}


def test_submitting_through_the_api_asks_for_terms_and_licence(member, admin, campaign, call, unchanged):
    assert error(call("GET", "/api/terms", as_member=member), 404, "no_terms")["message"] == (
        "No contribution terms are published."
    )
    terms_publish(actor=admin, text="The terms.")
    terms = call("GET", "/api/terms", as_member=member).json()
    assert (terms["number"], terms["text"], terms["accepted"]) == (1, "The terms.", False)
    with unchanged():
        body = error(call("POST", f"/api/campaigns/{campaign.slug}/ideas", IDEA, as_member=member), 400, "invalid")
    assert body["fields"] == {
        "accept_terms": ["Read and accept the contribution terms (version 1) to contribute."],
        "licence": [
            "Choose the licence you give your idea under: Assign the rights to the company, "
            "Exclusive licence to the company, Non-exclusive licence to the company."
        ],
    }
    with unchanged():
        bad = {**IDEA, "accept_terms": 1, "licence": "cc_by_4_0"}
        body = error(call("POST", f"/api/campaigns/{campaign.slug}/ideas", bad, as_member=member), 400, "invalid")
    assert list(body["fields"]) == ["licence"]
    good = {**IDEA, "accept_terms": 1, "licence": "assignment"}
    created = call("POST", f"/api/campaigns/{campaign.slug}/ideas", good, as_member=member)
    assert created.status_code == 201, created.content
    idea = Idea.objects.get(pk=created.json()["id"])
    assert (idea.terms_version.number, idea.licence) == (1, "assignment")
    assert call("GET", "/api/terms", as_member=member).json()["accepted"] is True


def test_a_campaign_says_which_licences_it_takes(admin, call, unchanged):
    created = call(
        "POST",
        "/api/campaigns",
        {"title": "Open designs", "brief": "Share it with everyone.", "allowed_licences": ["cc_by_4_0"]},
        as_member=admin,
    )
    assert created.status_code == 201, created.content
    assert created.json()["allowed_licences"] == ["cc_by_4_0"]
    default = call("POST", "/api/campaigns", {"title": "Ours", "brief": "For the company."}, as_member=admin)
    assert default.json()["allowed_licences"] == ["assignment", "exclusive", "non_exclusive"]
    with unchanged():
        bad = {"title": "Bad", "brief": "Bad", "allowed_licences": []}
        body = error(call("POST", "/api/campaigns", bad, as_member=admin), 400, "invalid")
    assert list(body["fields"]) == ["allowed_licences"]


def test_commenting_through_the_api_asks_for_the_terms(member, admin, idea, make_member, call, unchanged):
    terms_publish(actor=admin, text="The terms.")
    writer = make_member()
    url = f"/api/ideas/{idea.pk}/comments"
    with unchanged():
        body = error(call("POST", url, {"body": "Could the poles fold?"}, as_member=writer), 400, "invalid")
    assert (body["message"], body["fields"]) == (
        "The comment was not posted.",
        {"accept_terms": ["Read and accept the contribution terms (version 1) to contribute."]},
    )
    created = call("POST", url, {"body": "Could the poles fold?", "accept_terms": 1}, as_member=writer)
    assert created.status_code == 201, created.content
    assert (created.json()["body"], created.json()["author"]["id"]) == ("Could the poles fold?", writer.pk)
    assert call("GET", "/api/terms", as_member=writer).json()["accepted"] is True
    again = call("POST", url, {"body": "Or in three parts?"}, as_member=writer)
    assert again.status_code == 201, again.content
