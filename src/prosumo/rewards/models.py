"""Points: the rules staff set, and the append-only, double-entry ledger they write to.

A balance is never stored: it is the sum of a member account's entries
(`selectors.balance`). Every change to points is a `Posting` (an award, a spend or a
correction, with its reason and the event it came from) made of `Entry` rows that add
up to zero: points awarded leave the site's *issued* account and arrive in the
member's; points spent leave the member's account for the *spent* one. Postings and
entries are never changed nor deleted: a mistake is put right by a correction, a new
posting that points at the one it corrects. The models refuse updates and deletes,
and on PostgreSQL a trigger refuses them in the database too.
"""

from __future__ import annotations

from typing import Any, ClassVar, NoReturn

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Trigger(models.TextChoices):
    """What a member is rewarded for."""

    IDEA_SUBMITTED = "idea_submitted", _("Idea submitted")
    SUPPORT_THRESHOLD = "support_threshold", _("Idea reached its campaign's support threshold")
    IDEA_ACCEPTED = "idea_accepted", _("Idea accepted")
    IDEA_LAUNCHED = "idea_launched", _("Idea launched")
    COMMENT_IMPROVED = "comment_improved", _("Comment that improved an idea")
    REFERRAL = "referral", _("Friend who joined through an invitation or link")
    MESSAGE_PROPOSED = "message_proposed", _("Message proposed for a brief")
    MESSAGE_SHORTLISTED = "message_shortlisted", _("Message shortlisted")


class RewardRule(models.Model):
    """What one campaign gives for one trigger (no campaign: the site's rule, used where a campaign has none).

    The numbers live in its versions: changing a rule adds a version, so the awards made
    under an earlier one keep pointing at what was in force then.
    """

    campaign = models.ForeignKey("ideas.Campaign", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    trigger = models.CharField(max_length=32, choices=Trigger.choices)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "trigger"], name="reward_rule_once_per_campaign"),
            models.UniqueConstraint(
                fields=["trigger"], condition=Q(campaign__isnull=True), name="reward_rule_once_for_the_site"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_trigger_display()} ({self.campaign_id or 'site'})"


class RuleVersion(models.Model):
    """The points a rule gave from `created_at` until its next version."""

    rule = models.ForeignKey(RewardRule, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    points = models.PositiveIntegerField(help_text=_("Points for each award; 0 turns the rule off."))
    daily_cap = models.PositiveIntegerField(
        default=0, help_text=_("Most awards one member can get from this rule in a day (UTC); 0 for no limit.")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["rule", "-number"]
        constraints = [models.UniqueConstraint(fields=["rule", "number"], name="rule_version_number_once")]

    def __str__(self) -> str:
        return f"rule {self.rule_id} v{self.number}: {self.points} points"


class AppendOnlyError(Exception):
    """Ledger rows are written once: a mistake is put right with a correction, never an edit."""


class AppendOnlyQuerySet(models.QuerySet[Any]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("The points ledger is append-only: record a correction instead.")

    def bulk_update(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("The points ledger is append-only: record a correction instead.")

    def delete(self) -> NoReturn:  # type: ignore[override]
        raise AppendOnlyError("The points ledger is append-only: record a correction instead.")


class AppendOnly(models.Model):
    objects: ClassVar[Any] = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("The points ledger is append-only: record a correction instead.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("The points ledger is append-only: record a correction instead.")


class AccountKind(models.TextChoices):
    MEMBER = "member", _("Member")
    ISSUED = "issued", _("Points issued")
    SPENT = "spent", _("Points spent")


class Account(models.Model):
    """Where points are: one per member, and two of the site's (issued, spent). Holds no balance.

    A member's row is also what concurrent awards to them lock, so that daily caps and
    once-per-idea awards are counted one award at a time.
    """

    kind = models.CharField(max_length=16, choices=AccountKind.choices)
    member = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="points_account"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind"], condition=Q(member__isnull=True), name="site_account_once"),
            models.CheckConstraint(
                condition=Q(kind="member", member__isnull=False) | (~Q(kind="member") & Q(member__isnull=True)),
                name="account_member_iff_member_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.member_id or ''}".strip()


class PostingKind(models.TextChoices):
    AWARD = "award", _("Award")
    SPEND = "spend", _("Spend")
    CORRECTION = "correction", _("Correction")


class Posting(AppendOnly):
    """One change to a member's points, with why and where it came from; its entries add up to zero."""

    kind = models.CharField(max_length=16, choices=PostingKind.choices)
    reason = models.CharField(max_length=48)
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    points = models.IntegerField(help_text=_("What the member's balance moves by: positive for an award."))
    campaign = models.ForeignKey("ideas.Campaign", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # Plain ids, as in the event log: what the points are for, and the event that earned them.
    object_type = models.CharField(max_length=32, blank=True)
    object_id = models.BigIntegerField(null=True, blank=True)
    source_event_id = models.BigIntegerField(null=True, blank=True)
    rule_version = models.ForeignKey(RuleVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    corrects = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections")
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    occurred_at = models.DateTimeField(help_text=_("When the source event happened (for daily caps)."))
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["member", "reason", "occurred_at"], name="posting_member_reason_idx"),
            models.Index(fields=["campaign", "member"], name="posting_campaign_member_idx"),
        ]
        constraints = [
            # A reaction that runs twice for one event (a retry) awards once.
            models.UniqueConstraint(
                fields=["rule_version", "source_event_id", "member"],
                condition=Q(kind="award"),
                name="award_once_per_event",
            ),
            models.CheckConstraint(condition=~Q(points=0), name="posting_moves_points"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.points:+d} to member {self.member_id} ({self.reason})"


class Entry(AppendOnly):
    """One leg of a posting: points into (positive) or out of (negative) one account."""

    posting = models.ForeignKey(Posting, on_delete=models.PROTECT, related_name="entries")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="entries")
    points = models.IntegerField()

    class Meta:
        indexes = [models.Index(fields=["account", "points"], name="entry_account_idx")]

    def __str__(self) -> str:
        return f"{self.points:+d} on account {self.account_id}"


class ImprovementMark(models.Model):
    """Staff marked this comment as having improved its idea: the comment's author may be rewarded."""

    comment = models.OneToOneField("ideas.Comment", on_delete=models.CASCADE, related_name="+")
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"comment {self.comment_id} improved its idea"


class LeaderboardChoice(models.Model):
    """A member who asked to be left out of the leaderboards (no row: shown)."""

    member = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    hidden = models.BooleanField(default=True)
    changed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"member {self.member_id} {'hidden from' if self.hidden else 'shown on'} leaderboards"


# -- royalty pools --------------------------------------------------------------------------------------------------


class PoolKind(models.TextChoices):
    RATE = "rate", _("A rate of net sales")
    PRIZE = "prize", _("A fixed prize")


class SplitRule(models.TextChoices):
    EQUAL = "equal", _("Equally")
    SHARES = "shares", _("By declared shares")
    ROLES = "roles", _("By role")
    SHAPLEY = "shapley", _("By Shapley value")


class RoyaltyPool(models.Model):
    """Money set aside for the contributors of a launched idea: a rate of its net sales, or a fixed prize."""

    idea = models.OneToOneField("ideas.Idea", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=8, choices=PoolKind.choices)
    rate_bp = models.PositiveIntegerField(null=True, blank=True, help_text=_("Basis points of net sales: 100 is 1%."))
    prize_cents = models.PositiveBigIntegerField(null=True, blank=True)
    currency = models.CharField(max_length=3)
    split_rule = models.CharField(max_length=8, choices=SplitRule.choices)
    merged_percent = models.PositiveSmallIntegerField(
        default=20, help_text=_("Part of each payout for the authors of ideas merged into this one, percent.")
    )
    role_weights = models.JSONField(default=dict, blank=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="rate", rate_bp__gte=1, rate_bp__lte=10_000, prize_cents__isnull=True)
                | Q(kind="prize", prize_cents__gte=1, rate_bp__isnull=True),
                name="pool_rate_or_prize",
            ),
            models.CheckConstraint(condition=Q(merged_percent__lte=100), name="pool_merged_percent"),
        ]

    def __str__(self) -> str:
        return f"pool of idea {self.idea_id}"


class SalesPeriod(models.Model):
    """Net sales of the product in a period, entered by staff (a form, a CSV file or the API)."""

    class Source(models.TextChoices):
        FORM = "form", _("Form")
        CSV = "csv", _("CSV file")
        API = "api", _("API")

    pool = models.ForeignKey(RoyaltyPool, on_delete=models.PROTECT, related_name="periods")
    starts_on = models.DateField()
    ends_on = models.DateField()
    net_sales_cents = models.PositiveBigIntegerField()
    pool_cents = models.PositiveBigIntegerField(help_text=_("What the pool pays for this period."))
    source = models.CharField(max_length=8, choices=Source.choices)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField()

    class Meta:
        ordering = ["pool", "starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["pool", "starts_on"], name="sales_period_once"),
            models.CheckConstraint(condition=Q(starts_on__lte=models.F("ends_on")), name="sales_period_in_order"),
        ]

    def __str__(self) -> str:
        return f"{self.starts_on}..{self.ends_on} of pool {self.pool_id}"


class Payout(models.Model):
    """One contributor's part of a pool for a period (or of a prize), in whole cents."""

    pool = models.ForeignKey(RoyaltyPool, on_delete=models.PROTECT, related_name="payouts")
    period = models.ForeignKey(SalesPeriod, null=True, blank=True, on_delete=models.PROTECT, related_name="payouts")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    amount_cents = models.PositiveBigIntegerField()
    weight = models.CharField(max_length=64, help_text=_("The contributor's weight under the pool's rule, exact."))
    roles = models.JSONField(default=list)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["pool", "period", "member"]
        constraints = [
            models.UniqueConstraint(fields=["period", "member"], name="payout_once_per_period"),
            models.UniqueConstraint(
                fields=["pool", "member"], condition=Q(period__isnull=True), name="prize_payout_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount_cents} cents to member {self.member_id}"
