"""The platform's hot paths in one process: CPU per vote and per list page, on SQLite.

    python -m bench paths [--ideas 2000] [--members 400] [--rounds 7] [--per-round 200]

The HTTP benchmark (`python -m bench platform`) measures the whole site under load, and
on a shared machine its throughput moves by more than the changes it is asked to judge.
This one runs the code of the two paths that matter most in one process, on a SQLite
file in a temporary folder, and measures process CPU time, which neighbours disturb far
less:

* **vote**: ``vote_cast`` by one member after another, each changing their vote (a
  first vote up, each later one flipped), with the event it records and the tasks it
  enqueues (the database task backend, as in production, without running them);
* **list page**: ``access_campaign`` and a page of 20 ideas of a 2,000-idea campaign,
  in each of the four orders, pages 1 to 50 at random;
* **list page over HTTP**: the same page through Django's whole request cycle (the
  test client: middleware, view, template), as a visitor who is not signed in, with the
  anonymous cache off;
* **vote over HTTP**: the vote through the whole request cycle of the API (``PUT
  /api/ideas/<id>/vote`` with a member's write token: middleware, token check, input
  rules, the service, the JSON answer), rate limits off as in the HTTP benchmark;
* **cached list over HTTP**: a page of the API's idea list as an anonymous reader gets
  it from the few seconds' cache (what the HTTP benchmark's list rows mostly measure).

Each is run ``--rounds`` times ``--per-round`` operations; the figure is the median of the
rounds' CPU milliseconds per operation. Prints a table and writes JSON to
bench/out/paths-<time>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
ORDERS = ("new", "top", "hot", "trending")


def configure(folder: Path) -> None:
    os.environ.update(
        DJANGO_SETTINGS_MODULE="prosumo.settings",
        DATABASE_URL=f"sqlite:///{folder / 'paths.sqlite3'}",
        PROSUMO_DATA_DIR=str(folder),
        PROSUMO_SECRET_KEY="paths-benchmark-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        PROSUMO_TASKS="database",
        PROSUMO_DEBUG="0",
        PROSUMO_SSL_REDIRECT="0",
        PROSUMO_ANONYMOUS_CACHE_SECONDS="0",
        PROSUMO_LOG_LEVEL="WARNING",
        PROSUMO_RATE_LIMIT_VOTE="off",
        PROSUMO_RATE_LIMIT_VOTE_IP="off",
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", "--noinput", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)  # pages name their static files by the manifest


def seed(ideas: int, members: int) -> tuple[list[Any], list[int]]:
    """A public campaign of `ideas` open ideas and `members` members, written through the services."""
    from django.db import transaction

    from prosumo.community.bootstrap import create_verified_member
    from prosumo.ideas.models import Idea, Stage
    from prosumo.ideas.services.campaigns import campaign_create

    admin = create_verified_member(email="admin@bench.example", password="bench-password", role="admin")
    people = [create_verified_member(email=f"m{n}@bench.example", password="bench-password") for n in range(members)]
    campaign = campaign_create(
        actor=admin, title="Paths", brief="The benchmark's campaign.", slug="paths", voting_mode="updown"
    )
    with transaction.atomic():
        Idea.objects.bulk_create(
            [
                Idea(
                    campaign=campaign,
                    author=people[n % members],
                    title=f"Idea number {n}",
                    body=f"What idea number {n} is about, in a sentence or two.",
                    stage=Stage.OPEN,
                )
                for n in range(ideas)
            ],
            batch_size=500,
        )
    ids = list(Idea.objects.filter(campaign=campaign).values_list("pk", flat=True))
    return people, ids


def timed(operation: Any, count: int) -> float:
    """CPU milliseconds per call of `operation(i)` over `count` calls."""
    start = time.process_time()
    for i in range(count):
        operation(i)
    return (time.process_time() - start) * 1000 / count


def measure(args: argparse.Namespace) -> dict[str, Any]:
    from django.test import Client, override_settings

    from prosumo.community.tokens import token_create
    from prosumo.ideas.permissions import access_campaign
    from prosumo.ideas.selectors import idea_list
    from prosumo.ideas.services.votes import vote_cast

    people, ids = seed(args.ideas, args.members)
    rng = random.Random(args.seed)
    plan = [(rng.choice(people), rng.choice(ids)) for _ in range(args.per_round)]
    current: dict[tuple[int, int], int] = {}

    def vote(i: int) -> None:
        # every call changes a vote: a member's first vote on an idea is up, each later one flips it
        member, idea_id = plan[i]
        value = -current.get((member.pk, idea_id), -1)
        current[(member.pk, idea_id)] = value
        vote_cast(actor=member, idea_id=idea_id, value=value)

    def list_page(i: int) -> None:
        found = access_campaign(None, "paths")
        idea_list(viewer=None, campaign=found, order=ORDERS[i % 4], page=rng.randint(1, 50))

    client = Client(HTTP_HOST="localhost")

    def list_http(i: int) -> None:
        response = client.get(f"/c/paths/?order={ORDERS[i % 4]}&page={rng.randint(1, 50)}")
        assert response.status_code == 200, response.status_code

    tokens = {member.pk: token_create(actor=member, name="bench", scopes=["write"])[1] for member in people}
    http_plan = [(rng.choice(people), rng.choice(ids)) for _ in range(args.per_round)]

    def vote_http(i: int) -> None:
        member, idea_id = http_plan[i]
        value = -current.get((member.pk, idea_id), -1)
        current[(member.pk, idea_id)] = value
        response = client.put(
            f"/api/ideas/{idea_id}/vote",
            data={"value": value},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {tokens[member.pk]}",
        )
        assert response.status_code == 200, response.status_code

    reader = Client(HTTP_HOST="localhost")

    def list_cached(i: int) -> None:
        response = reader.get(f"/api/campaigns/paths/ideas?order={ORDERS[i % 4]}&page={1 + i % 5}")
        assert response.status_code == 200, response.status_code

    operations = (
        ("vote", vote, {}),
        ("list_page", list_page, {}),
        ("list_page_http", list_http, {}),
        ("vote_http", vote_http, {}),
        ("list_cached_http", list_cached, {"PROSUMO_ANONYMOUS_CACHE_SECONDS": 3600}),
    )
    results: dict[str, Any] = {}
    for name, operation, changed in operations:
        with override_settings(**changed):
            operation(0)  # warm: imports, compiled statements, templates (and the cache)
            rounds = [timed(operation, args.per_round) for _ in range(args.rounds)]
        results[name] = {"median_ms": round(statistics.median(rounds), 3), "rounds_ms": [round(r, 3) for r in rounds]}
        print(f"{name:16} {results[name]['median_ms']:8.3f} ms CPU  (rounds: {results[name]['rounds_ms']})", flush=True)
    return results


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench paths", description=__doc__.splitlines()[0])
    parser.add_argument("--ideas", type=int, default=2000)
    parser.add_argument("--members", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--per-round", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    if min(args.ideas, args.members, args.rounds, args.per_round) < 1:
        print("--ideas, --members, --rounds and --per-round must be at least 1", file=sys.stderr)
        return 2
    started = datetime.now(UTC)
    with tempfile.TemporaryDirectory(prefix="prosumo-paths-") as folder:
        configure(Path(folder))
        results = measure(args)
    report = {
        "benchmark": "paths",
        "started": started.isoformat(timespec="seconds"),
        "params": vars(args),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "load": os.getloadavg()},
        "results": results,
    }
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"paths-{started:%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps(report, indent=2))
    print(f"load average {os.getloadavg()[0]:.1f}; written to {path.relative_to(ROOT)}")
    return 0
