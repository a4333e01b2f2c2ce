"""The questions a report answers: one registered metric per question, in report order.

A metric pairs a computation (``compute``, in :mod:`prosumo.analytics.metrics`: tables
in, figures out) with its presentation (``present``, in
:mod:`prosumo.analytics.sections`: figures in, a :class:`~prosumo.analytics.section.Section`
out). To add a question, write the two functions and add one line to :data:`METRICS`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import pandas as pd

from prosumo.analytics.dataset import Dataset
from prosumo.analytics.metrics import (
    capacity,
    channels,
    effectiveness,
    influence,
    innovation,
    involvement,
    ip,
    messages,
    opinions,
    propensity,
    relationship,
    remuneration,
)
from prosumo.analytics.section import Section
from prosumo.analytics.sections import (
    capacity as capacity_section,
)
from prosumo.analytics.sections import (
    channels as channels_section,
)
from prosumo.analytics.sections import (
    effectiveness as effectiveness_section,
)
from prosumo.analytics.sections import (
    influence as influence_section,
)
from prosumo.analytics.sections import (
    innovation as innovation_section,
)
from prosumo.analytics.sections import (
    involvement as involvement_section,
)
from prosumo.analytics.sections import (
    ip as ip_section,
)
from prosumo.analytics.sections import (
    messages as messages_section,
)
from prosumo.analytics.sections import (
    opinions as opinions_section,
)
from prosumo.analytics.sections import (
    propensity as propensity_section,
)
from prosumo.analytics.sections import (
    relationship as relationship_section,
)
from prosumo.analytics.sections import (
    remuneration as remuneration_section,
)

__all__ = ["METRICS", "Metric", "metric"]

Figures = TypeVar("Figures")


@dataclass(frozen=True)
class Metric(Generic[Figures]):
    """One question of the report.

    Attributes
    ----------
    key:
        Stable machine name, e.g. ``"involvement"``; the section's key.
    compute:
        The dataset's figures for this question (no charts, no sentences).
    present:
        Those figures as a report section.
    cost:
        Seconds it takes on the 1M-member benchmark, one section at a time
        (bench/RESULTS.md); when sections run in parallel, the costliest start first.
    """

    key: str
    compute: Callable[[Dataset], Figures]
    present: Callable[[Figures], Section]
    cost: float

    def section(self, ds: Dataset) -> Section:
        """The question answered for ``ds``: computed, then presented.

        Times in the section's tables are UTC: Spark hands them back without their zone
        (its session zone is UTC), and every time in the contract is UTC, so a naive
        column is read as UTC, as DuckDB gives it.
        """
        section = self.present(self.compute(ds))
        for table in section.tables.values():
            for column in table.columns:
                if pd.api.types.is_datetime64_dtype(table[column]) and table[column].dt.tz is None:
                    table[column] = table[column].dt.tz_localize("UTC")
        return section


#: Every question, in report order.
METRICS: tuple[Metric[Any], ...] = (
    Metric("involvement", involvement.compute, involvement_section.present, cost=1.96),
    Metric("capacity", capacity.compute, capacity_section.present, cost=2.35),
    Metric("innovation", innovation.compute, innovation_section.present, cost=6.72),
    Metric("channels", channels.compute, channels_section.present, cost=3.06),
    Metric("relationship", relationship.compute, relationship_section.present, cost=3.85),
    Metric("influence", influence.compute, influence_section.present, cost=4.17),
    Metric("remuneration", remuneration.compute, remuneration_section.present, cost=0.85),
    Metric("ip", ip.compute, ip_section.present, cost=2.5),
    Metric("effectiveness", effectiveness.compute, effectiveness_section.present, cost=5.90),
    Metric("propensity", propensity.compute, propensity_section.present, cost=10.07),
    Metric("opinions", opinions.compute, opinions_section.present, cost=1.85),
    # Not yet measured on the 1M-member benchmark (it has no message experiments); it reads three verbs.
    Metric("messages", messages.compute, messages_section.present, cost=0.5),
)


def metric(key: str) -> Metric[Any]:
    """The registered metric named ``key``; ``KeyError`` naming the known keys when there is none."""
    for item in METRICS:
        if item.key == key:
            return item
    raise KeyError(f"no metric {key!r}; the metrics are {', '.join(m.key for m in METRICS)}")
