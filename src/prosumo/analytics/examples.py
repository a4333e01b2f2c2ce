"""A tiny community for the docstring examples: five members, three ideas, a month of events.

Small enough to follow by hand: member 1 (segment ``makers``, joined through
``search``) submits ideas 10 and 12, and staff (member 5) accept idea 10; member 2
(``makers``, ``ads``, referred by 1) supports all three ideas, comments on idea 10
and submits idea 11; member 3 (``buyers``, ``ads``) visits and supports ideas 10 and
11; member 4 (``buyers``, ``search``) only visits. It has none of the optional tables.

``example_dataset(rewards=True)`` adds a reward story: idea 10 is launched; on
acceptance its author (member 1) gets 100 points and member 2, whose comment improved
it, 50; in February member 1 revises the idea, two orders of its product bring 4,000,
and 1% of that is paid out as royalties: 30.00 to member 1 and 10.00 to member 2.

>>> ds = example_dataset()
>>> int(ds.members.count().execute()), int(ds.ideas.count().execute()), int(ds.events.count().execute())
(5, 3, 14)
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from prosumo.analytics.dataset import Dataset, open_tables, validate

__all__ = ["example_dataset"]


def _at(month: int, day: int) -> dt.datetime:
    return dt.datetime(2024, month, day, 12, tzinfo=dt.UTC)


def example_dataset(*, rewards: bool = False) -> Dataset:
    """The example community on an in-process DuckDB connection (with the reward story if ``rewards``)."""
    members = pd.DataFrame(
        {
            "member_id": [1, 2, 3, 4, 5],
            "joined_at": [_at(1, 1), _at(1, 2), _at(1, 10), _at(1, 20), _at(1, 1)],
            "segment": ["makers", "makers", "buyers", "buyers", None],
            "channel": ["search", "ads", "ads", "search", None],
            "referred_by": pd.array([None, 1, None, None, None], dtype="Int64"),
            "is_staff": [False, False, False, False, True],
        }
    )
    ideas = pd.DataFrame(
        {
            "idea_id": [10, 11, 12],
            "author_id": [1, 2, 1],
            "created_at": [_at(1, 5), _at(1, 15), _at(1, 25)],
            "status": ["accepted", "open", "open"],
            "title": ["Refill station for bottles", "Bike rack at the shop", "Refill pouches for soap"],
            "body": ["Refill bottles in store", "Park bikes safely", "Refill soap in store"],
        }
    )
    rows: list[tuple[object, ...]] = [
        (_at(1, 3), 1, "member.visited", None, None),
        (_at(1, 5), 1, "idea.submitted", "idea", 10),
        (_at(1, 6), 2, "idea.supported", "idea", 10),
        (_at(1, 7), 2, "comment.posted", "comment", 10),
        (_at(1, 11), 3, "member.visited", None, None),
        (_at(1, 12), 3, "idea.supported", "idea", 10),
        (_at(1, 14), 5, "idea.stage_changed", "idea", 10),
        (_at(1, 15), 2, "idea.submitted", "idea", 11),
        (_at(1, 16), 3, "idea.supported", "idea", 11),
        (_at(1, 21), 4, "member.visited", None, None),
        (_at(1, 25), 1, "idea.submitted", "idea", 12),
        (_at(1, 26), 2, "idea.supported", "idea", 12),
        (_at(2, 2), 1, "member.visited", None, None),
        (_at(2, 3), 2, "idea.supported", "idea", 11),
    ]
    columns = ["occurred_at", "actor_id", "verb", "object_type", "object_id"]
    tables: dict[str, pd.DataFrame] = {"members": members, "ideas": ideas}
    if rewards:
        ideas.loc[ideas["idea_id"] == 10, "status"] = "launched"
        rows.append((_at(2, 2), 1, "idea.revised", "idea", 10))
        columns += ["target_member_id", "value"]
        rows = [(*row, None, None) for row in rows] + [
            (_at(1, 14), 5, "reward.granted", "idea", 10, 1, 100.0),
            (_at(1, 14), 5, "reward.granted", "idea", 10, 2, 50.0),
            (_at(2, 3), 5, "royalty.paid", "idea", 10, 1, 3000.0),
            (_at(2, 3), 5, "royalty.paid", "idea", 10, 2, 1000.0),
        ]
        tables["outcomes"] = pd.DataFrame(
            {
                "member_id": [3, 4],
                "product_id": [7, 7],
                "ordered_at": [_at(2, 1), _at(2, 2)],
                "amount": [2500.0, 1500.0],
                "from_idea_id": [10, 10],
            }
        )
    events = pd.DataFrame(rows, columns=columns)
    events.insert(0, "event_id", range(1, len(events) + 1))
    for column in ("object_id", "target_member_id"):
        if column in events:
            events[column] = pd.array(events[column], dtype="Int64")
    tables["events"] = events
    tables = validate(tables)
    return open_tables(tables, meta={"name": "example"})
