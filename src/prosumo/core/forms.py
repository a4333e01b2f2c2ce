"""What every page's form shares: the platform's text rule, ids in range, and errors as one line."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import ProhibitNullCharactersValidator

from prosumo.core.input import ID_MAX, ID_MIN, validate_text


class TextRule:
    """Every text field of the form keeps the platform's text rule (``prosumo.core.input``).

    Django already refuses NUL in a ``CharField``; this swaps its validator for the one
    the API applies too, so both say the same, and unpaired surrogates are covered.
    """

    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.CharField):
                kept = [v for v in field.validators if not isinstance(v, ProhibitNullCharactersValidator)]
                field.validators = [*kept, validate_text]


class Form(TextRule, forms.Form):
    """Base of the pages' forms."""


class ModelForm(TextRule, forms.ModelForm):  # type: ignore[type-arg]
    """Base of the pages' model forms."""


class IdField(forms.IntegerField):
    """An id carried by a form: a whole number the database can hold (``prosumo.core.input``)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", ID_MIN)
        kwargs.setdefault("max_value", ID_MAX)
        super().__init__(**kwargs)


def form_problems(form: forms.BaseForm) -> str:
    """The form's errors in one line, for forms posted from a page that shows them as a message."""
    parts = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else None
        for error in errors:
            parts.append(f"{label}: {error}" if label else str(error))
    return " ".join(parts)
