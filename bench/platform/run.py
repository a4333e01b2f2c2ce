"""The platform benchmark: 100,000 ideas and 1,000,000 votes in PostgreSQL, served by Granian.

    python -m bench platform [--scale 1] [--clients 50] [--duration 20] [--workers 2] [--threads 8]

1. Starts a throwaway PostgreSQL (scripts/with_postgres.py) unless DATABASE_URL already
   names one, migrates it and loads the community of bench/platform/dataset.py.
2. Serves it with ``prosumo serve`` (Granian, no task worker) on a free loopback port.
3. From a second process (bench/platform/loadgen.py) with 50 clients and no think
   time: the campaign idea list in each order (new, top, hot, trending) on random
   campaigns and pages 1-50, then sustained vote casting with API tokens.
4. Checks that every accepted vote is counted exactly once: per idea, the tallies
   grew by the accepted votes; the votes table and the event log grew by their
   number; and every idea's tallies equal the aggregate of its votes.

Prints a table and writes the figures as JSON to bench/out/platform-<time>.json.
"""

from __future__ import annotations

import argparse
import atexit
import json
import math
import os
import platform
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
ORDERS = ("new", "top", "hot", "trending")
LIST_TARGET_P95_MS = 100.0
VOTES_TARGET_PER_S = 500.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def machine() -> dict[str, Any]:
    model = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    mem_kb = next(
        int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")
    )
    pg = subprocess.run(["psql", "--version"], capture_output=True, text=True, check=False).stdout.strip()
    return {
        "nproc": os.cpu_count(),
        "cpu": model,
        "ram_gib": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "postgresql": pg,
        "kernel": platform.release(),
    }


def wait_for_port(port: int, server: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        if server.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"the server did not start on port {port}")
        time.sleep(0.2)


TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: list[int]) -> dict[int, tuple[float, float]]:
    """Per living process of `pids`: (its own user + system CPU seconds, those of its reaped children)."""
    used = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        used[pid] = ((int(fields[11]) + int(fields[12])) / TICKS, (int(fields[13]) + int(fields[14])) / TICKS)
    return used


def pg_sessions() -> int:
    """Sessions PostgreSQL has counted for this database (they are counted as they end)."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT sessions FROM pg_stat_database WHERE datname = current_database()")
        return int(cur.fetchone()[0])


def cpu_delta(before: dict[int, tuple[float, float]], after: dict[int, tuple[float, float]]) -> float:
    """CPU seconds a group of processes used between two snapshots.

    Processes alive at the second count from their first value (new ones from zero);
    one that ended between them (a PostgreSQL backend closing its connection) reaches
    its parent's reaped-children time with its whole life, so its CPU before the
    first snapshot is taken off again.
    """
    used = 0.0
    for pid, (own, reaped) in after.items():
        own0, reaped0 = before.get(pid, (0.0, 0.0))
        used += (own - own0) + (reaped - reaped0)
    return used - sum(own0 for pid, (own0, _) in before.items() if pid not in after)


def children(parent: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == parent:
                found.append(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            continue
    return found


def postmaster_pid() -> int | None:
    """The pid of the PostgreSQL server behind DATABASE_URL, when it runs on this machine."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SHOW data_directory")
        data = Path(cur.fetchone()[0])
    try:
        return int((data / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError):
        return None


def loadgen(spec: dict[str, Any], workdir: Path, server: int, postgres: int | None) -> dict[str, Any]:
    """Run the load generator as a separate process; return its result with the CPU each side used.

    The CPU milliseconds per request of the web processes, PostgreSQL and the load
    generator are what one request costs the machine whatever else runs on it: on a
    machine shared with other work they say more than the latencies do.
    """
    import resource

    spec_file, result_file = workdir / f"spec-{time.monotonic_ns()}.json", workdir / "result.json"
    spec_file.write_text(json.dumps(spec))

    def web() -> list[int]:
        return [pid for worker in children(server) for pid in [worker, *children(worker)]]

    def db() -> list[int]:
        return [postgres, *children(postgres)] if postgres else []

    web0, db0, sessions0 = cpu_seconds(web()), cpu_seconds(db()), pg_sessions()
    own0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(
        [sys.executable, "-m", "bench.platform.loadgen", str(spec_file), str(result_file)], cwd=ROOT, check=True
    )
    own1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    web1, db1 = cpu_seconds(web()), cpu_seconds(db())
    result = json.loads(result_file.read_text())
    result["database_sessions_opened"] = pg_sessions() - sessions0
    if spec["kind"] == "list":  # warm-up and measure together: the window of the CPU counters
        sent = round(result["throughput"] * (float(spec["duration"]) + float(spec["warmup"])))
    else:
        sent = len(result["accepted"]) + len(result["rejected"])
    sent = max(sent, 1)
    result["cpu_ms_per_request"] = {
        "web": round(cpu_delta(web0, web1) * 1000 / sent, 2),
        "postgresql": round(cpu_delta(db0, db1) * 1000 / sent, 2) if postgres else None,
        "load_generator": round((own1.ru_utime + own1.ru_stime - own0.ru_utime - own0.ru_stime) * 1000 / sent, 2),
    }
    return result


def tallies(idea_ids: list[int]) -> dict[int, tuple[int, int, int, int, int]]:
    from prosumo.ideas.models import Idea

    fields = ("pk", "support_count", "up_count", "down_count", "score_sum", "score_count")
    return {row[0]: row[1:] for row in Idea.objects.filter(pk__in=idea_ids).values_list(*fields)}


def counts() -> tuple[int, int]:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM ideas_vote")
        votes = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM activity_event WHERE verb IN ('idea.supported', 'idea.rated')")
        events = cur.fetchone()[0]
    return votes, events


def vote_plan(loaded: Any, n: int, seed: int) -> list[list[Any]]:
    """`n` distinct (token, idea, value) casts by members who have not voted on that idea yet.

    Ideas are picked in proportion to their votes + 1 (popular ideas draw more votes,
    so some rows are contended), voters uniformly among the token holders.
    """
    import numpy as np

    rng = np.random.default_rng(seed)
    ideas = loaded.open_ideas
    p = loaded.idea_weight / loaded.idea_weight.sum()
    mode_of = {int(i): loaded.idea_mode[int(c)] for i, c in zip(ideas, loaded.idea_campaign, strict=True)}
    from prosumo.ideas.models import Vote

    index = {member: position for position, member in enumerate(loaded.token_members)}
    voted = Vote.objects.filter(member_id__in=loaded.token_members).values_list("idea_id", "member_id")
    seen: set[tuple[int, int]] = {(idea, index[member]) for idea, member in voted}
    out: list[list[Any]] = []
    values = {"support": [1], "updown": [1, 1, 1, -1], "score": [1, 2, 3, 4, 5]}
    while len(out) < n:
        picks = rng.choice(ideas, n, p=p)
        voters = rng.integers(0, len(loaded.tokens), n)
        for idea, voter in zip(picks.tolist(), voters.tolist(), strict=True):
            if (idea, voter) in seen:
                continue
            seen.add((idea, voter))
            choices = values[mode_of[idea]]
            out.append([loaded.tokens[voter], idea, choices[int(rng.integers(len(choices)))]])
            if len(out) == n:
                break
    return out


def expected_after(
    before: dict[int, tuple[int, ...]], accepted: list[list[Any]], mode_of: dict[int, str]
) -> dict[int, tuple[int, ...]]:
    out = {k: list(v) for k, v in before.items()}
    for idea, value, _status in accepted:
        t = out[idea]
        mode = mode_of[idea]
        if mode == "support":
            t[0] += 1
        elif mode == "updown":
            t[1 if value > 0 else 2] += 1
        else:
            t[3] += value
            t[4] += 1
    return {k: tuple(v) for k, v in out.items()}


def cpu_cells(r: dict[str, Any]) -> str:
    """CPU ms per request (web / PostgreSQL / load generator) and what two idle cores could serve at that cost."""
    cpu = r.get("cpu_ms_per_request") or {}
    parts = [cpu.get("web"), cpu.get("postgresql"), cpu.get("load_generator")]
    if any(p is None for p in parts):
        return "| n/a | n/a "
    total = sum(parts)
    return f"| {parts[0]} / {parts[1]} / {parts[2]} | {2000 / total:.0f} " if total else "| 0 | n/a "


def report(figures: dict[str, Any]) -> str:
    m = figures["machine"]
    lines = [
        f"Platform benchmark, {figures['date']}: {m['nproc']} CPUs ({m['cpu']}), {m['ram_gib']} GiB RAM, "
        f"{m['postgresql']}; {figures['data']['ideas']:,} ideas, {figures['data']['votes']:,} votes; "
        f"Granian {figures['server']['workers']} workers x {figures['server']['threads']} threads; "
        f"{figures['clients']} clients, no think time; load average before the run {figures['load_average_before']}.",
        "",
        "| measure | throughput/s | p50 ms | p95 ms | p99 ms | statuses | CPU ms/request web / PostgreSQL / "
        "load generator | requests/s two idle cores could serve | load average | target |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    rows = [(f"list order={order}", figures["list"][order]) for order in ORDERS if order in figures["list"]] + [
        ("votes (PUT, token)", figures["votes"])
    ]
    for name, r in rows:
        if name.startswith("list"):
            target = f"p95 <= {LIST_TARGET_P95_MS:.0f} ms: " + (
                "met" if r["p95_ms"] <= LIST_TARGET_P95_MS else "MISSED"
            )
        else:
            target = f">= {VOTES_TARGET_PER_S:.0f}/s: " + ("met" if r["throughput"] >= VOTES_TARGET_PER_S else "MISSED")
        lines.append(
            f"| {name} | {r['throughput']} | {r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} | {r['statuses']} "
            f"{cpu_cells(r)}| {r.get('load_average_1min')} | {target} |"
        )
    lines += ["", f"Vote check: {figures['vote_check']}"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench platform", description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="Shrink the data set (0.01 for a smoke run).")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=20.0, help="Seconds measured per phase.")
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--workers", type=int, default=2, help="Web server processes (one per core).")
    parser.add_argument("--threads", type=int, default=8, help="Threads per web server process.")
    parser.add_argument("--pages", type=int, default=50, help="List pages drawn uniformly from 1..PAGES.")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--votes-only", action="store_true", help="Skip the list phases (for tuning the vote path).")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="Use the data an earlier run loaded into DATABASE_URL (a PostgreSQL you keep) instead of loading.",
    )
    args = parser.parse_args(argv)

    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        command = [
            sys.executable,
            str(ROOT / "scripts" / "with_postgres.py"),
            "--",
            sys.executable,
            "-m",
            "bench",
            "platform",
        ]
        return subprocess.call([*command, *(argv or [])], cwd=ROOT)

    workdir = Path(tempfile.mkdtemp(prefix="prosumo-bench-"))
    atexit.register(shutil.rmtree, workdir, ignore_errors=True)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "prosumo.settings",
            "PROSUMO_SECRET_KEY": "bench-" + "k" * 60,
            "PROSUMO_SSL_REDIRECT": "0",
            "PROSUMO_DATA_DIR": str(workdir),
            "PROSUMO_LOG_LEVEL": "ERROR",
            # the load generator votes for thousands of members from one address, far past the limits
            "PROSUMO_RATE_LIMIT_VOTE": "off",
            "PROSUMO_RATE_LIMIT_VOTE_IP": "off",
        }
    )
    subprocess.run([sys.executable, "-m", "prosumo.cli", "migrate"], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    import django

    django.setup()
    from bench.platform.dataset import check_tallies_match_votes, hot_check_sample, load, loaded_from_database

    started = time.monotonic()
    loaded = loaded_from_database(seed=args.seed) if args.reuse else load(scale=args.scale, seed=args.seed)
    load_seconds = time.monotonic() - started
    print(f"loaded {loaded.ideas:,} ideas, {loaded.votes:,} votes, {loaded.events:,} events in {load_seconds:.0f} s")
    wrong = check_tallies_match_votes() + hot_check_sample(
        loaded.open_ideas[:: max(1, len(loaded.open_ideas) // 500)].tolist()
    )
    if wrong:
        raise SystemExit("the loaded data is inconsistent:\n" + "\n".join(wrong))

    postgres = postmaster_pid()
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "prosumo.cli",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(args.workers),
            "--threads",
            str(args.threads),
            "--no-with-worker",
        ],
        cwd=ROOT,
    )
    figures: dict[str, Any] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "data": {
            "ideas": loaded.ideas,
            "votes": loaded.votes,
            "events": loaded.events,
            "members": loaded.members,
            "load_seconds": round(load_seconds, 1),
        },
        "server": {"workers": args.workers, "threads": args.threads},
        "clients": args.clients,
        "load_average_before": [round(x, 2) for x in os.getloadavg()],
        "list": {},
    }
    try:
        wait_for_port(port, server)
        base = {
            "host": "127.0.0.1",
            "port": port,
            "clients": args.clients,
            "duration": args.duration,
            "warmup": args.warmup,
        }
        rng = random.Random(args.seed)
        campaigns = [
            (slug, min(args.pages, math.ceil(loaded.campaign_sizes[pk] / 20)))
            for pk, slug in loaded.campaign_ids.items()
        ]
        for order in () if args.votes_only else ORDERS:
            picks = [rng.choice(campaigns) for _ in range(20_000)]
            paths = [f"/api/campaigns/{slug}/ideas?order={order}&page={rng.randint(1, pages)}" for slug, pages in picks]
            result = loadgen({**base, "kind": "list", "paths": paths}, workdir, server.pid, postgres)
            figures["list"][order] = {k: v for k, v in result.items() if k not in ("accepted", "rejected")}
            figures["list"][order]["load_average_1min"] = round(os.getloadavg()[0], 2)
            print(f"list {order}: {figures['list'][order]}")

        plan = vote_plan(loaded, n=int((args.duration + args.warmup) * 2000), seed=args.seed)
        idea_ids = sorted({idea for _, idea, _ in plan})
        before, (votes0, events0) = tallies(idea_ids), counts()
        result = loadgen({**base, "kind": "votes", "votes": plan}, workdir, server.pid, postgres)
        accepted, rejected = result.pop("accepted"), result.pop("rejected")
        figures["votes"] = {**result, "load_average_1min": round(os.getloadavg()[0], 2)}
        print(f"votes: {result}")
    finally:
        server.terminate()
        server.wait(timeout=30)

    mode_of = {int(i): loaded.idea_mode[int(c)] for i, c in zip(loaded.open_ideas, loaded.idea_campaign, strict=True)}
    after, (votes1, events1) = tallies(idea_ids), counts()
    expected = expected_after(before, accepted, mode_of)
    mismatched = [i for i in idea_ids if after[i] != expected[i]]
    problems = []
    if mismatched:
        problems.append(f"{len(mismatched)} ideas' tallies differ from before + accepted, e.g. {mismatched[:5]}")
    if votes1 - votes0 != len(accepted):
        problems.append(f"votes table grew by {votes1 - votes0}, accepted {len(accepted)}")
    if events1 - events0 != len(accepted):
        problems.append(f"vote events grew by {events1 - events0}, accepted {len(accepted)}")
    if rejected:
        problems.append(f"{len(rejected)} votes rejected: {Counter(r[2] for r in rejected)}")
    problems += check_tallies_match_votes()
    figures["vote_check"] = (
        f"exact: {len(accepted):,} votes accepted (warm-up included), the tallies of {len(idea_ids):,} ideas, the votes "
        f"table and the event log each grew by exactly that; all {votes1:,} votes agree with every idea's tallies"
        if not problems
        else "FAILED: " + "; ".join(problems)
    )
    text = report(figures)
    print()
    print(text)
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (out / f"platform-{stamp}.json").write_text(json.dumps(figures, indent=2))
    (out / f"platform-{stamp}.md").write_text(text + "\n")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
