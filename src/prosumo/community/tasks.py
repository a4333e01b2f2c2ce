"""Background work for the community: customer imports, on the "bulk" queue."""

from __future__ import annotations

from django_tasks import task


@task(queue_name="bulk")
def run_customer_import(import_id: int) -> str:
    """Check and write one customer import; a second run of the same job does nothing (see imports.py)."""
    from prosumo.community.imports import customer_import_run

    return customer_import_run(import_id=import_id).state


@task()
def resume_customer_imports() -> list[int]:
    """Queue again the imports whose worker died half-way (every minute, from the schedule)."""
    from prosumo.community.imports import customer_imports_resume

    return customer_imports_resume()
