"""Members' own data: asking for a copy of it, building it, and erasing an account.

Erasure keeps the member's row, emptied of everything personal, as "former member":
their ideas and comments keep an author, the event log keeps its ids, and the
dataset the analytics read stays whole (docs/your-data.md says what is kept).
"""

from __future__ import annotations

import re
import traceback
from datetime import timedelta

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone, translation
from django.utils.translation import gettext

from prosumo.activity.models import Event
from prosumo.activity.services import event_record
from prosumo.budgets.services import member_ballots_erase
from prosumo.community.models import ApiToken, CustomerRecord, EmailPreference, Invitation, Member, Role
from prosumo.community.permissions import require_role
from prosumo.community.tokens import token_cache
from prosumo.core.errors import Conflict, InvalidInput
from prosumo.core.models import OutgoingMail
from prosumo.core.phrases import english, phrase
from prosumo.ideas import search, similarity
from prosumo.ideas.models import (
    OPEN_AMENDMENT,
    Amendment,
    AmendmentStatus,
    Attachment,
    CoAuthor,
    CoAuthorStatus,
    Comment,
    CommentRevision,
    Follow,
    Idea,
    IdeaRevision,
    MergedSupport,
)
from prosumo.ideas.services import votes_withdraw_all
from prosumo.notifications.models import Fanout, Notification
from prosumo.outreach.services import member_messages_erase
from prosumo.privacy.export import build_zip
from prosumo.privacy.models import MemberExport, MemberExportFile
from prosumo.privacy.permissions import require_account
from prosumo.surveys.services import member_answers_erase

EXPORT_KEEP_DAYS = 7
ERASED_EMAIL_DOMAIN = "erased.invalid"  # RFC 2606: never a real address
SESSION_BATCH = 1000


# --- a copy of one's data ----------------------------------------------------------


def member_export_request(*, actor: Member) -> MemberExport:
    """Ask for a copy of one's data; built on the "bulk" queue. Asking again while one is built returns it."""
    member = require_account(actor)
    with transaction.atomic():
        running = MemberExport.objects.filter(member=member, state__in=MemberExport.ACTIVE).first()
        if running is not None:
            return running
        # One copy at a time: a new one replaces the last (it holds the same data, older).
        MemberExport.objects.filter(member=member).delete()
        try:
            with transaction.atomic():
                export = MemberExport.objects.create(member=member)
        except IntegrityError:  # a request at the same moment won the race
            return MemberExport.objects.get(member=member, state__in=MemberExport.ACTIVE)
        event_record(
            verb="member.export_requested",
            actor_id=member.pk,
            object_type="member",
            object_id=member.pk,
            target_member_id=member.pk,
            details={"export_id": export.pk},
        )
        from prosumo.privacy.tasks import build_member_export

        transaction.on_commit(lambda: build_member_export.enqueue(export.pk))
    return export


def member_export_build(*, export_id: int, retry: bool = False) -> MemberExport | None:
    """Build a requested copy (again, with `retry`, when its worker died); None when there is nothing to build."""
    states = [MemberExport.State.QUEUED, *([MemberExport.State.BUILDING] if retry else [])]
    claimed = MemberExport.objects.filter(pk=export_id, state__in=states).update(state=MemberExport.State.BUILDING)
    export = MemberExport.objects.select_related("member").filter(pk=export_id).first() if claimed else None
    if export is None:
        return None
    now = timezone.now()
    try:
        data = build_zip(export.member, now=now)
    except Exception as exc:  # kept for the member to see and ask again; the task itself succeeds
        export.state = MemberExport.State.FAILED
        export.error = "".join(traceback.format_exception_only(type(exc), exc)).strip()[:2000]
        export.save(update_fields=["state", "error"])
        return export
    with transaction.atomic():
        if not MemberExport.objects.filter(pk=export.pk, state=MemberExport.State.BUILDING).exists():
            return None  # the member erased their account, or asked again, meanwhile
        MemberExportFile.objects.update_or_create(export=export, defaults={"data": data})
        export.state = MemberExport.State.READY
        export.ready_at = now
        export.expires_at = now + timedelta(days=EXPORT_KEEP_DAYS)
        export.size_bytes = len(data)
        export.file_name = f"{slug(settings.SITE_NAME)}-data-{export.member_id}-{now:%Y%m%d}.zip"
        export.save(update_fields=["state", "ready_at", "expires_at", "size_bytes", "file_name"])
    return export


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "site"


def member_exports_expire() -> int:
    """Delete the copies past their expiry, and any left failed for as long; how many went."""
    now = timezone.now()
    expired = MemberExport.objects.filter(expires_at__lt=now) | MemberExport.objects.filter(
        state=MemberExport.State.FAILED, requested_at__lt=now - timedelta(days=EXPORT_KEEP_DAYS)
    )
    return expired.delete()[1].get(MemberExport._meta.label, 0)


# --- erasing an account --------------------------------------------------------------


def _check_may_erase(actor: Member, member: Member, password: str | None, confirm_email: str | None) -> None:
    if actor.pk == member.pk:
        require_account(actor)
        if member.has_usable_password():
            if not password or not member.check_password(password):
                raise InvalidInput(
                    gettext("That is not your password."), fields={"password": ["wrong"]}, code="wrong_password"
                )
        elif (confirm_email or "").strip().lower() != member.email.lower():
            # An account that signs in with another site has no password here: its address confirms.
            raise InvalidInput(
                gettext("Type your email address to confirm."), fields={"confirm_email": ["wrong"]}, code="wrong_email"
            )
        return
    require_role(actor, Role.ADMIN)


def member_erase(
    *,
    actor: Member,
    member: Member,
    password: str | None = None,
    confirm_email: str | None = None,
    remove_content: bool = False,
) -> Member:
    """Erase a member's account: everything personal goes; what they wrote stays under "former member".

    The member does it themselves, confirming with their password (or, without one, their
    email address), or an admin does it for them. Their votes are withdrawn through the
    vote service, so the tallies equal the votes table afterwards; their follows and
    pending co-author invitations go. With `remove_content`, the text of their ideas and
    comments is removed as well (the rows stay, hidden, so that threads, other members'
    votes and the analytics keep their shape); an idea with accepted co-authors is theirs
    too and keeps its text. Events keep the member's id, which no longer leads to anyone.
    """
    _check_may_erase(actor, member, password, confirm_email)
    with transaction.atomic():
        member = Member.objects.select_for_update().get(pk=member.pk)
        if member.erased_at is not None:
            raise Conflict(gettext("This account is already erased."), code="already_erased")
        if (member.role == Role.ADMIN or member.is_superuser) and not another_admin(member):
            raise Conflict(
                gettext("This is the only admin: make another member admin before erasing it."), code="last_admin"
            )
        old_email, old_name, avatar = member.email, member.name, member.avatar.name if member.avatar else ""
        withdrawn = votes_withdraw_all(member=member, details={"member_erased": True})
        _follows_remove(member)
        CoAuthor.objects.filter(member=member, status=CoAuthorStatus.INVITED).delete()
        # Amendments never taken go with their amender; an accepted one is a revision now, and stays as revisions do.
        Amendment.objects.filter(amender=member).exclude(status=AmendmentStatus.ACCEPTED).delete()
        MergedSupport.objects.filter(member=member).delete()
        member.campaign_invitations.clear()
        removed = _content_remove(member) if remove_content else 0
        _notifications_reword(member, content_removed=remove_content)
        _mail_forget(old_email, old_name)
        Notification.objects.filter(recipient=member).delete()
        MemberExport.objects.filter(member=member).delete()
        token_digests = list(ApiToken.objects.filter(member=member).values_list("digest", flat=True))
        ApiToken.objects.filter(member=member).delete()
        EmailAddress.objects.filter(user=member).delete()
        SocialAccount.objects.filter(user=member).delete()  # their provider tokens go with them
        CustomerRecord.objects.filter(member=member).update(member=None)
        Invitation.objects.filter(email__iexact=old_email).update(email="")
        _sessions_end(member.pk)
        Event.objects.filter(verb="member.suspended", object_type="member", object_id=member.pk).update(details={})
        member_answers_erase(member_id=member.pk)
        member_ballots_erase(member_id=member.pk)
        removed += member_messages_erase(member_id=member.pk, remove_content=remove_content)
        _scrub_member(member)
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Member), object_id=str(member.pk)
        ).update(object_repr=english_former_member(member.pk), change_message="")
        event_record(
            verb="member.erased",
            actor_id=actor.pk,
            object_type="member",
            object_id=member.pk,
            target_member_id=member.pk,
            details={
                "by": "self" if actor.pk == member.pk else "admin",
                "content_removed": bool(remove_content),
                "votes_withdrawn": withdrawn,
                "removed": removed,
            },
        )

        def after_commit() -> None:
            token_cache.forget(digests=token_digests)
            if avatar:
                Member._meta.get_field("avatar").storage.delete(avatar)  # type: ignore[attr-defined]

        transaction.on_commit(after_commit)
    return member


def english_former_member(member_id: int) -> str:
    with translation.override(None):
        return gettext("former member") + f" #{member_id}"


def another_admin(member: Member) -> bool:
    admins = Member.objects.filter(is_active=True, erased_at__isnull=True, suspended_at__isnull=True)
    return (admins.filter(role=Role.ADMIN) | admins.filter(is_superuser=True)).exclude(pk=member.pk).exists()


def _follows_remove(member: Member) -> None:
    """Stop following every idea, keeping each idea's follower count equal to its follows."""
    followed = list(Follow.objects.filter(member=member).values_list("idea_id", flat=True))
    Follow.objects.filter(member=member).delete()
    Idea.objects.filter(pk__in=followed).update(follower_count=F("follower_count") - 1)


def _content_remove(member: Member) -> int:
    """Remove the text of the member's ideas (not those shared with co-authors) and comments; how many.

    The removed words leave the search index, other members' notifications and the mail
    kept for sending too.
    """
    with translation.override(settings.LANGUAGE_CODE):
        removed_idea = gettext("Removed by its author")
        removed_text = gettext("The author of this idea removed it when they erased their account.")
        removed_comment = gettext("This comment was removed by its author.")
    shared = CoAuthor.objects.filter(idea=OuterRef("pk"), status=CoAuthorStatus.ACCEPTED)
    ideas = Idea.objects.filter(author=member).exclude(Exists(shared))
    idea_ids = list(ideas.values_list("pk", flat=True))
    comments = Comment.objects.filter(author=member)
    words = [
        *IdeaRevision.objects.filter(idea_id__in=idea_ids).values_list("title", flat=True),
        *(body[:300] for body in comments.values_list("body", flat=True)),
    ]
    for attachment in Attachment.objects.filter(idea_id__in=idea_ids):
        name = attachment.file.name
        transaction.on_commit(lambda name=name: Attachment._meta.get_field("file").storage.delete(name))  # type: ignore[attr-defined,misc]
    Attachment.objects.filter(idea_id__in=idea_ids).delete()
    IdeaRevision.objects.filter(idea_id__in=idea_ids).update(title=removed_idea, body=removed_text, note="")
    # Others' amendments quote the removed text: those still open close, and every one loses it.
    Amendment.objects.filter(idea_id__in=idea_ids, status__in=OPEN_AMENDMENT).update(status=AmendmentStatus.REJECTED)
    Amendment.objects.filter(idea_id__in=idea_ids).update(title=removed_idea, body=removed_text, note="", answer="")
    for idea in Idea.objects.filter(pk__in=idea_ids):
        idea.tags.clear()
    Idea.objects.filter(pk__in=idea_ids).update(title=removed_idea, body=removed_text, hidden=True)
    commented = set(comments.values_list("idea_id", flat=True))
    CommentRevision.objects.filter(comment__author=member).delete()
    count = len(idea_ids) + comments.update(body=removed_comment, hidden=True)
    for idea_id in sorted(commented | set(idea_ids)):
        search.index(idea_id)  # in this transaction: the removed text leaves search with it
    for idea_id in idea_ids:
        similarity.forget(idea_id)  # and the vector computed from it
    for model in (Notification, Fanout):
        for row in model.objects.filter(_about_ideas(idea_ids)).exclude(title_phrase={}).iterator():
            values = dict(row.title_phrase.get("values") or {})
            if "idea" in values:
                row.title_phrase = {**row.title_phrase, "values": {**values, "idea": removed_idea}}
                row.title = english(row.title_phrase)[:200]
                row.save(update_fields=["title", "title_phrase"])
    _mail_replace(words, removed_idea)
    return count


def _about_ideas(idea_ids: list[int]) -> Q:
    """Notifications that link to one of these ideas (every notification about an idea does)."""
    about = Q(pk__in=[])
    for idea_id in idea_ids:
        about |= Q(url__startswith=f"/ideas/{idea_id}/")
    return about


NAMED_PHRASES = (
    "idea.coauthor_invited",
    "idea.coauthor_added",
    "comment.posted",
    "idea.amendment_proposed",
    "idea.amendment_updated",
)


def _notifications_reword(member: Member, *, content_removed: bool) -> None:
    """Other members' notifications about what this member did name them "a former member" from now on."""
    event_ids = Event.objects.filter(actor_id=member.pk, verb__in=NAMED_PHRASES).values("pk")
    for model in (Notification, Fanout):
        rows = model.objects.filter(event_id__in=event_ids).exclude(title_phrase={})
        for row in rows.iterator():
            stored = dict(row.title_phrase)
            if stored.get("key") not in NAMED_PHRASES:
                continue
            values = {k: v for k, v in dict(stored.get("values") or {}).items() if k != "name"}
            row.title_phrase = phrase(f"{stored['key']}.former_member", **values)
            row.title = english(row.title_phrase)[:200]
            fields = ["title", "title_phrase"]
            if content_removed and stored["key"] == "comment.posted":
                row.body = ""
                fields.append("body")
            row.save(update_fields=fields)


def _mail_forget(email: str, name: str) -> None:
    """Mail to the member goes; mail to others that named them names "a former member" instead."""
    OutgoingMail.objects.filter(to__iexact=email).delete()
    with translation.override(None):
        _mail_replace([email, name], gettext("a former member"))


def _mail_replace(needles: list[str], replacement: str) -> None:
    """Replace each needle, as a whole word in any case, in the subject and body of the mail kept."""
    for needle in sorted(set(needles) - {""}):
        pattern = re.compile(rf"(?<!\w){re.escape(needle)}(?!\w)", re.IGNORECASE)
        candidates = OutgoingMail.objects.filter(Q(body__icontains=needle) | Q(subject__icontains=needle))
        for mail in candidates.iterator():
            mail.subject, mail.body = pattern.sub(replacement, mail.subject), pattern.sub(replacement, mail.body)
            mail.save(update_fields=["subject", "body"])


def _sessions_end(member_id: int) -> None:
    """Delete every session signed in as the member (sessions are not indexed by member: each is read)."""
    wanted = str(member_id)
    doomed: list[str] = []
    sessions = Session.objects.filter(expire_date__gt=timezone.now()).only("session_key", "session_data")
    for session in sessions.iterator(chunk_size=SESSION_BATCH):
        if str(session.get_decoded().get("_auth_user_id", "")) == wanted:
            doomed.append(session.session_key)
    Session.objects.filter(session_key__in=doomed).delete()


def _scrub_member(member: Member) -> None:
    member.email = f"member-{member.pk}@{ERASED_EMAIL_DOMAIN}"
    member.display_name = ""
    member.avatar = ""  # type: ignore[assignment]
    member.locale = settings.LANGUAGE_CODE
    member.country = ""
    member.bio = ""
    member.interests = []
    member.segment = None
    # Fresh codes: links the member shared no longer credit or reach anyone.
    member.referral_code = Member._meta.get_field("referral_code").get_default()
    member.unsubscribe_token = Member._meta.get_field("unsubscribe_token").get_default()
    member.email_preference = EmailPreference.NONE
    member.outreach_email = False
    member.suspended_reason = ""
    member.is_active = False
    member.is_superuser = False
    member.last_login = None
    member.erased_at = timezone.now()
    member.set_unusable_password()
    member.save()
    member.groups.clear()
    member.user_permissions.clear()
