"""Comments: threaded, Markdown, with their edit history kept."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from prosumo.activity.services import event_record
from prosumo.community.models import Member
from prosumo.community.permissions import require_member
from prosumo.community.terms import contribution_accept
from prosumo.core.errors import InvalidInput, NotFound, PermissionDenied
from prosumo.core.phrases import phrase
from prosumo.ideas.models import Comment, CommentRevision, Follow, Idea
from prosumo.ideas.permissions import access_idea_to_take_part
from prosumo.notifications.services import notify

BODY_MIN, BODY_MAX = 2, 10_000
MAX_DEPTH = 6


def _check_body(body: str) -> str:
    body = body.strip()
    if not BODY_MIN <= len(body) <= BODY_MAX:
        raise InvalidInput(
            gettext("A comment has {BODY_MIN} to {BODY_MAX} characters.").format(BODY_MIN=BODY_MIN, BODY_MAX=BODY_MAX),
            fields={"body": ["length"]},
        )
    return body


def comment_post(
    *,
    actor: Member,
    idea_id: int,
    body: str,
    parent_id: int | None = None,
    builds_on: bool = False,
    accept_terms: int | None = None,
) -> Comment:
    """A member comments on an idea (or replies to a comment), under the current contribution terms.

    A comment is a contribution (docs/ip.md): once terms are published, the member must
    have accepted the current version, or accept it now (``accept_terms``: its number).
    It takes no licence of its own; editing it later asks for nothing.
    """
    member = require_member(actor)
    body = _check_body(body)
    with transaction.atomic():
        idea = access_idea_to_take_part(member, idea_id)
        parent = None
        if parent_id is not None:
            parent = Comment.objects.filter(pk=parent_id, idea=idea, hidden=False).first()
            if parent is None:
                raise NotFound(gettext("The comment you reply to is gone."))
            depth, node = 1, parent
            while node.parent_id is not None and depth <= MAX_DEPTH:
                node = Comment.objects.only("parent_id").get(pk=node.parent_id)
                depth += 1
            if depth > MAX_DEPTH:
                raise InvalidInput(gettext("This thread is too deep; reply higher up."), code="thread_too_deep")
        contribution_accept(member=member, accept_terms=accept_terms, refused=gettext("The comment was not posted."))
        now = timezone.now()
        comment = Comment.objects.create(
            idea=idea, author=member, parent=parent, body=body, builds_on=bool(builds_on), created_at=now
        )
        Idea.objects.filter(pk=idea.pk).update(comment_count=F("comment_count") + 1)
        replied_to = parent.author_id if parent else idea.author_id
        event = event_record(
            verb="comment.posted",
            actor_id=member.pk,
            object_type="comment",
            object_id=comment.pk,
            target_member_id=replied_to,
            campaign_id=idea.campaign_id,
            channel=member.channel,
            details={"idea_id": idea.pk, "builds_on": comment.builds_on, "parent_id": parent_id},
            occurred_at=now,
        )
        recipients = set(Follow.objects.filter(idea=idea).values_list("member_id", flat=True))
        if parent:
            recipients.add(parent.author_id)
        notify(
            recipient_ids=recipients,
            about_idea=idea.pk,
            verb="comment.posted",
            title=phrase("comment.posted", name=member.name, idea=idea.title),
            body=body[:300],
            url=f"/ideas/{idea.pk}/#comment-{comment.pk}",
            event_id=event.pk,
            exclude_id=member.pk,
        )
        from prosumo.ideas.tasks import index_idea

        transaction.on_commit(lambda: index_idea.enqueue(idea.pk))
    return comment


def comment_edit(*, actor: Member, comment_id: int, body: str) -> Comment:
    member = require_member(actor)
    body = _check_body(body)
    with transaction.atomic():
        comment = Comment.objects.select_for_update().filter(pk=comment_id).first()
        if comment is None:
            raise NotFound(gettext("No such comment."))
        if comment.author_id != member.pk:
            raise PermissionDenied(gettext("You can only edit your own comments."))
        if comment.body == body:
            return comment
        CommentRevision.objects.create(
            comment=comment, body=comment.body, created_at=comment.edited_at or comment.created_at
        )
        comment.body = body
        comment.edited_at = timezone.now()
        comment.save(update_fields=["body", "edited_at"])
        event_record(
            verb="comment.edited",
            actor_id=member.pk,
            object_type="comment",
            object_id=comment.pk,
            campaign_id=comment.idea.campaign_id,
            details={"idea_id": comment.idea_id},
        )
    return comment
