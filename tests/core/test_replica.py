"""Which database a read goes to when a replica is set (prosumo.core.replica; end to end in tests/concurrency/test_nodes.py)."""

from __future__ import annotations

import pytest
from django.core.exceptions import MiddlewareNotUsed
from django.db import transaction
from django.http import HttpResponse
from django.test import RequestFactory

from prosumo.core.replica import PrimaryAfterWrite, ReplicaRouter, from_replica, reads_from_replica
from prosumo.ideas.models import Idea


@pytest.mark.django_db(transaction=True)  # the test's own transaction would keep every read on the primary
def test_only_reads_of_a_marked_page_outside_a_transaction_go_to_the_replica():
    router = ReplicaRouter()
    assert router.db_for_read(Idea) == "default"
    with from_replica():
        assert router.db_for_read(Idea) == "replica"
        assert router.db_for_write(Idea) == "default"
        with transaction.atomic():
            assert router.db_for_read(Idea) == "default"  # a transaction reads what it writes
    assert router.db_for_read(Idea) == "default"
    assert router.allow_migrate("default", "ideas")
    assert not router.allow_migrate("replica", "ideas")


def test_without_a_replica_every_read_stays_on_the_one_database():
    # the suite runs without DATABASE_REPLICA_URL: nothing reads elsewhere, and no cookie is set
    assert not reads_from_replica(RequestFactory().get("/campaigns/"))
    with pytest.raises(MiddlewareNotUsed):
        PrimaryAfterWrite(lambda request: HttpResponse())
