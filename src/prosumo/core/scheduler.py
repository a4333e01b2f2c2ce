"""Periodic tasks, enqueued by `prosumo worker` when they are due.

Each app declares its periodic tasks in its AppConfig (``periodic``, a list of
``prosumo.core.periodic.Periodic``). The "default" queue's worker of every node checks the
schedule every minute, but on PostgreSQL only the leader enqueues: the worker that holds
the scheduler's advisory lock (`Leadership`), on a connection of its own. When the
leader's node stops or loses the database, PostgreSQL ends its session and frees the lock,
and the next worker to check takes over. Beneath that, a row lock on `ScheduledRun` makes
sure a periodic task is enqueued once per period however many workers check (on SQLite,
one machine, it alone does).
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone
from django.utils.module_loading import import_string

from prosumo.core.models import ScheduledRun


def schedule() -> list[tuple[str, timedelta, Callable[[], Any]]]:
    """Every installed app's periodic tasks: (name, period, enqueue)."""
    return [
        (job.name, job.every, import_string(job.task).enqueue)
        for config in apps.get_app_configs()
        for job in getattr(config, "periodic", ())
    ]


def enqueue_due() -> list[str]:
    """Enqueue every periodic task whose period has passed; returns their names."""
    now = timezone.now()
    enqueued = []
    for name, period, enqueue in schedule():
        with transaction.atomic():
            run, created = ScheduledRun.objects.select_for_update().get_or_create(
                name=name, defaults={"last_enqueued_at": now}
            )
            if created or now - run.last_enqueued_at >= period:
                run.last_enqueued_at = now
                run.save(update_fields=["last_enqueued_at"])
                transaction.on_commit(enqueue)
                enqueued.append(name)
    return enqueued


class Leadership:
    """Whether this process leads among all processes that ask for ``name``: a PostgreSQL session advisory lock.

    The lock is taken on a database connection of its own, kept open for as long as this
    process leads, so that Django closing its connections never hands leadership away.
    Elsewhere than on PostgreSQL every process leads (one machine; the row locks suffice).
    """

    def __init__(self, name: str, using: str = DEFAULT_DB_ALIAS) -> None:
        self.name = name
        self.using = using
        self.key = int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True)
        self._connection: BaseDatabaseWrapper | None = None
        self.leading = False

    def held(self) -> bool:
        """Take the lead if nobody holds it; true while this process holds it."""
        if connections[self.using].vendor != "postgresql":
            return True
        try:
            own = self._connection
            if own is not None and own.connection is not None and not own.is_usable():
                self.release()  # the session ended, and the lock with it: try again below
                own = None
            if own is None:
                own = self._connection = connections.create_connection(self.using)
                own.inc_thread_sharing()  # released by whichever thread stops the worker
            if not self.leading:
                with own.cursor() as cursor:
                    cursor.execute("SELECT pg_try_advisory_lock(%s)", [self.key])
                    self.leading = bool(cursor.fetchone()[0])
        except DatabaseError:
            self.release()
            return False
        return self.leading

    def release(self) -> None:
        """Give the lead up (closing the session frees the lock)."""
        own, self._connection, self.leading = self._connection, None, False
        if own is not None:
            with contextlib.suppress(DatabaseError):
                own.close()


SCHEDULER = "prosumo.scheduler"


def schedule_check(leadership: Leadership) -> list[str]:
    """Enqueue the due periodic tasks if this process leads the scheduler; returns their names."""
    return enqueue_due() if leadership.held() else []
