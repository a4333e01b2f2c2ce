"""/healthz and /readyz: JSON, 200 or 503, answered before host checks and HTTPS redirects."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from prosumo.core.models import WorkerHeartbeat
from prosumo.core.workers import worker_beat

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "webhooks", "bulk"]}}


@pytest.fixture
def database_queue(settings: Any) -> None:
    settings.TASKS = DATABASE_QUEUE
    settings.PROSUMO_WORKER_STALE_SECONDS = 60
    settings.PROSUMO_READY_TASK_AGE_SECONDS = 300
    settings.PROSUMO_READY_BULK_TASK_AGE_SECONDS = 3600


def queued(queue: str, enqueued_at: Any, run_after: Any = None) -> DBTaskResult:
    task = DBTaskResult.objects.create(
        task_path="prosumo.ideas.tasks.reindex_all",
        args_kwargs={"args": [], "kwargs": {}},
        queue_name=queue,
        backend_name="default",
        run_after=run_after or get_date_max(),
    )
    DBTaskResult.objects.filter(pk=task.pk).update(enqueued_at=enqueued_at)  # auto_now_add
    return task


def test_healthz_answers_without_the_database_from_any_host_over_plain_http(settings):
    # given the production redirect to HTTPS, and a load balancer calling by IP address
    settings.SECURE_SSL_REDIRECT = True
    # when (this test has no database access: any query would fail it)
    response = Client().get("/healthz", HTTP_HOST="10.1.2.3")
    # then
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"


def test_health_endpoints_answer_only_get_and_head(settings):
    assert Client().head("/healthz").status_code == 200
    response = Client().post("/healthz")
    assert (response.status_code, response["Allow"]) == (405, "GET, HEAD")


@pytest.mark.django_db
def test_readyz_without_a_task_queue_checks_the_database_only(settings):
    settings.SECURE_SSL_REDIRECT = True
    response = Client().get("/readyz", HTTP_HOST="10.1.2.3")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {
            "database": {"ok": True},
            "queues": {"ok": True, "detail": "tasks run in the web process (PROSUMO_TASKS=immediate)"},
        },
    }


@pytest.mark.django_db
def test_readyz_is_unavailable_while_no_worker_beats(database_queue):
    response = Client().get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["queues"] == {
        "ok": False,
        **{
            queue: {"ok": False, "last_heartbeat_seconds": None, "oldest_ready_task_seconds": None}
            for queue in ("default", "webhooks", "bulk")
        },
    }


@pytest.mark.django_db
def test_readyz_is_ready_with_fresh_heartbeats_and_a_short_queue(database_queue, time_machine):
    # given a worker per queue, one beating 60 s ago (the limit), and a task waiting 300 s (the limit)
    now = timezone.now()
    time_machine.move_to(now, tick=False)
    worker_beat(worker_id="a", queues=["default"], started_at=now, now=now - timedelta(seconds=5))
    worker_beat(worker_id="b", queues=["webhooks"], started_at=now, now=now - timedelta(seconds=60))
    worker_beat(worker_id="c", queues=["bulk"], started_at=now, now=now)
    queued("default", now - timedelta(seconds=300))
    queued("bulk", now - timedelta(seconds=3000))
    # when
    response = Client().get("/readyz")
    # then
    assert response.status_code == 200
    assert response.json()["checks"]["queues"] == {
        "ok": True,
        "default": {"ok": True, "last_heartbeat_seconds": 5.0, "oldest_ready_task_seconds": 300.0},
        "webhooks": {"ok": True, "last_heartbeat_seconds": 60.0, "oldest_ready_task_seconds": None},
        "bulk": {"ok": True, "last_heartbeat_seconds": 0.0, "oldest_ready_task_seconds": 3000.0},
    }


@pytest.mark.django_db
def test_readyz_fails_on_a_stale_heartbeat_or_a_task_waiting_too_long(database_queue, time_machine):
    # given one worker for all queues that beat 61 s ago, a default task waiting 301 s, a bulk one 3601 s
    now = timezone.now()
    time_machine.move_to(now, tick=False)
    worker_beat(worker_id="all", queues=["*"], started_at=now, now=now - timedelta(seconds=61))
    queued("default", now - timedelta(seconds=301))
    queued("bulk", now - timedelta(seconds=3601))
    # a task enqueued long ago to run later waits from its run_after; one not due yet does not wait
    queued("webhooks", now - timedelta(days=2), run_after=now - timedelta(seconds=10))
    queued("webhooks", now - timedelta(days=2), run_after=now + timedelta(seconds=10))
    # when
    response = Client().get("/readyz")
    # then
    assert response.status_code == 503
    assert response.json()["checks"]["queues"] == {
        "ok": False,
        "default": {"ok": False, "last_heartbeat_seconds": 61.0, "oldest_ready_task_seconds": 301.0},
        "webhooks": {"ok": False, "last_heartbeat_seconds": 61.0, "oldest_ready_task_seconds": 10.0},
        "bulk": {"ok": False, "last_heartbeat_seconds": 61.0, "oldest_ready_task_seconds": 3601.0},
    }
    # when the worker beats again, only the backlog of default and bulk remains
    worker_beat(worker_id="all", queues=["*"], started_at=now, now=now)
    queues = Client().get("/readyz").json()["checks"]["queues"]
    assert [queues[q]["ok"] for q in ("default", "webhooks", "bulk")] == [False, True, False]
    assert WorkerHeartbeat.objects.count() == 1
