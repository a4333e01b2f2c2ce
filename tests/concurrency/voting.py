"""Parallel votes over real HTTP, and the checks that nothing was lost or counted twice.

The workload is a fixed, seeded list of requests (PUT and DELETE on
``/api/ideas/{id}/vote``) sent by a thread pool. Part of it comes in bursts: the
same member on the same idea from many threads released together by a barrier,
with different values, so that the server sees truly simultaneous writes to one
vote. The checks then compare three independent records of the outcome:

* the tallies stored on each idea (``support_count``, ``up_count``, ...),
* the aggregate of the votes table,
* the replay of the event log, in id order: ``idea.supported``/``idea.rated`` set the
  member's vote, ``idea.support_withdrawn`` removes it.
"""

from __future__ import annotations

import http.client
import json
import math
import random
import threading
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

VALUES = {"support": [1], "updown": [1, -1], "score": [1, 2, 3, 4, 5]}
VOTE_VERBS = ("idea.supported", "idea.rated")
WITHDRAW_VERB = "idea.support_withdrawn"


@dataclass(frozen=True)
class Request:
    token: str
    idea_id: int
    value: int | None  # None: withdraw
    burst: int = -1  # requests of one burst share this number and start together


@dataclass
class Outcome:
    statuses: Counter[int] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)


def plan(
    *, tokens: list[str], ideas: dict[int, str], requests: int, bursts: int, burst_size: int, seed: int
) -> list[Request]:
    """A seeded mix of casts, changes and withdrawals, with `bursts` groups of simultaneous requests."""
    rng = random.Random(seed)
    idea_ids = sorted(ideas)
    out: list[Request] = []
    for _ in range(requests):
        idea_id = rng.choice(idea_ids)
        value = None if rng.random() < 0.3 else rng.choice(VALUES[ideas[idea_id]])
        out.append(Request(rng.choice(tokens), idea_id, value))
    groups: dict[int, list[Request]] = {}
    for number in range(bursts):
        token, idea_id = rng.choice(tokens), rng.choice(idea_ids)
        group = [
            Request(token, idea_id, None if i % 4 == 3 else rng.choice(VALUES[ideas[idea_id]]), burst=number)
            for i in range(burst_size)
        ]
        groups.setdefault(rng.randrange(requests + 1), []).extend(group)
    mixed: list[Request] = []
    for at in range(requests + 1):
        mixed.extend(groups.get(at, []))
        if at < requests:
            mixed.append(out[at])
    return mixed


def fire(base_url: str | list[str], requests: list[Request], *, threads: int, timeout: float = 30.0) -> Outcome:
    """Send every request from a pool of `threads` threads, one connection per request.

    Given several base URLs (nodes behind one load balancer), the requests go to each in
    turn, so that a burst's simultaneous requests reach different nodes.
    """
    urls = [urlsplit(u) for u in ([base_url] if isinstance(base_url, str) else base_url)]
    node = {id(r): urls[n % len(urls)] for n, r in enumerate(requests)}
    barriers: dict[int, threading.Barrier] = {}
    for r in requests:
        if r.burst >= 0:
            barriers.setdefault(
                r.burst, threading.Barrier(sum(1 for q in requests if q.burst == r.burst), timeout=timeout)
            )
    outcome = Outcome()
    lock = threading.Lock()

    def send(r: Request) -> None:
        if r.burst >= 0:
            barriers[r.burst].wait()
        url = node[id(r)]
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=timeout)
        headers = {"Authorization": f"Bearer {r.token}", "Content-Type": "application/json"}
        path = f"/api/ideas/{r.idea_id}/vote"
        try:
            if r.value is None:
                conn.request("DELETE", path, headers=headers)
            else:
                conn.request("PUT", path, body=json.dumps({"value": r.value}), headers=headers)
            response = conn.getresponse()
            body = response.read()
        finally:
            conn.close()
        with lock:
            outcome.statuses[response.status] += 1
            if response.status != 200:
                outcome.failures.append(f"{r}: {response.status} {body[:300]!r}")

    with ThreadPoolExecutor(max_workers=threads) as pool:
        for future in [pool.submit(send, r) for r in requests]:
            future.result()
    return outcome


def tallies_from_votes(mode: str, values: Iterable[int]) -> dict[str, int]:
    """Tallies of one idea as the vote service keeps them, computed from its votes."""
    values = list(values)
    return {
        "support_count": len(values) if mode == "support" else 0,
        "up_count": sum(1 for v in values if v > 0) if mode == "updown" else 0,
        "down_count": sum(1 for v in values if v < 0) if mode == "updown" else 0,
        "score_sum": sum(values) if mode == "score" else 0,
        "score_count": len(values) if mode == "score" else 0,
    }


def replay(events: Iterable[tuple[int, str, int, int, float, bool]]) -> dict[tuple[int, int], int]:
    """Current votes {(idea_id, member_id): value} from (id, verb, idea_id, member_id, value, changed) events."""
    state: dict[tuple[int, int], int] = {}
    for _id, verb, idea_id, member_id, value, _changed in sorted(events):
        if verb in VOTE_VERBS:
            state[(idea_id, member_id)] = int(value)
        elif verb == WITHDRAW_VERB:
            state.pop((idea_id, member_id), None)
    return state


def trending_key(updated: Iterable[datetime], half_life_hours: float) -> float:
    """log Σ exp(λ·(t − epoch)) over the positive votes' times, as prosumo.ideas.ranking defines it."""
    from prosumo.ideas.ranking import EPOCH

    rate = math.log(2) / (half_life_hours * 3600)
    logs = [rate * (t - EPOCH).total_seconds() for t in updated]
    if not logs:
        return 0.0
    top = max(logs)
    return top + math.log(sum(math.exp(w - top) for w in logs))


@dataclass(frozen=True)
class IdeaRow:
    idea_id: int
    mode: str
    created_at: datetime
    tallies: dict[str, int]
    rank_top: float
    rank_hot: float
    rank_trending: float


@dataclass(frozen=True)
class VoteRow:
    idea_id: int
    member_id: int
    value: int
    updated_at: datetime


def discrepancies(
    ideas: list[IdeaRow],
    votes: list[VoteRow],
    events: list[tuple[int, str, int, int, float, bool]],
    *,
    half_life_hours: float,
) -> list[str]:
    """Every way in which tallies, ranking keys, the votes table and the event log disagree."""
    from prosumo.ideas import ranking

    found: list[str] = []
    table = {(v.idea_id, v.member_id): v.value for v in votes}
    replayed = replay(events)
    if replayed != table:
        diff = sorted(set(replayed.items()) ^ set(table.items()))
        found.append(f"event replay and votes table differ on {len(diff)} (idea, member, value): {diff[:10]}")
    for idea in ideas:
        mine = [v for v in votes if v.idea_id == idea.idea_id]
        from_table = tallies_from_votes(idea.mode, (v.value for v in mine))
        from_log = tallies_from_votes(idea.mode, (value for (i, _m), value in replayed.items() if i == idea.idea_id))
        if idea.tallies != from_table:
            found.append(f"idea {idea.idea_id} ({idea.mode}): tallies {idea.tallies} != votes table {from_table}")
        if idea.tallies != from_log:
            found.append(f"idea {idea.idea_id} ({idea.mode}): tallies {idea.tallies} != event replay {from_log}")
        mine_events = [e for e in events if e[2] == idea.idea_id]
        opened = sum(1 for e in mine_events if e[1] in VOTE_VERBS and not e[5])
        withdrawn = sum(1 for e in mine_events if e[1] == WITHDRAW_VERB)
        if idea.mode == "support" and opened - withdrawn != idea.tallies["support_count"]:
            found.append(
                f"idea {idea.idea_id}: {opened} supported - {withdrawn} withdrawn != {idea.tallies['support_count']}"
            )
        t = idea.tallies
        keys = {
            "support": t["support_count"],
            "up": t["up_count"],
            "down": t["down_count"],
            "score_sum": t["score_sum"],
            "score_count": t["score_count"],
        }
        top = ranking.top(idea.mode, **keys)
        hot = ranking.hot(ranking.net_support(idea.mode, **keys), idea.created_at)
        trending = trending_key(
            (v.updated_at for v in mine if ranking.is_positive(idea.mode, v.value)), half_life_hours
        )
        if not math.isclose(idea.rank_top, top, rel_tol=1e-9, abs_tol=1e-12):
            found.append(f"idea {idea.idea_id}: rank_top {idea.rank_top} != {top}")
        if not math.isclose(idea.rank_hot, hot, rel_tol=1e-12, abs_tol=1e-7):
            found.append(f"idea {idea.idea_id}: rank_hot {idea.rank_hot} != {hot}")
        if not math.isclose(idea.rank_trending, trending, rel_tol=1e-9, abs_tol=1e-9):
            found.append(f"idea {idea.idea_id}: rank_trending {idea.rank_trending} != {trending}")
    return found
