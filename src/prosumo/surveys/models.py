"""Surveys staff run from the shipped templates, and members' answers (docs/surveys.md)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from prosumo.surveys.catalogue import TEMPLATE_CHOICES, TEMPLATES, Template


class Audience(models.TextChoices):
    """Who a survey asks."""

    ALL = "all", _("All members")
    SEGMENT = "segment", _("The members of a segment")
    CAMPAIGN = "campaign", _("The participants of a campaign")


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", _("Not open yet")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class SurveyQuerySet(models.QuerySet["Survey"]):
    def accepting(self) -> SurveyQuerySet:
        """Open and not past their closing time: answers are taken."""
        return self.filter(status=SurveyStatus.OPEN, closes_at__gt=timezone.now())


class Survey(models.Model):
    """A template put to an audience between two dates."""

    template = models.CharField(_("template"), max_length=40, choices=TEMPLATE_CHOICES)
    audience = models.CharField(_("audience"), max_length=16, choices=Audience.choices, default=Audience.ALL)
    segment = models.ForeignKey(
        "community.Segment", null=True, blank=True, on_delete=models.PROTECT, related_name="surveys"
    )
    campaign = models.ForeignKey(
        "ideas.Campaign", null=True, blank=True, on_delete=models.PROTECT, related_name="surveys"
    )
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))
    status = models.CharField(max_length=8, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = SurveyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")), name="survey_closes_after_opening"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(audience="all", segment__isnull=True, campaign__isnull=True)
                    | models.Q(audience="segment", segment__isnull=False, campaign__isnull=True)
                    | models.Q(audience="campaign", segment__isnull=True, campaign__isnull=False)
                ),
                name="survey_audience_names_its_group",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (#{self.pk})"

    @property
    def spec(self) -> Template:
        return TEMPLATES[self.template]

    @property
    def title(self) -> str:
        """The template's title in the active language."""
        return gettext(self.spec.title)

    @property
    def accepting(self) -> bool:
        return self.status == SurveyStatus.OPEN and self.closes_at > timezone.now()

    def audience_label(self) -> Any:
        if self.audience == Audience.SEGMENT and self.segment is not None:
            return gettext("Segment: {name}").format(name=self.segment.name)
        if self.audience == Audience.CAMPAIGN and self.campaign is not None:
            return gettext("Participants of “{title}”").format(title=self.campaign.title)
        return self.get_audience_display()


class Response(models.Model):
    """One member's answers to one survey: a score per item; changed in place until the survey closes."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="survey_responses")
    scores = models.JSONField(default=dict)  # {item key: score on the template's scale}
    answered_at = models.DateTimeField(default=timezone.now)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["survey", "member"], name="one_response_per_member")]

    def __str__(self) -> str:
        return f"{self.member_id} on survey {self.survey_id}"
