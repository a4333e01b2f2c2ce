"""Writes for points (rules, awards, spends, corrections, improvements, leaderboards) and royalty pools."""

from prosumo.rewards.services.points import (
    MAX_POINTS,
    awards_for_event,
    awards_from_log,
    comment_mark_improved,
    event_recorded,
    leaderboard_choose,
    points_correct,
    points_spend,
    rule_in_force,
    rule_set,
)
from prosumo.rewards.services.pools import (
    parse_amount,
    pool_open,
    sales_import_csv,
    sales_period_add,
)

__all__ = [
    "MAX_POINTS",
    "awards_for_event",
    "awards_from_log",
    "comment_mark_improved",
    "event_recorded",
    "leaderboard_choose",
    "parse_amount",
    "points_correct",
    "points_spend",
    "pool_open",
    "rule_in_force",
    "rule_set",
    "sales_import_csv",
    "sales_period_add",
]
