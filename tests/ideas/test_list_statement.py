"""A campaign's list page read by one compiled statement equals the ORM's answer, in every order."""

from __future__ import annotations

from typing import Any

import pytest

from prosumo.ideas.models import DeclineReason, Idea
from prosumo.ideas.selectors import ORDERS, idea_list
from prosumo.ideas.services import content_hide, stage_change, vote_cast


@pytest.fixture
def crowded(make_campaign: Any, make_idea: Any, make_member: Any, reviewer: Any, moderator: Any) -> Any:
    # given a campaign with ideas of different support, one hidden, one declined, one under review,
    # and another campaign's ideas beside it
    campaign = make_campaign(voting_mode="updown")
    other = make_campaign()
    authors = [make_member() for _ in range(4)]
    ideas = [make_idea(authors[i % 4], in_campaign=campaign, title=f"Idea number {i:02d} for tents") for i in range(11)]
    make_idea(authors[0], in_campaign=other, title="An idea in another campaign")
    voters = [make_member() for _ in range(5)]
    for n, idea in enumerate(ideas):
        for voter in voters[: n % 5]:
            vote_cast(actor=voter, idea_id=idea.pk, value=1 if (n + voter.pk) % 3 else -1)
    content_hide(actor=moderator, kind="idea", object_id=ideas[3].pk, reason="Off topic")
    stage_change(actor=reviewer, idea_id=ideas[5].pk, to_stage="under_review", message="We are looking at it.")
    reason = DeclineReason.objects.get(label="Not feasible now")
    stage_change(
        actor=reviewer, idea_id=ideas[7].pk, to_stage="declined", message="We cannot make it.", reason_id=reason.pk
    )
    return campaign


@pytest.mark.parametrize("order", list(ORDERS))
@pytest.mark.parametrize(
    ("stage", "hide_declined"),
    [(None, False), (None, True), ("open", True), ("under_review", False), ("declined", True)],
)
def test_every_page_matches_the_orm(crowded: Any, order: str, stage: str | None, hide_declined: bool) -> None:
    expected_qs = Idea.objects.listed().filter(campaign=crowded).order_by(*ORDERS[order])
    if stage:
        expected_qs = expected_qs.filter(stage=stage)
    elif hide_declined:
        expected_qs = expected_qs.exclude(stage="declined")
    expected = list(expected_qs.select_related("author"))
    assert expected, "the fixture lists ideas"
    seen = []
    for number in range(1, 5):
        page = idea_list(
            campaign=crowded, order=order, stage=stage, page=number, per_page=3, hide_declined=hide_declined
        )
        if page.number != number:  # past the last page the paginator gives the last one
            break
        seen.extend(page.object_list)
    # then the pages hold exactly the ORM's ideas, in its order, with the same values
    assert [i.pk for i in seen] == [i.pk for i in expected]
    for got, want in zip(seen, expected, strict=True):
        assert (got.title, got.stage, got.support_count, got.up_count, got.down_count, got.created_at) == (
            want.title,
            want.stage,
            want.support_count,
            want.up_count,
            want.down_count,
            want.created_at,
        )
        assert (got.author.pk, got.author.name) == (want.author.pk, want.author.name)
        assert got.campaign == crowded


def test_lists_by_tag_and_search_still_go_through_the_orm(crowded: Any) -> None:
    page = idea_list(campaign=crowded, order="new", query="tents", per_page=50)
    assert {i.pk for i in page.object_list} == set(
        Idea.objects.listed().filter(campaign=crowded).values_list("pk", flat=True)
    )
