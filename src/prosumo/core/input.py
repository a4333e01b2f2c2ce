"""The two rules every piece of input keeps before a service sees it: storable text and ids in range.

Text: PostgreSQL refuses the NUL character (U+0000) in text, and an unpaired surrogate
(U+D800 to U+DFFF, which JSON can spell as ``"\\ud800"``) is not a character at all:
UTF-8 cannot encode it, so no database, page or log can hold it. Ids: SQLite and
PostgreSQL keep them in signed 64-bit integers, so a number past 2**63 - 1 can never
name a row and would only crash the database driver.

The API's parser applies `text_problem` to every string of a request and types every id
as `Id` (its bodies are `BodyIn`: JSON types taken as they are); the pages' forms use `validate_text` and an id field bounded the same way, and
their URLs an id converter. Services can then trust both.
"""

from __future__ import annotations

import re
from typing import Annotated

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from ninja import Schema
from pydantic import ConfigDict, Field

ID_MIN = 1
ID_MAX = 2**63 - 1

Id = Annotated[int, Field(ge=ID_MIN, le=ID_MAX, description="An id: a whole number from 1 to 2^63 - 1.")]


class BodyIn(Schema):
    """Base of every JSON request body: values are taken as the JSON types the schema names.

    Pydantic would otherwise read ``true`` or ``"5"`` as the integer 1 or 5, and ``"yes"``
    as a boolean, so the OpenAPI document would promise types the API does not hold to.
    A datetime field, which JSON can only write as a string, says ``strict=False``.
    """

    model_config = ConfigDict(strict=True)


_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def text_problem(value: str) -> str | None:
    """Why ``value`` cannot be stored as text, or None when it can."""
    found = _UNSTORABLE.search(value)
    if found is None:
        return None
    if found.group() == "\x00":
        return gettext("Text may not contain the NUL character (U+0000).")
    return gettext("Text may not contain an unpaired surrogate ({code}); it is not a character.").format(
        code=f"U+{ord(found.group()):04X}"
    )


def validate_text(value: str) -> None:
    """Django validator form of `text_problem`, for form fields."""
    problem = text_problem(value)
    if problem is not None:
        raise ValidationError(problem, code="text")


def id_in_range(value: int) -> bool:
    return ID_MIN <= value <= ID_MAX


class IdConverter:
    """URL converter ``<id:name>``: an id in range, or no match (404) instead of a number the database cannot take."""

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not id_in_range(number):
            raise ValueError(value)  # Django reads this as "the pattern does not match"
        return number

    def to_url(self, value: int) -> str:
        return str(value)
