"""Template filters for the Insights pages: a section's question and its figures' labels, translated."""

from __future__ import annotations

from typing import Any

from django import template

from prosumo.insights import labels

register = template.Library()


@register.filter
def section_title(section: dict[str, Any]) -> str:
    return labels.section_title(section)


@register.filter
def headline_label(name: str, key: str) -> str:
    return labels.headline_label(key, name)
