"""What erasing a member's account does to their part of outreach (called by prosumo.privacy, above this app)."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import translation
from django.utils.translation import gettext

from prosumo.outreach.models import Message, MessageCoAuthor, MessageComment, MessageRevision, MessageVote


def member_messages_erase(*, member_id: int, remove_content: bool) -> int:
    """Withdraw an erased member's votes on messages and, with ``remove_content``, remove what they wrote; how many.

    Called by the erasure service in its transaction, as ideas are handled: the votes go
    and each message's count follows; messages, revisions and comments stay under
    "former member" unless the content is removed. Then the text of each message that
    is theirs alone (no co-author, no one else's revision, not the company's) is replaced
    in the message and its history, its image is deleted, and their comments' bodies
    are replaced. Their experiment arms stay, as their events do, tied to an id that no
    longer leads to anyone, so the experiment's counts do not change after it.
    """
    voted = list(MessageVote.objects.filter(member_id=member_id).values_list("message_id", flat=True))
    MessageVote.objects.filter(member_id=member_id).delete()
    Message.objects.filter(pk__in=voted).update(vote_count=F("vote_count") - 1)  # one vote per member and message
    if not remove_content:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        removed_message = gettext("This message was removed by its author.")
        removed_comment = gettext("This comment was removed by its author.")
    others = MessageRevision.objects.filter(message=OuterRef("pk")).exclude(author_id=member_id)
    shared = MessageCoAuthor.objects.filter(message=OuterRef("pk"))
    mine = Message.objects.filter(author_id=member_id, company=False).exclude(Exists(others)).exclude(Exists(shared))
    message_ids = list(mine.values_list("pk", flat=True))
    for message in Message.objects.filter(pk__in=message_ids).exclude(image=""):
        name = message.image.name
        transaction.on_commit(lambda name=name: Message._meta.get_field("image").storage.delete(name))  # type: ignore[attr-defined,misc]
    MessageRevision.objects.filter(message_id__in=message_ids).update(text=removed_message, note="")
    Message.objects.filter(pk__in=message_ids).update(text=removed_message, image="", image_type="")
    comments = MessageComment.objects.filter(Q(author_id=member_id) & ~Q(body=removed_comment))
    return len(message_ids) + comments.update(body=removed_comment)
