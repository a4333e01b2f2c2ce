"""Background work for members' own data, on the "bulk" queue."""

from __future__ import annotations

from django_tasks import TaskContext, task


@task(queue_name="bulk", takes_context=True)
def build_member_export(context: TaskContext, export_id: int) -> str:
    """Build a requested copy once; again only when the worker that had it died (the task was put back)."""
    from prosumo.privacy.services import member_export_build

    export = member_export_build(export_id=export_id, retry=len(context.task_result.worker_ids) > 1)
    return export.state if export is not None else "skipped"


@task(queue_name="bulk")
def expire_member_exports() -> int:
    """Delete the copies past their expiry (daily, from the schedule)."""
    from prosumo.privacy.services import member_exports_expire

    return member_exports_expire()
