"""Two open-data builds asked for at the same moment through the API: one is built, the other refused (PostgreSQL)."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections, transaction
from django.test import Client

from prosumo.activity.models import Event
from prosumo.community.tokens import token_create
from prosumo.insights.models import OpenDataRelease


@pytest.mark.postgres_only
def test_two_requests_at_once_give_one_build(transactional_db, admin):
    if connection.vendor != "postgresql":
        pytest.skip(
            f"needs two connections at once; DATABASE_URL points at {connection.vendor} (make test-postgres runs it)"
        )
    # given an admin's token, and no release yet
    _, token = token_create(actor=admin, name="open data", scopes=["staff"])
    headers = {"Authorization": f"Bearer {token}"}

    def ask(licence: str) -> tuple[int, str]:
        try:
            response = Client().post(
                "/api/insights/open-data", {"licence": licence}, content_type="application/json", headers=headers
            )
            return response.status_code, response.json().get("code", "")
        finally:
            connections.close_all()

    # when two requests arrive together: the table is held (reads allowed, writes wait) until
    # both have checked that no build is under way, then both go on to write at the same moment
    with ThreadPoolExecutor(max_workers=2) as pool:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {OpenDataRelease._meta.db_table} IN EXCLUSIVE MODE")
            futures = [pool.submit(ask, licence) for licence in ("CC BY 4.0", "CC0 1.0")]
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and _waiting_on_the_lock() < 2:
                time.sleep(0.05)
            waiting = _waiting_on_the_lock()
        outcomes = sorted(f.result(timeout=120) for f in futures)
    # then both had reached the write, one build was made and the other request was told one is under way
    assert waiting == 2
    assert outcomes == [(202, ""), (409, "open_data_building")]
    assert OpenDataRelease.objects.count() == 1
    assert Event.objects.filter(verb="open_data.requested").count() == 1


def _waiting_on_the_lock() -> int:
    """Other sessions of this database waiting for a lock."""
    with connections["default"].cursor() as cursor:
        cursor.execute("select pg_stat_clear_snapshot()")  # inside a transaction the view is read once otherwise
        cursor.execute(
            "select count(*) from pg_stat_activity where datname = current_database() "
            "and wait_event_type = 'Lock' and pid <> pg_backend_pid()"
        )
        return int(cursor.fetchone()[0])
