from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from prosumo.activity.models import Event
from prosumo.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from prosumo.ideas.models import Attachment, CoAuthor, Idea, IdeaRevision, Stage
from prosumo.ideas.selectors import answer_queue, idea_list, similar_ideas
from prosumo.ideas.services import (
    attachment_add,
    coauthor_invite,
    coauthor_respond,
    comment_edit,
    comment_post,
    idea_revise,
    idea_submit,
    stage_change,
)

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7V\xbd\xfa\x00\x00\x00\x00IEND\xaeB`\x82"
)


def test_submit_records_revision_follow_and_event(idea, member):
    assert idea.stage == Stage.OPEN
    assert idea.revisions.get().number == 1
    assert idea.follows.filter(member=member).exists()
    event = Event.objects.get(verb="idea.submitted")
    assert (event.actor_id, event.object_id, event.campaign_id) == (member.pk, idea.pk, idea.campaign_id)


@pytest.mark.parametrize(
    ("title", "body", "field"),
    [
        ("Hi", "A body that is long enough to pass.", "title"),
        ("A fine title", "short", "body"),
        ("x" * 161, "A body that is long enough to pass.", "title"),
    ],
)
def test_submit_rejects_bad_text(campaign, member, title, body, field):
    with pytest.raises(InvalidInput) as err:
        idea_submit(actor=member, campaign_id=campaign.pk, title=title, body=body)
    assert field in err.value.fields
    assert not Idea.objects.exists()
    assert not Event.objects.filter(verb="idea.submitted").exists()


def test_closed_campaign_takes_no_ideas(make_campaign, member):
    past = make_campaign(
        starts_at=timezone.now() - timezone.timedelta(days=10), ends_at=timezone.now() - timezone.timedelta(days=1)
    )
    with pytest.raises(InvalidInput) as err:
        idea_submit(
            actor=member, campaign_id=past.pk, title="Too late idea", body="This comes after the campaign ended."
        )
    assert err.value.code == "campaign_closed"


def test_premoderated_campaign_starts_ideas_as_submitted(make_campaign, make_idea, member):
    idea = make_idea(member, in_campaign=make_campaign(premoderation=True))
    assert idea.stage == Stage.SUBMITTED
    assert idea in answer_queue()


def test_segment_campaign_is_invisible_to_others(make_campaign, make_member, admin):
    from prosumo.community.models import Segment

    gold = Segment.objects.create(name="Gold", slug="gold")
    campaign = make_campaign(visibility="segment", segment_id=gold.pk)
    outsider, insider = make_member(), make_member(segment=gold)
    with pytest.raises(NotFound):
        idea_submit(
            actor=outsider, campaign_id=campaign.pk, title="Outsider idea", body="I should not be able to post this."
        )
    idea_submit(
        actor=insider,
        campaign_id=campaign.pk,
        title="Gold members idea",
        body="Exclusive previews for loyal customers.",
    )


def test_revisions_keep_history(idea, member, make_member):
    idea_revise(
        actor=member,
        idea_id=idea.pk,
        title="A tent that pitches itself in 30 seconds",
        body=idea.body + " Now faster.",
        note="faster",
    )
    idea.refresh_from_db()
    assert idea.revision == 2
    assert list(IdeaRevision.objects.filter(idea=idea).values_list("number", flat=True)) == [1, 2]
    with pytest.raises(InvalidInput):
        idea_revise(actor=member, idea_id=idea.pk, title=idea.title, body=idea.body)
    with pytest.raises(PermissionDenied):
        idea_revise(actor=make_member(), idea_id=idea.pk, title="Someone else's edit", body=idea.body)


def test_coauthor_invite_accept_and_shares(idea, member, make_member):
    a, b = make_member(), make_member()
    invite = coauthor_invite(actor=member, idea_id=idea.pk, member_id=a.pk, share=30)
    with pytest.raises(Conflict):
        coauthor_invite(actor=member, idea_id=idea.pk, member_id=a.pk, share=10)
    with pytest.raises(InvalidInput):
        coauthor_invite(actor=member, idea_id=idea.pk, member_id=b.pk, share=70)  # author must keep a share
    coauthor_respond(actor=a, coauthor_id=invite.pk, accept=True)
    invite.refresh_from_db()
    assert invite.status == "accepted"
    assert invite.share == Decimal("30.00")
    event = Event.objects.get(verb="idea.coauthor_added")
    assert (event.target_member_id, event.value) == (a.pk, 30.0)
    idea_revise(actor=a, idea_id=idea.pk, title="Co-authored improvement to the tent", body=idea.body)
    with pytest.raises(NotFound):
        coauthor_respond(actor=a, coauthor_id=invite.pk, accept=True)
    assert CoAuthor.objects.count() == 1


@pytest.mark.parametrize("share", ["NaN", "sNaN", "Infinity", "-inf", float("nan"), float("inf"), Decimal("NaN")])
def test_a_share_that_is_not_a_finite_number_is_refused(idea, member, make_member, share):
    invitee = make_member()
    events = Event.objects.count()
    with pytest.raises(InvalidInput) as refused:
        coauthor_invite(actor=member, idea_id=idea.pk, member_id=invitee.pk, share=share)
    assert (refused.value.message, refused.value.fields) == ("The share is a percentage.", {"share": ["invalid"]})
    assert CoAuthor.objects.count() == 0
    assert Event.objects.count() == events


def test_comments_thread_and_edit_history(idea, member, make_member):
    other = make_member()
    first = comment_post(actor=other, idea_id=idea.pk, body="Add a rain fly?", builds_on=True)
    reply = comment_post(actor=member, idea_id=idea.pk, body="Yes, good point", parent_id=first.pk)
    assert Event.objects.get(object_id=reply.pk, verb="comment.posted").target_member_id == other.pk
    comment_edit(actor=other, comment_id=first.pk, body="Add a detachable rain fly?")
    first.refresh_from_db()
    assert first.revisions.get().body == "Add a rain fly?"
    with pytest.raises(PermissionDenied):
        comment_edit(actor=member, comment_id=first.pk, body="Not mine to edit")
    with pytest.raises(InvalidInput):
        comment_post(actor=member, idea_id=idea.pk, body=" ")
    idea.refresh_from_db()
    assert idea.comment_count == 2


def test_attachments_are_sniffed_and_limited(idea, member, settings):
    ok = attachment_add(actor=member, idea_id=idea.pk, upload=SimpleUploadedFile("sketch.PNG", PNG))
    assert (ok.content_type, ok.size) == ("image/png", len(PNG))
    with pytest.raises(InvalidInput) as err:
        attachment_add(actor=member, idea_id=idea.pk, upload=SimpleUploadedFile("evil.png", b"#!/bin/sh\necho hi\n"))
    assert err.value.fields == {"file": ["type"]}
    settings.PROSUMO_MAX_UPLOAD_BYTES = 10
    with pytest.raises(InvalidInput) as err:
        attachment_add(actor=member, idea_id=idea.pk, upload=SimpleUploadedFile("big.png", PNG))
    assert err.value.fields == {"file": ["too_large"]}
    assert Attachment.objects.count() == 1


def test_search_and_similar(make_idea, make_member, campaign):
    lantern = make_idea(
        make_member(), title="Solar lantern with USB port", body="A lantern charged by the sun that can charge a phone."
    )
    make_idea(make_member(), title="Waterproof boots for kids", body="Boots that keep small feet dry on long hikes.")
    page = idea_list(campaign=campaign, order="new", query="lantern")
    assert [i.pk for i in page.object_list] == [lantern.pk]
    found = similar_ideas(text="solar powered lantern", campaign_id=campaign.pk)
    assert [i.pk for i in found] == [lantern.pk]


def test_answer_queue_is_oldest_first_and_answered_ideas_leave(make_idea, make_member, reviewer):
    first = make_idea(make_member(), title="First idea in the queue")
    second = make_idea(make_member(), title="Second idea in the queue")
    assert [i.pk for i in answer_queue()] == [first.pk, second.pk]
    stage_change(actor=reviewer, idea_id=first.pk, to_stage="under_review", message="We are reviewing it now.")
    assert [i.pk for i in answer_queue()] == [second.pk]
