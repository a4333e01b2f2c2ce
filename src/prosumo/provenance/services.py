"""Writes to the proof log: appending entries, signing tree heads."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext

from prosumo.activity.models import Event
from prosumo.activity.services import event_record
from prosumo.community.permissions import require_staff_page
from prosumo.core.errors import Conflict, InvalidInput
from prosumo.core.input import text_problem
from prosumo.ideas.models import Attachment, Comment, CommentRevision, Idea, IdeaRevision
from prosumo.ideas.permissions import access_idea
from prosumo.provenance import keys, merkle, timestamping
from prosumo.provenance.models import EntryKind, FlagKind, IdeaFlag, LogEntry, LogState, SignedTreeHead
from prosumo.provenance.proof import b64, content_hash, entry_leaf_hash, tree_head_message
from prosumo.provenance.selectors import (
    CERTIFIED_KINDS,
    Key,
    certificates_of,
    contents_of,
    leaf_hashes,
    tree_head_latest,
)

logger = logging.getLogger(__name__)

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
            subject_kind, subject_id = contents[key].subject or ("", None)
            entry = LogEntry(
                index=state.size + len(rows),
                kind=kind,
                object_id=object_id,
                version=version,
                idea_id=contents[key].idea_id,
                subject_kind=subject_kind,
                subject_id=subject_id,
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
    entry = entry_append(kind=kind, object_id=object_id, version=version)
    if entry is not None and entry.kind in CERTIFIED_KINDS:
        # A certificate carries a revision or an attachment once a signed head covers it:
        # sign one now, so the idea's certificate can be read at once, by a page that writes nothing.
        head = tree_head_latest()
        if head is None or head.size <= entry.index:
            tree_head_sign()
    return entry


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
        if settings.PROSUMO_TSA_URL:
            from prosumo.provenance.tasks import timestamp_tree_head

            head_id = head.pk
            transaction.on_commit(lambda: timestamp_tree_head.enqueue(head_id))
    return head


def _authority_certificates() -> list[Any] | None:
    path = settings.PROSUMO_TSA_CERTIFICATE
    if not path:
        return None
    try:
        with open(path, "rb") as handle:
            return timestamping.load_certificates(handle.read())
    except (OSError, ValueError) as exc:
        raise timestamping.TimestampError(f"PROSUMO_TSA_CERTIFICATE: cannot read {path} ({exc})") from exc


TIMESTAMP_TIMEOUT_SECONDS = 20


def tree_head_timestamp(*, head_id: int) -> SignedTreeHead | None:
    """Ask the configured authority for an RFC 3161 time-stamp of a signed head, and keep its checked reply.

    Idempotent: a head that has one keeps it. None when no authority is configured or
    the head is gone. Raises ``timestamping.TimestampError`` when the authority cannot
    be reached or its reply does not hold; the head is then left as it was, and the
    periodic job asks again. The request is made outside any transaction.
    """
    url = settings.PROSUMO_TSA_URL
    head = SignedTreeHead.objects.filter(pk=head_id).first()
    if not url or head is None:
        return None
    if head.timestamp_token is not None:
        return head
    message = tree_head_message(
        origin=head.origin, size=head.size, root_hash=head.root_hash, timestamp=head.as_json()["timestamp"]
    )
    reply = timestamping.timestamp_request(
        message, url=url, trusted=_authority_certificates(), timeout=TIMESTAMP_TIMEOUT_SECONDS
    )
    stamped = timestamping.describe(reply)
    with transaction.atomic():
        updated = SignedTreeHead.objects.filter(pk=head.pk, timestamp_token__isnull=True).update(timestamp_token=reply)
        if updated:
            event_record(
                verb="tree_head.timestamped",
                actor_id=None,
                value=head.size,
                details={"head": head.pk, "authority": url, "time": stamped[1].isoformat() if stamped else None},
            )
    head.refresh_from_db()
    return head


def tree_heads_timestamp_missing(*, within: timedelta = timedelta(days=1), limit: int = 10) -> int:
    """Retry the time-stamp of recent heads that lack one (an authority that was down); how many got one."""
    if not settings.PROSUMO_TSA_URL:
        return 0
    since = timezone.now() - within
    heads = SignedTreeHead.objects.filter(timestamp_token__isnull=True, signed_at__gte=since).order_by("-signed_at")
    done = 0
    for head_id in heads.values_list("pk", flat=True)[:limit]:
        try:
            tree_head_timestamp(head_id=head_id)
        except timestamping.TimestampError as exc:
            logger.warning("Time-stamp of tree head %s failed again: %s", head_id, exc)
            break  # the authority is still down: try again at the next run
        done += 1
    return done


def certificate_prepare(*, idea_ids: list[int]) -> None:
    """Log whatever of these ideas' revisions and attachments the log lacks, and sign a head covering them.

    Certificates are read, never written, by the pages (a GET writes nothing): the task
    that logs a revision or an attachment signs a head at once, and this catches up for
    the command line and the data export. A bounded number of queries, however many ideas.
    """
    keys: list[Key] = [
        *(
            (EntryKind.REVISION, pk, 0)
            for pk in IdeaRevision.objects.filter(idea_id__in=idea_ids)
            .order_by("idea_id", "number")
            .values_list("pk", flat=True)
        ),
        *(
            (EntryKind.ATTACHMENT, pk, 0)
            for pk in Attachment.objects.filter(idea_id__in=idea_ids).order_by("pk").values_list("pk", flat=True)
        ),
    ]
    rows = set(
        LogEntry.objects.filter(idea_id__in=idea_ids, kind__in=CERTIFIED_KINDS).values_list(
            "kind", "object_id", "version", "index"
        )
    )
    if not {(k, o, v) for k, o, v, _ in rows} >= set(keys):
        entries_append(keys=keys)
        rows = set(
            LogEntry.objects.filter(idea_id__in=idea_ids, kind__in=CERTIFIED_KINDS).values_list(
                "kind", "object_id", "version", "index"
            )
        )
    last = max((index for _, _, _, index in rows), default=None)
    head = tree_head_latest()
    if last is not None and (head is None or head.size <= last):
        tree_head_sign()


def certificate_issue(*, idea: Idea) -> dict[str, Any]:
    """The authorship certificate of an idea (docs/ip.md), logging and signing first what it needs.

    For `prosumo certificate`; the pages read it with ``selectors.certificate_read``.
    The caller has checked that the idea may be read.
    """
    certificate_prepare(idea_ids=[idea.pk])
    document = certificates_of(idea_ids=[idea.pk]).get(idea.pk)
    if document is None:
        raise InvalidInput(gettext("This idea has nothing in the proof log yet."), code="not_logged")
    return document


def certificates_issue(*, idea_ids: list[int]) -> dict[int, dict[str, Any]]:
    """The certificates of many ideas at once (the data export), in a bounded number of queries.

    An idea with nothing in the log is left out.
    """
    certificate_prepare(idea_ids=idea_ids)
    return certificates_of(idea_ids=idea_ids)


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
