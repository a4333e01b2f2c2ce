"""The figures of the Insights pages read in the page's language: labels, units, explanations and values.

The catalogue of figures and the way each unit is written live with the analytics
sections (:mod:`prosumo.analytics.sections.figures` and ``formats``), so the pages, the
HTML report and the CSV downloads read the same; this module hands them the page's
language, Django's ``gettext`` and the site's currency.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import get_language, gettext

from prosumo.analytics.sections.formats import Reader


def reader() -> Reader:
    """The figures' reader for the current request's language."""
    language = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return Reader(language=language, gettext=gettext, currency=settings.PROSUMO_CURRENCY)


def section_title(section: dict[str, Any]) -> str:
    """The section's question in the page's language (its own English title where none is written)."""
    return reader().title(str(section.get("key", "")), str(section.get("title", "")))


def headline(section: dict[str, Any]) -> list[dict[str, str]]:
    """A section's headline figures: label, one-line explanation and value, as every page shows them."""
    read = reader()
    key = str(section.get("key", ""))
    return [
        {"label": read.label(key, name), "explanation": read.explanation(key, name), "value": read.value(key, name, v)}
        for name, v in (section.get("headline") or {}).items()
    ]
