"""The unit of a report: one question answered, with figures, tables and charts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd


@dataclass
class Section:
    """What one metric module returns for a dataset.

    Attributes
    ----------
    key:
        Stable machine name, e.g. ``"involvement"``; used in JSON output and URLs.
    title:
        The question as a person would ask it.
    headline:
        A few named numbers (JSON-serialisable) a reader should see first.
    tables:
        Named result tables; each is offered for CSV download.
    charts:
        Altair charts (or Vega-Lite dicts) that show the tables.
    notes:
        Plain sentences: method, caveats, what the data could not say.
    """

    key: str
    title: str
    headline: dict[str, Any] = field(default_factory=dict)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    charts: list[Any] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
