"""Reads for the proof log: the content a log entry stands for, and the log itself."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from prosumo.ideas.models import Attachment, Comment, CommentRevision, IdeaRevision
from prosumo.provenance import merkle
from prosumo.provenance.models import EntryKind, LogEntry, SignedTreeHead


@dataclass(frozen=True)
class Logged:
    """What an entry records about one piece of content: the content itself, its idea and its author."""

    content: dict[str, Any]
    idea_id: int
    author_id: int | None


def _file_sha256(attachment: Attachment) -> str | None:
    try:
        with attachment.file.open("rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return None


def content_of(kind: str, object_id: int, version: int = 0) -> Logged | None:
    """The content of a revision, an attachment, or a comment as it read at ``version``; None when gone.

    These dictionaries are the canonical forms the log hashes (docs/ip.md): change one and
    every entry logged before stops matching its content.
    """
    if kind == EntryKind.REVISION:
        revision = IdeaRevision.objects.filter(pk=object_id).first()
        if revision is None:
            return None
        content = {
            "kind": "revision",
            "idea": revision.idea_id,
            "number": revision.number,
            "title": revision.title,
            "body": revision.body,
        }
        return Logged(content, revision.idea_id, revision.author_id)
    if kind == EntryKind.ATTACHMENT:
        attachment = Attachment.objects.filter(pk=object_id).first()
        digest = _file_sha256(attachment) if attachment is not None else None
        if attachment is None or digest is None:
            return None
        content = {
            "kind": "attachment",
            "idea": attachment.idea_id,
            "attachment": attachment.pk,
            "name": attachment.original_name,
            "content_type": attachment.content_type,
            "size": attachment.size,
            "sha256": digest,
        }
        return Logged(content, attachment.idea_id, attachment.uploaded_by_id)
    if kind == EntryKind.COMMENT:
        comment = Comment.objects.filter(pk=object_id).first()
        if comment is None:
            return None
        # A comment keeps its earlier texts as revisions, oldest first; version n read as
        # the n-th of them, or as the comment now when it is the latest.
        earlier = list(
            CommentRevision.objects.filter(comment=comment).order_by("created_at", "pk").values_list("body", flat=True)
        )
        if version > len(earlier):
            return None
        body = earlier[version] if version < len(earlier) else comment.body
        content = {
            "kind": "comment",
            "idea": comment.idea_id,
            "comment": comment.pk,
            "parent": comment.parent_id,
            "version": version,
            "body": body,
        }
        return Logged(content, comment.idea_id, comment.author_id)
    raise ValueError(f"unknown kind of log entry {kind!r}")


def log_size() -> int:
    return LogEntry.objects.count()


def leaf_hashes(size: int | None = None) -> list[bytes]:
    """The leaf hashes of the first ``size`` entries (all when None), in log order."""
    rows = LogEntry.objects.order_by("index").values_list("leaf_hash", flat=True)
    if size is not None:
        rows = rows[:size]
    return [bytes.fromhex(h) for h in rows]


def tree_head_latest() -> SignedTreeHead | None:
    return SignedTreeHead.objects.order_by("-size", "-signed_at").first()


def root_hash(size: int) -> str:
    return merkle.tree_head(leaf_hashes(size)).hex()
