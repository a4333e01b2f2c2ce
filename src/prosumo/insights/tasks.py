"""Running the analytics engine over the platform's own data."""

from __future__ import annotations

import tempfile
import traceback
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django_tasks import TaskContext, task

from prosumo.insights.models import InsightRun

MAX_TABLE_ROWS = 5_000


def run_now(run: InsightRun) -> InsightRun:
    """Export, filter, analyse and store; a failure is stored with its error, never raised."""
    from prosumo.analytics.dataset import load_dataset, write_dataset
    from prosumo.analytics.report import build_report, to_json
    from prosumo.insights.export import commerce_left_out, export_tables
    from prosumo.insights.filters import subset
    from prosumo.insights.opinions import opinion_groups_store

    InsightRun.objects.filter(pk=run.pk).update(status=InsightRun.Status.RUNNING, started_at=timezone.now())
    run.refresh_from_db()
    try:
        tables = subset(export_tables(), run.filters)
        with tempfile.TemporaryDirectory(prefix="prosumo-insights-") as folder:
            path = write_dataset(
                tables,
                Path(folder) / "dataset",
                {"name": "Prosumo", "source": "platform", "filters": run.filters, "commerce": commerce_left_out()},
            )
            dataset = load_dataset(path)
            report = build_report(dataset, workers=2)  # two sections at a time (bench/RESULTS.md)
            result = to_json(report, max_rows=MAX_TABLE_ROWS)
            if not run.filters:  # a run over everything: its opinion groups go on the ideas' pages
                opinion_groups_store(ds=dataset, run=run)
        run.result = result
        run.extent = result.get("extent", {})
        run.status = InsightRun.Status.DONE
    except Exception as exc:  # stored for staff to see; the task itself succeeds
        run.status = InsightRun.Status.FAILED
        run.error = "".join(traceback.format_exception_only(type(exc), exc)).strip()[:2000]
    run.finished_at = timezone.now()
    with transaction.atomic():
        run.save(update_fields=["result", "extent", "status", "error", "finished_at"])
    return run


@task(queue_name="bulk", takes_context=True)
def compute_insights(context: TaskContext, run_id: int) -> str:
    """Compute a requested run once.

    A run left RUNNING because its worker died is computed again when this task is run
    again (the worker that notices the dead one puts the task back in the queue: its
    ``worker_ids`` then name more than one worker); a plain second enqueue skips it.
    """
    statuses = [InsightRun.Status.PENDING]
    if len(context.task_result.worker_ids) > 1:
        statuses.append(InsightRun.Status.RUNNING)
    run = InsightRun.objects.filter(pk=run_id, status__in=statuses).first()
    if run is None:
        return "skipped"
    return run_now(run).status


@task(queue_name="bulk")
def nightly_insights() -> int:
    from prosumo.insights.services import insights_request

    return insights_request(actor=None).pk


@task(queue_name="bulk", takes_context=True)
def build_open_data(context: TaskContext, release_id: int) -> str:
    """Build a requested open-data release once; again only when the worker that had it died (the task was put back)."""
    from prosumo.insights.services import open_data_build

    release = open_data_build(release_id=release_id, retry=len(context.task_result.worker_ids) > 1)
    return release.state if release is not None else "skipped"
