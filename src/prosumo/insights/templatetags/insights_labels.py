"""Template filters for the Insights pages: a section's question and its figures, in the page's language."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import json_script

from prosumo.analytics.sections.formats import vega_locale
from prosumo.insights import labels

register = template.Library()


@register.filter
def section_title(section: dict[str, Any]) -> str:
    return labels.section_title(section)


@register.filter
def headline_figures(section: dict[str, Any]) -> list[dict[str, str]]:
    """The section's headline figures, each with its label, explanation and value as the pages write them."""
    return labels.headline(section)


@register.simple_tag
def chart_locale() -> str:
    """The charts' number and date format in the page's language, for charts.js (empty for English)."""
    return json_script(vega_locale(labels.reader().language), "chart-locale")
