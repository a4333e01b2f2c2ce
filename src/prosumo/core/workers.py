"""Task workers that keep going: heartbeats, tasks of dead workers put back, a scheduler that survives.

`prosumo worker --queue NAME` runs :func:`run_worker`: django-tasks-db's worker loop for
that queue, plus two threads:

* the heartbeat: every ``PROSUMO_WORKER_HEARTBEAT_SECONDS`` the worker writes that it is
  alive (a ``WorkerHeartbeat`` row), then puts back in the queue the tasks that a worker
  which stopped beating left RUNNING (:func:`tasks_requeue_stale`): a task is run at
  least once, and each task is written to be run again safely;
* the schedule (on the "default" queue's worker): every ``PROSUMO_SCHEDULE_CHECK_SECONDS``
  it enqueues the periodic tasks that are due (prosumo.core.scheduler).

Neither the loop nor a thread stops on a database error: it is logged, and the next
round tries again. Supervision (restarting a worker process that died) is in
prosumo.core.supervisor.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import signal
import socket
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, close_old_connections, transaction
from django.utils import timezone
from django_tasks_db.compat import TASKS_LOGGER, TaskResultStatus
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from prosumo.core.models import WorkerHeartbeat

logger = logging.getLogger("prosumo.worker")

# A task whose worker died this many times in a row is failed rather than run again:
# it is most likely what kills its worker (memory, a crash in native code).
MAX_LOST_RUNS = 5
HEARTBEATS_KEPT = timedelta(days=1)
LONGEST_PAUSE_SECONDS = 30.0


class WorkerLost(Exception):
    """Recorded as the error of a task whose worker died under it too many times."""


def new_worker_id() -> str:
    """A worker id unique across machines and restarts (at most 64 characters)."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(4)}"


def stale_after() -> timedelta:
    return timedelta(seconds=settings.PROSUMO_WORKER_STALE_SECONDS)


def worker_beat(*, worker_id: str, queues: list[str], started_at: datetime, now: datetime | None = None) -> None:
    """Record that the worker is alive now."""
    now = now or timezone.now()
    with transaction.atomic():
        updated = WorkerHeartbeat.objects.filter(worker_id=worker_id).update(beat_at=now)
        if not updated:
            WorkerHeartbeat.objects.create(
                worker_id=worker_id,
                queues=queues,
                hostname=socket.gethostname()[:255],
                pid=os.getpid(),
                started_at=started_at,
                beat_at=now,
            )


def worker_forget(*, worker_id: str) -> None:
    """A worker that stops cleanly says so: it left no task running."""
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


def tasks_requeue_stale(*, queues: list[str], now: datetime | None = None) -> list[str]:
    """Put back to READY the RUNNING tasks on ``queues`` whose worker stopped beating; returns their ids.

    A task's worker is the last id in its ``worker_ids``. It counts as dead when it has
    not beaten for ``PROSUMO_WORKER_STALE_SECONDS`` (or never did) and the task started
    at least that long ago. The update is conditional on the task's status and start
    time, so two workers reaping at once put a task back once. A task that lost its
    worker ``MAX_LOST_RUNS`` times is failed with ``WorkerLost`` instead.
    """
    now = now or timezone.now()
    cutoff = now - stale_after()
    live = set(WorkerHeartbeat.objects.filter(beat_at__gte=cutoff).values_list("worker_id", flat=True))
    running = DBTaskResult.objects.running().filter(started_at__lt=cutoff)
    if "*" not in queues:
        running = running.filter(queue_name__in=queues)
    requeued = []
    for task in running.only("id", "worker_ids", "started_at", "task_path", "queue_name"):
        owner = task.worker_ids[-1] if task.worker_ids else ""
        if owner in live:
            continue
        claimed = DBTaskResult.objects.filter(pk=task.pk, status=TaskResultStatus.RUNNING, started_at=task.started_at)
        if len(task.worker_ids) >= MAX_LOST_RUNS:
            failed = claimed.update(
                status=TaskResultStatus.FAILED,
                finished_at=now,
                exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
                traceback=f"WorkerLost: the worker running this task died {len(task.worker_ids)} times in a row\n",
            )
            if failed:
                logger.error("Task %s (%s) lost its worker %d times: failed", task.pk, task.task_path, MAX_LOST_RUNS)
            continue
        if claimed.update(status=TaskResultStatus.READY):
            logger.warning(
                "Task %s (%s, queue %s) was left running by worker %s, which stopped beating: back in the queue",
                task.pk,
                task.task_path,
                task.queue_name,
                owner or "(none)",
            )
            requeued.append(str(task.pk))
    WorkerHeartbeat.objects.filter(beat_at__lt=now - HEARTBEATS_KEPT).delete()
    return requeued


class Worker(db_worker.Worker):
    """django-tasks-db's worker loop, which a database error does not end.

    If a task ran but its outcome could not be written, the worker takes a new id: the
    old one stops beating, and the task (still RUNNING under it) is put back in the
    queue and run again, as if this worker had died.
    """

    before_task: Callable[[], object] | None = None

    def run_task(self, db_task_result: DBTaskResult[..., object]) -> None:
        if self.before_task is not None:
            self.before_task()
        try:
            super().run_task(db_task_result)
        except DatabaseError:
            lost = self.worker_id
            self.worker_id = new_worker_id()
            logger.exception(
                "Task %s ran but its outcome could not be recorded; worker %s is now %s, and the task will run again",
                db_task_result.pk,
                lost,
                self.worker_id,
            )

    def run_until_stopped(self) -> None:
        """Run the loop; after a database error, log it, pause (growing to 30 s) and go on."""
        pause = 1.0
        while True:
            try:
                self.run()
                return
            except DatabaseError as error:
                if not self.running:
                    return
                logger.warning("Worker %s: database error (%s); trying again in %.0f s", self.worker_id, error, pause)
                close_old_connections()
                time.sleep(pause)
                pause = min(pause * 2, LONGEST_PAUSE_SECONDS)


def repeat(name: str, every: float, stop: threading.Event, work: Callable[[], object]) -> threading.Thread:
    """A daemon thread that calls ``work`` every ``every`` seconds until ``stop``; an exception is logged, never fatal."""

    def loop() -> None:
        while not stop.is_set():
            try:
                work()
            except Exception:
                logger.exception("%s failed; it runs again in %g s", name, every)
            finally:
                close_old_connections()
            stop.wait(every)

    thread = threading.Thread(target=loop, name=f"prosumo-{name}", daemon=True)
    thread.start()
    return thread


def _show_task_log() -> None:
    """Print each task's start and end, as `manage.py db_worker` does at verbosity 1."""
    for name in (TASKS_LOGGER, "django_tasks_db"):
        task_logger = logging.getLogger(name)
        task_logger.setLevel(logging.INFO)
        if not task_logger.hasHandlers():
            task_logger.addHandler(logging.StreamHandler())


def run_worker(*, queues: list[str], interval: float, schedule: bool, batch: bool = False) -> None:
    """Serve ``queues`` until SIGTERM or SIGINT (or, with ``batch``, until they are empty)."""
    from prosumo.core.scheduler import SCHEDULER, Leadership, enqueue_due, schedule_check

    _show_task_log()
    worker_id = new_worker_id()
    started_at = timezone.now()
    worker = Worker(
        queue_names=queues,
        interval=interval,
        batch=batch,
        backend_name="default",
        startup_delay=not batch,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    )

    def beat() -> None:
        worker_beat(worker_id=worker.worker_id, queues=queues, started_at=started_at)
        tasks_requeue_stale(queues=queues)

    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    stop = threading.Event()
    stack = contextlib.ExitStack()
    try:
        if batch:
            # One pass over what is queued, all in this thread: it beats before each task.
            if schedule:
                enqueue_due()
            worker.before_task = beat
            worker.run()
            return
        worker.configure_signals()
        repeat("heartbeat", settings.PROSUMO_WORKER_HEARTBEAT_SECONDS, stop, beat)
        if schedule:
            leadership = Leadership(SCHEDULER)
            stack.callback(leadership.release)  # after the check's thread ended (the stack runs last in, first out)
            checks = repeat(
                "schedule check", settings.PROSUMO_SCHEDULE_CHECK_SECONDS, stop, lambda: schedule_check(leadership)
            )
            stack.callback(checks.join, 10)
        worker.run_until_stopped()
    finally:
        stop.set()
        stack.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        _forget(worker.worker_id)


def _forget(worker_id: str) -> None:
    try:
        worker_forget(worker_id=worker_id)
    except DatabaseError:
        logger.warning("Worker %s stopped but could not remove its heartbeat; it expires by itself", worker_id)
    finally:
        close_old_connections()
