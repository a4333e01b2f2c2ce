"""Shared builders: a small community dataset written, validated and loaded for real."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pandas as pd
import pytest

from prosumo.analytics.dataset import Dataset, load_dataset, write_dataset

UTC = dt.UTC


def at(day: int, month: int = 1, year: int = 2024, hour: int = 12) -> dt.datetime:
    """A UTC time on a given day (January 2024 unless told)."""
    return dt.datetime(year, month, day, hour, tzinfo=UTC)


def members_frame(rows: list[tuple[Any, ...]]) -> pd.DataFrame:
    """Members from (member_id, joined_at, segment, channel, is_staff[, referred_by])."""
    frame = pd.DataFrame([r[:5] for r in rows], columns=["member_id", "joined_at", "segment", "channel", "is_staff"])
    frame["referred_by"] = pd.array([r[5] if len(r) > 5 else None for r in rows], dtype="Int64")
    return frame


def events_frame(rows: list[tuple[Any, ...]]) -> pd.DataFrame:
    """Events from (occurred_at, actor_id, verb[, object_id, target_member_id, details, value]).

    ``event_id`` is the row number; ``object_type`` is ``idea`` for idea verbs.
    """
    cols = ["occurred_at", "actor_id", "verb", "object_id", "target_member_id", "details", "value"]
    padded = [tuple(r) + (None,) * (len(cols) - len(r)) for r in rows]
    frame = pd.DataFrame(padded, columns=cols)
    frame.insert(0, "event_id", range(1, len(frame) + 1))
    frame["object_type"] = [
        "idea" if v.startswith("idea.") else ("comment" if v == "comment.posted" else None) for v in frame["verb"]
    ]
    frame["object_id"] = pd.array(frame["object_id"], dtype="Int64")
    frame["target_member_id"] = pd.array(frame["target_member_id"], dtype="Int64")
    frame["actor_id"] = pd.array(frame["actor_id"], dtype="Int64")
    frame["value"] = pd.array(frame["value"], dtype="Float64")
    frame["details"] = frame["details"].astype("object")
    return frame


def ideas_frame(rows: list[tuple[Any, ...]]) -> pd.DataFrame:
    """Ideas from (idea_id, author_id, created_at, status[, title, body])."""
    out = []
    for r in rows:
        title = r[4] if len(r) > 4 else f"idea {r[0]}"
        body = r[5] if len(r) > 5 else title
        out.append((r[0], r[1], r[2], r[3], title, body))
    return pd.DataFrame(out, columns=["idea_id", "author_id", "created_at", "status", "title", "body"])


@pytest.fixture
def make_dataset(tmp_path: Path) -> Callable[..., Dataset]:
    """Write tables as a real dataset folder and load it back (validated) on a backend."""
    counter = {"n": 0}

    def build(backend: Any = "duckdb", **tables: pd.DataFrame) -> Dataset:
        counter["n"] += 1
        folder = tmp_path / f"ds{counter['n']}"
        write_dataset(tables, folder, {"name": "test"})
        return load_dataset(folder, backend=backend)

    return build


def tiny_tables() -> dict[str, pd.DataFrame]:
    """Five members and a staff member, two ideas, twelve events: small enough to count by hand.

    Member 1 (segment a, channel ads) submits idea 10 (accepted, co-authored by 3).
    Member 2 (a, ads) supports idea 10, posts a builds-on comment, submits idea 11.
    Member 3 (a, friends) is added as co-author of idea 10 and comments on idea 11.
    Member 4 (b, friends) visits, views idea 10, supports idea 11.
    Member 5 (b, no channel) does nothing. Member 6 is staff and answers idea 10.
    """
    members = members_frame(
        [
            (1, at(1), "a", "ads", False),
            (2, at(1), "a", "ads", False),
            (3, at(2), "a", "friends", False),
            (4, at(2), "b", "friends", False),
            (5, at(3), "b", None, False),
            (6, at(1), "a", None, True),
        ]
    )
    ideas = ideas_frame([(10, 1, at(5), "accepted"), (11, 2, at(6), "open")])
    idea_authors = pd.DataFrame({"idea_id": [10, 10, 11], "member_id": [1, 3, 2], "share": [0.5, 0.5, 1.0]})
    events = events_frame(
        [
            (at(4), 1, "member.visited"),
            (at(5), 1, "idea.submitted", 10),
            (at(6), 2, "idea.supported", 10, 1, None, 1.0),
            (at(6), 2, "comment.posted", 100, 1, '{"idea_id": 10, "builds_on": true}'),
            (at(6), 2, "idea.submitted", 11),
            (at(7), 1, "idea.coauthor_added", 10, 3),
            (at(7), 4, "member.visited"),
            (at(7), 4, "idea.viewed", 10),
            (at(8), 4, "idea.supported", 11, 2, None, 1.0),
            (at(8), 3, "comment.posted", 101, 2, '{"idea_id": 11}'),
            (at(9), 6, "idea.stage_changed", 10, None, '{"from": "open", "to": "accepted"}'),
            (at(9), 6, "member.visited"),
        ]
    )
    return {"members": members, "ideas": ideas, "idea_authors": idea_authors, "events": events}


@pytest.fixture
def tiny() -> dict[str, pd.DataFrame]:
    """The tables of :func:`tiny_tables`."""
    return tiny_tables()


@pytest.fixture
def b() -> SimpleNamespace:
    """The table builders of this folder: ``b.at``, ``b.members``, ``b.ideas``, ``b.events``."""
    return SimpleNamespace(at=at, members=members_frame, ideas=ideas_frame, events=events_frame)
