"""A member's choices between two ideas of a pairwise campaign (docs/running-a-community.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Outcome(models.TextChoices):
    LEFT = "left", _("The left idea")
    RIGHT = "right", _("The right idea")
    CANT_DECIDE = "cant_decide", _("Can't decide")


class Choice(models.Model):
    """One answer to one pair: the idea picked (``winner``) over the other (``loser``), or neither.

    Rows are only ever added: a member answers as many pairs as they like, and two answers
    at once are two rows (no counter is updated, so none can be lost).
    """

    campaign = models.ForeignKey("ideas.Campaign", on_delete=models.CASCADE, related_name="pairwise_choices")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pairwise_choices")
    left = models.ForeignKey("ideas.Idea", on_delete=models.CASCADE, related_name="+")
    right = models.ForeignKey("ideas.Idea", on_delete=models.CASCADE, related_name="+")
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    winner = models.ForeignKey("ideas.Idea", null=True, on_delete=models.CASCADE, related_name="+")
    loser = models.ForeignKey("ideas.Idea", null=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    # The random number of the signed offer answered (pairwise.offers): one answer per offer.
    offer = models.CharField(max_length=32, null=True, blank=True, unique=True)

    class Meta:
        indexes = [models.Index(fields=["campaign", "created_at"], name="pairwise_choice_campaign")]
        constraints = [
            models.CheckConstraint(condition=~Q(left=F("right")), name="pairwise_two_different_ideas"),
            models.CheckConstraint(
                condition=(
                    Q(outcome="left", winner=F("left"), loser=F("right"))
                    | Q(outcome="right", winner=F("right"), loser=F("left"))
                    | Q(outcome="cant_decide", winner__isnull=True, loser__isnull=True)
                ),
                name="pairwise_outcome_names_winner",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.left_id} vs {self.right_id}: {self.outcome}"
