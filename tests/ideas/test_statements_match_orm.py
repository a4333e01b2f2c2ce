"""The statements written once (prosumo.core.statements) read what the ORM reads, for random data.

Two reads go through them: a page of a campaign's list (`idea_list` with a campaign,
any order, maybe one stage) and a vote's read of the idea with its campaign's rules
under the row lock. Each example writes random rows (ties in every ranking key
included), reads them both ways, and is rolled back.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prosumo.community.models import Member
from prosumo.ideas.models import Campaign, Idea, Stage, Visibility, VotingMode
from prosumo.ideas.selectors import ORDERS, ListedIdeas, idea_list
from prosumo.ideas.services.votes import LOCKED_IDEA_COLUMNS, VOTE_RULES_COLUMNS, LockedIdea, VoteRules, _lock_idea

pytestmark = pytest.mark.django_db(transaction=False)

EXAMPLES = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
BASE = datetime(2026, 1, 1, tzinfo=UTC)
# A few values drawn often, so that ideas tie on a ranking key and the id decides.
moments = st.sampled_from([BASE, BASE + timedelta(hours=1)]) | st.builds(
    lambda s: BASE + timedelta(microseconds=s), st.integers(0, 10**12)
)
ranks = st.sampled_from([0.0, 1.5, -2.25]) | st.floats(-1e9, 1e9, allow_nan=False, allow_subnormal=False)
counts = st.integers(0, 10_000)
texts = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40)

authors = st.fixed_dictionaries(
    {"display_name": texts.map(lambda t: t[:60]), "erased_at": st.none() | moments},
)
ideas = st.fixed_dictionaries(
    {
        "author": st.integers(0, 2),
        "title": texts,
        "body": texts,
        "stage": st.sampled_from(Stage.values),
        "hidden": st.booleans(),
        "approved": st.booleans(),
        "created_at": moments,
        "support_count": counts,
        "up_count": counts,
        "down_count": counts,
        "score_sum": counts,
        "score_count": counts,
        "comment_count": counts,
        "revision": st.integers(1, 9),
        "answered_at": st.none() | moments,
        "rank_top": ranks,
        "rank_hot": ranks,
        "rank_trending": ranks,
        "gate_index": st.integers(0, 3),
        "gate_deadline": st.none() | moments,
    }
)
campaigns = st.fixed_dictionaries(
    {
        "voting_mode": st.sampled_from(VotingMode.values),
        "is_published": st.booleans(),
        "visibility": st.sampled_from([Visibility.PUBLIC, Visibility.INVITATION]),
        "support_threshold": st.integers(0, 500),
        "support_gates": st.lists(
            st.fixed_dictionaries({"supporters": st.integers(1, 1000), "days": st.integers(1, 365)}), max_size=3
        ),
    }
)


def _write(
    campaign_fields: dict[str, Any], author_fields: list[dict[str, Any]], idea_rows: list[dict[str, Any]]
) -> Any:
    """The campaign, its authors and its ideas, with a second campaign's idea beside them."""
    campaign = Campaign.objects.create(
        slug="drawn", title="Drawn", brief="Drawn at random.", starts_at=BASE, **campaign_fields
    )
    other = Campaign.objects.create(slug="beside", title="Beside", brief="Another campaign.", starts_at=BASE)
    members = [Member.objects.create(email=f"drawn{i}@example.org", **fields) for i, fields in enumerate(author_fields)]
    for row in [*idea_rows, {"campaign": other}]:
        fields = dict(row)
        fields["author"] = members[fields.get("author", 0)]
        created_at = fields.pop("created_at", BASE)
        idea = Idea.objects.create(**{"campaign": campaign, **fields})
        Idea.objects.filter(pk=idea.pk).update(created_at=created_at)  # created_at is auto_now_add
    return campaign


@given(
    campaign_fields=campaigns,
    author_fields=st.lists(authors, min_size=3, max_size=3),
    idea_rows=st.lists(ideas, max_size=12),
    order=st.sampled_from(list(ORDERS)),
    stage=st.none() | st.sampled_from(Stage.values),
    per_page=st.integers(1, 5),
    page=st.integers(1, 4),
    hide_declined=st.booleans(),
)
@EXAMPLES
def test_a_list_page_by_statement_equals_the_orms(
    campaign_fields: dict[str, Any],
    author_fields: list[dict[str, Any]],
    idea_rows: list[dict[str, Any]],
    order: str,
    stage: str | None,
    per_page: int,
    page: int,
    hide_declined: bool,
) -> None:
    with transaction.atomic():
        campaign = _write(campaign_fields, author_fields, idea_rows)
        # when the campaign's page is read by the statement, and by the ORM alone
        got = idea_list(
            campaign=campaign, order=order, stage=stage, page=page, per_page=per_page, hide_declined=hide_declined
        )
        listed = got.paginator.object_list
        assert isinstance(listed, ListedIdeas)
        assert listed.statement == (order, stage, hide_declined and not stage)
        start = (got.number - 1) * per_page
        by_orm = ListedIdeas(lambda: listed.qs, None, campaign, None)[start : start + per_page]
        # then both give the same typed rows: the same ideas, in the same order, with the same values
        assert list(got.object_list) == by_orm
        expected = Idea.objects.listed().filter(campaign=campaign).order_by(*ORDERS[order])
        if stage:
            expected = expected.filter(stage=stage)
        elif hide_declined:
            expected = expected.exclude(stage=Stage.DECLINED)
        assert [row.id for row in by_orm] == list(expected.values_list("id", flat=True)[start : start + per_page])
        for row in by_orm:
            idea = Idea.objects.select_related("author").get(pk=row.id)
            assert (row.title, row.body, row.created_at, row.revision, row.answered_at, row.mean_score) == (
                idea.title,
                idea.body,
                idea.created_at,
                idea.revision,
                idea.answered_at,
                idea.mean_score,
            )
            assert (row.author.pk, row.author.name) == (idea.author.pk, idea.author.name)
        transaction.set_rollback(True)


@given(campaign_fields=campaigns, author_fields=st.lists(authors, min_size=3, max_size=3), idea_row=ideas)
@EXAMPLES
def test_a_votes_read_of_the_idea_equals_the_orms(
    campaign_fields: dict[str, Any], author_fields: list[dict[str, Any]], idea_row: dict[str, Any]
) -> None:
    with transaction.atomic():
        campaign = _write(campaign_fields, author_fields, [idea_row])
        idea = Idea.objects.select_related("campaign").get(campaign=campaign)
        # when the vote path locks and reads it
        got = _lock_idea(idea.pk)
        # then it holds the ORM's values of every column it reads, typed as the ORM types them
        assert got == LockedIdea(
            **{name: getattr(idea, name) for name in LOCKED_IDEA_COLUMNS},
            campaign=VoteRules(**{name: getattr(idea.campaign, name) for name in VOTE_RULES_COLUMNS}),
        )
        assert got is not None
        assert type(got.created_at) is datetime
        assert got.created_at.utcoffset() == timedelta(0)
        assert _lock_idea(-1) is None
        transaction.set_rollback(True)
