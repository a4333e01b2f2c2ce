"""Question 5 in the report: is the relationship with members being built, and does answering them help?"""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd

from prosumo.analytics.dataset import Dataset
from prosumo.analytics.metrics.precision import TOO_FEW
from prosumo.analytics.metrics.relationship import LEVELS, RelationshipFigures, ReturnEffect, compute
from prosumo.analytics.section import Section


def present(figures: RelationshipFigures) -> Section:
    """Question 5 as a report section."""
    counts = figures.levels
    moves = figures.moves
    answers = figures.answers
    effect = figures.effect
    headline: dict[str, Any] = {
        "ideas_answered_share": answers["answered_share"],
        "median_days_to_answer": answers["median_days"],
        "answered_within_30d": answers["within_30d"],
        "return_rate_answered": effect.answered_rate,
        "return_rate_unanswered": effect.unanswered_rate,
        "return_difference": effect.difference,
        "return_difference_95": _interval(effect),
    }
    effect_table = pd.DataFrame(
        {
            "group": ["answered within 30 days", "not answered within 30 days"],
            "authors": [effect.answered_n, effect.unanswered_n],
            "returned": [effect.answered_returned, effect.unanswered_returned],
            "return_rate": [effect.answered_rate, effect.unanswered_rate],
        }
    )
    long = counts.melt(
        id_vars=["month"], value_vars=[LEVELS[k] for k in (1, 2, 3, 4)], var_name="level", value_name="count"
    )
    level_chart = (
        alt.Chart(long)
        .mark_area()
        .encode(
            x=alt.X("month:T"),
            y=alt.Y("count:Q", stack=True, title="members"),
            color=alt.Color("level:N", sort=[LEVELS[k] for k in (1, 2, 3, 4)]),
            tooltip=["month:T", "level", "count"],
        )
        .properties(title="Members by level (trailing 3 months)", width=480)
    )
    moves_long = moves.melt(id_vars=["month"], value_vars=["up", "held", "down"], var_name="move", value_name="members")
    moves_chart = (
        alt.Chart(moves_long)
        .mark_bar()
        .encode(x="month:T", y="members:Q", color="move:N", tooltip=["month:T", "move", "members"])
        .properties(title="Moves between levels per month", width=480)
    )
    return Section(
        key="relationship",
        title="Is the relationship with members being built, and does answering them help?",
        headline=headline,
        tables={
            "levels": counts,
            "moves": moves,
            "level_matrix": figures.matrix,
            "answer_effect": effect_table,
            "answers": pd.DataFrame([answers]),
        },
        charts=[level_chart, moves_chart],
        notes=[
            "Levels over a trailing 3-month window: observer (reads), participant (votes, "
            "comments), contributor (ideas, revisions, co-authorship, builds-on comments), "
            "leader (contributor active on 30+ days in the window).",
            "An answer is the first message staff sent about an idea after submission (a stage change "
            "with a message); a move the platform made by itself, such as reaching the support "
            "threshold, is not an answer.",
            "Return effect: first idea of each author; answered = within 30 days; returned = "
            "any activity in the 90 days after that; Newcombe 95% interval. Observational.",
            *([effect.note] if effect.note else []),
        ],
    )


def _interval(effect: ReturnEffect) -> list[float] | str | None:
    """The return difference's interval, "too few" below the minimum, nothing without a difference."""
    if effect.difference is None:
        return None
    if effect.low is None or effect.high is None:
        return TOO_FEW
    return [effect.low, effect.high]


def section(ds: Dataset) -> Section:
    """Question 5 for ``ds``, computed and presented."""
    return present(compute(ds))
