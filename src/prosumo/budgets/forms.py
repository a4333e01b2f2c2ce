"""The staff form of a budget campaign: its budget, its currency, and a cost beside each idea."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from prosumo.budgets.models import Budget
from prosumo.ideas.models import Idea


def as_text(cents: int | None) -> str:
    """Cents as the form shows them: 1500.00 (no thousands separator, so that it reads back)."""
    return "" if cents is None else f"{cents // 100}.{cents % 100:02d}"


class BudgetForm(forms.Form):
    amount = forms.CharField(label=_("Budget"), max_length=20, help_text=_("For example 15000 or 15000.50."))
    currency = forms.CharField(
        label=_("Currency"), max_length=20, initial="EUR", help_text=_("Three letters, such as EUR.")
    )

    def __init__(self, *args: Any, budget: Budget | None, rows: list[tuple[Idea, int | None]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if budget is not None:
            self.fields["amount"].initial = as_text(budget.amount_cents)
            self.fields["currency"].initial = budget.currency
        self.rows = rows
        for idea, cents in rows:
            label = _("Cost of “%(title)s”") % {"title": idea.title}
            self.fields[f"cost_{idea.pk}"] = forms.CharField(
                label=label,
                required=False,
                max_length=20,
                initial=as_text(cents),
                widget=forms.TextInput(attrs={"aria-label": label, "inputmode": "decimal", "size": 10}),
            )

    def cost_fields(self) -> list[tuple[Idea, forms.BoundField]]:
        return [(idea, self[f"cost_{idea.pk}"]) for idea, _cents in self.rows]

    def costs(self) -> dict[int, str]:
        return {idea.pk: self.cleaned_data.get(f"cost_{idea.pk}", "") for idea, _cents in self.rows}
