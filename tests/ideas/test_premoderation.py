"""An idea waiting in premoderation is its authors' and the staff's until staff approve it.

Through the public doors only (pages, API, profile, notifications), so that each test
says what a person can do, whatever the code behind it.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from prosumo.activity.models import Event
from prosumo.community.models import Segment
from prosumo.ideas import services
from prosumo.ideas.models import Comment, DeclineReason, Follow, Stage, Vote
from prosumo.notifications.models import Notification


@pytest.fixture
def waiting(make_campaign: Any, make_idea: Any, member: Any) -> Any:
    campaign = make_campaign(premoderation=True)
    idea = make_idea(member, in_campaign=campaign, title="A tent for four that packs like one")
    assert idea.stage == Stage.SUBMITTED
    return idea


def _doors(client: Client, idea: Any) -> list[int]:
    return [
        client.get(f"/ideas/{idea.pk}/").status_code,
        client.get(f"/api/ideas/{idea.pk}").status_code,
        client.get(f"/api/ideas/{idea.pk}/comments").status_code,
        client.get(f"/ideas/{idea.pk}/revisions/").status_code,
    ]


def test_an_idea_waiting_for_approval_is_read_only_by_its_author_and_staff(waiting, make_member, reviewer, login):
    # given
    others = [Client(), login(make_member())]
    # then
    assert [_doors(c, waiting) for c in others] == [[404] * 4, [404] * 4]
    assert _doors(login(waiting.author), waiting) == [200] * 4
    assert _doors(login(reviewer), waiting) == [200] * 4
    page = login(waiting.author).get(f"/ideas/{waiting.pk}/").content.decode()
    assert "not approved by the team: only its authors and the team can see it" in page


def test_an_idea_waiting_for_approval_takes_no_comments_from_others(waiting, make_member, login):
    # given
    other = make_member()
    before = Comment.objects.count(), Event.objects.filter(verb="comment.posted").count()
    # when
    response = login(other).post(f"/ideas/{waiting.pk}/comment/", {"body": "First!"})
    api = login(other).post(f"/api/ideas/{waiting.pk}/comments", {"body": "First!"}, content_type="application/json")
    # then
    assert response.status_code == 404
    assert (api.status_code, api.json()["code"]) == (404, "not_found")
    assert (Comment.objects.count(), Event.objects.filter(verb="comment.posted").count()) == before


def test_an_idea_waiting_for_approval_is_not_on_its_authors_profile_for_others(waiting, make_member, login):
    # when
    for_others = Client().get(f"/members/{waiting.author_id}/").content.decode()
    for_the_author = login(waiting.author).get(f"/members/{waiting.author_id}/").content.decode()
    # then
    assert waiting.title not in for_others
    assert "0 ideas" in for_others
    assert waiting.title in for_the_author
    assert "1 idea" in for_the_author


def test_approval_opens_the_idea_to_everyone(waiting, reviewer):
    # when
    services.stage_change(actor=reviewer, idea_id=waiting.pk, to_stage="open", message="Welcome, this is a good one.")
    # then
    assert _doors(Client(), waiting) == [200] * 4
    assert waiting.title in Client().get(f"/c/{waiting.campaign.slug}/").content.decode()


def test_a_refused_idea_stays_private(waiting, reviewer):
    # given
    reason = DeclineReason.objects.create(label="Off topic")
    # when
    services.stage_change(
        actor=reviewer, idea_id=waiting.pk, to_stage="declined", message="This is not for us.", reason_id=reason.pk
    )
    # then
    assert _doors(Client(), waiting) == [404] * 4
    assert waiting.title not in Client().get(f"/c/{waiting.campaign.slug}/?stage=declined").content.decode()


def test_a_co_author_reads_the_idea_before_approval(waiting, make_member, login):
    # given
    coauthor = make_member()
    services.coauthor_invite(actor=waiting.author, idea_id=waiting.pk, member_id=coauthor.pk, share=20)
    # then the invitee can read what they are asked to join
    assert _doors(login(coauthor), waiting) == [200] * 4


def test_followers_who_may_not_see_an_idea_are_not_told_about_it(
    make_campaign, make_idea, make_member, admin, reviewer, django_capture_on_commit_callbacks
):
    # given an idea followed by an outsider and by a gold member, in a campaign then made gold-only
    gold = Segment.objects.create(name="Gold", slug="gold")
    campaign = make_campaign()
    author, insider, outsider = make_member(segment=gold), make_member(segment=gold), make_member()
    idea = make_idea(author, in_campaign=campaign)
    Follow.objects.bulk_create([Follow(idea=idea, member=insider), Follow(idea=idea, member=outsider)])
    Vote.objects.create(idea=idea, member=outsider, value=1)
    services.campaign_update(actor=admin, campaign=campaign, visibility="segment", segment_id=gold.pk)
    # when the idea moves and someone comments
    with django_capture_on_commit_callbacks(execute=True):
        services.stage_change(actor=reviewer, idea_id=idea.pk, to_stage="under_review", message="We are on it now.")
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_post(actor=insider, idea_id=idea.pk, body="Count me in.")
    # then the outsider heard nothing
    told = set(Notification.objects.values_list("recipient_id", "verb"))
    assert told == {
        (author.pk, "idea.stage_changed"),
        (insider.pk, "idea.stage_changed"),
        (author.pk, "comment.posted"),
    }


def test_profile_counts_leave_out_what_the_reader_may_not_see(make_campaign, make_idea, make_member, login):
    # given a member who commented and voted on an idea in a gold-only campaign and on a public one
    gold = Segment.objects.create(name="Gold", slug="gold")
    public, private = make_campaign(), make_campaign(visibility="segment", segment_id=gold.pk)
    fan = make_member(segment=gold)
    for campaign in (public, private):
        idea = make_idea(make_member(segment=gold), in_campaign=campaign)
        services.comment_post(actor=fan, idea_id=idea.pk, body="Lovely.")
        services.vote_cast(actor=fan, idea_id=idea.pk, value=1)
    # when
    outside = login(make_member()).get(f"/members/{fan.pk}/").content.decode()
    inside = login(make_member(segment=gold)).get(f"/members/{fan.pk}/").content.decode()
    # then
    assert "1 comment · 1 vote</p>" in outside
    assert "2 comments · 2 votes</p>" in inside
