"""Telling members what happened: in-app notifications, and email at once or in a daily digest.

A service that has something to tell calls `notify` inside its transaction; that writes
one `Fanout` row and nothing else, so a stage change on an idea with thousands of
supporters costs the request one insert. After the commit, the `fan_out` task writes the
notifications in batches of `FANOUT_BATCH` recipients; each batch also queues the
immediate emails (`prosumo.core.mail`) in its own transaction and sends them once it is
committed. Members who chose the daily digest get their notifications marked
`digest_pending`, and `digests_send` mails each of them one digest of what waits.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from prosumo.activity.services import event_record
from prosumo.community.models import EmailPreference, Member
from prosumo.core.errors import NotFound
from prosumo.core.mail import MailDraft, mail_deliver, mail_queue, one_line
from prosumo.core.models import OutgoingMail
from prosumo.core.phrases import english
from prosumo.notifications.models import Fanout, IdeaNewsLock, Notification

FANOUT_BATCH = 1000
DIGEST_BATCH = 200
DIGEST_ITEMS_SHOWN = 50

# The groups `notify(audience=(kind, id))` can name; the task asks who is in them when it runs.
# The apps that own them register them (`audience_register`, in their AppConfig.ready()).
AUDIENCES: dict[str, Callable[[int], QuerySet[Member]]] = {}
# Who may read an idea, by its id: news `about_idea` goes to them only (registered by ideas).
_idea_readers: list[Callable[[int], QuerySet[Member]]] = []


def audience_register(name: str, members: Callable[[int], QuerySet[Member]]) -> None:
    """Let `notify` name the group ``(name, id)``: ``members(id)`` says who is in it when the task runs."""
    AUDIENCES[name] = members


def idea_readers_register(readers: Callable[[int], QuerySet[Member]]) -> None:
    """The rule for who may read an idea (``readers(idea_id)``), which news about an idea goes through."""
    _idea_readers[:] = [readers]


MEMBER_FIELDS = ("pk", "email", "display_name", "erased_at", "locale", "email_preference", "unsubscribe_token")


def notify(
    *,
    recipient_ids: Iterable[int] = (),
    audience: tuple[str, int] | None = None,
    verb: str,
    title: Mapping[str, Any],
    body: str | Mapping[str, Any] = "",
    url: str = "",
    event_id: int | None = None,
    exclude_id: int | None = None,
    about_idea: int | None = None,
) -> Fanout | None:
    """Tell `recipient_ids`, or everyone in `audience`, once each (not `exclude_id`), after commit.

    News `about_idea` (an id) goes only to those who may read that idea when the task runs
    (`Idea.readers`, registered by the ideas app): a follower or supporter who cannot see the idea is not told of it.
    An `("idea.*", id)` audience is about that idea unless said otherwise.

    `title` is a phrase (`prosumo.core.phrases.phrase`), worded in each recipient's
    language when shown; `body` is a member's or staff's own text, or a phrase too.
    An `audience` ("idea.involved", idea id) is resolved by the task when it runs, so
    the caller's request does not read the whole group.
    """
    if audience is not None and audience[0] not in AUDIENCES:
        raise ValueError(f"unknown audience {audience[0]!r}; known: {', '.join(AUDIENCES)}")
    ids = sorted({i for i in recipient_ids if i is not None and i != exclude_id})
    if not ids and audience is None:
        return None
    if about_idea is None and audience is not None and audience[0].startswith("idea."):
        about_idea = audience[1]
    body_phrase = body if isinstance(body, Mapping) else {}
    fanout = Fanout.objects.create(
        verb=verb,
        title=english(title)[:200],
        title_phrase=dict(title),
        body=english(body_phrase) if body_phrase else str(body),
        body_phrase=dict(body_phrase),
        url=url,
        event_id=event_id,
        audience=audience[0] if audience else "",
        audience_id=audience[1] if audience else None,
        recipient_ids=ids,
        about_idea=about_idea,
        exclude_id=exclude_id,
        created_at=timezone.now(),
    )
    from prosumo.notifications.tasks import fan_out

    transaction.on_commit(lambda: fan_out.enqueue(fanout.pk))
    return fanout


def _recipients(fanout: Fanout) -> QuerySet[Member]:
    if fanout.audience:
        members = AUDIENCES[fanout.audience](int(fanout.audience_id or 0))
    else:
        members = Member.objects.filter(pk__in=fanout.recipient_ids)
    if fanout.about_idea is not None:
        members = members & _idea_readers[0](fanout.about_idea)
    if fanout.exclude_id is not None:
        members = members.exclude(pk=fanout.exclude_id)
    return members.filter(is_active=True).only(*MEMBER_FIELDS)


# The kinds of mail a member stops on their own, each from the link in its emails: news about
# the ideas they follow (each at once, or the daily digest: `email_preference`) and the
# community team's messages (outreach experiments: `outreach_email`). The label is shown in
# the recipient's language; mail a member asked for (confirmation, password) has no link.
UNSUBSCRIBE_KINDS: dict[str, Callable[[], str]] = {
    "news": lambda: gettext("news about the ideas you follow"),
    "outreach": lambda: gettext("messages from the community team"),
}


def unsubscribe_url(member: Member, kind: str) -> str:
    """The address in an email of `kind` (one of UNSUBSCRIBE_KINDS) that stops that kind."""
    return f"{settings.SITE_URL}/notifications/unsubscribe/{member.unsubscribe_token}/{kind}/"


def _draft(
    *, key: str, kind: str, member: Member, subject: Callable[[], str], template: str, context: dict[str, object]
) -> MailDraft:
    """An email in the member's language, with the one-click unsubscribe headers (RFC 8058)."""
    unsubscribe = unsubscribe_url(member, "news")
    with translation.override(member.locale or settings.LANGUAGE_CODE):
        body = render_to_string(
            template, {**context, "member": member, "unsubscribe_url": unsubscribe, "site_url": settings.SITE_URL}
        )
        subject_text = f"[{settings.SITE_NAME}] {subject()}"
    return MailDraft(
        key=key,
        kind=kind,
        to=member.email,
        subject=subject_text,
        body=body,
        headers={"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )


def _notification_draft(
    key: str, member: Member, notification: Notification, send_after: datetime | None = None
) -> MailDraft:
    draft = _draft(
        key=key,
        kind="notification",
        member=member,
        subject=lambda: notification.display_title,
        template="notifications/email/notification.txt",
        context={"notification": notification},
    )
    return replace(draft, send_after=send_after)


# Stage moves of one idea in quick succession (a reviewer correcting a slip, or walking an idea
# through several stages) would mail each follower once per move. Their email waits for
# PROSUMO_NOTIFICATION_COLLAPSE_SECONDS instead, and a move within that window rewrites the
# waiting email rather than queuing another: one email, saying where the idea stands now.
COLLAPSED_VERBS = frozenset({"idea.stage_changed"})


def _collapse_key(idea_id: int, member_id: int, fanout_id: int) -> str:
    return f"idea-news:{idea_id}:{member_id}:{fanout_id}"


def _waiting_emails(
    fanout: Fanout, members: list[Member], now: datetime
) -> tuple[dict[int, OutgoingMail], datetime | None]:
    """For a fan-out whose emails wait: this batch's emails about the same idea still waiting, by member, and until when."""
    window = settings.PROSUMO_NOTIFICATION_COLLAPSE_SECONDS
    if window <= 0 or fanout.verb not in COLLAPSED_VERBS or fanout.about_idea is None:
        return {}, None
    # One batch of this idea's news at a time, whichever worker runs it (a row lock on
    # PostgreSQL; SQLite's immediate transactions already take turns): the next one then
    # sees the emails this one queued, and rewrites them instead of queuing its own.
    IdeaNewsLock.objects.bulk_create([IdeaNewsLock(idea_id=fanout.about_idea)], ignore_conflicts=True)
    IdeaNewsLock.objects.select_for_update().get(idea_id=fanout.about_idea)
    waiting = OutgoingMail.objects.select_for_update().filter(
        key__startswith=f"idea-news:{fanout.about_idea}:",
        to__in=[member.email for member in members],
        kind="notification",
        status=OutgoingMail.Status.PENDING,
        attempts=0,
        next_attempt_at__gt=now,
    )
    return {int(mail.key.split(":")[2]): mail for mail in waiting}, now + timedelta(seconds=window)


def _fanout_batch(fanout_id: int) -> tuple[bool, int, list[int]]:
    """Tell the next batch of recipients: (whether any were left, notifications written, mail ids queued)."""
    with transaction.atomic():
        fanout = Fanout.objects.select_for_update().filter(pk=fanout_id, finished_at__isnull=True).first()
        if fanout is None:
            return False, 0, []
        members = list(_recipients(fanout).filter(pk__gt=fanout.done_through).order_by("pk")[:FANOUT_BATCH])
        if not members:
            fanout.finished_at = timezone.now()
            fanout.save(update_fields=["finished_at"])
            return False, 0, []
        now = timezone.now()
        notifications, drafts = [], []
        waiting, send_after = _waiting_emails(fanout, members, now)
        for member in members:
            immediate = member.email_preference == EmailPreference.IMMEDIATE
            notification = fanout.notification(
                recipient=member,
                emailed_at=now if immediate else None,
                digest_pending=member.email_preference == EmailPreference.DAILY,
            )
            notifications.append(notification)
            if not immediate:
                continue
            if send_after is None:
                drafts.append(_notification_draft(f"notification:{fanout.pk}:{member.pk}", member, notification))
            elif member.pk in waiting:  # an earlier move's email still waits: it now tells this one instead
                draft = _notification_draft("", member, notification)
                mail = waiting[member.pk]
                mail.subject, mail.body = one_line(draft.subject), draft.body
                mail.save(update_fields=["subject", "body"])
            else:
                key = _collapse_key(int(fanout.about_idea or 0), member.pk, fanout.pk)
                drafts.append(_notification_draft(key, member, notification, send_after))
        # The cursor moves in this transaction, so a batch is written once; should it ever be
        # written again (the cursor set back by hand), the unique (fanout, recipient) pair
        # skips who was told, and the mail keys skip who was mailed.
        before = Notification.objects.filter(fanout=fanout, recipient__in=members).count()
        Notification.objects.bulk_create(notifications, ignore_conflicts=True)
        written = Notification.objects.filter(fanout=fanout, recipient__in=members).count() - before
        mail_ids = mail_queue(drafts, send=False)
        fanout.done_through = members[-1].pk
        fanout.save(update_fields=["done_through"])
    return True, written, mail_ids


def fanout_deliver(*, fanout_id: int) -> int:
    """Write a fan-out's notifications batch by batch, sending each batch's emails; how many were written.

    Idempotent: each batch moves `done_through` in the transaction that writes it, and
    a finished fan-out is left alone, so running it again tells nobody twice.
    """
    written = 0
    more = True
    while more:
        more, count, mail_ids = _fanout_batch(fanout_id)
        written += count
        if mail_ids:
            mail_deliver(ids=mail_ids)  # a failure waits in the outgoing mail for the periodic retry
    return written


def notifications_email_now(*, ids: Iterable[int]) -> int:
    """Email notifications written before fan-outs existed, once each, to members who want email at once."""
    with transaction.atomic():
        notifications = list(
            Notification.objects.select_for_update()
            .filter(pk__in=list(ids), emailed_at__isnull=True, recipient__email_preference=EmailPreference.IMMEDIATE)
            .select_related("recipient")
        )
        drafts = [_notification_draft(f"notification:{n.pk}", n.recipient, n) for n in notifications]
        Notification.objects.filter(pk__in=[n.pk for n in notifications]).update(emailed_at=timezone.now())
        mail_ids = mail_queue(drafts, send=False)
    return mail_deliver(ids=mail_ids).sent


RESUME_AFTER = timedelta(minutes=5)


def fanouts_resume() -> int:
    """Carry on with fan-outs left unfinished for `RESUME_AFTER` (their worker died); notifications written.

    Safe beside a fan-out still running: batches take the fan-out's row lock in turn and
    each starts after the other's cursor.
    """
    stale = Fanout.objects.filter(finished_at__isnull=True, created_at__lte=timezone.now() - RESUME_AFTER)
    return sum(fanout_deliver(fanout_id=pk) for pk in stale.order_by("pk").values_list("pk", flat=True)[:100])


def _digest_subject(count: int) -> str:
    return ngettext("%(count)d update on ideas you follow", "%(count)d updates on ideas you follow", count) % {
        "count": count
    }


def _digest_batch(after: int) -> tuple[int | None, int, list[int]]:
    """Digest the next batch of members with pending notifications: (last member id, digests, mail ids)."""
    with transaction.atomic():
        member_ids = list(
            Notification.objects.filter(digest_pending=True, recipient_id__gt=after)
            .order_by("recipient_id")
            .values_list("recipient_id", flat=True)
            .distinct()[:DIGEST_BATCH]
        )
        if not member_ids:
            return None, 0, []
        pending = list(
            Notification.objects.select_for_update()
            .filter(digest_pending=True, recipient_id__in=member_ids)
            .order_by("recipient_id", "created_at", "id")
        )
        members = {m.pk: m for m in Member.objects.filter(pk__in=member_ids, is_active=True).only(*MEMBER_FIELDS)}
        drafts: list[MailDraft] = []
        emailed: list[int] = []
        for member_id, group in itertools.groupby(pending, key=lambda n: n.recipient_id):
            member = members.get(member_id)
            unread = [n for n in group if n.read_at is None]
            # Read in the app meanwhile, or the member turned the digest off: nothing to mail.
            if member is None or member.email_preference != EmailPreference.DAILY or not unread:
                continue
            drafts.append(
                _draft(
                    key=f"digest:{member.pk}:{unread[-1].pk}",
                    kind="digest",
                    member=member,
                    subject=functools.partial(_digest_subject, len(unread)),
                    template="notifications/email/digest.txt",
                    context={"notifications": unread[:DIGEST_ITEMS_SHOWN], "more": len(unread) - DIGEST_ITEMS_SHOWN},
                )
            )
            emailed.extend(n.pk for n in unread)
        Notification.objects.filter(pk__in=[n.pk for n in pending]).update(digest_pending=False)
        Notification.objects.filter(pk__in=emailed).update(emailed_at=timezone.now())
        mail_ids = mail_queue(drafts, send=False)
    return member_ids[-1], len(drafts), mail_ids


@dataclass
class DigestReport:
    digests: int = 0
    batches: int = 0
    most_mail_in_flight: int = 0


def digests_send() -> DigestReport:
    """Mail each digest member one email with every notification waiting for them, a batch at a time.

    Nothing depends on when the last run was: a notification waits (`digest_pending`)
    until a run mails it, however late that run comes, and leaves the queue in the
    transaction that queues its email, so it is mailed at most once. Memory and
    outgoing mail in flight stay within one batch of `DIGEST_BATCH` members.
    """
    report = DigestReport()
    after: int | None = 0
    while after is not None:
        after, digests, mail_ids = _digest_batch(after)
        report.digests += digests
        report.batches += after is not None
        report.most_mail_in_flight = max(report.most_mail_in_flight, len(mail_ids))
        if mail_ids:
            mail_deliver(ids=mail_ids)
    return report


def notifications_mark_read(*, member: Member, ids: list[int] | None = None) -> int:
    qs = Notification.objects.filter(recipient=member, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())


def notification_open(*, member: Member, notification_id: int) -> Notification:
    """The member opens one of their notifications: it is read from now on. Another's, or none, is NotFound."""
    notification = Notification.objects.filter(pk=notification_id, recipient=member).first()
    if notification is None:
        raise NotFound(gettext("No such notification."))
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())
    return notification


def member_by_unsubscribe_token(token: str) -> Member | None:
    """The member an unsubscribe link belongs to; None for an unknown token."""
    return Member.objects.filter(unsubscribe_token=token, erased_at__isnull=True).first()


def member_unsubscribe(*, token: str, kind: str | None = None) -> Member | None:
    """The member behind an email's unsubscribe link gets no more mail of `kind` (None: no mail at all).

    None for an unknown token; an unknown kind is NotFound, and changes nothing.
    """
    if kind is not None and kind not in UNSUBSCRIBE_KINDS:
        raise NotFound(gettext("Not found."))
    kinds = [kind] if kind is not None else list(UNSUBSCRIBE_KINDS)
    with transaction.atomic():
        member = Member.objects.select_for_update().filter(unsubscribe_token=token, erased_at__isnull=True).first()
        if member is None:
            return None
        before = member.email_preference
        stopped = []
        if "news" in kinds and member.email_preference != EmailPreference.NONE:
            member.email_preference = EmailPreference.NONE
            stopped.append("news")
        if "outreach" in kinds and member.outreach_email:
            member.outreach_email = False
            stopped.append("outreach")
        if stopped:
            member.save(update_fields=["email_preference", "outreach_email"])
            event_record(
                verb="member.unsubscribed",
                actor_id=member.pk,
                object_type="member",
                object_id=member.pk,
                details={"from": before, "kinds": stopped},
            )
    return member
