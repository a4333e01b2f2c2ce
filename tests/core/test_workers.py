"""Tasks left RUNNING by a worker that stopped beating go back to the queue (prosumo.core.workers)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from prosumo.core.models import WorkerHeartbeat
from prosumo.core.workers import MAX_LOST_RUNS, tasks_requeue_stale, worker_beat, worker_forget

pytestmark = pytest.mark.django_db


@pytest.fixture
def now(settings: Any, time_machine: Any) -> Any:
    settings.PROSUMO_WORKER_STALE_SECONDS = 60
    moment = timezone.now()
    time_machine.move_to(moment, tick=False)
    return moment


def running(*, queue: str, worker_ids: list[str], started_at: Any) -> DBTaskResult:
    return DBTaskResult.objects.create(
        task_path="prosumo.ideas.tasks.reindex_all",
        args_kwargs={"args": [], "kwargs": {}},
        queue_name=queue,
        backend_name="default",
        run_after=get_date_max(),
        status="RUNNING",
        started_at=started_at,
        worker_ids=worker_ids,
    )


def statuses() -> dict[str, str]:
    return {str(pk): status for pk, status in DBTaskResult.objects.values_list("pk", "status")}


def test_only_tasks_of_silent_workers_go_back_to_the_queue(now):
    # given a live worker (beat 60 s ago, the limit) and a dead one (61 s ago)
    worker_beat(worker_id="live", queues=["bulk"], started_at=now, now=now - timedelta(seconds=60))
    worker_beat(worker_id="dead", queues=["bulk"], started_at=now, now=now - timedelta(seconds=61))
    long_ago = now - timedelta(minutes=10)
    kept = running(queue="bulk", worker_ids=["live"], started_at=long_ago)
    lost = running(queue="bulk", worker_ids=["live", "dead"], started_at=long_ago)
    never_beat = running(queue="bulk", worker_ids=["batch-worker"], started_at=long_ago)
    just_started = running(queue="bulk", worker_ids=["gone"], started_at=now - timedelta(seconds=59))
    other_queue = running(queue="webhooks", worker_ids=["dead"], started_at=long_ago)
    # when
    requeued = tasks_requeue_stale(queues=["bulk"])
    # then
    assert sorted(requeued) == sorted([str(lost.pk), str(never_beat.pk)])
    assert statuses() == {
        str(kept.pk): "RUNNING",
        str(lost.pk): "READY",
        str(never_beat.pk): "READY",
        str(just_started.pk): "RUNNING",
        str(other_queue.pk): "RUNNING",
    }
    assert set(DBTaskResult.objects.ready().values_list("pk", flat=True)) == {lost.pk, never_beat.pk}
    # and a second pass finds nothing more to do
    assert tasks_requeue_stale(queues=["bulk"]) == []
    assert tasks_requeue_stale(queues=["*"]) == [str(other_queue.pk)]


def test_a_task_that_lost_its_worker_too_often_is_failed(now):
    # given a task whose worker died under it MAX_LOST_RUNS times
    task = running(
        queue="default", worker_ids=[f"w{n}" for n in range(MAX_LOST_RUNS)], started_at=now - timedelta(minutes=5)
    )
    # when
    assert tasks_requeue_stale(queues=["default"]) == []
    # then
    task.refresh_from_db()
    assert (task.status, task.finished_at, task.exception_class_path) == (
        "FAILED",
        now,
        "prosumo.core.workers.WorkerLost",
    )
    assert task.traceback == f"WorkerLost: the worker running this task died {MAX_LOST_RUNS} times in a row\n"


def test_heartbeats_are_updated_in_place_and_forgotten_on_a_clean_stop(now):
    worker_beat(
        worker_id="w", queues=["default"], started_at=now - timedelta(seconds=5), now=now - timedelta(seconds=5)
    )
    worker_beat(worker_id="w", queues=["default"], started_at=now - timedelta(seconds=5), now=now)
    assert list(WorkerHeartbeat.objects.values_list("worker_id", "queues", "beat_at")) == [("w", ["default"], now)]
    worker_forget(worker_id="w")
    assert WorkerHeartbeat.objects.count() == 0


def test_heartbeats_older_than_a_day_are_removed(now):
    worker_beat(worker_id="old", queues=["default"], started_at=now, now=now - timedelta(days=1, seconds=1))
    worker_beat(worker_id="recent", queues=["default"], started_at=now, now=now - timedelta(hours=23))
    tasks_requeue_stale(queues=["default"])
    assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == ["recent"]
