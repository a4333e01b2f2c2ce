"""The forms of the survey pages; their fields carry the services' names."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from prosumo.core.forms import Form
from prosumo.surveys.catalogue import SCALE_LABELS, TEMPLATE_CHOICES
from prosumo.surveys.models import Audience, Survey


class SurveyForm(Form):
    template = forms.ChoiceField(label=_("Template"), choices=TEMPLATE_CHOICES)
    audience = forms.ChoiceField(label=_("Ask"), choices=Audience.choices, initial=Audience.ALL)
    segment_id = forms.TypedChoiceField(label=_("Segment"), coerce=int, required=False, empty_value=None)
    campaign_id = forms.TypedChoiceField(label=_("Campaign"), coerce=int, required=False, empty_value=None)
    opens_at = forms.DateTimeField(
        label=_("Opens"),
        required=False,
        help_text=_("Leave empty to open it yourself; or a date and time, such as 2026-05-01 09:00"),
    )
    closes_at = forms.DateTimeField(label=_("Closes"), help_text=_("A date and time, such as 2026-05-15 18:00"))

    def __init__(self, *args: Any, segments: list[tuple[int, str]], campaigns: list[tuple[int, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["segment_id"].choices = [("", "—"), *segments]  # type: ignore[attr-defined]
        self.fields["campaign_id"].choices = [("", "—"), *campaigns]  # type: ignore[attr-defined]


class AnswerForm(Form):
    """One row of seven choices per statement of the survey's template."""

    def __init__(self, *args: Any, survey: Survey, initial_scores: dict[str, int] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        choices = [(str(value), label) for value, label in SCALE_LABELS.items()]
        for item in survey.spec.items:
            self.fields[item.key] = forms.ChoiceField(
                label=str(item.text),
                choices=choices,
                widget=forms.RadioSelect,
                initial=str((initial_scores or {}).get(item.key, "")) or None,
                error_messages={"required": gettext("Choose an answer for this statement.")},
            )
