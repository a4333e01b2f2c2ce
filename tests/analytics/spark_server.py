"""One Spark Connect server for the whole test run, shared by the xdist workers.

The server is the one PySpark ships (``pyspark/sbin/start-connect-server.sh``, the
``spark-connect`` jar), started in local mode on two cores on a free port. The first
worker that asks starts it; the others read its address from a file in the run's shared
folder; the last worker that used it stops it (its whole process group).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock

START_SECONDS = 180


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _start(folder: Path) -> dict[str, int]:
    import pyspark

    home = Path(pyspark.__file__).parent
    port = _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SPARK_", "PYSPARK_"))},
        "SPARK_HOME": str(home),
        "SPARK_LOG_DIR": str(folder / "logs"),
        "SPARK_PID_DIR": str(folder),
        "SPARK_LOCAL_IP": "127.0.0.1",
    }
    log = (folder / "server.log").open("wb")
    process = subprocess.Popen(
        [
            str(home / "sbin" / "start-connect-server.sh"),
            "--wait",
            "--master",
            "local[2]",
            "--conf",
            f"spark.connect.grpc.binding.port={port}",
            "--conf",
            "spark.connect.grpc.binding.address=127.0.0.1",
            "--conf",
            "spark.ui.enabled=false",
            "--conf",
            "spark.sql.session.timeZone=UTC",
            "--conf",
            "spark.sql.shuffle.partitions=2",
            "--conf",
            "spark.driver.memory=1g",
            "--conf",
            f"spark.sql.warehouse.dir={folder / 'warehouse'}",
        ],
        env=env,
        cwd=folder,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + START_SECONDS
    while not _listening(port):
        if process.poll() is not None or time.monotonic() > deadline:
            _stop(process.pid)
            tail = (folder / "server.log").read_text(errors="replace")[-3000:]
            raise RuntimeError(f"the Spark Connect server did not start on port {port}:\n{tail}")
        time.sleep(0.5)
    return {"port": port, "pid": process.pid, "users": 0}


def _stop(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    for _ in range(40):
        try:
            os.killpg(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.25)
    os.killpg(pid, signal.SIGKILL)


@contextmanager
def spark_connect_server(shared: Path) -> Iterator[str]:
    """The ``sc://`` address of the run's Spark Connect server, started if need be."""
    folder = shared / "spark-connect"
    folder.mkdir(exist_ok=True)
    state_file = folder / "server.json"
    with FileLock(f"{folder}.lock"):
        state = json.loads(state_file.read_text()) if state_file.exists() else _start(folder)
        state["users"] += 1
        state_file.write_text(json.dumps(state))
    try:
        yield f"sc://127.0.0.1:{state['port']}"
    finally:
        with FileLock(f"{folder}.lock"):
            state = json.loads(state_file.read_text())
            state["users"] -= 1
            if state["users"] == 0:
                _stop(state["pid"])
                state_file.unlink()
            else:
                state_file.write_text(json.dumps(state))
