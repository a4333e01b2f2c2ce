"""``python -m prosumo.synth FOLDER --members N --events E``: write a synthetic dataset to Parquet."""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time

from prosumo.synth.io import generate_to_parquet


def main(argv: list[str] | None = None) -> int:
    """Generate, write, and print the rows written, wall time and peak memory as JSON."""
    parser = argparse.ArgumentParser(prog="python -m prosumo.synth", description=__doc__)
    parser.add_argument("folder")
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=None, help="target number of events (about)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--profile", choices=["bench", "demo"], default="bench")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        truth = generate_to_parquet(
            args.folder,
            members=args.members,
            events_target=args.events,
            seed=args.seed,
            profile=args.profile,
            progress=lambda step: print(
                f"{time.perf_counter() - started:7.1f}s wall {time.process_time():7.1f}s cpu  {step}", file=sys.stderr
            ),
        )
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    report = {
        "rows": truth["rows"],
        "seconds": round(time.perf_counter() - started, 1),
        "cpu_seconds": round(time.process_time(), 1),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
