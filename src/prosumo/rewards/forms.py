"""The forms of the rewards pages; their fields carry the services' names."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from prosumo.rewards.models import Trigger
from prosumo.rewards.services import MAX_POINTS


class RuleForm(forms.Form):
    trigger = forms.ChoiceField(label=_("Points for"), choices=Trigger.choices)
    points = forms.IntegerField(label=_("Points"), min_value=0, max_value=MAX_POINTS)
    daily_cap = forms.IntegerField(
        label=_("Most awards a day per member"),
        min_value=0,
        max_value=10_000,
        initial=0,
        help_text=_("0 for no limit"),
    )
