"""Rules for text that people type, written once and used by models, forms and the API alike."""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Control characters (tabs, line breaks, escapes), the line and paragraph separators,
# and the bidirectional overrides that make text read differently from how it is stored.
_CONTROL_CATEGORIES = {"Cc", "Zl", "Zp"}
_BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def is_control(character: str) -> bool:
    """True for a character that must not appear in a one-line text such as a name or a subject."""
    return unicodedata.category(character) in _CONTROL_CATEGORIES or character in _BIDI_CONTROLS


def validate_one_line(value: str) -> None:
    """A name and the like: one line, without control characters (a line break would split an email header)."""
    if any(is_control(c) for c in value):
        raise ValidationError(
            _("Use one line of text, without line breaks, tabs or other control characters."),
            code="control_characters",
        )
