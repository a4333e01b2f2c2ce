"""The staff's form for the open data: the licence it is published under."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from prosumo.core.forms import Form


class OpenDataForm(Form):
    licence = forms.CharField(
        label=_("Licence"),
        max_length=100,
        help_text=_("The licence whoever downloads the data may use it under, e.g. CC BY 4.0 or ODbL 1.0."),
    )
