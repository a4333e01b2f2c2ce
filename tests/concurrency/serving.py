"""Starting and asking the `prosumo serve` processes of the multi-node tests (tests/concurrency)."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_listening(port: int, process: subprocess.Popen[bytes], logs: list[Path], within: float = 240) -> None:
    deadline = time.monotonic() + within
    while True:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        assert process.poll() is None, "\n".join(p.read_text()[-3000:] for p in logs if p.exists())
        assert time.monotonic() < deadline, f"nothing listened on port {port} within {within} s"
        time.sleep(0.1)


@dataclass
class Answer:
    status: int
    body: bytes
    cookies: str


def request(port: int, method: str, path: str, *, body: object = None, headers: dict[str, str] | None = None) -> Answer:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        sent = dict(headers or {})
        if body is not None:
            sent["Content-Type"] = "application/json"
        connection.request(method, path, body=None if body is None else json.dumps(body), headers=sent)
        response = connection.getresponse()
        return Answer(response.status, response.read(), ", ".join(response.headers.get_all("Set-Cookie") or []))
    finally:
        connection.close()


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:  # it did not stop its children in time: stop them all
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def bearer_of(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def sql(url: str, statement: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    with psycopg.connect(url, autocommit=True) as connection:
        cursor = connection.execute(statement, params)  # type: ignore[arg-type]
        return cursor.fetchall() if cursor.description else []
