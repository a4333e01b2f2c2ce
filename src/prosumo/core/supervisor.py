"""Keep child processes running: what `prosumo serve` and `prosumo worker` do with their children.

A child that may be restarted (a task worker) is started again after it exits, after a
pause that doubles with each exit (1 s, 2 s, 4 s ... up to 30 s). When one exits more than
``max_restarts`` times within ``window`` seconds, the supervisor stops everything and
returns 1, so that the service manager above it (systemd, a container runtime) restarts
the whole, or someone looks. A child that may not be restarted (the web server, which
restarts its own failed workers) ending for any reason also stops everything with 1.
SIGTERM or SIGINT stops the children (SIGTERM, then SIGKILL after ``stop_timeout``
seconds) and returns 0.

Plain Python, no Django: the supervisor stays small so that it has little reason to fail.
"""

from __future__ import annotations

import ctypes
import logging
import signal
import subprocess
import sys
import time
from collections import deque
from dataclasses import dataclass, field
from types import FrameType

logger = logging.getLogger("prosumo.supervisor")

FIRST_PAUSE_SECONDS = 1.0
LONGEST_PAUSE_SECONDS = 30.0
PR_SET_PDEATHSIG = 1


@dataclass
class Child:
    name: str
    command: list[str]
    restart: bool = True
    process: subprocess.Popen[bytes] | None = None
    exits: deque[float] = field(default_factory=deque)
    start_at: float = 0.0


def _stop_with_parent() -> None:
    """In the child, before it runs: get SIGTERM if the supervisor dies (even by SIGKILL), so no child is orphaned."""
    if sys.platform == "linux":
        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def describe(returncode: int) -> str:
    if returncode < 0:
        return f"was killed by {signal.Signals(-returncode).name}"
    return f"exited with code {returncode}"


class Supervisor:
    def __init__(
        self,
        children: list[Child],
        *,
        max_restarts: int = 5,
        window: float = 300.0,
        stop_timeout: float = 20.0,
        poll: float = 0.2,
    ) -> None:
        self.children = children
        self.max_restarts = max_restarts
        self.window = window
        self.stop_timeout = stop_timeout
        self.poll = poll
        self.stopping: int | None = None

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.stopping = signum

    def start(self, child: Child) -> None:
        # Each child in a process group of its own: a Ctrl-C in the terminal reaches the
        # supervisor only, which stops the children in order.
        child.process = subprocess.Popen(  # noqa: S603 - our own commands
            child.command, process_group=0, preexec_fn=_stop_with_parent
        )
        logger.info("%s started (pid %d)", child.name, child.process.pid)

    def run(self) -> int:
        """Supervise until a signal (returns 0) or a child that cannot be kept up (returns 1)."""
        previous = {sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
        code = 0
        try:
            while self.stopping is None:
                failed = self._check(time.monotonic())
                if failed:
                    code = 1
                    break
                time.sleep(self.poll)
            else:
                logger.warning("Received %s: stopping", signal.Signals(self.stopping).name)
        finally:
            self.stop_all()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        return code

    def _check(self, now: float) -> bool:
        """Start the children that are due, note those that ended; True when the supervisor must give up."""
        for child in self.children:
            if child.process is None:
                if now >= child.start_at:
                    self.start(child)
                continue
            returncode = child.process.poll()
            if returncode is None:
                continue
            child.process = None
            if not child.restart:
                logger.error("%s %s: stopping everything", child.name, describe(returncode))
                return True
            child.exits.append(now)
            while child.exits and child.exits[0] < now - self.window:
                child.exits.popleft()
            if len(child.exits) > self.max_restarts:
                logger.error(
                    "%s %s (%d exits in %.0f s): giving up and stopping everything",
                    child.name,
                    describe(returncode),
                    len(child.exits),
                    self.window,
                )
                return True
            pause = min(FIRST_PAUSE_SECONDS * 2 ** (len(child.exits) - 1), LONGEST_PAUSE_SECONDS)
            child.start_at = now + pause
            logger.warning(
                "%s %s; restarting it in %.0f s (restart %d of at most %d in %.0f s)",
                child.name,
                describe(returncode),
                pause,
                len(child.exits),
                self.max_restarts,
                self.window,
            )
        return False

    def stop_all(self) -> None:
        """SIGTERM to every running child, then SIGKILL to those still running after ``stop_timeout``."""
        running = [child for child in self.children if child.process is not None and child.process.poll() is None]
        for child in running:
            assert child.process is not None
            child.process.terminate()
        deadline = time.monotonic() + self.stop_timeout
        for child in running:
            assert child.process is not None
            try:
                child.process.wait(timeout=max(deadline - time.monotonic(), 0))
            except subprocess.TimeoutExpired:
                logger.warning("%s did not stop within %.0f s: killing it", child.name, self.stop_timeout)
                child.process.kill()
                child.process.wait()
