"""Money on the commerce pages: cents shown as an amount with two decimals."""

from __future__ import annotations

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def money(cents: int | None) -> str:
    """12345 -> "123.45" (in the page's language's number format)."""
    if cents is None:
        return ""
    return number_format(cents / 100, decimal_pos=2, use_l10n=True, force_grouping=True)
