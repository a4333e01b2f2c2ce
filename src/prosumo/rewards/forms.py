"""The forms of the rewards pages; their fields carry the services' names."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from prosumo.rewards.models import PoolKind, SplitRule, Trigger
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


class PoolForm(forms.Form):
    idea = forms.TypedChoiceField(label=_("Launched idea"), coerce=int)
    kind = forms.ChoiceField(label=_("The pool is"), choices=PoolKind.choices)
    rate_percent = forms.DecimalField(
        label=_("Rate of net sales, percent"),
        required=False,
        min_value=Decimal("0.01"),
        max_value=Decimal(100),
        decimal_places=2,
        help_text=_("For a rate: 1 is 1% of net sales."),
    )
    prize = forms.CharField(label=_("Prize"), required=False, help_text=_("For a prize: the amount, such as 2000.00"))
    currency = forms.CharField(label=_("Currency"), max_length=3, initial="EUR")
    split_rule = forms.ChoiceField(label=_("Split"), choices=SplitRule.choices, initial=SplitRule.SHARES)
    merged_percent = forms.IntegerField(
        label=_("Part for the authors of merged ideas, percent"), min_value=0, max_value=100, initial=20
    )

    def __init__(self, *args: Any, ideas: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["idea"].choices = ideas  # type: ignore[attr-defined]


class PeriodForm(forms.Form):
    starts_on = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))
    net_sales = forms.CharField(label=_("Net sales"), help_text=_("The amount, such as 12500.00"))


class SalesFileForm(forms.Form):
    file = forms.FileField(label=_("CSV file"), help_text=_("Columns starts_on, ends_on, net_sales; UTF-8"))


class SpendForm(forms.Form):
    points = forms.IntegerField(label=_("Points spent"), min_value=1, max_value=MAX_POINTS)
    reason = forms.CharField(
        label=_("Spent on"), max_length=48, help_text=_("Such as “Tent bag” or “Discount on a tent”")
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class CorrectionForm(forms.Form):
    points = forms.IntegerField(
        label=_("Points"),
        min_value=-MAX_POINTS,
        max_value=MAX_POINTS,
        help_text=_("Signed: -50 takes 50 back, 20 adds 20."),
    )
    note = forms.CharField(label=_("Why"), max_length=500)
