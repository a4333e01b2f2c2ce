"""Points: rules staff set, awards made from events, spends and corrections, and the ledger's two legs.

Awards are made by `awards_for_event`, a reaction to the event log (registered in
apps.py). It may run inside the event's transaction or later from a task, and more than
once for one event: an award is unique per (rule version, source event, member), so a
retry writes nothing new. Awards to one member are made one at a time under a lock on
their account row, which is what makes the daily cap and "once per idea" exact when
events arrive together.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext

from prosumo.activity.models import Event
from prosumo.activity.services import event_record
from prosumo.community.models import Member
from prosumo.community.permissions import require_member
from prosumo.core.errors import InvalidInput, NotFound
from prosumo.ideas.models import Campaign, CoAuthor, CoAuthorStatus, Comment, Idea, Stage
from prosumo.rewards import splits
from prosumo.rewards.models import (
    Account,
    AccountKind,
    Entry,
    ImprovementMark,
    LeaderboardChoice,
    Posting,
    PostingKind,
    RewardRule,
    RuleVersion,
    Trigger,
)
from prosumo.rewards.permissions import require_improvement_marker, require_rewards_admin

MAX_POINTS = 1_000_000
REASON_MAX = 48


# -- accounts and postings ------------------------------------------------------------------------------------------


def _site_account(kind: AccountKind) -> Account:
    account, _ = Account.objects.get_or_create(kind=kind, member=None)
    return account


def _locked_member_account(member_id: int) -> Account:
    """The member's account row, locked until the transaction ends (made on first use)."""
    Account.objects.get_or_create(kind=AccountKind.MEMBER, member_id=member_id)
    return Account.objects.select_for_update().get(kind=AccountKind.MEMBER, member_id=member_id)


def _balance(account: Account) -> int:
    return int(Entry.objects.filter(account=account).aggregate(total=Sum("points"))["total"] or 0)


def _post(
    *, kind: PostingKind, member_account: Account, other: Account, points: int, now: datetime, **fields: object
) -> Posting:
    """Write a posting and its two legs: `points` into the member's account, the same out of `other`."""
    assert member_account.member_id is not None
    posting = Posting(kind=kind, member_id=member_account.member_id, points=points, created_at=now, **fields)
    posting.save()
    Entry.objects.bulk_create(
        [
            Entry(posting=posting, account=member_account, points=points),
            Entry(posting=posting, account=other, points=-points),
        ]
    )
    return posting


# -- rules ----------------------------------------------------------------------------------------------------------


def _whole(value: object, *, field: str, most: int) -> int:
    try:
        number = int(str(value))
    except (TypeError, ValueError) as exc:
        raise InvalidInput(gettext("Enter a whole number."), fields={field: ["invalid"]}) from exc
    if not 0 <= number <= most:
        raise InvalidInput(
            gettext("Enter a whole number from 0 to {most}.").format(most=most), fields={field: ["range"]}
        )
    return number


def rule_set(
    *, actor: Member, campaign_id: int | None, trigger: str, points: object, daily_cap: object = 0
) -> RuleVersion:
    """Set what a campaign (None: the whole site) gives for a trigger: a new version if anything changed."""
    admin = require_rewards_admin(actor)
    if trigger not in Trigger.values:
        raise InvalidInput(gettext("Choose what the points are for."), fields={"trigger": ["invalid"]})
    points_n = _whole(points, field="points", most=MAX_POINTS)
    cap_n = _whole(daily_cap, field="daily_cap", most=10_000)
    with transaction.atomic():
        if campaign_id is not None and not Campaign.objects.filter(pk=campaign_id).exists():
            raise NotFound(gettext("That campaign does not exist."))
        now = timezone.now()
        same = RewardRule.objects.filter(trigger=trigger)
        same = same.filter(campaign_id=campaign_id) if campaign_id is not None else same.filter(campaign__isnull=True)
        rule = same.first() or RewardRule.objects.create(campaign_id=campaign_id, trigger=trigger, created_at=now)
        rule = RewardRule.objects.select_for_update().get(pk=rule.pk)
        current = rule.versions.order_by("-number").first()
        if current is not None and (current.points, current.daily_cap) == (points_n, cap_n):
            return current
        version = RuleVersion.objects.create(
            rule=rule,
            number=(current.number + 1) if current else 1,
            points=points_n,
            daily_cap=cap_n,
            created_by=admin,
            created_at=now,
        )
        event_record(
            verb="reward.rule_changed",
            actor_id=admin.pk,
            object_type="reward_rule",
            object_id=rule.pk,
            campaign_id=campaign_id,
            value=points_n,
            details={"trigger": trigger, "version": version.number, "daily_cap": cap_n},
        )
    return version


def rule_in_force(*, campaign_id: int | None, trigger: str) -> RuleVersion | None:
    """The latest version of the campaign's own rule for the trigger, else of the site's rule."""
    versions = RuleVersion.objects.filter(rule__trigger=trigger).select_related("rule")
    if campaign_id is not None:
        own = versions.filter(rule__campaign_id=campaign_id).order_by("-number").first()
        if own is not None:
            return own
    return versions.filter(rule__campaign__isnull=True).order_by("-number").first()


# -- awards from events ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Earned:
    """What an event earns: the trigger, what it is about, and who shares the points (member id -> share)."""

    trigger: Trigger
    object_type: str
    object_id: int
    campaign_id: int | None
    shares: dict[int, Decimal]


def _contributors(idea_id: int) -> dict[int, Decimal]:
    """The idea's author and accepted co-authors with their declared shares; the author keeps the rest."""
    author_id = Idea.objects.filter(pk=idea_id).values_list("author_id", flat=True).first()
    if author_id is None:
        return {}
    shares = dict(
        CoAuthor.objects.filter(idea_id=idea_id, status=CoAuthorStatus.ACCEPTED).values_list("member_id", "share")
    )
    shares[author_id] = Decimal(100) - sum(shares.values(), Decimal(0))
    return shares


def earned_by(event: Event) -> Earned | None:
    """What an event earns, or None for the events no rule rewards."""
    if event.verb == "idea.submitted" and event.actor_id and event.object_id:
        return Earned(Trigger.IDEA_SUBMITTED, "idea", event.object_id, event.campaign_id, {event.actor_id: Decimal(1)})
    if event.verb == "idea.stage_changed" and event.object_id:
        to, before = event.details.get("to"), event.details.get("from")
        if to == Stage.UNDER_REVIEW and before == Stage.OPEN and event.actor_id is None:
            trigger = Trigger.SUPPORT_THRESHOLD  # only the platform moves an idea on its supporters' count
        elif to == Stage.ACCEPTED:
            trigger = Trigger.IDEA_ACCEPTED
        elif to == Stage.LAUNCHED:
            trigger = Trigger.IDEA_LAUNCHED
        else:
            return None
        return Earned(trigger, "idea", event.object_id, event.campaign_id, _contributors(event.object_id))
    if event.verb == "comment.improvement_marked" and event.target_member_id and event.object_id:
        return Earned(
            Trigger.COMMENT_IMPROVED,
            "comment",
            event.object_id,
            event.campaign_id,
            {event.target_member_id: Decimal(1)},
        )
    if event.verb == "member.referred" and event.actor_id and event.object_id:
        return Earned(Trigger.REFERRAL, "member", event.object_id, None, {event.actor_id: Decimal(1)})
    return None


REWARDED_VERBS = frozenset({"idea.submitted", "idea.stage_changed", "comment.improvement_marked", "member.referred"})


def event_recorded(*, event: Event) -> None:
    """The reaction registered in apps.py."""
    awards_for_event(event=event)


def awards_for_event(*, event: Event, earned: Earned | None = None) -> list[Posting]:
    """Award what the event earns under the rule in force. Idempotent: returns the awards it made now.

    An app above this one that rewards its own events (outreach's messages) says what the
    event earns in ``earned``, from its own reaction; the rules, caps and ledger are these.
    """
    if earned is None:
        if event.verb not in REWARDED_VERBS:
            return []  # most events (votes, views) earn nothing: answered without a query
        earned = earned_by(event)
    if earned is None or not earned.shares:
        return []
    version = rule_in_force(campaign_id=earned.campaign_id, trigger=earned.trigger)
    if version is None or version.points == 0:
        return []
    positive = {member_id: share for member_id, share in earned.shares.items() if share > 0}
    if not positive:
        return []
    parts = splits.by_shares(version.points, positive)
    awarded = []
    for member_id, points in parts.items():
        if points <= 0:
            continue
        posting = _award(event=event, earned=earned, version=version, member_id=member_id, points=points)
        if posting is not None:
            awarded.append(posting)
    return awarded


def _award(*, event: Event, earned: Earned, version: RuleVersion, member_id: int, points: int) -> Posting | None:
    issued = _site_account(AccountKind.ISSUED)
    try:
        with transaction.atomic():  # a savepoint when the event's transaction is still open
            account = _locked_member_account(member_id)
            mine = Posting.objects.filter(kind=PostingKind.AWARD, member_id=member_id, rule_version__rule=version.rule)
            if mine.filter(source_event_id=event.pk).exists():
                return None  # a retry of an event already rewarded (under any version)
            if (
                earned.trigger != Trigger.REFERRAL
                and mine.filter(object_type=earned.object_type, object_id=earned.object_id).exists()
            ):
                return None  # once per idea or comment: an idea accepted again earns nothing more
            if version.daily_cap:
                day = datetime.combine(event.occurred_at.astimezone(UTC).date(), time(), tzinfo=UTC)
                today = mine.filter(occurred_at__gte=day, occurred_at__lt=day + timedelta(days=1)).count()
                if today >= version.daily_cap:
                    return None
            posting = _post(
                kind=PostingKind.AWARD,
                member_account=account,
                other=issued,
                points=points,
                now=timezone.now(),
                reason=earned.trigger,
                campaign_id=earned.campaign_id,
                object_type=earned.object_type,
                object_id=earned.object_id,
                source_event_id=event.pk,
                rule_version=version,
                occurred_at=event.occurred_at,
            )
            event_record(
                verb="reward.granted",
                actor_id=None,
                object_type=earned.object_type,
                object_id=earned.object_id,
                target_member_id=member_id,
                campaign_id=earned.campaign_id,
                value=points,
                details={
                    "reason": str(earned.trigger),
                    "posting": posting.pk,
                    "rule_version": version.pk,
                    "source_event": event.pk,
                },
            )
    except IntegrityError:
        # Another worker awarded the same (rule version, event, member) first.
        if Posting.objects.filter(
            kind=PostingKind.AWARD, rule_version=version, source_event_id=event.pk, member_id=member_id
        ).exists():
            return None
        raise
    return posting


# -- spends and corrections -----------------------------------------------------------------------------------------


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not 2 <= len(reason) <= REASON_MAX:
        raise InvalidInput(
            gettext("Give a reason of 2 to {most} characters.").format(most=REASON_MAX), fields={"reason": ["length"]}
        )
    return reason


def points_spend(*, actor: Member, member_id: int, points: object, reason: str, note: str = "") -> Posting:
    """Record points a member spent (a gift, a discount), never more than their balance."""
    admin = require_rewards_admin(actor)
    amount = _whole(points, field="points", most=MAX_POINTS)
    if amount == 0:
        raise InvalidInput(gettext("Spend at least one point."), fields={"points": ["range"]})
    reason = _reason(reason)
    with transaction.atomic():
        if not Member.objects.filter(pk=member_id).exists():
            raise NotFound(gettext("That member does not exist."))
        account = _locked_member_account(member_id)
        balance = _balance(account)
        if amount > balance:
            raise InvalidInput(
                gettext("The member has {balance} points: not enough to spend {points}.").format(
                    balance=balance, points=amount
                ),
                fields={"points": ["insufficient"]},
            )
        now = timezone.now()
        posting = _post(
            kind=PostingKind.SPEND,
            member_account=account,
            other=_site_account(AccountKind.SPENT),
            points=-amount,
            now=now,
            reason=reason,
            note=note.strip(),
            created_by=admin,
            occurred_at=now,
        )
        event_record(
            verb="reward.spent",
            actor_id=admin.pk,
            object_type="member",
            object_id=member_id,
            target_member_id=member_id,
            value=amount,
            details={"reason": reason, "posting": posting.pk},
        )
    return posting


def points_correct(*, actor: Member, posting_id: int, points: object, note: str) -> Posting:
    """Put an earlier posting right with a new one (points signed: -50 takes back 50), never an edit."""
    admin = require_rewards_admin(actor)
    try:
        change = int(str(points))
    except (TypeError, ValueError) as exc:
        raise InvalidInput(gettext("Enter a whole number."), fields={"points": ["invalid"]}) from exc
    if change == 0 or abs(change) > MAX_POINTS:
        raise InvalidInput(
            gettext("A correction moves 1 to {most} points, up or down.").format(most=MAX_POINTS),
            fields={"points": ["range"]},
        )
    note = note.strip()
    if not note:
        raise InvalidInput(gettext("Say why the points are corrected."), fields={"note": ["required"]})
    with transaction.atomic():
        original = Posting.objects.filter(pk=posting_id).first()
        if original is None:
            raise NotFound(gettext("That ledger entry does not exist."))
        account = _locked_member_account(original.member_id)
        balance = _balance(account)
        if balance + change < 0:
            raise InvalidInput(
                gettext("The member has {balance} points: a correction cannot take them below zero.").format(
                    balance=balance
                ),
                fields={"points": ["insufficient"]},
            )
        now = timezone.now()
        site = AccountKind.SPENT if original.kind == PostingKind.SPEND else AccountKind.ISSUED
        posting = _post(
            kind=PostingKind.CORRECTION,
            member_account=account,
            other=_site_account(site),
            points=change,
            now=now,
            reason=original.reason,
            campaign_id=original.campaign_id,
            object_type=original.object_type,
            object_id=original.object_id,
            corrects=original,
            note=note,
            created_by=admin,
            occurred_at=now,
        )
        event_record(
            verb="reward.corrected",
            actor_id=admin.pk,
            object_type=original.object_type,
            object_id=original.object_id,
            target_member_id=original.member_id,
            campaign_id=original.campaign_id,
            value=change,
            details={"posting": posting.pk, "corrects": original.pk, "note": note},
        )
    return posting


# -- improvements and leaderboards ----------------------------------------------------------------------------------


def comment_mark_improved(*, actor: Member, comment_id: int) -> ImprovementMark:
    """Staff mark a comment as having improved its idea; a rule may reward its author. Once per comment."""
    staff = require_improvement_marker(actor)
    with transaction.atomic():
        comment = Comment.objects.select_related("idea").filter(pk=comment_id, hidden=False).first()
        if comment is None:
            raise NotFound(gettext("That comment is gone."))
        existing = ImprovementMark.objects.filter(comment=comment).first()
        if existing is not None:
            return existing
        mark = ImprovementMark.objects.create(comment=comment, marked_by=staff, created_at=timezone.now())
        event_record(
            verb="comment.improvement_marked",
            actor_id=staff.pk,
            object_type="comment",
            object_id=comment.pk,
            target_member_id=comment.author_id,
            campaign_id=comment.idea.campaign_id,
            details={"idea_id": comment.idea_id},
        )
    return mark


def leaderboard_choose(*, actor: Member, hidden: bool) -> LeaderboardChoice:
    """A member leaves the leaderboards (or comes back); their points are kept either way."""
    member = require_member(actor)
    with transaction.atomic():
        choice, created = LeaderboardChoice.objects.select_for_update().get_or_create(
            member=member, defaults={"hidden": hidden, "changed_at": timezone.now()}
        )
        if not created and choice.hidden == hidden:
            return choice
        if not created:
            choice.hidden = hidden
            choice.changed_at = timezone.now()
            choice.save(update_fields=["hidden", "changed_at"])
        event_record(
            verb="member.leaderboard_changed",
            actor_id=member.pk,
            object_type="member",
            object_id=member.pk,
            details={"hidden": hidden},
        )
    return choice


def awards_from_log(*, version: RuleVersion, events: list[Event]) -> int:
    """Put rewards that are already in the event log (`reward.granted`) into the ledger, writing no event again.

    For a community loaded with its history, such as the demo's synthetic one: each
    event becomes an award under `version`, once (a second call adds nothing).
    """
    issued = _site_account(AccountKind.ISSUED)
    made = 0
    with transaction.atomic():
        for event in events:
            points = int(event.value or 0)
            if event.verb != "reward.granted" or not event.target_member_id or points <= 0:
                continue
            account = _locked_member_account(event.target_member_id)
            if Posting.objects.filter(kind=PostingKind.AWARD, source_event_id=event.pk).exists():
                continue
            _post(
                kind=PostingKind.AWARD,
                member_account=account,
                other=issued,
                points=points,
                now=timezone.now(),
                reason=str(event.details.get("reason") or version.rule.trigger)[:REASON_MAX],
                campaign_id=event.campaign_id,
                object_type=event.object_type,
                object_id=event.object_id,
                source_event_id=event.pk,
                rule_version=version,
                occurred_at=event.occurred_at,
            )
            made += 1
    return made
