"""Participatory budgets: a campaign's budget, what each idea costs, and each member's ballot."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Budget(models.Model):
    """The amount a budget campaign's members spend over its ideas, in integer cents of one currency."""

    campaign = models.OneToOneField("ideas.Campaign", on_delete=models.CASCADE, related_name="budget")
    amount_cents = models.PositiveBigIntegerField()
    currency = models.CharField(max_length=3, default="EUR")

    def __str__(self) -> str:
        return f"{self.amount_cents} {self.currency} for campaign {self.campaign_id}"


class Cost(models.Model):
    """What an idea would cost, set by staff, in the currency of its campaign's budget."""

    idea = models.OneToOneField("ideas.Idea", on_delete=models.CASCADE, related_name="budget_cost")
    amount_cents = models.PositiveBigIntegerField()

    def __str__(self) -> str:
        return f"{self.amount_cents} for idea {self.idea_id}"


class Ballot(models.Model):
    """A member's ballot in a budget campaign: the ideas they would fund, changed in place until it closes."""

    campaign = models.ForeignKey("ideas.Campaign", on_delete=models.CASCADE, related_name="budget_ballots")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="budget_ballots")
    ideas = models.ManyToManyField("ideas.Idea", related_name="budget_ballots")
    total_cents = models.PositiveBigIntegerField()
    cast_at = models.DateTimeField(default=timezone.now)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "member"], name="one_ballot_per_member")]

    def __str__(self) -> str:
        return f"ballot of {self.member_id} in campaign {self.campaign_id}"
