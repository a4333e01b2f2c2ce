"""A word-by-word comparison of two texts that keeps their line breaks, as HTML."""

from __future__ import annotations

import difflib
import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# A line break is a token of its own, so a paragraph added or removed shows as such.
_TOKEN = re.compile(r"\n|[^\s]+")


def _render(tokens: list[str], joined: bool) -> tuple[str, bool]:
    """The tokens as HTML (a line break as <br>), and whether the text now stands at a line's start."""
    out = []
    for word in tokens:
        if word == "\n":
            out.append("<br>")
            joined = True
        else:
            out.append(("" if joined else " ") + escape(word))
            joined = False
    return "".join(out), joined


def text_diff(before: str, after: str) -> SafeString:
    """`after` against `before`, words removed in <del> and words added in <ins>, line breaks kept.

    >>> str(text_diff("Pegs of steel.\\nLight.", "Pegs of aluminium.\\n\\nLight."))
    'Pegs of <del>steel.</del> <ins>aluminium.<br></ins><br>Light.'
    """
    a = _TOKEN.findall(before.replace("\r\n", "\n"))
    b = _TOKEN.findall(after.replace("\r\n", "\n"))
    out: list[str] = []
    joined = True
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            html, joined = _render(a[i1:i2], joined)
            out.append(html)
            continue
        start = joined
        if op in ("delete", "replace"):
            html, joined = _render(a[i1:i2], start)
            out.append(f"{html[:1] if html.startswith(' ') else ''}<del>{html.removeprefix(' ')}</del>")
        if op in ("insert", "replace"):
            added = b[j1:j2]
            if op == "insert" and any(word != "\n" for word in added):
                # An added paragraph: its line breaks stand before the highlighted words.
                breaks = 0
                while added and added[0] == "\n":
                    added = added[1:]
                    breaks += 1
                out.append("<br>" * breaks)
                start = start or breaks > 0
            html, joined = _render(added, start if op == "insert" else False)
            out.append(f"{html[:1] if html.startswith(' ') else ''}<ins>{html.removeprefix(' ')}</ins>")
    return mark_safe("".join(out))  # noqa: S308 - every word is escaped in _render
