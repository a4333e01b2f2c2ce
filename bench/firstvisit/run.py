"""First visits: what the first visitor of a new web process waits for, before and after warming up.

    python -m bench firstvisit [--repeats 5] [--members 100]

Prepares once, in a folder under bench/out/: a SQLite database with a demo community
(`load_demo`), migrated, with the static files collected as `prosumo serve` does (hashed
names; this also writes the Insights chart library from vl-convert-python). Then, for
each repeat and each of two ways of starting, it starts a fresh Python process
(`python -m bench.firstvisit.visit`) that loads the WSGI application the way the web
server does and sends it requests as a WSGI server would (no network), timing each:

* **before**: the application as `prosumo.wsgi` built it before warming up
  (`get_wsgi_application()` alone); the chart script as the old `/staff/insights/vega.js`
  view made it on its first request (`vega_bundle()` from vl-convert-python);
* **now**: `prosumo.wsgi` as it is (the application, then `prosumo.web.warm.warm_up()`);
  the chart script as the static file WhiteNoise serves under its hashed name.

Reported, as medians over the repeats: seconds to load the application (before the
process accepts a visitor), the first and the second home page signed out, the first
home page in Spanish, and the first request for the chart script. Writes JSON to
bench/out/firstvisit-<time>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
MODES = ("before", "now")
FIGURES = (
    ("load_s", "load the application (s)"),
    ("home_ms", "first home page (ms)"),
    ("home_again_ms", "second home page (ms)"),
    ("home_es_ms", "first home page in Spanish (ms)"),
    ("chart_script_ms", "first chart script (ms)"),
)


def environment(folder: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT), os.environ.get("PYTHONPATH", "")]),
        "DJANGO_SETTINGS_MODULE": "prosumo.settings",
        "DATABASE_URL": f"sqlite:///{folder / 'firstvisit.sqlite3'}",
        "PROSUMO_DATA_DIR": str(folder),
        "PROSUMO_SECRET_KEY": "firstvisit-benchmark-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "PROSUMO_DEBUG": "0",
        "PROSUMO_SSL_REDIRECT": "0",
        "PROSUMO_ANONYMOUS_CACHE_SECONDS": "0",
        "PROSUMO_LOG_LEVEL": "WARNING",
    }


def prepare(folder: Path, members: int) -> None:
    script = (
        "import django; django.setup()\n"
        "from django.core.management import call_command\n"
        "call_command('migrate', '--noinput', verbosity=0)\n"
        "call_command('collectstatic', '--noinput', verbosity=0)\n"
        "from prosumo.community.bootstrap import ensure_site\n"
        "from prosumo.demo.loader import load_demo\n"
        "ensure_site()\n"
        f"load_demo(members={members}, seed=7)\n"
    )
    subprocess.run([sys.executable, "-c", script], env=environment(folder), check=True, cwd=folder)


def visit(folder: Path, mode: str) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-m", "bench.firstvisit.visit", mode],
        env=environment(folder),
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench firstvisit", description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--members", type=int, default=100)
    args = parser.parse_args(argv)
    if args.repeats < 1 or args.members < 50:
        parser.error("--repeats is at least 1 and --members at least 50")
    started = datetime.now(UTC)
    folder = ROOT / "bench" / "out" / f"firstvisit-{started:%Y%m%dT%H%M%S}"
    folder.mkdir(parents=True)
    print(f"preparing {folder.relative_to(ROOT)} ({args.members} members) ...", flush=True)
    prepare(folder, args.members)
    runs: dict[str, list[dict[str, float]]] = {mode: [] for mode in MODES}
    for repeat in range(args.repeats):
        for mode in MODES:  # alternated, so that the machine's changing load falls on both alike
            runs[mode].append(visit(folder, mode))
            print(f"repeat {repeat + 1}/{args.repeats} {mode}: {runs[mode][-1]}", flush=True)
    medians = {mode: {key: statistics.median(r[key] for r in runs[mode]) for key, _ in FIGURES} for mode in MODES}
    print(f"\nmedians of {args.repeats} fresh processes each\n")
    print(f"| {'':34} | {'before':>9} | {'now':>9} |")
    print(f"|{'-' * 36}|{'-' * 11}|{'-' * 11}|")
    for key, label in FIGURES:
        before, now = medians["before"][key], medians["now"][key]
        number = "{:9.2f}" if key.endswith("_s") else "{:9.1f}"
        print(f"| {label:34} | {number.format(before)} | {number.format(now)} |")
    result: dict[str, Any] = {
        "started": started.isoformat(timespec="seconds"),
        "machine": f"{platform.node()} {platform.machine()} {os.cpu_count()} CPUs, Python {platform.python_version()}",
        "load_average": os.getloadavg(),
        "repeats": args.repeats,
        "members": args.members,
        "medians": medians,
        "runs": runs,
    }
    out = ROOT / "bench" / "out" / f"firstvisit-{started:%Y%m%dT%H%M%S}.json"
    out.write_text(json.dumps(result, indent=2))
    print(
        f"\n{result['machine']}, load average {result['load_average'][0]:.1f}; raw figures in {out.relative_to(ROOT)}"
    )
    return 0
