"""Merging duplicate ideas, with the supporters' consent and nobody counted twice; pairs that are not duplicates.

The source idea's supporters are carried to the target unless they already support
it; each is told and may withdraw the carried support (CONSUL's maintainers insist on
that consent). Followers and comments move too, and the merge is kept as lineage so
credit can later follow the contributors of both ideas.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext

from prosumo.activity.models import Event
from prosumo.activity.services import event_record, events_record_many
from prosumo.community.models import Member, Role
from prosumo.community.permissions import require_member, require_role
from prosumo.core.errors import InvalidInput, NotFound
from prosumo.core.phrases import phrase
from prosumo.ideas import tallies
from prosumo.ideas.models import (
    Comment,
    DismissedDuplicate,
    Follow,
    Idea,
    IdeaLineage,
    MergedSupport,
    Stage,
    Vote,
)
from prosumo.ideas.permissions import access_idea
from prosumo.ideas.services.stages import MESSAGE_MIN, _move
from prosumo.ideas.services.votes import vote_withdraw_locked
from prosumo.notifications.services import notify


def idea_merge(*, actor: Member, source_id: int, target_id: int, message: str) -> IdeaLineage:
    staff = require_role(actor, Role.REVIEWER, Role.ADMIN)
    if source_id == target_id:
        raise InvalidInput(gettext("An idea cannot be merged into itself."), fields={"target_id": ["same"]})
    if len(message.strip()) < MESSAGE_MIN:
        raise InvalidInput(
            gettext("Tell the contributors why, in at least {MESSAGE_MIN} characters.").format(MESSAGE_MIN=MESSAGE_MIN),
            fields={"message": ["too_short"]},
        )
    with transaction.atomic():
        access_idea(staff, source_id)
        access_idea(staff, target_id)
        locked = {
            i.pk: i
            for i in Idea.objects.select_for_update(of=("self",))
            .select_related("campaign")
            .filter(pk__in=[source_id, target_id])
            .order_by("pk")
        }
        source, target = locked[source_id], locked[target_id]
        errors: dict[str, list[str]] = {}
        if source.stage == Stage.MERGED:
            errors["source_id"] = [gettext("This idea was merged already.")]
        if target.stage in (Stage.MERGED, Stage.DECLINED):
            errors["target_id"] = [gettext("Merge into an idea that is still alive.")]
        if source.campaign_id != target.campaign_id:
            errors["target_id"] = [gettext("Both ideas must belong to the same campaign.")]
        if errors:
            raise InvalidInput(gettext("The ideas were not merged."), fields=errors)
        now = timezone.now()
        mode = target.campaign.voting_mode
        _move(idea=source, to_stage=Stage.MERGED, message=message.strip(), actor=staff, now=now)
        source.merged_into = target
        source.save(update_fields=["merged_into"])

        source_votes = list(Vote.objects.filter(idea=source))
        already = set(
            Vote.objects.filter(idea=target, member_id__in=[v.member_id for v in source_votes]).values_list(
                "member_id", flat=True
            )
        )
        carried = [v for v in source_votes if v.member_id not in already]
        moved = tallies.of(target)
        for vote in carried:  # counted, but not in trending: a carried vote is not new support
            moved = tallies.counted(moved, mode=mode, value=vote.value, sign=+1)
        Vote.objects.bulk_create([Vote(idea=target, member_id=v.member_id, value=v.value) for v in carried])
        tallies.store(target, moved, mode=mode)
        target.save(update_fields=tallies.FIELDS)
        tallies.store(source, tallies.EMPTY, mode=mode)  # its votes are deleted below
        source.save(update_fields=tallies.FIELDS)
        Vote.objects.filter(idea=source).delete()
        MergedSupport.objects.bulk_create(
            [
                MergedSupport(
                    source=source,
                    target=target,
                    member_id=v.member_id,
                    status=MergedSupport.Status.ALREADY if v.member_id in already else MergedSupport.Status.CARRIED,
                )
                for v in source_votes
            ]
        )
        events_record_many(
            _support_events(source_votes, "idea.support_withdrawn", source, {"merged_into": target.pk}, now)
            + _support_events(carried, "idea.supported", target, {"carried_from": source.pk}, now)
        )

        existing_followers = set(Follow.objects.filter(idea=target).values_list("member_id", flat=True))
        Follow.objects.bulk_create(
            [
                Follow(idea=target, member_id=m)
                for m in Follow.objects.filter(idea=source).values_list("member_id", flat=True)
                if m not in existing_followers
            ]
        )
        Comment.objects.filter(idea=source).update(idea=target)
        counts = (
            Idea.objects.filter(pk=target.pk)
            .annotate(f=Count("follows", distinct=True), c=Count("comments", distinct=True))
            .values("f", "c")
            .get()
        )
        Idea.objects.filter(pk=target.pk).update(follower_count=counts["f"], comment_count=counts["c"])
        Idea.objects.filter(pk=source.pk).update(comment_count=0)

        lineage = IdeaLineage.objects.create(
            source=source, target=target, merged_by=staff, message=message.strip(), created_at=now
        )
        event = event_record(
            verb="idea.merged",
            actor_id=staff.pk,
            object_type="idea",
            object_id=source.pk,
            target_member_id=source.author_id,
            campaign_id=source.campaign_id,
            details={"into": target.pk, "carried_supporters": len(carried), "already_supporters": len(already)},
            occurred_at=now,
        )
        notify(
            recipient_ids=[v.member_id for v in carried],
            about_idea=target.pk,
            verb="idea.merged",
            title=phrase("idea.merged", source=source.title, target=target.title),
            body=phrase("idea.merged.body"),
            url=f"/ideas/{target.pk}/",
            event_id=event.pk,
        )
    return lineage


def duplicate_dismiss(*, actor: Member, idea_id: int, other_id: int) -> DismissedDuplicate:
    """Staff say two ideas are not duplicates: the pair leaves the duplicates list for good.

    Whoever may merge the two may say so (reviewer or admin). Saying it again, either way
    round, changes nothing and records no second event.
    """
    staff = require_role(actor, Role.REVIEWER, Role.ADMIN)
    if idea_id == other_id:
        raise InvalidInput(gettext("An idea is always like itself."), fields={"other_id": ["same"]})
    low, high = sorted((idea_id, other_id))
    with transaction.atomic():
        first = access_idea(staff, low)
        access_idea(staff, high)
        dismissal, created = DismissedDuplicate.objects.get_or_create(
            idea_id=low, other_id=high, defaults={"dismissed_by": staff, "created_at": timezone.now()}
        )
        if created:
            event_record(
                verb="idea.duplicate_dismissed",
                actor_id=staff.pk,
                object_type="idea",
                object_id=low,
                campaign_id=first.campaign_id,
                details={"other": high},
            )
    return dismissal


def merged_support_withdraw(*, actor: Member, target_id: int) -> bool:
    """A member whose support was carried by a merge takes it back."""
    member = require_member(actor)
    with transaction.atomic():
        record = (
            MergedSupport.objects.select_for_update()
            .filter(target_id=target_id, member=member, status=MergedSupport.Status.CARRIED)
            .first()
        )
        if record is None:
            raise NotFound(gettext("No support of yours was carried to this idea."))
        target = Idea.objects.select_for_update(of=("self",)).select_related("campaign").get(pk=target_id)
        vote = Vote.objects.filter(idea=target, member=member).first()
        if vote is not None:
            vote_withdraw_locked(
                idea=target, vote=vote, mode=target.campaign.voting_mode, details={"merge_consent": True}
            )
        record.status = MergedSupport.Status.WITHDRAWN
        record.save(update_fields=["status"])
    return vote is not None


def _support_events(votes: list[Vote], verb: str, idea: Idea, details: dict[str, int], now: datetime) -> list[Event]:
    """One event per vote: its member's support of `idea` withdrawn or given by the merge."""
    return [
        Event(
            occurred_at=now,
            actor_id=v.member_id,
            verb=verb,
            object_type="idea",
            object_id=idea.pk,
            target_member_id=idea.author_id,
            campaign_id=idea.campaign_id,
            value=v.value,
            details=dict(details),
        )
        for v in votes
    ]
