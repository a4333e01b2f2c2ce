"""Template filters for member-written text: short summaries, and Markdown rendered safely."""

from __future__ import annotations

import re

from django import template
from django.utils.safestring import SafeString, mark_safe

from prosumo.core.markdown import markdown_text, render_markdown

register = template.Library()

_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_LINE_MARK = re.compile(r"^\s{0,3}(?:#{1,6}\s+|>\s?|[-*+]\s+|\d+\.\s+)", re.MULTILINE)
_EMPHASIS = re.compile(r"\*\*|__|~~|`|(?<!\w)\*(?=\S)|(?<=\S)\*(?!\w)")


@register.filter
def plain(text: str) -> str:
    """Markdown reduced to its words, for summaries in lists (the page shows the full rendering).

    Drops images, keeps a link's text, removes heading, quote and list marks at line
    starts, and emphasis and code marks. Cheap on purpose: a list shows many rows.

    >>> plain("A **bold** [idea](https://example.org) with `code`")
    'A bold idea with code'
    """
    text = _IMAGE.sub("", text or "")
    text = _LINK.sub(r"\1", text)
    text = _LINE_MARK.sub("", text)
    return _EMPHASIS.sub("", text)


@register.filter
def markdown(text: str) -> SafeString:
    """Member- or staff-written Markdown as sanitised HTML (the rule idea bodies follow: core.markdown)."""
    return mark_safe(render_markdown(text or ""))  # noqa: S308 - render_markdown keeps only harmless tags


@register.filter
def markdown_words(text: str) -> str:
    """Markdown as the words a reader sees, line breaks kept: for plain-text email."""
    return markdown_text(text or "")
