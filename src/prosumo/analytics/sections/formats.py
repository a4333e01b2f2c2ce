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

#: The smallest percentage written as a number; a smaller one reads "< 0.01%".
_SMALLEST_PERCENT = 0.01

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
        per_group = f.group_column(key)
        if per_group is not None:
            return text.format(group=per_group[1])
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

    def spec(self, spec: Any, section: str = "") -> Any:
        """A Vega-Lite spec in the reader's language: its titles (chart, axes, legends), and the words its data draws.

        The categories an axis or a legend shows (a funnel step, a model input, a level) read
        as the tables write them, the sort orders and colour domains that name them too; an
        axis or legend with no title of its own gets its column's label, never the column's key.
        """
        return self._spec(spec, section, _titled_channels(spec))

    def _spec(self, spec: Any, section: str, titled: frozenset[str]) -> Any:
        if isinstance(spec, dict):
            out: dict[str, Any] = {}
            for name, value in spec.items():
                if name == "datasets" and isinstance(value, dict):
                    out[name] = {k: self._rows(section, rows) for k, rows in value.items()}
                elif name == "data" and isinstance(value, dict) and isinstance(value.get("values"), list):
                    out[name] = {**value, "values": self._rows(section, value["values"])}
                elif name == "data":
                    out[name] = value
                elif name == "title" and isinstance(value, str):
                    out[name] = self.gettext(value) if value else value
                elif name == "encoding" and isinstance(value, dict):
                    out[name] = {
                        ch: [self._channel(section, ch, e, titled) for e in enc]
                        if isinstance(enc, list)
                        else self._channel(section, ch, enc, titled)
                        for ch, enc in value.items()
                    }
                else:
                    out[name] = self._spec(value, section, titled)
            title = out.get("title")
            if isinstance(title, dict) and isinstance(title.get("text"), str):
                out["title"] = {**title, "text": self.gettext(title["text"])}
            return out
        if isinstance(spec, list):
            return [self._spec(v, section, titled) for v in spec]
        return spec

    def _rows(self, section: str, rows: Any) -> Any:
        if not isinstance(rows, list):
            return rows
        return [
            {c: self._datum(section, c, v) for c, v in row.items()} if isinstance(row, dict) else row for row in rows
        ]

    def _datum(self, section: str, column: str, value: Any) -> Any:
        return self.word(section, column, value) if isinstance(value, str) and value else value

    def _channel(self, section: str, channel: str, encoding: Any, titled: frozenset[str]) -> Any:
        """One channel of an encoding: its sort order and domain in words, and a title where it has none."""
        if not isinstance(encoding, dict) or not isinstance(encoding.get("field"), str):
            return self._spec(encoding, section, titled)
        column = encoding["field"]
        out = dict(encoding)
        if isinstance(out.get("sort"), list):
            out["sort"] = [self._datum(section, column, v) for v in out["sort"]]
        scale = out.get("scale")
        if isinstance(scale, dict) and isinstance(scale.get("domain"), list):
            out["scale"] = {**scale, "domain": [self._datum(section, column, v) for v in scale["domain"]]}
        if "title" not in out and (channel == "tooltip" or (channel in _AXES_AND_LEGENDS and channel not in titled)):
            out["title"] = self.chart_title(section, column)
        return self._spec(out, section, titled)

    def chart_title(self, section: str, column: str) -> str:
        """The title of an axis or legend drawn from ``column``: its figure's label, or the column in words."""
        if column == "amount":
            return self.gettext(f.CHART_AMOUNT).format(currency=self.currency)
        if f.figure(section, column) is not None:
            return self.label(section, column)
        return self.gettext(f.CHART_FIELDS.get(column, column.replace("_", " ")))

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
        if 0 < abs(percent) < _SMALLEST_PERCENT:  # 0.00000788% says less than "< 0.01%"
            text = ("> -" if percent < 0 else "< ") + self.number(_SMALLEST_PERCENT)
        elif _whole(percent) or abs(percent) >= 10:
            text = self._group(f"{percent:,.0f}")
        else:
            text = self.number(percent)
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


#: The encoding channels Vega-Lite draws an axis or a legend for, with a title.
_AXES_AND_LEGENDS = frozenset(
    {"x", "y", "color", "fill", "stroke", "shape", "size", "opacity", "strokeDash", "theta", "row", "column", "facet"}
)


def _titled_channels(spec: Any) -> frozenset[str]:
    """The channels some layer of ``spec`` titles itself (the others' layers then share that title)."""
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for name, value in node.items():
                if name == "encoding" and isinstance(value, dict):
                    found.update(ch for ch, enc in value.items() if isinstance(enc, dict) and _has_title(enc))
                if name not in ("data", "datasets"):
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(spec)
    return frozenset(found)


def _has_title(encoding: dict[str, Any]) -> bool:
    if "title" in encoding:
        return True
    return any(isinstance(encoding.get(part), dict) and "title" in encoding[part] for part in ("axis", "legend"))


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


#: How Vega writes numbers and dates on a chart's axes, by language (d3's locale definitions);
#: English is Vega's own default. The charts' numbers then read as the tables beside them.
VEGA_LOCALES: dict[str, dict[str, Any]] = {
    "es": {
        "formatLocale": {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["", " €"], "percent": " %"},
        "timeFormatLocale": {
            "dateTime": "%A, %e de %B de %Y, %X",
            "date": "%d/%m/%Y",
            "time": "%H:%M:%S",
            "periods": ["AM", "PM"],
            "days": ["domingo", "lunes", "martes", "miércoles", "jueves", "viernes", "sábado"],
            "shortDays": ["dom", "lun", "mar", "mié", "jue", "vie", "sáb"],
            "months": [
                "enero",
                "febrero",
                "marzo",
                "abril",
                "mayo",
                "junio",
                "julio",
                "agosto",
                "septiembre",
                "octubre",
                "noviembre",
                "diciembre",
            ],
            "shortMonths": ["ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic"],
        },
    }
}


def vega_locale(language: str) -> dict[str, Any]:
    """The vega-embed options that write a chart's axes in ``language`` (none for English)."""
    return VEGA_LOCALES.get(language.split("-")[0], {})
