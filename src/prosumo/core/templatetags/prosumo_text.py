"""Template filters for showing member-written text in short summaries."""

from __future__ import annotations

import re

from django import template

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
