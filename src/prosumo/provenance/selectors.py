"""Reads for the proof log: the content a log entry stands for, and the log itself."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from prosumo.community.models import Member
from prosumo.ideas.models import Attachment, Comment, CommentRevision, Idea, IdeaRevision
from prosumo.ideas.selectors import similar_ideas
from prosumo.provenance import merkle, proof
from prosumo.provenance.models import EntryKind, IdeaFlag, LogEntry, LogState, SignedTreeHead


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


Key = tuple[str, int, int]  # (kind, object id, version)


def content_of(kind: str, object_id: int, version: int = 0) -> Logged | None:
    """The content of a revision, an attachment, or a comment as it read at ``version``; None when gone."""
    return contents_of([(kind, object_id, version)]).get((kind, object_id, version))


def contents_of(keys: list[Key]) -> dict[Key, Logged]:
    """The content of each revision, attachment or comment version, in a few queries; what is gone is left out.

    These dictionaries are the canonical forms the log hashes (docs/ip.md): change one and
    every entry logged before stops matching its content.
    """
    unknown = {k for k, _, _ in keys} - set(EntryKind.values)
    if unknown:
        raise ValueError(f"unknown kind of log entry {sorted(unknown)!r}")
    found: dict[Key, Logged] = {}
    wanted = {kind: [pk for k, pk, _ in keys if k == kind] for kind in EntryKind.values}
    for revision in IdeaRevision.objects.filter(pk__in=wanted[EntryKind.REVISION]):
        content = {
            "kind": "revision",
            "idea": revision.idea_id,
            "number": revision.number,
            "title": revision.title,
            "body": revision.body,
        }
        found[(EntryKind.REVISION, revision.pk, 0)] = Logged(content, revision.idea_id, revision.author_id)
    for attachment in Attachment.objects.filter(pk__in=wanted[EntryKind.ATTACHMENT]):
        digest = _file_sha256(attachment)
        if digest is None:
            continue
        content = {
            "kind": "attachment",
            "idea": attachment.idea_id,
            "attachment": attachment.pk,
            "name": attachment.original_name,
            "content_type": attachment.content_type,
            "size": attachment.size,
            "sha256": digest,
        }
        found[(EntryKind.ATTACHMENT, attachment.pk, 0)] = Logged(content, attachment.idea_id, attachment.uploaded_by_id)
    comment_ids = wanted[EntryKind.COMMENT]
    # A comment keeps its earlier texts as revisions, oldest first; version n reads as the
    # n-th of them, or as the comment now when it is the latest.
    earlier: dict[int, list[str]] = {}
    for comment_id, body in (
        CommentRevision.objects.filter(comment_id__in=comment_ids)
        .order_by("comment_id", "created_at", "pk")
        .values_list("comment_id", "body")
    ):
        earlier.setdefault(comment_id, []).append(body)
    comments = {c.pk: c for c in Comment.objects.filter(pk__in=comment_ids)}
    for kind, pk, version in keys:
        comment = comments.get(pk) if kind == EntryKind.COMMENT else None
        if comment is None:
            continue
        texts = earlier.get(pk, [])
        if version > len(texts):
            continue
        content = {
            "kind": "comment",
            "idea": comment.idea_id,
            "comment": comment.pk,
            "parent": comment.parent_id,
            "version": version,
            "body": texts[version] if version < len(texts) else comment.body,
        }
        found[(kind, pk, version)] = Logged(content, comment.idea_id, comment.author_id)
    return found


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


@dataclass
class LogAudit:
    """What `prosumo verify-log` found: problems (the log or the content was altered) and notes."""

    entries: int = 0
    heads: int = 0
    problems: list[str] = field(default_factory=list)
    removed_at_erasure: int = 0


def _erased(member_ids: set[int]) -> set[int]:
    return set(Member.objects.filter(pk__in=member_ids, erased_at__isnull=False).values_list("pk", flat=True))


def log_audit(*, advance: Callable[[int], None] = lambda n: None, chunk: int = 500) -> LogAudit:
    """Check the whole log against the database: gaps, altered rows, altered content, and every signed head.

    Each entry's leaf hash is recomputed from its row, and its content from the current
    revision, attachment or comment; content of a member who erased their account with
    their content is expected to be gone (it is counted, not reported). Each signed head's
    root is recomputed from the rows and its signature checked.
    """
    audit = LogAudit()
    leaves: list[bytes] = []
    expected = 0
    entries = LogEntry.objects.order_by("index")
    last = None
    while True:
        batch = list(entries.filter(index__gt=last) if last is not None else entries)[:chunk]
        if not batch:
            break
        erased = _erased({e.author_id for e in batch if e.author_id is not None})
        for entry in batch:
            if entry.index != expected:
                audit.problems.append(f"gap: entries {expected} to {entry.index - 1} are missing")
            expected = entry.index + 1
            name = f"entry {entry.index} ({entry.kind} {entry.object_id}, version {entry.version})"
            if entry.leaf_hash != proof.entry_leaf_hash(entry.fields()):
                audit.problems.append(f"{name}: altered row: its fields no longer give its leaf hash")
            logged = content_of(entry.kind, entry.object_id, entry.version)
            if logged is None or proof.content_hash(logged.content) != entry.content_hash:
                if entry.author_id in erased:
                    audit.removed_at_erasure += 1
                elif logged is None:
                    audit.problems.append(f"{name}: the content is gone from the database")
                else:
                    audit.problems.append(f"{name}: altered content: it no longer has the logged hash")
            leaves.append(bytes.fromhex(entry.leaf_hash) if len(entry.leaf_hash) == 64 else b"")
            audit.entries += 1
        last = batch[-1].index
        advance(len(batch))
    state = LogState.objects.filter(pk=1).first()
    if state is not None and state.size != expected:
        audit.problems.append(f"the log's size is {state.size}, but its entries run to {expected}")
    for head in SignedTreeHead.objects.order_by("size", "signed_at"):
        audit.heads += 1
        name = f"tree head of {proof.entries(head.size)} signed {head.as_json()['timestamp']}"
        if head.size > len(leaves):
            audit.problems.append(f"{name}: the log has only {proof.entries(len(leaves))}")
        elif merkle.tree_head(leaves[: head.size]).hex() != head.root_hash:
            audit.problems.append(f"{name}: its root does not match the entries (one before it was altered)")
        message = proof.tree_head_message(
            origin=head.origin, size=head.size, root_hash=head.root_hash, timestamp=head.as_json()["timestamp"]
        )
        try:
            Ed25519PublicKey.from_public_bytes(proof.unb64(head.public_key)).verify(
                proof.unb64(head.signature), message
            )
        except (InvalidSignature, ValueError):
            audit.problems.append(f"{name}: bad signature")
    return audit


@dataclass(frozen=True)
class PriorArt:
    """An idea like the one in question, with when the proof log first recorded it."""

    idea: Idea
    first_logged_at: datetime | None
    first_entry: int | None
    earlier: bool


def prior_art(*, viewer: Any, idea: Idea, limit: int = 10) -> list[PriorArt]:
    """The ideas most like ``idea`` in every campaign the viewer may see, the earliest logged first.

    "Earlier" compares the first revisions' log entries (their index, which orders them
    for certain), so a dispute about who was first is settled by the log, not by a date
    anyone could edit. Ideas not logged yet come last. Three queries besides the search.
    """
    similar = similar_ideas(viewer=viewer, text=f"{idea.title} {idea.body}", exclude_id=idea.pk, limit=limit)
    ids = [idea.pk, *(s.pk for s in similar)]
    first: dict[int, tuple[int, datetime]] = {}
    rows = (
        LogEntry.objects.filter(kind=EntryKind.REVISION, idea_id__in=ids)
        .order_by("index")
        .values_list("idea_id", "index", "logged_at")
    )
    for idea_id, index, logged_at in rows:
        first.setdefault(idea_id, (index, logged_at))
    own = first.get(idea.pk)
    found = []
    for other in similar:
        entry = first.get(other.pk)
        earlier = entry is not None and (own is None or entry[0] < own[0])
        found.append(PriorArt(other, entry[1] if entry else None, entry[0] if entry else None, earlier))
    found.sort(key=lambda p: (p.first_entry is None, p.first_entry or 0, p.idea.created_at))
    return found


def idea_flags(*, idea_id: int) -> list[IdeaFlag]:
    """The disputes and prior-art flags staff recorded on an idea, newest first (one query)."""
    return list(IdeaFlag.objects.filter(idea_id=idea_id).select_related("earlier_idea", "flagged_by"))
