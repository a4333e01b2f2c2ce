"""Small shared model pieces."""

from __future__ import annotations

from django.db import models


class Timestamped(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class ScheduledRun(models.Model):
    """When a periodic task was last enqueued, so several workers enqueue it once."""

    name = models.CharField(max_length=80, unique=True)
    last_enqueued_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.name


class WorkerHeartbeat(models.Model):
    """A running task worker says it is alive: `prosumo worker` updates `beat_at` every few seconds.

    A task left RUNNING by a worker that stopped beating is put back in the queue
    (prosumo.core.workers.tasks_requeue_stale), and /readyz reports a queue with no
    live worker.
    """

    worker_id = models.CharField(max_length=64, unique=True)
    queues = models.JSONField(default=list)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.worker_id} ({', '.join(self.queues)})"
