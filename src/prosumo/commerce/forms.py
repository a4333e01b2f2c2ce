"""The forms of the orders and spend pages; their fields carry the services' names."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from prosumo.core.forms import Form


class OrdersFileForm(Form):
    file = forms.FileField(
        label=_("Orders CSV file"),
        help_text=_("Columns order_id, customer_id or email, ordered_at, amount, currency, product; UTF-8"),
    )


class SpendFileForm(Form):
    spend_file = forms.FileField(
        label=_("Channel spend CSV file"),
        help_text=_("Columns channel, starts_on, ends_on, amount, currency; one period a row; UTF-8"),
    )


class SpendForm(Form):
    channel = forms.CharField(label=_("Channel"), max_length=64, help_text=_("As members' channels are named"))
    starts_on = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("To (inclusive)"), widget=forms.DateInput(attrs={"type": "date"}))
    amount = forms.CharField(label=_("Spend"), max_length=20, help_text=_("The amount, such as 1250.00"))
    currency = forms.CharField(label=_("Currency"), max_length=3)

    def __init__(self, *args: Any, channels: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["currency"].initial = settings.PROSUMO_CURRENCY
        self.fields["channel"].widget.attrs["list"] = "channels"
        self.channels = channels
