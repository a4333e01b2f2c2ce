"""Reactions to events run from the outbox after commit: none is skipped, none runs twice, one failure blocks nothing."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable

import pytest
from django.db import connection, transaction

from prosumo.activity import reactions
from prosumo.activity.models import DailyPresence, Event, EventOutbox, ReactionFailure
from prosumo.activity.reactions import react_to
from prosumo.activity.services import event_record
from prosumo.activity.tasks import reactions_sweep

VERB = "test.happened"  # a verb no app reacts to, so that only this test's reactions run


@pytest.fixture
def seen(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Register, for this test only, a reaction that notes each event it is given."""
    monkeypatch.setattr(reactions, "_reactions", list(reactions._reactions))
    noted: list[tuple[str, int]] = []

    def note(*, event: Event) -> None:
        noted.append(("note", event.pk))

    react_to(note, verbs=[VERB])
    return noted


def flaky(times: int, noted: list[tuple[str, int]]) -> Callable[..., None]:
    """A reaction that writes a row, then raises, the first ``times`` times it runs."""
    runs = itertools.count()

    def stumble(*, event: Event) -> None:
        DailyPresence.objects.create(member_id=event.pk, day=event.occurred_at.date(), verb=VERB)
        if next(runs) < times:
            raise RuntimeError("the receiving system is down")
        noted.append(("stumble", event.pk))

    return stumble


def test_a_reaction_runs_after_commit_once(db, seen, django_capture_on_commit_callbacks):
    # when an event is recorded in a transaction
    with django_capture_on_commit_callbacks(execute=False) as after_commit, transaction.atomic():
        event = event_record(verb=VERB, actor_id=None)
    # then nothing reacted before the commit, and the outbox holds the event
    assert (seen, list(EventOutbox.objects.values_list("event_id", flat=True))) == ([], [event.pk])
    # when the task enqueued on commit runs, then the sweep
    for callback in after_commit:
        callback()
    swept = reactions_sweep.enqueue().return_value
    # then the reaction saw it once, and the outbox is empty
    assert (seen, swept, EventOutbox.objects.count()) == ([("note", event.pk)], 0, 0)


def test_an_event_no_reaction_wants_leaves_no_outbox_row(db, seen):
    event_record(verb="test.unwanted", actor_id=None)
    assert (seen, EventOutbox.objects.count()) == ([], 0)


def test_a_crash_between_the_commit_and_the_task_loses_nothing(db, seen, django_capture_on_commit_callbacks):
    # given two events committed, whose tasks were lost (the process stopped before enqueuing them)
    with django_capture_on_commit_callbacks(execute=False):
        first = event_record(verb=VERB, actor_id=None)
        second = event_record(verb=VERB, actor_id=None)
    assert seen == []
    # when the periodic sweep runs, twice
    handled = [reactions_sweep.enqueue().return_value for _ in range(2)]
    # then each event was handled, once
    assert (handled, seen) == ([2, 0], [("note", first.pk), ("note", second.pk)])
    assert EventOutbox.objects.count() == 0


def test_a_reaction_that_raises_is_retried_on_the_next_pass_and_blocks_no_other(
    db, seen, django_capture_on_commit_callbacks
):
    # given a reaction that fails once, registered before the one that notes events
    reactions._reactions.insert(0, reactions.Registered(flaky(1, seen), "tests.stumble", frozenset([VERB])))
    # when an event is recorded
    with django_capture_on_commit_callbacks(execute=True):
        event = event_record(verb=VERB, actor_id=None)
    # then the other reaction ran, and the failing one's row was rolled back and its failure kept
    assert seen == [("note", event.pk)]
    assert DailyPresence.objects.count() == 0
    failure = ReactionFailure.objects.get()
    assert (failure.reaction, failure.event_id, failure.attempts) == ("tests.stumble", event.pk, 1)
    assert failure.last_error == "RuntimeError: the receiving system is down"
    assert EventOutbox.objects.count() == 0
    # when the sweep runs, twice
    reactions_sweep.enqueue()
    reactions_sweep.enqueue()
    # then the failing reaction ran again, once, and succeeded; the other did not run again
    assert seen == [("note", event.pk), ("stumble", event.pk)]
    assert (DailyPresence.objects.count(), ReactionFailure.objects.count()) == (1, 0)


def test_a_reaction_that_keeps_failing_counts_its_attempts(db, seen, django_capture_on_commit_callbacks):
    reactions._reactions.insert(0, reactions.Registered(flaky(3, seen), "tests.stumble", frozenset([VERB])))
    with django_capture_on_commit_callbacks(execute=True):
        event = event_record(verb=VERB, actor_id=None)
    reactions_sweep.enqueue()
    reactions_sweep.enqueue()
    failure = ReactionFailure.objects.get()
    assert (failure.event_id, failure.attempts, DailyPresence.objects.count()) == (event.pk, 3, 0)
    reactions_sweep.enqueue()
    assert (ReactionFailure.objects.count(), DailyPresence.objects.count()) == (0, 1)
    assert seen == [("note", event.pk), ("stumble", event.pk)]


def test_react_to_registers_a_reaction_once(seen):
    before = list(reactions._reactions)
    react_to(before[-1].reaction, verbs=[VERB])
    assert reactions._reactions == before


@pytest.mark.postgres_only
def test_events_committed_out_of_id_order_are_all_handled(transactional_db, seen):
    if connection.vendor != "postgresql":
        pytest.skip(f"needs concurrent writers; DATABASE_URL points at {connection.vendor}")
    # given a transaction that recorded an event and has not committed yet
    recorded, release = threading.Event(), threading.Event()
    ids: dict[str, int] = {}

    def in_thread(work: Callable[[], None]) -> threading.Thread:
        def run() -> None:
            try:
                work()
            finally:
                connection.close()

        thread = threading.Thread(target=run)
        thread.start()
        return thread

    def slow() -> None:
        with transaction.atomic():
            ids["first"] = event_record(verb=VERB, actor_id=None).pk
            recorded.set()
            assert release.wait(timeout=30)

    def quick() -> None:
        ids["second"] = event_record(verb=VERB, actor_id=None).pk

    slow_thread = in_thread(slow)
    assert recorded.wait(timeout=30)
    # when an event recorded after it, on another connection, commits first
    in_thread(quick).join(timeout=30)
    # then the reactions ran on the committed one only
    assert ids["first"] < ids["second"]
    assert seen == [("note", ids["second"])]
    # when the first transaction commits
    release.set()
    slow_thread.join(timeout=30)
    # then its event, lower in id, was handled too, and nothing waits
    assert seen == [("note", ids["second"]), ("note", ids["first"])]
    assert EventOutbox.objects.count() == 0
