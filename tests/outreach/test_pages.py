"""The outreach pages: staff open a brief, members propose, improve and vote, staff shortlist."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from prosumo.outreach.models import Message, MessageBrief

TEXT = "Sleep under the stars, dry."


@pytest.mark.django_db
def test_a_brief_from_opening_to_shortlist_through_the_pages(login, admin, member, make_member):
    staff, writer, improver = login(admin), login(member), login(make_member())
    deadline = (timezone.now() + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M")
    opened = staff.post(
        "/staff/outreach/",
        {
            "title": "Spring launch",
            "product": "Trail tent",
            "channels": ["email", "push"],
            "languages": ["en"],
            "length_min": 10,
            "length_max": 120,
            "deadline": deadline,
        },
    )
    brief = MessageBrief.objects.get()
    assert (opened.status_code, opened["Location"]) == (302, f"/outreach/briefs/{brief.pk}/")
    assert "Spring launch" in writer.get("/outreach/").content.decode()
    proposed = writer.post(f"/outreach/briefs/{brief.pk}/", {"text": TEXT, "language": "en"})
    message = Message.objects.get()
    assert (proposed.status_code, proposed["Location"]) == (302, f"/outreach/messages/{message.pk}/")
    improver.post(f"/outreach/messages/{message.pk}/", {"text": "Sleep under the stars, warm and dry."})
    improver.post(f"/outreach/messages/{message.pk}/vote/")
    page = writer.get(f"/outreach/messages/{message.pk}/").content.decode()
    assert "<ins>warm and</ins>" in page
    assert "1 vote" in page
    staff.post(f"/outreach/messages/{message.pk}/shortlist/")
    message.refresh_from_db()
    assert (message.revision, message.vote_count, message.shortlisted) == (2, 1, True)


@pytest.mark.django_db
def test_an_over_long_message_shows_the_reason_and_changes_nothing(login, member, make_brief):
    brief = make_brief()
    response = login(member).post(f"/outreach/briefs/{brief.pk}/", {"text": "x" * 200, "language": "en"})
    assert response.status_code == 400
    assert "This brief takes messages of 10 to 120 characters; this one has 200." in response.content.decode()
    assert Message.objects.count() == 0


@pytest.mark.django_db
def test_the_staff_page_does_not_exist_for_members(login, member):
    assert login(member).get("/staff/outreach/").status_code == 404
    assert login(member).get("/outreach/briefs/999999/").status_code == 404


@pytest.mark.django_db
def test_the_brief_page_speaks_of_the_members_message_not_an_idea(login, admin, member, make_brief):
    from prosumo.community.terms import terms_publish

    terms_publish(actor=admin, text="You keep the credit; the company may use what you write.")
    brief = make_brief()
    client = login(member)
    page = client.get(f"/outreach/briefs/{brief.pk}/").content.decode()
    assert "Your rights in this message" in page
    assert "Your rights in this idea" not in page
    refused = client.post(f"/outreach/briefs/{brief.pk}/", {"text": TEXT, "language": "en", "accept_terms": 1})
    assert refused.status_code == 400
    assert "Choose the licence you give your message under:" in refused.content.decode()
    assert Message.objects.count() == 0


@pytest.mark.django_db
def test_improving_or_commenting_a_message_asks_for_the_terms_and_staff_edits_do_not(
    login, admin, member, make_member, make_brief
):
    from prosumo.community.models import TermsAcceptance
    from prosumo.community.terms import terms_publish
    from prosumo.outreach import services
    from prosumo.outreach.models import MessageComment, MessageRevision

    # given terms published after a member proposed a message, and another member who has not accepted them
    brief = make_brief()
    message = services.message_propose(actor=member, brief_id=brief.pk, text=TEXT)
    terms_publish(actor=admin, text="You keep the credit; the company may use what you write.")
    improver = login(make_member())
    url = f"/outreach/messages/{message.pk}/"
    page = improver.get(url).content.decode()
    assert 'id="revision-terms"' in page
    assert 'id="comment-terms"' in page
    # when they improve it or comment without accepting the terms, then both are refused with the reason
    for data in ({"text": TEXT + " Warm too."}, {"body": "Shorter, please."}):
        refused = improver.post(url, data)
        assert refused.status_code == 400
        assert "Read and accept the contribution terms (version 1) to contribute." in refused.content.decode()
    assert (MessageRevision.objects.count(), MessageComment.objects.count()) == (1, 0)
    # when they accept them with the revision, then the revision and a comment are saved
    assert improver.post(url, {"text": TEXT + " Warm too.", "accept_terms": 1}).status_code == 302
    assert improver.post(url, {"body": "Shorter, please."}).status_code == 302
    assert (MessageRevision.objects.count(), MessageComment.objects.count(), TermsAcceptance.objects.count()) == (
        2,
        1,
        1,
    )
    # and staff editing the shortlisted message are asked for nothing: it is the company's edit
    services.message_shortlist(actor=admin, message_id=message.pk)
    staff = login(admin)
    assert 'id="revision-terms"' not in staff.get(url).content.decode()
    assert staff.post(url, {"text": TEXT + " Warm, too."}).status_code == 302
    assert MessageRevision.objects.order_by("-number").first().by_staff


@pytest.mark.django_db
def test_a_message_shows_the_terms_and_licence_it_was_given_under(login, admin, member, make_brief):
    from prosumo.community.terms import terms_publish
    from prosumo.outreach import services

    terms_publish(actor=admin, text="The terms.")
    brief = make_brief()
    message = services.message_propose(
        actor=member, brief_id=brief.pk, text=TEXT, licence="non_exclusive", accept_terms=1
    )
    page = login(member).get(f"/outreach/messages/{message.pk}/").content.decode()
    assert (
        "Given under the contribution terms, version 1, and the licence: Non-exclusive licence to the company." in page
    )
