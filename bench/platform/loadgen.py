"""A small closed-loop HTTP load generator: N clients, each on its own keep-alive connection.

    python -m bench.platform.loadgen SPEC.json RESULT.json

Each client sends a request, waits for the whole response, records the latency
and sends the next, until the duration is over (after an unrecorded warm-up).
With no think time this measures the server at saturation: by Little's law the
mean latency is clients / throughput. Written on asyncio streams with a minimal
HTTP/1.1 parser, so that one process on one core keeps 50 connections busy and
leaves the rest of the machine to the server.

The spec is JSON: ``{"host", "port", "clients", "duration", "warmup", "kind"}`` and,
for ``kind == "list"``, ``"paths"`` (a list of request paths, used round-robin from a
seeded shuffle); for ``kind == "votes"``, ``"votes"`` (a list of [token, idea_id,
value], each sent at most once). The result has the latencies' percentiles,
throughput, status counts and, for votes, the accepted votes.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length, close = 0, False
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value)
        elif name == "connection" and value.strip().lower() == "close":
            close = True
    if length:
        await reader.readexactly(length)
    return status, close


async def _run(spec: dict[str, Any]) -> dict[str, Any]:
    host, port = spec["host"], int(spec["port"])
    kind = spec["kind"]
    started = time.perf_counter()
    record_from = started + float(spec.get("warmup", 0))
    stop_at = record_from + float(spec["duration"])
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    accepted: list[list[Any]] = []
    rejected: list[list[Any]] = []
    if kind == "list":
        paths = spec["paths"]
        cursor = iter(range(10**12))

        def next_request() -> tuple[bytes, Any]:
            path = paths[next(cursor) % len(paths)]
            return f"GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept: application/json\r\n\r\n".encode(), None
    else:
        votes = iter(spec["votes"])

        def next_request() -> tuple[bytes, Any]:
            token, idea_id, value = next(votes)
            body = json.dumps({"value": value}).encode()
            head = (
                f"PUT /api/ideas/{idea_id}/vote HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
            )
            return head.encode() + body, [idea_id, value]

    async def client() -> None:
        reader, writer = await asyncio.open_connection(host, port)
        try:
            while True:
                now = time.perf_counter()
                if now >= stop_at:
                    return
                try:
                    request, item = next_request()
                except StopIteration:
                    return
                t0 = time.perf_counter()
                writer.write(request)
                status, close = await _read_response(reader)
                t1 = time.perf_counter()
                if t0 >= record_from:
                    latencies.append((t1 - t0) * 1000)
                    statuses[status] += 1
                if item is not None:  # every vote counts, warm-up or not: the final tallies must match them all
                    (accepted if status == 200 else rejected).append([*item, status])
                if close:
                    writer.close()
                    reader, writer = await asyncio.open_connection(host, port)
        finally:
            writer.close()

    await asyncio.gather(*(client() for _ in range(int(spec["clients"]))))
    ended = min(time.perf_counter(), stop_at)
    window = max(ended - record_from, 1e-9)
    lat = np.array(latencies) if latencies else np.array([float("nan")])
    return {
        "kind": kind,
        "clients": spec["clients"],
        "seconds": round(window, 3),
        "requests": len(latencies),
        "throughput": round(len(latencies) / window, 1),
        "p50_ms": round(float(np.percentile(lat, 50)), 2),
        "p95_ms": round(float(np.percentile(lat, 95)), 2),
        "p99_ms": round(float(np.percentile(lat, 99)), 2),
        "max_ms": round(float(lat.max()), 2),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "accepted": accepted,
        "rejected": rejected,
    }


def main(argv: list[str]) -> None:
    spec = json.loads(Path(argv[0]).read_text())
    result = asyncio.run(_run(spec))
    Path(argv[1]).write_text(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
