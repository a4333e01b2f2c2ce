"""Reads for the proof log: the content a log entry stands for, and the log itself."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext

from prosumo.community.models import Licence, Member
from prosumo.core.errors import InvalidInput
from prosumo.ideas.models import Attachment, CoAuthor, CoAuthorStatus, Comment, CommentRevision, Idea, IdeaRevision
from prosumo.ideas.selectors import similar_ideas
from prosumo.provenance import keys, merkle, proof, timestamping
from prosumo.provenance.models import EntryKind, IdeaFlag, LogEntry, LogState, SignedTreeHead


@dataclass(frozen=True)
class Logged:
    """What an entry records about one piece of content: the content itself, its idea (or other subject), its author.

    Content that belongs to no idea (a message) has ``idea_id`` None and names what it
    belongs to in ``subject``: (kind, id).
    """

    content: dict[str, Any]
    idea_id: int | None
    author_id: int | None
    subject: tuple[str, int] | None = None


def _file_sha256(attachment: Attachment) -> str | None:
    try:
        with attachment.file.open("rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return None


Key = tuple[str, int, int]  # (kind, object id, version)

#: Kinds of content that apps above this one log, each read by the callable they register.
_SOURCES: dict[str, Callable[[list[int]], dict[int, Logged]]] = {}


def content_source_register(kind: str, reader: Callable[[list[int]], dict[int, Logged]]) -> None:
    """An app above logs its own kind of content: ``reader(ids)`` gives the content of each id still there.

    Called in the app's AppConfig.ready(); the log never imports the app (the outreach
    app logs its message revisions this way, with version 0).
    """
    _SOURCES[kind] = reader


def content_of(kind: str, object_id: int, version: int = 0) -> Logged | None:
    """The content of a revision, an attachment, or a comment as it read at ``version``; None when gone."""
    return contents_of([(kind, object_id, version)]).get((kind, object_id, version))


def contents_of(keys: list[Key]) -> dict[Key, Logged]:
    """The content of each revision, attachment or comment version, in a few queries; what is gone is left out.

    These dictionaries are the canonical forms the log hashes (docs/ip.md): change one and
    every entry logged before stops matching its content.
    """
    unknown = {k for k, _, _ in keys} - set(EntryKind.values) - set(_SOURCES)
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
    for kind, reader in _SOURCES.items():
        ids = [pk for k, pk, _ in keys if k == kind]
        if ids:
            found.update({(kind, pk, 0): logged for pk, logged in reader(ids).items()})
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


# What a certificate holds records of: an idea's revisions and attachments (comments are logged, not certified).
CERTIFIED_KINDS = (EntryKind.REVISION, EntryKind.ATTACHMENT)


def idea_terms(idea: Idea) -> dict[str, Any] | None:
    """The terms the idea was contributed under, as the certificate states them; None from before terms."""
    version = idea.terms_version
    if version is None:
        return None
    return {
        "version": version.number,
        "text_sha256": version.text_sha256,
        "licence": idea.licence,
        "licence_name": str(Licence(idea.licence).label) if idea.licence in Licence.values else idea.licence,
    }


def certificates_of(*, idea_ids: list[int]) -> dict[int, dict[str, Any]]:
    """The authorship certificate of each idea whose records a signed head covers (docs/ip.md); writes nothing.

    Each of an idea's logged revisions and attachments is a record: its content, its log
    entry and the proof that the entry is in the tree whose signed head the certificate
    carries (the latest). An idea with a revision or attachment not logged yet, or not
    covered by the head yet, is left out: the task that logs one signs a head, so that is
    brief. Ten queries however many ideas; the log's leaf hashes are read once.
    """
    head = tree_head_latest()
    if head is None or not idea_ids:
        return {}
    entries: dict[int, list[LogEntry]] = {}
    for entry in LogEntry.objects.filter(idea_id__in=idea_ids, kind__in=CERTIFIED_KINDS).order_by("index"):
        entries.setdefault(int(entry.idea_id or 0), []).append(entry)  # idea_id__in: never null here
    # An idea is ready when every revision and attachment it has is logged, and the head covers them.
    logged_keys = {(e.kind, e.object_id) for found in entries.values() for e in found}
    unlogged = {
        *(
            i
            for i, pk in IdeaRevision.objects.filter(idea_id__in=idea_ids).values_list("idea_id", "pk")
            if (EntryKind.REVISION, pk) not in logged_keys
        ),
        *(
            i
            for i, pk in Attachment.objects.filter(idea_id__in=idea_ids).values_list("idea_id", "pk")
            if (EntryKind.ATTACHMENT, pk) not in logged_keys
        ),
    }
    ready = [i for i in idea_ids if i in entries and i not in unlogged and entries[i][-1].index < head.size]
    if not ready:
        return {}
    ideas = Idea.objects.filter(pk__in=ready).select_related("author", "campaign", "terms_version")
    coauthors: dict[int, list[CoAuthor]] = {}
    for coauthor in (
        CoAuthor.objects.filter(idea_id__in=ready, status=CoAuthorStatus.ACCEPTED)
        .select_related("member")
        .order_by("pk")
    ):
        coauthors.setdefault(coauthor.idea_id, []).append(coauthor)
    wanted = [(e.kind, e.object_id, e.version) for i in ready for e in entries[i]]
    contents = contents_of(wanted)
    leaves = leaf_hashes(head.size)
    issued_at = timezone.now().astimezone(UTC).isoformat(timespec="microseconds")
    key = keys.instance_key()
    documents = {}
    for idea in ideas:
        records = []
        for entry in entries[idea.pk]:
            logged = contents.get((entry.kind, entry.object_id, entry.version))
            # Content removed since it was logged (its author erased it with their account) is
            # left out: the certificate still proves the logged hash. `prosumo verify-log`
            # reports content changed any other way.
            kept = logged is not None and proof.content_hash(logged.content) == entry.content_hash
            records.append(
                {
                    "content": logged.content if kept and logged is not None else None,
                    "content_hash": entry.content_hash,
                    "entry": entry.fields(),
                    "leaf_hash": entry.leaf_hash,
                    "inclusion_proof": [p.hex() for p in merkle.inclusion_proof(leaves, entry.index)],
                }
            )
        authors = [
            {"name": idea.author.name, "member": idea.author_id, "role": "author"},
            *(
                {"name": c.member.name, "member": c.member_id, "role": "co-author", "share": str(c.share)}
                for c in coauthors.get(idea.pk, [])
            ),
        ]
        document: dict[str, Any] = {
            "format": proof.CERTIFICATE_FORMAT,
            "issued_at": issued_at,
            "idea": {
                "id": idea.pk,
                "title": idea.title,
                "campaign": idea.campaign.title,
                "url": f"{settings.SITE_URL}/ideas/{idea.pk}/",
            },
            "authors": authors,
            "terms": idea_terms(idea),
            "public_key": head.public_key,
            "tree_head": head.as_json(),
            "records": records,
        }
        document["signature"] = proof.b64(key.sign(proof.certificate_message(document)))
        documents[idea.pk] = document
    return documents


def certificate_read(*, idea: Idea) -> dict[str, Any]:
    """An idea's certificate for its page and its file; a clear error while its proof is not signed yet."""
    document = certificates_of(idea_ids=[idea.pk]).get(idea.pk)
    if document is None:
        raise InvalidInput(
            gettext(
                "This idea's proof is not signed yet: its certificate is ready within ten minutes of its last change."
            ),
            code="not_signed",
        )
    return document


def timestamp_of(document: dict[str, Any]) -> tuple[str, datetime] | None:
    """Who time-stamped a certificate's tree head and when, read from its token; None without one."""
    token = document.get("tree_head", {}).get("timestamp_token")
    return timestamping.describe(proof.unb64(token)) if token else None


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
    root is recomputed from the rows and its signature checked. A fixed number of
    queries per chunk of entries, however long the log.
    """
    audit = LogAudit()
    leaves: list[bytes] = []
    expected = 0
    entries = LogEntry.objects.order_by("index")
    last = None
    while True:
        batch = list((entries.filter(index__gt=last) if last is not None else entries)[:chunk])
        if not batch:
            break
        erased = _erased({e.author_id for e in batch if e.author_id is not None})
        contents = contents_of([(e.kind, e.object_id, e.version) for e in batch])
        for entry in batch:
            if entry.index != expected:
                missing = (
                    f"entry {expected} is missing"
                    if entry.index == expected + 1
                    else f"entries {expected} to {entry.index - 1} are missing"
                )
                audit.problems.append(f"gap: {missing}")
            expected = entry.index + 1
            name = f"entry {entry.index} ({entry.kind} {entry.object_id}, version {entry.version})"
            if entry.leaf_hash != proof.entry_leaf_hash(entry.fields()):
                audit.problems.append(f"{name}: altered row: its fields no longer give its leaf hash")
            logged = contents.get((entry.kind, entry.object_id, entry.version))
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
        if head.timestamp_token is not None:
            stamp = timestamping.check_reply(bytes(head.timestamp_token), message)
            audit.problems.extend(f"{name}: {problem}" for problem in stamp.problems)
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
        first.setdefault(int(idea_id or 0), (index, logged_at))  # idea_id__in: never null here
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
