"""The scheduler's leader: one process among the nodes enqueues periodic tasks (prosumo.core.scheduler)."""

from __future__ import annotations

import pytest
from django.db import connection

from prosumo.core.scheduler import Leadership


@pytest.mark.django_db(transaction=True)
def test_one_process_leads_and_another_takes_over_when_it_stops():
    if connection.vendor != "postgresql":
        # on SQLite, one machine: every worker checks, and the ScheduledRun row lock keeps it to once
        assert Leadership("test.leader").held()
        return
    first, second = Leadership("test.leader"), Leadership("test.leader")
    try:
        assert first.held()
        assert not second.held()
        assert first.held()  # holding it stays true, with no second lock taken
        assert Leadership("test.another").held()  # another name, another lock
        first.release()
        assert second.held()
        assert not first.held()
    finally:
        first.release()
        second.release()


@pytest.mark.django_db(transaction=True)
def test_a_leader_whose_session_ends_loses_the_lead_to_the_next_one():
    if connection.vendor != "postgresql":
        pytest.skip("advisory locks are PostgreSQL's")
    leader, standby = Leadership("test.session"), Leadership("test.session")
    try:
        assert leader.held()
        assert leader._connection is not None
        pid = leader._connection.connection.info.backend_pid
        with connection.cursor() as cursor:  # the database ends the leader's session (a lost node, a restart)
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        assert standby.held()
        assert not leader.held()  # it notices, reconnects, and finds the lock taken
    finally:
        leader.release()
        standby.release()
