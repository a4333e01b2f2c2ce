"""A member's copy of their own data: a zip of JSON files with a README (docs/your-data.md).

Each file is one *section*, written by a function from the member to its rows. A
section that can be long (events, votes, notifications) is read in chunks and
written to the zip as it is read, so a member with many thousands of rows needs
little memory. A later feature (certificates) adds its section to `SECTIONS`
and a line to the README, as rewards did (points and royalties).

What is left out: secrets (password hash, API tokens, the unsubscribe token) and
other people's personal data. An event done by someone else about the member
(another member supporting their idea) is kept, without saying who did it.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import PurePath
from typing import Any

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.conf import settings
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop

from prosumo.activity.models import Event
from prosumo.community.models import ApiToken, CustomerRecord, Invitation, Member
from prosumo.ideas.models import (
    Amendment,
    Attachment,
    CoAuthor,
    CoAuthorStatus,
    Comment,
    CommentRevision,
    Flag,
    Follow,
    Idea,
    IdeaRevision,
    Vote,
)
from prosumo.notifications.models import Notification
from prosumo.outreach.selectors import export_messages
from prosumo.provenance.services import certificates_issue
from prosumo.rewards.selectors import export_points, export_royalties
from prosumo.surveys.selectors import export_answers

CHUNK = 2000
AVATAR_FOLDER = "avatar"


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


def _json(value: Any) -> str:
    return json.dumps(value, default=_plain, ensure_ascii=False, indent=2)


def _avatar_path(member: Member) -> str | None:
    """Where the profile picture is in the zip."""
    return f"{AVATAR_FOLDER}/{PurePath(member.avatar.name or '').name}" if member.avatar else None


def profile(member: Member) -> dict[str, Any]:
    return {
        "id": member.pk,
        "email": member.email,
        "display_name": member.display_name,
        "language": member.locale,
        "country": member.country,
        "about_me": member.bio,
        "interests": list(member.interests),
        "email_notifications": member.email_preference,
        "email_from_community_team": member.outreach_email,
        "role": member.role,
        "segment": member.segment.name if member.segment_id and member.segment else None,
        "channel": member.channel,
        "referral_code": member.referral_code,
        "referred_by_member_id": member.referred_by_id,
        "joined_at": member.date_joined,
        "last_login_at": member.last_login,
        "suspended_at": member.suspended_at,
        "suspended_reason": member.suspended_reason,
        "avatar": _avatar_path(member),
        "email_addresses": [
            {"email": e.email, "verified": e.verified, "primary": e.primary}
            for e in EmailAddress.objects.filter(user=member).order_by("pk")
        ],
        "social_accounts": [
            {"provider": a.provider, "uid": a.uid, "connected_at": a.date_joined}
            for a in SocialAccount.objects.filter(user=member).order_by("pk")
        ],
        "customer_records": [
            {"customer_id": r.customer_id, "email": r.email, "tier": r.tier, "spend": r.spend, "country": r.country}
            for r in CustomerRecord.objects.filter(member=member).order_by("pk")
        ],
    }


def ideas(member: Member) -> Iterator[dict[str, Any]]:
    files: dict[int, list[dict[str, Any]]] = {}
    for a in Attachment.objects.filter(idea__author=member).order_by("pk"):
        files.setdefault(a.idea_id, []).append(
            {"name": a.original_name, "content_type": a.content_type, "size": a.size, "added_at": a.created_at}
        )
    for idea in Idea.objects.filter(author=member).select_related("campaign").prefetch_related("tags").order_by("pk"):
        yield {
            "id": idea.pk,
            "url": f"{settings.SITE_URL}/ideas/{idea.pk}/",
            "campaign": {"id": idea.campaign_id, "title": idea.campaign.title},
            "title": idea.title,
            "body": idea.body,
            "language": idea.language,
            "tags": sorted(t.name for t in idea.tags.all()),
            "stage": idea.stage,
            "hidden": idea.hidden,
            "created_at": idea.created_at,
            "updated_at": idea.updated_at,
            "attachments": files.get(idea.pk, []),
        }


def revisions(member: Member) -> Iterator[dict[str, Any]]:
    for r in IdeaRevision.objects.filter(author=member).order_by("idea_id", "number").iterator(chunk_size=CHUNK):
        yield {
            "idea_id": r.idea_id,
            "number": r.number,
            "title": r.title,
            "body": r.body,
            "note": r.note,
            "created_at": r.created_at,
        }


def amendments(member: Member) -> Iterator[dict[str, Any]]:
    for a in Amendment.objects.filter(amender=member).select_related("revision").order_by("idea_id", "pk"):
        yield {
            "idea_id": a.idea_id,
            "title": a.title,
            "body": a.body,
            "note": a.note,
            "status": a.status,
            "written_against_revision": a.base_revision,
            "became_revision": a.revision.number if a.revision else None,
            "authors_answer": a.answer,
            "proposed_at": a.created_at,
            "updated_at": a.updated_at,
        }


def comments(member: Member) -> Iterator[dict[str, Any]]:
    earlier: dict[int, list[dict[str, Any]]] = {}
    for r in CommentRevision.objects.filter(comment__author=member).order_by("comment_id", "created_at", "pk"):
        earlier.setdefault(r.comment_id, []).append({"body": r.body, "written_at": r.created_at})
    for c in Comment.objects.filter(author=member).order_by("pk").iterator(chunk_size=CHUNK):
        yield {
            "id": c.pk,
            "idea_id": c.idea_id,
            "reply_to_comment_id": c.parent_id,
            "body": c.body,
            "builds_on_the_idea": c.builds_on,
            "hidden": c.hidden,
            "created_at": c.created_at,
            "edited_at": c.edited_at,
            "earlier_texts": earlier.get(c.pk, []),
        }


def votes(member: Member) -> Iterator[dict[str, Any]]:
    rows = (
        Vote.objects.filter(member=member)
        .order_by("idea_id")
        .values_list("idea_id", "value", "created_at", "updated_at")
    )
    for idea_id, value, created_at, updated_at in rows.iterator(chunk_size=CHUNK):
        yield {"idea_id": idea_id, "value": value, "cast_at": created_at, "changed_at": updated_at}


def follows(member: Member) -> Iterator[dict[str, Any]]:
    rows = Follow.objects.filter(member=member).order_by("idea_id").values_list("idea_id", "created_at")
    for idea_id, created_at in rows.iterator(chunk_size=CHUNK):
        yield {"idea_id": idea_id, "since": created_at}


def coauthorships(member: Member) -> Iterator[dict[str, Any]]:
    for c in CoAuthor.objects.filter(member=member).select_related("idea").order_by("idea_id"):
        yield {
            "idea_id": c.idea_id,
            "idea_title": c.idea.title,
            "share_percent": c.share,
            "status": c.status,
            "invited_at": c.created_at,
            "answered_at": c.responded_at,
        }


def invitations(member: Member) -> Iterator[dict[str, Any]]:
    for i in Invitation.objects.filter(invited_by=member).select_related("offer").order_by("pk"):
        campaign_id = i.offer.campaign_id if hasattr(i, "offer") else None
        yield {"email": i.email, "campaign_id": campaign_id, "sent_at": i.created_at, "accepted_at": i.accepted_at}


def notifications(member: Member) -> Iterator[dict[str, Any]]:
    """In the member's language, as the site shows them."""
    rows = Notification.objects.filter(recipient=member).order_by("created_at", "pk")
    with translation.override(member.locale or settings.LANGUAGE_CODE):
        for n in rows.iterator(chunk_size=CHUNK):
            yield {
                "verb": n.verb,
                "title": n.display_title,
                "body": n.display_body,
                "url": n.url,
                "created_at": n.created_at,
                "read_at": n.read_at,
            }


def api_tokens(member: Member) -> Iterator[dict[str, Any]]:
    for t in ApiToken.objects.filter(member=member).order_by("pk"):
        yield {
            "name": t.name,
            "scopes": t.scope_list,
            "created_at": t.created_at,
            "expires_at": t.expires_at,
            "last_used_at": t.last_used_at,
            "revoked_at": t.revoked_at,
            "revoked_reason": t.revoked_reason,
        }


def reports(member: Member) -> Iterator[dict[str, Any]]:
    for f in Flag.objects.filter(reporter=member).order_by("pk"):
        yield {
            "idea_id": f.idea_id,
            "comment_id": f.comment_id,
            "reason": f.reason,
            "reported_at": f.created_at,
            "resolved_at": f.resolved_at,
            "resolution": f.resolution,
        }


def events(member: Member) -> Iterator[dict[str, Any]]:
    """What the event log holds about the member: what they did, and what others did to them or their ideas."""
    about = Q(actor_id=member.pk) | Q(target_member_id=member.pk) | Q(object_type="member", object_id=member.pk)
    for e in Event.objects.filter(about).order_by("pk").iterator(chunk_size=CHUNK):
        by_you = e.actor_id == member.pk
        yield {
            "id": e.pk,
            "occurred_at": e.occurred_at,
            "verb": e.verb,
            "by_you": by_you,
            "object_type": e.object_type,
            "object_id": e.object_id,
            "campaign_id": e.campaign_id,
            "channel": e.channel if by_you else "",  # the channel is the actor's: someone else's data
            "value": e.value,
            "details": e.details,
        }


@dataclass(frozen=True)
class Section:
    file: str
    rows: Callable[[Member], Any]
    about: str  # for the README, a message of the catalogue


SECTIONS: tuple[Section, ...] = (
    Section(
        "profile.json", profile, gettext_noop("your profile, email addresses, sign-in accounts and customer records")
    ),
    Section("ideas.json", ideas, gettext_noop("the ideas you submitted, as they read now")),
    Section("revisions.json", revisions, gettext_noop("every version of an idea you wrote")),
    Section("amendments.json", amendments, gettext_noop("the changes you proposed to other members' ideas")),
    Section("comments.json", comments, gettext_noop("your comments, with their earlier texts")),
    Section("votes.json", votes, gettext_noop("your current votes")),
    Section("follows.json", follows, gettext_noop("the ideas you follow")),
    Section("coauthorships.json", coauthorships, gettext_noop("the ideas you were invited to co-author")),
    Section("invitations.json", invitations, gettext_noop("the invitations you sent")),
    Section("notifications.json", notifications, gettext_noop("your notifications")),
    Section("api_tokens.json", api_tokens, gettext_noop("the names of your API tokens (never the tokens)")),
    Section("reports.json", reports, gettext_noop("the content you reported to the moderators")),
    Section("events.json", events, gettext_noop("the activity log about you")),
    Section(
        "points.json",
        lambda member: export_points(member_id=member.pk),
        gettext_noop("every award, spend and correction of your points"),
    ),
    Section(
        "royalties.json",
        lambda member: export_royalties(member_id=member.pk),
        gettext_noop("your royalty payments, period by period"),
    ),
    Section(
        "survey_answers.json",
        lambda member: export_answers(member_id=member.pk),
        gettext_noop("your answers to surveys, as you last changed them"),
    ),
    Section(
        "messages.json",
        lambda member: export_messages(member_id=member.pk),
        gettext_noop(
            "the marketing messages you wrote, improved, commented on, voted for or co-author, "
            "and the message each experiment gave you"
        ),
    ),
)


CERTIFICATES = "certificates"


def certificates(member: Member) -> Iterator[tuple[str, str]]:
    """(file name, text) of the authorship certificate of each idea the member wrote or co-authors.

    The same file as `prosumo certificate` writes, so `prosumo verify` checks it; an idea
    with nothing in the proof log yet has none.
    """
    mine = Q(author=member) | Q(coauthors__member=member, coauthors__status=CoAuthorStatus.ACCEPTED)
    idea_ids = list(Idea.objects.filter(mine).distinct().order_by("pk").values_list("pk", flat=True))
    documents = certificates_issue(idea_ids=idea_ids)  # a bounded number of queries, however many ideas
    for idea_id in idea_ids:
        if idea_id in documents:
            text = json.dumps(documents[idea_id], indent=2, ensure_ascii=False) + "\n"
            yield f"{CERTIFICATES}/idea-{idea_id}.json", text


def _write_rows(archive: zipfile.ZipFile, name: str, rows: Iterable[dict[str, Any]]) -> None:
    with archive.open(name, "w") as out:
        text = io.TextIOWrapper(out, encoding="utf-8")
        text.write("[")
        first = True
        for row in rows:
            text.write("\n  " if first else ",\n  ")
            text.write(_json(row).replace("\n", "\n  "))
            first = False
        text.write("\n]\n" if not first else "]\n")
        text.flush()
        text.detach()


def readme(member: Member, now: datetime) -> str:
    """The README of the zip, in the member's language."""
    with translation.override(member.locale or settings.LANGUAGE_CODE):
        lines = [
            gettext("Your data at {site}").format(site=settings.SITE_NAME),
            "",
            gettext("A copy of everything {site} keeps about you (member {id}), made on {when} (UTC).").format(
                site=settings.SITE_NAME, id=member.pk, when=now.strftime("%Y-%m-%d %H:%M")
            ),
            gettext("Each file holds JSON; times are in UTC, in ISO 8601."),
            "",
        ]
        lines += [f"{s.file}: {gettext(s.about)}" for s in SECTIONS]
        lines.append(
            f"{CERTIFICATES}/: "
            + gettext(
                "the authorship certificate of each idea you wrote or co-author; "
                "`prosumo verify FILE` checks one, with no connection to the site"
            )
        )
        if member.avatar:
            lines.append(f"{AVATAR_FOLDER}/: " + gettext("your profile picture"))
        lines += [
            "",
            gettext(
                "In events.json, by_you is false for what someone else did about you or your ideas "
                "(a vote, a reply); who did it is not shown."
            ),
            gettext("Ideas, revisions and comments link to other people's ideas by id: {url}").format(
                url=f"{settings.SITE_URL}/ideas/<idea_id>/"
            ),
            gettext("What is kept, and how to erase your account: {url}").format(url=f"{settings.SITE_URL}/me/data/"),
        ]
    return "\n".join(lines) + "\n"


def build_zip(member: Member, *, now: datetime | None = None) -> bytes:
    """The member's data as a zip: README.txt, one JSON file per section, their certificates and their avatar."""
    now = now or timezone.now()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", readme(member, now))
        for section in SECTIONS:
            rows = section.rows(member)
            if isinstance(rows, dict):
                archive.writestr(section.file, _json(rows) + "\n")
            else:
                _write_rows(archive, section.file, rows)
        for name, text in certificates(member):
            archive.writestr(name, text)
        if member.avatar:
            try:
                with member.avatar.open("rb") as avatar:
                    archive.writestr(str(_avatar_path(member)), avatar.read())
            except FileNotFoundError:
                pass  # a profile picture whose file is gone: profile.json still names it
    return buffer.getvalue()
