"""How the cost of ``prosumo analyze`` grows with the community: wall time and peak memory per size.

    python -m bench growth                                  # 0.1, 1 and 10 million members on DuckDB
    python -m bench growth --members 100000                 # one size
    python -m bench growth --engine spark                   # the same sizes on local Spark (local[2])

Each size is a bench-profile community from ``prosumo.synth.generate_to_parquet`` (seed 7,
ten events per member), written to ``bench/out/growth-data-<members>/`` and reused when
its ``bench-params.json`` records the same parameters. ``prosumo analyze DATASET --engine
E`` then runs once per size as a subprocess (``--repeats`` for more; medians reported):
wall seconds and the peak resident memory of its process tree (the Spark JVM included),
polled every 50 ms. Between consecutive sizes the growth exponent is
``log(wall_b / wall_a) / log(members_b / members_a)`` (1 is linear). A run that goes past
``--timeout`` seconds is stopped and reported as such.

Figures go to ``bench/out/growth-<UTC time>.json`` and ``.md``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from bench.analytics.run import OUT, ROOT, console, load, machine, measure, section_seconds

EVENTS_PER_MEMBER = 10
SIZES = (100_000, 1_000_000, 10_000_000)


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench growth", description=__doc__.splitlines()[0])
    p.add_argument(
        "--members",
        default=",".join(str(n) for n in SIZES),
        help="community sizes, comma-separated (default 100000,1000000,10000000)",
    )
    p.add_argument("--engine", choices=("duckdb", "spark"), default="duckdb")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--repeats", type=int, default=1, help="runs of prosumo analyze per size (median reported)")
    p.add_argument("--timeout", type=float, default=3 * 3600.0, help="seconds before a run is stopped")
    args = p.parse_args(argv)
    try:
        args.sizes = [int(n.replace("_", "")) for n in args.members.split(",") if n.strip()]
    except ValueError:
        p.error(f"--members: {args.members!r} is not a comma-separated list of whole numbers")
    if not args.sizes or min(args.sizes) < 100:
        p.error("--members: give sizes of at least 100 members")
    if args.repeats < 1:
        p.error("--repeats must be at least 1")
    return args


def dataset(members: int, seed: int) -> tuple[Path, dict[str, Any]]:
    """Generate (or reuse) the community of ``members`` members; its folder and generation record."""
    from prosumo.synth import generate_to_parquet

    path = OUT / f"growth-data-{members}"
    params = {"members": members, "events_target": members * EVENTS_PER_MEMBER, "seed": seed, "profile": "bench"}
    record_file = path / "bench-params.json"
    if record_file.exists():
        record = json.loads(record_file.read_text(encoding="utf-8"))
        if record.get("params") == params:
            console.print(f"reusing {path.relative_to(ROOT)}")
            return path, {**record, "reused": True}
    start = time.perf_counter()
    truth = generate_to_parquet(path, **params)  # type: ignore[arg-type]
    record = {"params": params, "seconds": round(time.perf_counter() - start, 2), "rows": truth.get("rows")}
    record_file.write_text(json.dumps(record, indent=2), encoding="utf-8")
    return path, {**record, "reused": False}


def run_size(members: int, args: argparse.Namespace, stamp: str) -> dict[str, Any]:
    path, generated = dataset(members, args.seed)
    prosumo = str(Path(sys.executable).with_name("prosumo"))
    runs = []
    for i in range(args.repeats):
        log = OUT / f"growth-{stamp}-{members}-{i}.log"
        html = OUT / "growth-report.html"
        html.unlink(missing_ok=True)
        cmd = [prosumo, "analyze", str(path), "--engine", args.engine, "--out", str(html)]
        run = measure(cmd, f"{args.engine} {members:,} members, run {i + 1}", log, timeout=args.timeout)
        if run["returncode"] == 0 and html.exists():
            page = html.read_text(encoding="utf-8")
            run["seconds"] = section_seconds(page)
            run["failed"] = re.findall(r"href='#s\d+-(\w+)' class='failed'", page)
        runs.append(run)
    ok = [r for r in runs if r["returncode"] == 0]
    return {
        "members": members,
        "events": (generated.get("rows") or {}).get("events"),
        "generated": generated,
        "runs": runs,
        "wall_seconds": statistics.median(r["wall_seconds"] for r in ok) if ok else None,
        "peak_rss_gib": max(r["peak_rss_gib"] for r in ok) if ok else None,
    }


def exponents(sizes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The growth exponent of wall time between each pair of consecutive sizes that finished."""
    done = [s for s in sizes if s["wall_seconds"]]
    return [
        {
            "from": a["members"],
            "to": b["members"],
            "exponent": round(
                math.log(b["wall_seconds"] / a["wall_seconds"]) / math.log(b["members"] / a["members"]), 2
            ),
        }
        for a, b in itertools.pairwise(done)
    ]


def summary(figures: dict[str, Any]) -> str:
    lines = [
        f"`python -m bench growth --engine {figures['engine']} --members {figures['members_arg']}`,"
        f" {figures['started_at']} to {figures['finished_at']} UTC; machine: {figures['machine']}",
        "",
        "| members | events | wall s | peak RSS GiB | load before | exit |",
        "|---:|---:|---:|---:|---|---:|",
    ]
    for s in figures["sizes"]:
        last = s["runs"][-1]
        events = f"{s['events']:,}" if s["events"] else "?"
        lines.append(
            f"| {s['members']:,} | {events} | {s['wall_seconds']} | {s['peak_rss_gib']} | "
            f"{last['load_before']} | {last['returncode']}{' (timed out)' if last['timed_out'] else ''} |"
        )
    for s in figures["sizes"]:
        seconds = s["runs"][-1].get("seconds")
        failed = s["runs"][-1].get("failed")
        if failed:
            lines.append(f"\n**sections that failed**, {s['members']:,} members: {', '.join(failed)}")
        if seconds:
            slowest = sorted(seconds.items(), key=lambda kv: -kv[1])
            lines.append(
                f"\nseconds by section, {s['members']:,} members: " + ", ".join(f"{k} {v}" for k, v in slowest)
            )
    for e in figures["exponents"]:
        lines.append(f"\ngrowth exponent {e['from']:,} -> {e['to']:,} members: {e['exponent']}")
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    started = time.strftime("%Y-%m-%d %H:%M", time.gmtime())
    sizes = [run_size(n, args, stamp) for n in args.sizes]
    figures = {
        "engine": args.engine,
        "members_arg": args.members,
        "started_at": started,
        "finished_at": time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
        "machine": machine(),
        "load_at_end": load(),
        "sizes": sizes,
        "exponents": exponents(sizes),
    }
    (OUT / f"growth-{stamp}.json").write_text(json.dumps(figures, indent=2), encoding="utf-8")
    text = summary(figures)
    (OUT / f"growth-{stamp}.md").write_text(text, encoding="utf-8")
    print(text)
    return 0 if all(s["wall_seconds"] and not s["runs"][-1].get("failed") for s in sizes) else 1
