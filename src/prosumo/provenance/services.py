"""Writes to the proof log: appending entries, signing tree heads."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext

from prosumo.activity.models import Event
from prosumo.activity.services import event_record
from prosumo.community.models import Licence
from prosumo.community.permissions import require_staff_page
from prosumo.core.errors import Conflict, InvalidInput
from prosumo.core.input import text_problem
from prosumo.ideas.models import Attachment, CoAuthor, CoAuthorStatus, Comment, CommentRevision, Idea, IdeaRevision
from prosumo.ideas.permissions import access_idea
from prosumo.provenance import keys, merkle
from prosumo.provenance.models import EntryKind, FlagKind, IdeaFlag, LogEntry, LogState, SignedTreeHead
from prosumo.provenance.proof import (
    CERTIFICATE_FORMAT,
    b64,
    certificate_message,
    content_hash,
    entry_leaf_hash,
    tree_head_message,
)
from prosumo.provenance.selectors import Key, content_of, contents_of, leaf_hashes, tree_head_latest

# The events that create something the log keeps, and what each one logs.
LOGGED_VERBS = ("idea.submitted", "idea.revised", "idea.attachment_added", "comment.posted", "comment.edited")


def entry_append(*, kind: str, object_id: int, version: int = 0) -> LogEntry | None:
    """Log one piece of content, once: the entry already there if it was, None when the content is gone."""
    found = LogEntry.objects.filter(kind=kind, object_id=object_id, version=version).first()
    if found is not None:
        return found
    entries_append(keys=[(kind, object_id, version)])
    return LogEntry.objects.filter(kind=kind, object_id=object_id, version=version).first()


def entries_append(*, keys: list[Key]) -> list[LogEntry]:
    """Log pieces of content in the order given, each once; what is logged already or gone is skipped.

    The content is read and hashed first; then the append takes the lock on the log's one
    state row, so each entry gets the next index and no index repeats or is skipped,
    whatever runs at the same time.
    """
    contents = contents_of(keys)
    digests = {key: content_hash(logged.content) for key, logged in contents.items()}
    with transaction.atomic():
        LogState.objects.get_or_create(pk=1)
        state = LogState.objects.select_for_update().get(pk=1)
        taken = set(
            LogEntry.objects.filter(object_id__in={pk for _, pk, _ in keys}).values_list("kind", "object_id", "version")
        )
        now = timezone.now()
        rows: list[LogEntry] = []
        for key in keys:
            if key in taken or key not in contents:
                continue
            taken.add(key)
            kind, object_id, version = key
            entry = LogEntry(
                index=state.size + len(rows),
                kind=kind,
                object_id=object_id,
                version=version,
                idea_id=contents[key].idea_id,
                author_id=contents[key].author_id,
                content_hash=digests[key],
                logged_at=now,
            )
            entry.leaf_hash = entry_leaf_hash(entry.fields())
            rows.append(entry)
        LogEntry.objects.bulk_create(rows, batch_size=500)
        state.size += len(rows)
        state.save(update_fields=["size"])
    return rows


def _what_event_logs(event: Event) -> tuple[str, int, int] | None:
    """(kind, object id, version) of the content an event created, or None."""
    if event.verb in ("idea.submitted", "idea.revised") and event.object_id is not None:
        number = int(event.value or 1)
        revision = IdeaRevision.objects.filter(idea_id=event.object_id, number=number).only("pk").first()
        return (EntryKind.REVISION, revision.pk, 0) if revision is not None else None
    if event.verb == "idea.attachment_added" and isinstance(event.details.get("attachment"), int):
        return (EntryKind.ATTACHMENT, event.details["attachment"], 0)
    if event.verb == "comment.posted" and event.object_id is not None:
        return (EntryKind.COMMENT, event.object_id, 0)
    if event.verb == "comment.edited" and event.object_id is not None:
        edits = Event.objects.filter(
            verb="comment.edited", object_type="comment", object_id=event.object_id, pk__lte=event.pk
        ).count()
        return (EntryKind.COMMENT, event.object_id, edits)
    return None


def event_log(*, event_id: int) -> LogEntry | None:
    """Log the content an event created (idempotent: a second call finds the entry)."""
    event = Event.objects.filter(pk=event_id).first()
    what = _what_event_logs(event) if event is not None else None
    if what is None:
        return None
    kind, object_id, version = what
    return entry_append(kind=kind, object_id=object_id, version=version)


def event_recorded(*, event: Event) -> None:
    """The reaction to every event: content to log is logged by a task after the event commits.

    The task takes the log's lock in a transaction of its own, never inside the service
    that created the content (which may hold locks of its own), and appending twice
    is harmless, so it may run late, again, or from an outbox.
    """
    if event.verb not in LOGGED_VERBS:
        return
    from prosumo.provenance.tasks import log_event

    event_id = event.pk
    transaction.on_commit(lambda: log_event.enqueue(event_id))


def log_catch_up(*, chunk: int = 500) -> int:
    """Log every revision, attachment and comment version the log lacks, oldest first; how many.

    The periodic job runs it, so content whose logging task was lost (the process stopped
    between the commit and the task) or that was written in bulk is logged all the same.
    """
    logged = LogEntry.objects.filter(object_id=OuterRef("pk"))
    missing: list[tuple[Any, Key]] = []
    for pk, at in IdeaRevision.objects.exclude(Exists(logged.filter(kind=EntryKind.REVISION))).values_list(
        "pk", "created_at"
    ):
        missing.append((at, (EntryKind.REVISION, pk, 0)))
    for pk, at in Attachment.objects.exclude(Exists(logged.filter(kind=EntryKind.ATTACHMENT))).values_list(
        "pk", "created_at"
    ):
        missing.append((at, (EntryKind.ATTACHMENT, pk, 0)))
    versions = set(LogEntry.objects.filter(kind=EntryKind.COMMENT).values_list("object_id", "version"))
    edits = dict(CommentRevision.objects.values("comment_id").annotate(n=Count("pk")).values_list("comment_id", "n"))
    for pk, at, edited in Comment.objects.values_list("pk", "created_at", "edited_at").iterator():
        for version in range(edits.get(pk, 0) + 1):
            if (pk, version) not in versions:
                when = at if version == 0 else (edited or at)
                missing.append((when, (EntryKind.COMMENT, pk, version)))
    missing.sort(key=lambda item: (item[0], item[1]))
    added = 0
    for start in range(0, len(missing), chunk):
        added += len(entries_append(keys=[key for _, key in missing[start : start + chunk]]))
    return added


def tree_head_sign(*, force: bool = False) -> SignedTreeHead | None:
    """Sign the root of the whole log when it grew since the last head (or always, with ``force``).

    Returns the new head, or the latest one when the log did not grow; None for an
    empty log with no head yet.
    """
    latest = tree_head_latest()
    leaves = leaf_hashes()
    if not force and (not leaves or (latest is not None and latest.size == len(leaves))):
        return latest
    key = keys.instance_key()
    root = merkle.tree_head(leaves).hex()
    now = timezone.now()
    head = SignedTreeHead(
        size=len(leaves), root_hash=root, signed_at=now, origin=settings.SITE_URL, public_key=keys.public_key_b64()
    )
    message = tree_head_message(
        origin=head.origin, size=head.size, root_hash=root, timestamp=head.as_json()["timestamp"]
    )
    head.signature = b64(key.sign(message))
    with transaction.atomic():
        head.save()
        event_record(
            verb="tree_head.signed",
            actor_id=None,
            value=head.size,
            details={"root_hash": root, "head": head.pk},
            occurred_at=now,
        )
    return head


def _idea_entries(idea: Idea) -> list[LogEntry]:
    """The idea's revisions and attachments in the log, logging any that are not yet."""
    keys: list[Key] = [
        *(
            (EntryKind.REVISION, pk, 0)
            for pk in IdeaRevision.objects.filter(idea=idea).order_by("number").values_list("pk", flat=True)
        ),
        *(
            (EntryKind.ATTACHMENT, pk, 0)
            for pk in Attachment.objects.filter(idea=idea).order_by("pk").values_list("pk", flat=True)
        ),
    ]
    kinds = (EntryKind.REVISION, EntryKind.ATTACHMENT)
    entries = list(LogEntry.objects.filter(idea_id=idea.pk, kind__in=kinds).order_by("index"))
    if {(e.kind, e.object_id, e.version) for e in entries} >= set(keys):
        return entries
    entries_append(keys=keys)
    return list(LogEntry.objects.filter(idea_id=idea.pk, kind__in=kinds).order_by("index"))


def certificate_issue(*, idea: Idea) -> dict[str, Any]:
    """The authorship certificate of an idea (docs/ip.md), signed by the instance's key.

    Each of the idea's revisions and attachments is a record: its content, its log
    entry and the proof that the entry is in the tree whose signed head the certificate
    carries. A head covering every record is signed first when the latest one does not.
    The caller has checked that the idea may be read.
    """
    entries = _idea_entries(idea)
    head = tree_head_latest()
    if entries and (head is None or head.size <= entries[-1].index):
        head = tree_head_sign()
    if head is None:
        raise InvalidInput(gettext("This idea has nothing in the proof log yet."), code="not_logged")
    leaves = leaf_hashes(head.size)
    records = []
    for entry in entries:
        logged = content_of(entry.kind, entry.object_id, entry.version)
        # Content removed since it was logged (its author erased it with their account) is
        # left out: the certificate still proves the logged hash. `prosumo verify-log`
        # reports content changed any other way.
        kept = logged is not None and content_hash(logged.content) == entry.content_hash
        records.append(
            {
                "content": logged.content if kept and logged is not None else None,
                "content_hash": entry.content_hash,
                "entry": entry.fields(),
                "leaf_hash": entry.leaf_hash,
                "inclusion_proof": [p.hex() for p in merkle.inclusion_proof(leaves, entry.index)],
            }
        )
    coauthors = CoAuthor.objects.filter(idea=idea, status=CoAuthorStatus.ACCEPTED).select_related("member")
    authors = [
        {"name": idea.author.name, "member": idea.author_id, "role": "author"},
        *(
            {"name": c.member.name, "member": c.member_id, "role": "co-author", "share": str(c.share)}
            for c in coauthors.order_by("pk")
        ),
    ]
    document: dict[str, Any] = {
        "format": CERTIFICATE_FORMAT,
        "issued_at": timezone.now().astimezone(UTC).isoformat(timespec="microseconds"),
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
    document["signature"] = b64(keys.instance_key().sign(certificate_message(document)))
    return document


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


# -- disputes and prior art -----------------------------------------------------------------------------------------

FLAG_REASON_MAX = 2000


def idea_flag(*, actor: Any, idea_id: int, kind: str, reason: str, earlier_idea_id: int | None = None) -> IdeaFlag:
    """Staff record that an idea's authorship is disputed, or that an earlier idea is prior art to it.

    Prior art names the earlier idea; a dispute may name one. The reason is required. The
    same flag twice (same idea, kind and earlier idea) is refused. Writes ``idea.ip_flagged``.
    """
    require_staff_page(actor)  # the prior-art page's rule: staff, then the idea's reading rule
    idea = access_idea(actor, idea_id)
    errors: dict[str, list[str]] = {}
    text = (reason or "").strip()
    if kind not in FlagKind.values:
        errors["kind"] = [gettext("Choose a dispute or prior art.")]
    if not text:
        errors["reason"] = [gettext("Say why: the reason is kept with the flag.")]
    elif text_problem(text) is not None:
        errors["reason"] = [str(text_problem(text))]
    elif len(text) > FLAG_REASON_MAX:
        errors["reason"] = [gettext("Keep the reason under {n} characters.").format(n=FLAG_REASON_MAX)]
    earlier = None
    if earlier_idea_id is not None:
        if earlier_idea_id == idea.pk:
            errors["earlier_idea"] = [gettext("An idea cannot be prior art to itself.")]
        else:
            earlier = Idea.objects.filter(pk=earlier_idea_id).first()
            if earlier is None:
                errors["earlier_idea"] = [gettext("No such idea.")]
    elif kind == FlagKind.PRIOR_ART:
        errors["earlier_idea"] = [gettext("Prior art names the earlier idea.")]
    if errors:
        raise InvalidInput(next(iter(errors.values()))[0], fields=errors)
    with transaction.atomic():
        Idea.objects.select_for_update().filter(pk=idea.pk).first()  # two staff flagging at once: one flag
        if IdeaFlag.objects.filter(idea=idea, kind=kind, earlier_idea=earlier).exists():
            raise Conflict(gettext("This idea already has that flag."), code="already_flagged")
        flag = IdeaFlag.objects.create(
            idea=idea, kind=kind, earlier_idea=earlier, reason=text, flagged_by=actor, flagged_at=timezone.now()
        )
        event_record(
            verb="idea.ip_flagged",
            actor_id=actor.pk,
            object_type="idea",
            object_id=idea.pk,
            target_member_id=idea.author_id,
            campaign_id=idea.campaign_id,
            details={"flag": flag.pk, "kind": kind, "earlier": earlier.pk if earlier else None},
        )
    return flag
