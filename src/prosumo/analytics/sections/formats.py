"""One way to write each kind of figure, in the reader's language: the pages, the report and the CSV use it.

:class:`Reader` carries what the writing depends on: the language (``en``, ``es``),
its ``gettext`` and the site's currency. :meth:`Reader.value` writes a value in its
figure's unit (:mod:`prosumo.analytics.sections.figures`): percentages as percentages,
money with its currency, whole numbers with thousands separators, never scientific
notation, yes/no for true/false, a date as a date, and an em dash for a missing value.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from prosumo.analytics.metrics.precision import TOO_FEW
from prosumo.analytics.sections import figures as f
from prosumo.analytics.sections.figures import N_

__all__ = ["MISSING", "Reader"]

MISSING = "—"

#: Thousands and decimal separators per language.
_SEPARATORS = {"es": (".", ","), "en": (",", ".")}
_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£"}
_MONTHS = (
    N_("January"),
    N_("February"),
    N_("March"),
    N_("April"),
    N_("May"),
    N_("June"),
    N_("July"),
    N_("August"),
    N_("September"),
    N_("October"),
    N_("November"),
    N_("December"),
)
#: Words the analytics write in place of a figure.
_WORDS = {TOO_FEW: N_("too few")}
_YES, _NO = N_("yes"), N_("no")
_INTERVAL_LABEL = N_("{label}, 95% interval")
_DATE = N_("{day} {month} {year}")
_MONTH = N_("{month} {year}")
_DAYS = N_("{number} days")
_HOURS = N_("{number} hours")
_MINUTES = N_("{number} minutes")
_SECONDS = N_("{number} seconds")
_TIMES = N_("{number}×")


def _same(text: str) -> str:
    return text


@dataclass(frozen=True)
class Reader:
    """Who reads the figures: their language, its ``gettext``, and the site's currency."""

    language: str = "en"
    gettext: Callable[[str], str] = field(default=_same)
    currency: str = "EUR"

    # --- labels ---------------------------------------------------------------

    def label(self, section: str, key: str) -> str:
        """The figure's label in the reader's language; the key with spaces where none is written."""
        found = f.figure(section, key)
        if found is None:
            return key.replace("_", " ")
        text = self.gettext(found.label)
        return self.gettext(_INTERVAL_LABEL).format(label=text) if f.interval(key) else text

    def explanation(self, section: str, key: str) -> str:
        found = f.figure(section, key)
        return self.gettext(found.explanation) if found is not None else ""

    def unit(self, section: str, key: str) -> str:
        found = f.figure(section, key)
        return found.unit if found is not None else f.TEXT

    def title(self, key: str, fallback: str = "") -> str:
        text = f.TITLES.get(key)
        return self.gettext(text) if text is not None else fallback

    def table(self, name: str) -> str:
        return self.gettext(f.table_label(name)) if name in f.TABLES else name.replace("_", " ")

    # --- values ---------------------------------------------------------------

    def value(self, section: str, key: str, value: Any, *, currency: str | None = None) -> str:
        """``value`` of figure ``key`` written for the reader; an interval as "low – high"."""
        unit = self.unit(section, key)
        if unit == f.TEXT and isinstance(value, str) and value not in _WORDS:
            return self.word(section, key, value)
        if isinstance(value, list | tuple):
            if all(_missing(v) for v in value):
                return MISSING
            return " – ".join(self.format(unit, v, currency=currency) for v in value)
        return self.format(unit, value, currency=currency)

    def word(self, section: str, key: str, value: str) -> str:
        """A word the analytics write in column ``key`` (a stage, a licence, a level) as it reads in words."""
        known = f.VALUES.get(key, {}).get(value)
        if known is not None:
            return self.gettext(known)
        if key in f.KEY_COLUMNS:
            return self.label(section, value) if f.figure(section, value) is not None else self.feature(value)
        if key in f.FEATURE_LIST_COLUMNS and section == "propensity":
            return f.FEATURE_SEPARATOR.join(self.feature(part) for part in value.split(f.FEATURE_SEPARATOR))
        if key == "reason" and section == "innovation":
            return f.FEATURE_SEPARATOR.join(self.reason(part) for part in value.split(f.FEATURE_SEPARATOR))
        return value

    def note(self, text: str) -> str:
        """A method note in the reader's language: from the catalogue, or rebuilt from its template and figures."""
        if not text:
            return text
        translated = self.gettext(text)
        if translated != text or self.language == "en":
            return translated
        for template in f.NOTES:
            text = _note_pattern(template).sub(lambda found, t=template: self._note(t, found), text)  # type: ignore[misc]
        return text

    def _note(self, template: str, found: re.Match[str]) -> str:
        values: dict[str, str] = {}
        for name, value in found.groupdict().items():
            if name == "sizes":
                values[name] = self._sizes(value)
            elif name in f.NOTE_PHRASES:
                channels = re.fullmatch(r"the activation of (.+)", value)
                values[name] = (
                    self.gettext("the activation of {channels}").format(channels=channels.group(1))
                    if channels
                    else self.gettext(value)
                )
            else:
                values[name] = self.number(float(value.replace(",", "")))
        return self.gettext(template).format(**values)

    def _sizes(self, text: str) -> str:
        """ "co-creators 4, non-participants 74 members" in words: each group's name, its size, the unit."""
        unit = ""
        if text.endswith(" members"):
            text, unit = text.removesuffix(" members"), " " + self.gettext("members")
        parts = []
        for part in text.split(", "):
            name, _, size = part.rpartition(" ")
            parts.append(f"{self.gettext(name)} {self.number(float(size))}" if size.isdigit() else part)
        return ", ".join(parts) + unit

    def reason(self, phrase: str) -> str:
        """One phrase of the innovation ranking's reasons, from its translated template, its figures written here."""
        for pattern, template in f.REASONS:
            found = re.fullmatch(pattern, phrase)
            if found is not None:
                figures = {k: self.number(float(v)) for k, v in found.groupdict().items()}
                return self.gettext(template).format(**figures)
        return phrase

    def spec(self, spec: Any) -> Any:
        """A Vega-Lite spec with its titles (chart, axes, legends) in the reader's language; its data untouched."""
        if isinstance(spec, dict):
            out: dict[str, Any] = {}
            for name, value in spec.items():
                if name in ("data", "datasets"):
                    out[name] = value
                elif name == "title" and isinstance(value, str):
                    out[name] = self.gettext(value) if value else value
                else:
                    out[name] = self.spec(value)
            title = out.get("title")
            if isinstance(title, dict) and isinstance(title.get("text"), str):
                out["title"] = {**title, "text": self.gettext(title["text"])}
            return out
        if isinstance(spec, list):
            return [self.spec(v) for v in spec]
        return spec

    def feature(self, name: str) -> str:
        """A model input or survey item (``survey_motive_econ``, ``segment_gold``, ``visits``) in words."""
        base = name.removesuffix("_missing")
        item = base.removeprefix("survey_")
        known = f.FEATURES.get(item)
        if known is not None:
            text = self.gettext(known)
        else:
            group, _, value = base.partition("_")
            if group not in f.FEATURE_GROUPS or not value:
                return name.replace("_", " ")
            rare, other = f.FEATURE_RARE
            shown = self.gettext(other) if value == rare else value
            text = self.gettext(f.FEATURE_GROUP_VALUE).format(group=self.gettext(f.FEATURE_GROUPS[group]), value=shown)
        return self.gettext(f.FEATURE_NOT_ANSWERED).format(item=text) if base != name else text

    def format(self, unit: str, value: Any, *, currency: str | None = None) -> str:
        """``value`` written as a figure of ``unit``."""
        if isinstance(value, str) and value in _WORDS:
            return self.gettext(_WORDS[value])
        if _missing(value):
            return MISSING
        if isinstance(value, bool):
            return self.gettext(_YES if value else _NO)
        if unit in (f.MEMBER, f.IDEA, f.RANK) and _whole(value):
            return str(int(value))
        if unit in (f.DATE, f.MONTH):
            return self._date(value, month_only=unit == f.MONTH)
        if not isinstance(value, int | float):
            return str(value)
        number = float(value)
        if unit == f.SHARE:
            return self._percent(number)
        if unit == f.MONEY:
            return self._money(number, currency or self.currency)
        if unit == f.SECONDS:
            return self._duration(number)
        if unit == f.DAYS:
            return self.gettext(_DAYS).format(number=self.number(number))
        if unit == f.RATIO:
            return self.gettext(_TIMES).format(number=self.number(number))
        if unit in (f.COUNT, f.POINTS) and _whole(number):
            return self._group(f"{round(number):,d}")
        return self.number(number)

    def number(self, value: float) -> str:
        """A number with its useful digits: 42,000; 6.78; 0.00253; never 4.2e+04."""
        if _whole(value) and abs(value) < 1e15:
            return self._group(f"{round(value):,d}")
        size = abs(value)
        if size >= 1000:
            digits = 0
        elif size >= 10:
            digits = 1
        elif size >= 1:
            digits = 2
        else:
            digits = min(8, 2 - math.floor(math.log10(size)))
        text = f"{value:,.{digits}f}"
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return self._group(text)

    def _group(self, text: str) -> str:
        thousands, decimal = _SEPARATORS.get(self.language, _SEPARATORS["en"])
        return text.replace(",", "\0").replace(".", decimal).replace("\0", thousands)

    def _percent(self, share: float) -> str:
        percent = share * 100
        text = self._group(f"{percent:,.0f}") if _whole(percent) or abs(percent) >= 10 else self.number(percent)
        return f"{text} %" if self.language == "es" else f"{text}%"

    def _money(self, amount: float, currency: str) -> str:
        text = self._group(f"{amount:,.2f}")
        symbol = _SYMBOLS.get(currency.upper())
        if self.language == "es" or symbol is None:
            return f"{text} {symbol or currency.upper()}"
        return f"{'-' if amount < 0 else ''}{symbol}{text.lstrip('-')}"

    def _duration(self, seconds: float) -> str:
        if abs(seconds) < 60:
            return self.gettext(_SECONDS).format(number=self.number(seconds))
        if abs(seconds) < 3600:
            return self.gettext(_MINUTES).format(number=self.number(seconds / 60))
        if abs(seconds) < 86400:
            return self.gettext(_HOURS).format(number=self.number(seconds / 3600))
        return self.gettext(_DAYS).format(number=self.number(seconds / 86400))

    def _date(self, value: Any, *, month_only: bool) -> str:
        when = _when(value)
        if when is None:
            return str(value)
        month = self.gettext(_MONTHS[when.month - 1])
        if month_only:
            return self.gettext(_MONTH).format(month=month, year=when.year)
        return self.gettext(_DATE).format(day=when.day, month=month, year=when.year)


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value in ("nan", "NaN", "None", "")


def _whole(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and float(value).is_integer()


def _when(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


@functools.cache
def _note_pattern(template: str) -> re.Pattern[str]:
    """The English note ``template`` as a pattern: each placeholder a named group."""
    parts = re.split(r"\{(\w+)\}", template)
    pattern = "".join(
        re.escape(part)
        if i % 2 == 0
        else (rf"(?P<{part}>-?\d[\d.,]*)" if part not in f.NOTE_PHRASES | {"sizes"} else rf"(?P<{part}>[^:;()]+?)")
        for i, part in enumerate(parts)
    )
    return re.compile(pattern)
