"""Statements written once (prosumo.core.statements) read and write exactly what the ORM would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection

from prosumo.activity.models import Event
from prosumo.core import statements
from prosumo.ideas.models import Campaign, Idea, Vote

pytestmark = pytest.mark.django_db


def test_insert_writes_every_field_as_the_orm_reads_it() -> None:
    # given an event with a timestamp, a float, text and nested JSON
    when = datetime(2026, 3, 1, 12, 30, 15, 123456, tzinfo=UTC)
    details = {"previous": 3, "names": ["ä", "b"], "nested": {"ok": True, "none": None}}
    event = Event(
        occurred_at=when,
        actor_id=7,
        verb="idea.rated",
        object_type="idea",
        object_id=11,
        target_member_id=9,
        campaign_id=2,
        channel="newsletter",
        value=4.5,
        details=details,
    )
    # when it is inserted by the statement
    statements.insert(event)
    # then it has its key and the ORM reads back every value
    assert event.pk is not None
    assert not event._state.adding
    stored = Event.objects.get(pk=event.pk)
    assert (stored.occurred_at, stored.actor_id, stored.verb, stored.value, stored.details) == (
        when,
        7,
        "idea.rated",
        4.5,
        details,
    )
    assert (stored.object_type, stored.object_id, stored.target_member_id, stored.campaign_id, stored.channel) == (
        "idea",
        11,
        9,
        2,
        "newsletter",
    )


def test_insert_applies_auto_now_and_update_moves_only_named_fields(idea: Any, member: Any) -> None:
    # given a vote inserted without timestamps
    vote = statements.insert(Vote(idea=idea, member=member, value=1))
    created = Vote.objects.get(pk=vote.pk)
    assert created.created_at is not None
    assert timedelta(0) <= created.updated_at - created.created_at < timedelta(seconds=1)
    # when its value changes through the statement
    vote.value = -1
    vote.idea_id = idea.pk + 1000  # not named: must not be written
    assert statements.update(vote, ["value", "updated_at"]) == 1
    # then the value and the auto_now time changed, nothing else
    stored = Vote.objects.get(pk=vote.pk)
    assert stored.value == -1
    assert stored.idea_id == idea.pk
    assert stored.updated_at >= created.updated_at
    assert stored.created_at == created.created_at
    # and delete removes the row
    assert statements.delete(vote) == 1
    assert not Vote.objects.filter(pk=vote.pk).exists()


def test_part_reads_the_values_the_orm_would(idea: Any) -> None:
    # given an idea with a gate deadline (a month after it was submitted) and a campaign with JSON rules
    deadline = idea.created_at.replace(microsecond=0) + timedelta(days=30, seconds=5)
    Idea.objects.filter(pk=idea.pk).update(gate_deadline=deadline, rank_hot=12.5)
    Campaign.objects.filter(pk=idea.campaign_id).update(support_gates=[{"supporters": 10, "days": 30}])
    idea_names = ("id", "stage", "gate_deadline", "hidden", "rank_hot", "created_at", "author_id")
    idea_part = statements.Part(Idea, "i", idea_names)
    campaign_part = statements.Part(Campaign, "c", ("id", "support_gates", "is_published"))
    qn = connection.ops.quote_name
    # when a hand-written SELECT reads them
    found = statements.fetch(
        f"SELECT {idea_part.columns()}, {campaign_part.columns()} FROM {statements.quoted_table(Idea)} i"
        f" JOIN {statements.quoted_table(Campaign)} c ON c.{qn('id')} = i.{qn('campaign_id')} WHERE i.{qn('id')} = %s",
        [idea.pk],
        idea_part,
        campaign_part,
    )
    # then the values, in the order asked, are those of the ORM, typed as the ORM types them
    assert found == [
        [
            list(Idea.objects.values_list(*idea_names).get(pk=idea.pk)),
            [idea.campaign_id, [{"supporters": 10, "days": 30}], True],
        ]
    ]
    assert found[0][0][2] == deadline


def test_a_missing_left_join_side_reads_none() -> None:
    part = statements.Part(Vote, "v", ("id", "value"))
    assert part.values([None, None]) is None


def test_a_part_starts_with_the_primary_key_and_holds_only_columns() -> None:
    with pytest.raises(ValueError, match="primary key"):
        statements.Part(Vote, "v", ("value", "id"))
    with pytest.raises(ValueError, match="not a column"):
        statements.Part(Idea, "i", ("id", "tags"))


def test_a_model_instance_is_built_only_from_every_column(idea: Any) -> None:
    part = statements.Part(Idea, "i", ("id", "title"))
    with pytest.raises(ValueError, match="all its columns"):
        part.instance([idea.pk, idea.title])


def test_update_row_writes_only_the_named_fields(idea: Any) -> None:
    before = Idea.objects.get(pk=idea.pk)
    assert statements.update_row(Idea, idea.pk, {"support_count": 7, "rank_top": 2.5}) == 1
    after = Idea.objects.get(pk=idea.pk)
    assert (after.support_count, after.rank_top) == (7, 2.5)
    assert (after.title, after.updated_at, after.up_count) == (before.title, before.updated_at, before.up_count)
    assert statements.update_row(Idea, -1, {"support_count": 9}) == 0


def test_a_compiled_queryset_runs_again_with_other_values(idea: Any, make_idea: Any, member: Any) -> None:
    # given the ORM's query for one idea's title by id, compiled once with a marker for the id
    second = make_idea(member, title="A second idea with its own title")
    compiled = statements.Compiled(
        Idea.objects.filter(pk=-5_550_123, hidden=False).values_list("title"), {"id": -5_550_123}
    )
    # when it runs with each idea's id
    found = []
    for pk in (idea.pk, second.pk):
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, compiled.params(id=pk))
            found.append(cursor.fetchone()[0])
    # then each run answers for its own idea, and the other bound value (hidden=False) is kept
    assert found == [idea.title, "A second idea with its own title"]


def test_a_marker_must_appear_exactly_once() -> None:
    with pytest.raises(ValueError, match="stage"):
        statements.Compiled(Idea.objects.filter(pk=-1), {"id": -1, "stage": "\x1fnowhere"})


def test_built_instances_behave_like_the_orms(idea: Any, member: Any) -> None:
    # given a vote built from a row of every column, its idea and member not attached
    vote = Vote.objects.create(idea=idea, member=member, value=1)
    names = tuple(f.attname for f in Vote._meta.concrete_fields)
    part = statements.Part(Vote, "v", names)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {part.columns()} FROM {statements.quoted_table(Vote)} v WHERE v.id = %s", [vote.pk])
        values = part.values(cursor.fetchone())
    assert values is not None
    built = part.instance(values)
    assert isinstance(built, Vote)
    # then it is a saved instance of this database, equal to the ORM's, whose foreign keys load
    assert built == Vote.objects.get(pk=vote.pk)
    assert not built._state.adding
    assert built._state.db == "default"
    assert built.get_deferred_fields() == set()
    assert (built.value, built.created_at) == (1, vote.created_at)
    assert built.idea == idea
    assert built.member == member
    # and saving only named fields works
    built.value = 2
    built.save(update_fields=["value"])
    assert Vote.objects.get(pk=vote.pk).value == 2
