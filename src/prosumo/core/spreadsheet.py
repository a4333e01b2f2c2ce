"""CSV for people: files a person opens in a spreadsheet, where a cell must never run as a formula.

A spreadsheet reads a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or
carriage return in front of one) as a formula, and a formula can fetch a web address
with the sheet's data or, in older programs, start another program. A member's
display name, a segment or a comment is written by someone else, so every CSV the
site or the command line writes for a person goes through :func:`spreadsheet_csv`
or :class:`SpreadsheetWriter`: as OWASP's "CSV Injection" page recommends, text that
starts with one of those characters gets a single quote in front, and every text
field is quoted. Numbers the code itself computed are written as numbers, so that a
negative count stays a number in the sheet.

Data files for programs (the community dataset, which is Parquet) are not spreadsheets
and are written as they are. This module imports nothing from Django, so the analytics
library's offline report uses it too.
"""

from __future__ import annotations

import csv
import io
import math
import numbers
from collections.abc import Iterable
from typing import Any, Protocol

__all__ = ["FORMULA_PREFIXES", "SpreadsheetWriter", "spreadsheet_cell", "spreadsheet_csv"]

#: Characters that make a spreadsheet read a cell as a formula (OWASP, "CSV Injection").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class _Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


def spreadsheet_cell(value: object) -> object:
    """One value as it is safe to write in a spreadsheet's cell.

    Numbers stay numbers (``None`` and NaN become an empty cell); any other value is
    written as text, with a single quote in front when it starts like a formula.

    >>> [spreadsheet_cell(v) for v in ("=1+1", "-2", "@SUM(A1)", "Gold", -2, 0.5, None)]
    ["'=1+1", "'-2", "'@SUM(A1)", 'Gold', -2, 0.5, '']
    """
    if value is None:
        return ""
    if isinstance(value, numbers.Number) and not isinstance(value, bool):
        if isinstance(value, numbers.Real) and math.isnan(float(value)):
            return ""
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


class SpreadsheetWriter:
    """A ``csv.writer`` for people: each cell through :func:`spreadsheet_cell`, every text field quoted."""

    def __init__(self, out: _Writable) -> None:
        self._writer = csv.writer(out, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\r\n")

    def writerow(self, row: Iterable[object]) -> None:
        self._writer.writerow([spreadsheet_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)


def spreadsheet_csv(header: Iterable[object], rows: Iterable[Iterable[object]]) -> str:
    """A whole CSV for people, header first, as text.

    >>> spreadsheet_csv(["segment", "members"], [["=cmd|' /C calc'!A0", 3]])
    '"segment","members"\\r\\n"\\'=cmd|\\' /C calc\\'!A0",3\\r\\n'
    """
    out = io.StringIO()
    writer = SpreadsheetWriter(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()
