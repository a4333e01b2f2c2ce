"""A member's messages in their copy of their data, and what erasing their account does to them."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from prosumo.community.models import Segment
from prosumo.outreach import services
from prosumo.outreach.models import Assignment, Message, MessageComment, MessageRevision, MessageVote
from prosumo.privacy.export import build_zip
from prosumo.privacy.services import member_erase

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)
REMOVED = "This message was removed by its author."


@pytest.fixture
def outreach(admin, member, make_member, brief, settings, tmp_path, django_capture_on_commit_callbacks):
    """Zelda wrote one message alone (with an image) and one that Otto improved; she voted, commented, and
    was given an arm of a running experiment, which she opened."""
    settings.MEDIA_ROOT = str(tmp_path)
    zelda, otto = member, make_member()
    gold = Segment.objects.create(name="Gold", slug="gold")
    for m in (zelda, otto):
        m.segment = gold
        m.save(update_fields=["segment"])
    alone = services.message_propose(
        actor=zelda, brief_id=brief.pk, text="Sleep under the stars, dry.", image=SimpleUploadedFile("t.png", PNG)
    )
    shared = services.message_propose(actor=zelda, brief_id=brief.pk, text="A tent for two and a dog.")
    services.message_revise(actor=otto, message_id=shared.pk, text="A tent for two and a big dog.")
    theirs = services.message_propose(actor=otto, brief_id=brief.pk, text="Pitch it in one minute.")
    services.message_vote(actor=zelda, message_id=theirs.pk)
    comment = services.message_comment(actor=zelda, message_id=theirs.pk, body="Say which minute.")
    company = services.message_propose(actor=admin, brief_id=brief.pk, text="Our tent, your night out.", company=True)
    email = services.channel_create(actor=admin, name="newsletter", kind="email")
    experiment = services.experiment_create(
        actor=admin, name="Spring", arms=[(theirs.pk, email.pk), (company.pk, email.pk)], segment_id=gold.pk
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.experiment_start(actor=admin, experiment_id=experiment.pk)
    assignment = Assignment.objects.get(member=zelda)
    services.link_open(token=services.link_token(assignment))
    return {
        "zelda": zelda,
        "otto": otto,
        "alone": alone,
        "shared": shared,
        "theirs": theirs,
        "comment": comment,
        "assignment": assignment,
        "path": tmp_path,
    }


@pytest.mark.django_db
def test_the_data_copy_holds_the_members_messages_and_only_their_own_arm(outreach):
    zelda, alone, shared, theirs = outreach["zelda"], outreach["alone"], outreach["shared"], outreach["theirs"]
    archive = zipfile.ZipFile(io.BytesIO(build_zip(zelda)))
    data = json.loads(archive.read("messages.json"))
    assert [(m["id"], m["text"], m["image"]) for m in data["messages"]] == [
        (alone.pk, "Sleep under the stars, dry.", "image/png"),
        (shared.pk, "A tent for two and a big dog.", None),
    ]
    assert [(r["message_id"], r["number"]) for r in data["revisions"]] == [(alone.pk, 1), (shared.pk, 1)]
    assert [(c["message_id"], c["body"]) for c in data["comments"]] == [(theirs.pk, "Say which minute.")]
    assert [v["message_id"] for v in data["votes"]] == [theirs.pk]
    assignment = outreach["assignment"]
    assert [
        (e["experiment_id"], e["message_id"], e["channel"], e["opened_at"] is not None) for e in data["experiments"]
    ] == [(assignment.experiment_id, assignment.arm.message_id, "newsletter", True)]
    assert "messages.json: " in archive.read("README.txt").decode()
    # Otto's copy names his own arm, never Zelda's
    otto_data = json.loads(zipfile.ZipFile(io.BytesIO(build_zip(outreach["otto"]))).read("messages.json"))
    assert [e["message_id"] for e in otto_data["experiments"]] == [
        Assignment.objects.get(member=outreach["otto"]).arm.message_id
    ]


@pytest.mark.django_db
def test_erasure_withdraws_the_votes_and_keeps_the_text_unless_asked(outreach, django_capture_on_commit_callbacks):
    zelda, theirs = outreach["zelda"], outreach["theirs"]
    with django_capture_on_commit_callbacks(execute=True):
        member_erase(actor=zelda, member=zelda, password="correct horse 12")
    theirs.refresh_from_db()
    assert (theirs.vote_count, MessageVote.objects.filter(member=zelda).count()) == (0, 0)
    assert Message.objects.get(pk=outreach["alone"].pk).text == "Sleep under the stars, dry."
    assert MessageComment.objects.get().body == "Say which minute."
    assert Assignment.objects.filter(member=zelda).count() == 1


@pytest.mark.django_db
def test_erasure_with_removal_removes_what_is_hers_alone(outreach, django_capture_on_commit_callbacks):
    zelda, alone, shared = outreach["zelda"], outreach["alone"], outreach["shared"]
    image = outreach["path"] / alone.image.name
    assert image.exists()
    with django_capture_on_commit_callbacks(execute=True):
        member_erase(actor=zelda, member=zelda, password="correct horse 12", remove_content=True)
    alone.refresh_from_db()
    assert (alone.text, alone.image.name, alone.image_type) == (REMOVED, "", "")
    assert list(MessageRevision.objects.filter(message=alone).values_list("text", flat=True)) == [REMOVED]
    assert not image.exists()
    # the message Otto improved keeps its text and history; her comment is removed; her arm stays
    assert Message.objects.get(pk=shared.pk).text == "A tent for two and a big dog."
    assert MessageRevision.objects.filter(message=shared).count() == 2
    assert MessageComment.objects.get().body == "This comment was removed by its author."
    assert Assignment.objects.filter(member=zelda).count() == 1
