"""Template filters for the Insights pages: a section's question and its figures, in the page's language."""

from __future__ import annotations

from typing import Any

from django import template

from prosumo.insights import labels

register = template.Library()


@register.filter
def section_title(section: dict[str, Any]) -> str:
    return labels.section_title(section)


@register.filter
def headline_figures(section: dict[str, Any]) -> list[dict[str, str]]:
    """The section's headline figures, each with its label, explanation and value as the pages write them."""
    return labels.headline(section)
