"""Flags, hiding and restoring content; every step lands in the event log (the audit log).

A member has at most one open flag on an idea or a comment: flagging it again before a
moderator has dealt with the first is refused (409 ``already_flagged``).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from prosumo.activity.services import event_record
from prosumo.community.models import Member, Role
from prosumo.community.permissions import require_member, require_role
from prosumo.core.errors import Conflict, InvalidInput, NotFound
from prosumo.ideas.models import Comment, Flag, Idea
from prosumo.ideas.permissions import access_idea


def _target(kind: str, object_id: int) -> Idea | Comment:
    targets: dict[str, type[Idea] | type[Comment]] = {"idea": Idea, "comment": Comment}
    model = targets.get(kind)
    if model is None:
        raise InvalidInput(gettext("Flag an idea or a comment."), fields={"kind": ["invalid"]})
    obj = model.objects.filter(pk=object_id).first()
    if obj is None:
        raise NotFound(gettext("No such idea.") if kind == "idea" else gettext("No such comment."))
    return obj


def flag_create(*, actor: Member, kind: str, object_id: int, reason: str) -> Flag:
    member = require_member(actor)
    reason = reason.strip()
    if not 3 <= len(reason) <= 300:
        raise InvalidInput(
            gettext("Say in a few words what is wrong (3 to 300 characters)."), fields={"reason": ["length"]}
        )
    obj = _target(kind, object_id)
    idea = obj if isinstance(obj, Idea) else obj.idea
    access_idea(member, idea.pk)
    with transaction.atomic():
        # One open flag per member and object: the lock on the flagged row makes two at once queue here.
        type(obj).objects.select_for_update().filter(pk=obj.pk).values_list("pk").first()
        if Flag.objects.filter(reporter=member, resolved_at__isnull=True, **{kind: obj}).exists():
            raise Conflict(
                gettext("You have flagged this already; a moderator will look at it."), code="already_flagged"
            )
        flag = Flag.objects.create(reporter=member, reason=reason, **{kind: obj})
        event_record(
            verb="moderation.flagged",
            actor_id=member.pk,
            object_type=kind,
            object_id=obj.pk,
            target_member_id=obj.author_id,
            campaign_id=idea.campaign_id,
            details={"reason": reason},
        )
    return flag


def _set_hidden(*, actor: Member, kind: str, object_id: int, hidden: bool, reason: str) -> Idea | Comment:
    staff = require_role(actor, Role.MODERATOR, Role.ADMIN)
    if hidden and not reason.strip():
        raise InvalidInput(gettext("Say why the content is hidden."), fields={"reason": ["required"]})
    with transaction.atomic():
        obj = _target(kind, object_id)
        obj.hidden = hidden
        obj.save(update_fields=["hidden"])
        Flag.objects.filter(**{kind: obj}, resolved_at__isnull=True).update(
            resolved_at=timezone.now(), resolution="hidden" if hidden else "kept"
        )
        idea = obj if isinstance(obj, Idea) else obj.idea
        if isinstance(obj, Idea):
            from prosumo.ideas.services.ideas import enqueue_embedding

            enqueue_embedding(obj.pk)  # a hidden idea leaves the similar ideas' index; a restored one comes back
        event_record(
            verb="moderation.hidden" if hidden else "moderation.restored",
            actor_id=staff.pk,
            object_type=kind,
            object_id=obj.pk,
            target_member_id=obj.author_id,
            campaign_id=idea.campaign_id,
            details={"reason": reason.strip()},
        )
    return obj


def content_hide(*, actor: Member, kind: str, object_id: int, reason: str) -> Idea | Comment:
    return _set_hidden(actor=actor, kind=kind, object_id=object_id, hidden=True, reason=reason)


def content_restore(*, actor: Member, kind: str, object_id: int, reason: str = "") -> Idea | Comment:
    return _set_hidden(actor=actor, kind=kind, object_id=object_id, hidden=False, reason=reason)


def flag_dismiss(*, actor: Member, flag_id: int) -> Flag:
    """A moderator closes a report without acting on the content: it leaves the open reports, and the log says who."""
    staff = require_role(actor, Role.MODERATOR, Role.ADMIN)
    with transaction.atomic():
        flag = Flag.objects.select_for_update(of=("self",)).select_related("comment").filter(pk=flag_id).first()
        if flag is None:
            raise NotFound(gettext("No such report."))
        if flag.resolved_at is not None:
            raise Conflict(gettext("This report was dealt with already."), code="flag_resolved")
        flag.resolved_at = timezone.now()
        flag.resolution = "dismissed"
        flag.save(update_fields=["resolved_at", "resolution"])
        idea_id = flag.idea_id or flag.comment.idea_id  # type: ignore[union-attr]
        event_record(
            verb="moderation.dismissed",
            actor_id=staff.pk,
            object_type="idea" if flag.idea_id else "comment",
            object_id=flag.idea_id or flag.comment_id,
            target_member_id=flag.reporter_id,
            campaign_id=Idea.objects.filter(pk=idea_id).values_list("campaign_id", flat=True).first(),
            details={"flag": flag.pk, "reason": flag.reason},
        )
    return flag
