"""The outreach endpoints: staff open briefs and shortlist; members propose, improve, vote and comment."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from prosumo.outreach.models import Message, MessageBrief, MessageRevision
from tests.api.conftest import error

TEXT = "Sleep under the stars, dry."


def _brief_body(**overrides):
    return {
        "title": "Spring launch",
        "product": "Trail tent",
        "deadline": (timezone.now() + timedelta(days=7)).isoformat(),
        "channels": ["email"],
        "languages": ["en"],
        "length_min": 10,
        "length_max": 120,
    } | overrides


@pytest.mark.django_db
def test_a_brief_and_its_messages_over_the_api(call, admin, member, make_member):
    opened = call("POST", "/api/briefs", _brief_body(), as_member=admin)
    assert opened.status_code == 201, opened.content
    brief_id = opened.json()["id"]
    assert [b["id"] for b in call("GET", "/api/briefs", as_member=member).json()] == [brief_id]
    proposed = call("POST", f"/api/briefs/{brief_id}/messages", {"text": TEXT}, as_member=member)
    assert proposed.status_code == 201, proposed.content
    message_id = proposed.json()["id"]
    company = call(
        "POST", f"/api/briefs/{brief_id}/messages", {"text": "Our tent, your night.", "company": True}, as_member=admin
    )
    assert company.json()["company"] is True
    other = make_member()
    revised = call("POST", f"/api/messages/{message_id}/revisions", {"text": TEXT + " Always."}, as_member=other)
    assert (revised.status_code, revised.json()["number"]) == (201, 2)
    assert call("PUT", f"/api/messages/{message_id}/vote", as_member=other).json()["vote_count"] == 1
    commented = call("POST", f"/api/messages/{message_id}/comments", {"body": "Love it"}, as_member=other)
    assert commented.status_code == 201
    shortlisted = call("PUT", f"/api/messages/{message_id}/shortlist", as_member=admin)
    assert shortlisted.json()["shortlisted"] is True
    detail = call("GET", f"/api/messages/{message_id}", as_member=member).json()
    assert [(r["number"], r["author_id"]) for r in detail["revisions"]] == [(1, member.pk), (2, other.pk)]
    assert (detail["comment_count"], detail["credit"]) == (1, {str(member.pk): 100.0})
    listed = call("GET", f"/api/briefs/{brief_id}/messages", as_member=member).json()
    assert [(m["id"], m["vote_count"]) for m in listed] == [(message_id, 1), (company.json()["id"], 0)]


@pytest.mark.django_db
def test_bad_input_over_the_api_changes_nothing(call, admin, member, make_brief):
    brief = make_brief()
    before = (MessageBrief.objects.count(), Message.objects.count(), MessageRevision.objects.count())
    body = error(call("POST", "/api/briefs", _brief_body(title="", segment_id=999), as_member=admin), 400, "invalid")
    assert sorted(body["fields"]) == ["segment_id", "title"]
    error(call("POST", "/api/briefs", _brief_body(), as_member=member), 403, "forbidden")
    long = call("POST", f"/api/briefs/{brief.pk}/messages", {"text": "x" * 500}, as_member=member)
    assert error(long, 400, "invalid")["fields"] == {
        "text": ["This brief takes messages of 10 to 120 characters; this one has 500."]
    }
    error(
        call("POST", f"/api/briefs/{brief.pk}/messages", {"text": TEXT, "company": True}, as_member=member),
        403,
        "forbidden",
    )
    error(call("GET", "/api/briefs/999999/messages", as_member=member), 404, "not_found")
    assert (MessageBrief.objects.count(), Message.objects.count(), MessageRevision.objects.count()) == before


def test_the_openapi_document_names_briefs_and_messages(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert {"/api/briefs", "/api/briefs/{brief_id}/messages", "/api/messages/{message_id}"} <= set(paths)


@pytest.mark.django_db
def test_a_revision_over_the_api_takes_the_terms_accepted_with_it(call, admin, member, make_member, make_brief):
    from prosumo.community.terms import terms_publish
    from prosumo.outreach.services import message_propose

    message = message_propose(actor=member, brief_id=make_brief().pk, text=TEXT)
    terms_publish(actor=admin, text="The terms.")
    other = make_member()
    url = f"/api/messages/{message.pk}/revisions"
    refused = error(call("POST", url, {"text": TEXT + " Always."}, as_member=other), 400, "invalid")
    assert refused["fields"] == {"accept_terms": ["Read and accept the contribution terms (version 1) to contribute."]}
    assert MessageRevision.objects.count() == 1
    revised = call("POST", url, {"text": TEXT + " Always.", "accept_terms": 1}, as_member=other)
    assert (revised.status_code, revised.json()["number"]) == (201, 2)
