"""The proof log: what each new revision, attachment and comment appends, and the signed tree heads."""

from __future__ import annotations

import base64
import hashlib
import stat

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.core.files.uploadedfile import SimpleUploadedFile

from prosumo.activity.models import Event
from prosumo.ideas.services import attachment_add, comment_edit, comment_post, idea_revise
from prosumo.provenance import keys, merkle
from prosumo.provenance.models import LogEntry, LogState, SignedTreeHead
from prosumo.provenance.proof import content_hash, entry_leaf_hash, tree_head_message
from prosumo.provenance.selectors import content_of, leaf_hashes
from prosumo.provenance.services import entry_append, event_log, log_catch_up, tree_head_sign

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7V\xbd\xfa\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def key_file(settings, tmp_path):
    settings.PROSUMO_PROVENANCE_KEY_FILE = tmp_path / "keys" / "provenance.pem"
    return settings.PROSUMO_PROVENANCE_KEY_FILE


def _rows():
    return list(LogEntry.objects.order_by("index").values_list("index", "kind", "version", "author_id"))


def test_each_revision_attachment_and_comment_is_logged_once_in_order(
    idea, member, make_member, media, django_capture_on_commit_callbacks
):
    # given an idea, logged as it was submitted (make_idea runs the after-commit work)
    other = make_member()
    # when it is revised, gets a file, a comment, and the comment is edited
    with django_capture_on_commit_callbacks(execute=True):
        revision = idea_revise(actor=member, idea_id=idea.pk, title=idea.title, body="Poles that unfold by themselves.")
    with django_capture_on_commit_callbacks(execute=True):
        attachment = attachment_add(actor=member, idea_id=idea.pk, upload=SimpleUploadedFile("sketch.png", PNG))
    with django_capture_on_commit_callbacks(execute=True):
        comment = comment_post(actor=other, idea_id=idea.pk, body="What about the wind?")
    with django_capture_on_commit_callbacks(execute=True):
        comment_edit(actor=other, comment_id=comment.pk, body="What about strong wind?")
    # then five entries, one after the other, each by its author
    assert _rows() == [
        (0, "revision", 0, member.pk),
        (1, "revision", 0, member.pk),
        (2, "attachment", 0, member.pk),
        (3, "comment", 0, other.pk),
        (4, "comment", 1, other.pk),
    ]
    assert LogState.objects.get().size == 5
    entries = list(LogEntry.objects.order_by("index"))
    assert [e.object_id for e in entries] == [
        idea.revisions.get(number=1).pk,
        revision.pk,
        attachment.pk,
        comment.pk,
        comment.pk,
    ]
    # each entry holds the hash of its content's canonical form, and its leaf hash of its fields
    assert content_of("comment", comment.pk, 0).content["body"] == "What about the wind?"
    assert content_of("comment", comment.pk, 1).content["body"] == "What about strong wind?"
    for entry in entries:
        assert entry.content_hash == content_hash(content_of(entry.kind, entry.object_id, entry.version).content)
        assert entry.leaf_hash == entry_leaf_hash(entry.fields())
        assert entry.idea_id == idea.pk
    assert content_of("attachment", attachment.pk).content["sha256"] == hashlib.sha256(PNG).hexdigest()


def test_logging_again_changes_nothing(idea):
    # given the idea's submission, logged
    event = Event.objects.get(verb="idea.submitted", object_id=idea.pk)
    [before] = LogEntry.objects.all()
    # when its task runs again (a retry, or an outbox delivering twice)
    again = event_log(event_id=event.pk)
    # then it finds the same entry and the log did not grow
    assert again.pk == before.pk
    assert _rows() == [(0, "revision", 0, idea.author_id)]
    assert LogState.objects.get().size == 1


def test_content_that_was_never_logged_is_caught_up_in_order(member, campaign):
    # given two ideas whose after-commit logging never ran (the process stopped first)
    from prosumo.ideas.services import idea_submit

    first = idea_submit(actor=member, campaign_id=campaign.pk, title="A first idea here", body="Some words " * 3)
    comment = comment_post(actor=member, idea_id=first.pk, body="A note")
    assert LogEntry.objects.count() == 0
    # when the periodic job catches up
    added = log_catch_up()
    # then both are logged, and a second pass adds nothing
    assert added == 2
    assert _rows() == [(0, "revision", 0, member.pk), (1, "comment", 0, member.pk)]
    assert LogEntry.objects.get(index=1).object_id == comment.pk
    assert log_catch_up() == 0


def test_an_entry_for_content_that_is_gone_is_not_written(db):
    assert entry_append(kind="revision", object_id=987654) is None
    assert LogEntry.objects.count() == 0


def test_tree_heads_are_signed_when_the_log_grew(idea, member, key_file, time_machine):
    # given a log of one entry, without the head its logging task signed
    SignedTreeHead.objects.all().delete()
    time_machine.move_to("2026-12-05T06:00:00Z", tick=False)
    # when the periodic job signs
    head = tree_head_sign()
    # then the head covers the entry, its signature verifies with the instance's public key
    assert (head.size, head.root_hash) == (1, merkle.tree_head(leaf_hashes()).hex())
    assert head.as_json()["timestamp"] == "2026-12-05T06:00:00.000000+00:00"
    public = Ed25519PublicKey.from_public_bytes(base64.b64decode(head.public_key))
    message = tree_head_message(
        origin=head.origin, size=1, root_hash=head.root_hash, timestamp=head.as_json()["timestamp"]
    )
    public.verify(base64.b64decode(head.signature), message)
    assert Event.objects.filter(verb="tree_head.signed", value=1).count() == 2  # the deleted head's, and this one
    # and without growth no new head is signed
    assert tree_head_sign().pk == head.pk
    assert SignedTreeHead.objects.count() == 1
    # after growth the new head extends the old one (a consistency proof holds)
    comment_post(actor=member, idea_id=idea.pk, body="More")
    log_catch_up()
    later = tree_head_sign()
    assert later.size == 2
    proof = merkle.consistency_proof(leaf_hashes(), 1)
    assert merkle.verify_consistency(1, 2, bytes.fromhex(head.root_hash), bytes.fromhex(later.root_hash), proof)


def test_the_key_is_made_once_readable_by_its_owner_only(db, key_file):
    # when the key is needed for the first time
    first = keys.public_key_b64()
    # then its file exists, private, and the key stays the same
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert key_file.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    keys._loaded.clear()
    assert keys.public_key_b64() == first
    # and a key that is already there is never replaced
    before = key_file.read_bytes()
    keys._create(key_file)
    assert key_file.read_bytes() == before
    assert [p.name for p in key_file.parent.iterdir()] == [key_file.name]
