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

``example_dataset(ip=True)`` adds an intellectual-property story: terms version 1
(published 1 January) and version 2 (20 January); member 1 accepted version 1 on
5 January and version 2 on 25 January, member 2 version 1 on 15 January. Idea 10 was
given under version 1 as an exclusive licence, idea 11 under version 1 as an
assignment, idea 12 under version 2 as a non-exclusive licence. The proof log holds
idea 10 two seconds after it was submitted, comment 10 (member 2's), and idea 12 a
minute after it was submitted; idea 11 is not in it. Staff flagged idea 12 with idea 10
as prior art (28 January) and recorded a dispute about idea 11 (1 February).

``example_dataset(pools=True)`` adds a royalty pool: pool 1 of idea 10, split by
declared shares, where member 1 wrote the idea with member 2 as co-author (70% and 30%)
and member 2's idea 11 counts as merged into it (20% of each payment goes to merged
ideas). It paid 40.00 once: 0.8 x 70% to member 1 (22.40), 0.8 x 30% + 0.2 to member 2
(17.60).

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


def example_dataset(*, rewards: bool = False, ip: bool = False, pools: bool = False) -> Dataset:
    """The example community on an in-process DuckDB connection, with the reward, IP and pool stories asked for."""
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
    if ip:
        tables.update(_ip_story(ideas))
    if pools:
        tables.update(_pool_story())
    tables = validate(tables)
    return open_tables(tables, meta={"name": "example"})


def _ip_story(ideas: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Terms, licences, the proof log and two flags (see the module's docstring)."""
    ideas["licence"] = ["exclusive", "assignment", "non_exclusive"]
    ideas["terms_version"] = [1, 1, 2]
    second = dt.timedelta(seconds=1)
    return {
        "terms_versions": pd.DataFrame({"version": [1, 2], "published_at": [_at(1, 1), _at(1, 20)]}),
        "terms_acceptances": pd.DataFrame(
            {"member_id": [1, 2, 1], "version": [1, 1, 2], "accepted_at": [_at(1, 5), _at(1, 15), _at(1, 25)]}
        ),
        "proof_log": pd.DataFrame(
            {
                "entry": [0, 1, 2],
                "kind": ["revision", "comment", "revision"],
                "object_id": [100, 10, 102],
                "version": [0, 0, 0],
                "idea_id": [10, 10, 12],
                "member_id": [1, 2, 1],
                "logged_at": [_at(1, 5) + 2 * second, _at(1, 7) + second, _at(1, 25) + 60 * second],
            }
        ),
        "ip_flags": pd.DataFrame(
            {
                "idea_id": [12, 11],
                "kind": ["prior_art", "dispute"],
                "flagged_at": [_at(1, 28), _at(2, 1)],
                "earlier_idea_id": pd.array([10, None], dtype="Int64"),
                "member_id": [5, 5],
                "reason": ["Same refill station", "Another member says it was theirs"],
            }
        ),
    }


def _pool_story() -> dict[str, pd.DataFrame]:
    """A royalty pool of idea 10 with a merged idea, paid once (see the module's docstring)."""
    return {
        "royalty_pools": pd.DataFrame(
            {
                "pool_id": [1],
                "idea_id": [10],
                "split_rule": ["shares"],
                "merged_percent": [20],
                "role_weights": [None],
                "currency": ["EUR"],
                "opened_at": [_at(2, 1)],
            }
        ),
        "pool_contributions": pd.DataFrame(
            {
                "pool_id": [1, 1, 1],
                "member_id": [1, 2, 2],
                "idea_id": [10, 10, 11],
                "is_author": [True, False, True],
                "share_percent": [70.0, 30.0, 100.0],
                "merged": [False, False, True],
            }
        ),
        "pool_payouts": pd.DataFrame(
            {
                "pool_id": [1, 1],
                "period_id": pd.array([None, None], dtype="Int64"),
                "member_id": [1, 2],
                "amount_cents": [2240, 1760],
                "paid_at": [_at(2, 3)] * 2,
            }
        ),
    }
