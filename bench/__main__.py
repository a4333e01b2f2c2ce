"""Run the benchmarks: `python -m bench` runs them all, `python -m bench NAME [options]` one of them.

    python -m bench platform --scale 0.01     # a smoke run of the platform benchmark
    python -m bench analytics                 # the analytics benchmark, where it exists
    python -m bench mail --members 10000      # the fan-out and the daily digest, on fewer members

Each benchmark is a module `bench.<name>.run` with a `main(argv) -> int`.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys

BENCHMARKS = ("platform", "paths", "analytics", "growth", "mail", "similarity", "firstvisit")


def available(name: str) -> bool:
    try:
        return importlib.util.find_spec(f"bench.{name}.run") is not None
    except ModuleNotFoundError:
        return False


def run(name: str, argv: list[str]) -> int:
    module = importlib.import_module(f"bench.{name}.run")
    return int(module.main(argv) or 0)


def main(argv: list[str]) -> int:
    if argv and argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    if argv and not argv[0].startswith("-"):
        name, rest = argv[0], argv[1:]
        if name not in BENCHMARKS:
            print(f"unknown benchmark {name!r}: choose one of {', '.join(BENCHMARKS)}", file=sys.stderr)
            return 2
        if not available(name):
            print(f"the {name} benchmark is not there yet (bench/{name}/run.py)", file=sys.stderr)
            return 2
        return run(name, rest)
    status = 0
    for name in BENCHMARKS:
        if available(name):
            print(f"== {name} ==", flush=True)
            status |= run(name, argv)
        else:
            print(f"== {name}: not there yet, skipped ==", flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
