"""``/healthz`` and ``/readyz``: what a load balancer and a monitor ask the site.

* ``/healthz``: this web process is up and answers. It touches nothing else (not the
  database), so a busy or locked database never gets a healthy process restarted.
* ``/readyz``: the site can do its work. The database answers a query, every task queue
  has a worker whose heartbeat is younger than ``PROSUMO_WORKER_STALE_SECONDS``, and no
  queue's oldest ready task has waited longer than ``PROSUMO_READY_TASK_AGE_SECONDS``
  (``PROSUMO_READY_BULK_TASK_AGE_SECONDS`` for "bulk"). With ``PROSUMO_TASKS=immediate``
  tasks run in the web process and the queue checks are skipped.

Both answer JSON with 200 when all is well and 503 otherwise. They are answered by a
middleware placed first, before host checks, HTTPS redirects, sessions and
authentication: a load balancer calls them by IP address over plain HTTP.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Case, F, Min, When
from django.db.models.functions import Greatest
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from prosumo.core.models import WorkerHeartbeat

logger = logging.getLogger("prosumo.health")

HEALTH_PATHS = ("/healthz", "/readyz")


def _uses_task_queue() -> bool:
    backend = str(settings.TASKS["default"]["BACKEND"])
    return backend.startswith("django_tasks_db.")


def _queue_limit(queue: str) -> float:
    if queue == "bulk":
        return float(settings.PROSUMO_READY_BULK_TASK_AGE_SECONDS)
    return float(settings.PROSUMO_READY_TASK_AGE_SECONDS)


def _age(now: datetime, then: datetime | None) -> float | None:
    return None if then is None else round((now - then).total_seconds(), 1)


def readiness(*, now: datetime | None = None) -> dict[str, Any]:
    """The checks of ``/readyz``: ``{"ready": bool, "checks": {...}}``."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        if not _uses_task_queue():
            queues = {"ok": True, "detail": "tasks run in the web process (PROSUMO_TASKS=immediate)"}
        else:
            queues = _queues(now or timezone.now())
    except DatabaseError as error:
        logger.warning("readyz: the database does not answer: %s", error)
        # the error goes to the log only: it may name internal hosts, and /readyz is public
        return {"ready": False, "checks": {"database": {"ok": False}}}
    return {"ready": queues["ok"], "checks": {"database": {"ok": True}, "queues": queues}}


def _queues(now: datetime) -> dict[str, Any]:
    """Per queue: the age of its newest worker heartbeat and of its oldest ready task."""
    stale = float(settings.PROSUMO_WORKER_STALE_SECONDS)
    beats = WorkerHeartbeat.objects.values_list("queues", "beat_at")
    last_beat: dict[str, datetime] = {}
    for queues, beat_at in beats:
        for queue in settings.TASK_QUEUES if "*" in queues else queues:
            if queue not in last_beat or beat_at > last_beat[queue]:
                last_beat[queue] = beat_at
    # A task waits from when it was enqueued, or from its run_after if it was enqueued for later.
    ready_since = Greatest(
        "enqueued_at", Case(When(run_after=get_date_max(), then=F("enqueued_at")), default=F("run_after"))
    )
    waiting = {
        row["queue_name"]: row
        for row in DBTaskResult.objects.ready().values("queue_name").annotate(oldest=Min(ready_since)).order_by()
    }
    queues_ok = True
    detail: dict[str, Any] = {}
    for queue in settings.TASK_QUEUES:
        beat_age = _age(now, last_beat.get(queue))
        row = waiting.get(queue)
        wait = _age(now, row["oldest"]) if row else None
        worker_ok = beat_age is not None and beat_age <= stale
        backlog_ok = wait is None or wait <= _queue_limit(queue)
        queues_ok = queues_ok and worker_ok and backlog_ok
        detail[queue] = {
            "ok": worker_ok and backlog_ok,
            "last_heartbeat_seconds": beat_age,
            "oldest_ready_task_seconds": wait,
        }
    return {"ok": queues_ok, **detail}


class HealthMiddleware:
    """Answers ``/healthz`` and ``/readyz`` before any other middleware runs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info.rstrip("/")
        if path not in HEALTH_PATHS:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            return JsonResponse({"status": "error", "message": "Use GET."}, status=405, headers={"Allow": "GET, HEAD"})
        if path == "/healthz":
            return _no_store(JsonResponse({"status": "ok"}))
        found = readiness()
        status = 200 if found["ready"] else 503
        return _no_store(
            JsonResponse(
                {"status": "ok" if found["ready"] else "unavailable", "checks": found["checks"]}, status=status
            )
        )


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response
