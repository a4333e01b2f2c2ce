"""The idea list's fast path (selectors.ListedIdeas), which the platform benchmark relies on.

Pages are fetched as ids first and then rows; counts are exact for short lists and
cached for a few seconds for long ones. LARGE_LIST is lowered here so that a handful
of ideas make a "long" list.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache

from prosumo.ideas import selectors
from prosumo.ideas.models import Idea


@pytest.fixture
def clean_cache():
    cache.clear()
    yield
    cache.clear()


def titles(page) -> list[str]:
    return [idea.title for idea in page.object_list]


def test_pages_hold_the_same_ideas_in_the_same_order_as_the_plain_query(campaign, make_idea, member, clean_cache):
    # given five ideas with distinct top keys
    for n in range(5):
        idea = make_idea(member, title=f"A tent idea number {n} for families")
        Idea.objects.filter(pk=idea.pk).update(rank_top=float(n % 3))
    expected = list(Idea.objects.filter(campaign=campaign).order_by("-rank_top", "-id").values_list("title", flat=True))
    # when
    first = selectors.idea_list(campaign=campaign, order="top", page=1, per_page=2)
    second = selectors.idea_list(campaign=campaign, order="top", page=2, per_page=2)
    third = selectors.idea_list(campaign=campaign, order="top", page=3, per_page=2)
    # then
    assert titles(first) + titles(second) + titles(third) == expected
    assert (first.paginator.count, first.paginator.num_pages) == (5, 3)
    assert first.object_list[0].author.pk == member.pk


def test_a_short_list_is_counted_exactly_every_time(campaign, make_idea, member, clean_cache):
    make_idea(member, title="A tent that pitches itself in one minute")
    assert selectors.idea_list(campaign=campaign).paginator.count == 1
    make_idea(member, title="A stove that folds into the size of a mug")
    assert selectors.idea_list(campaign=campaign).paginator.count == 2


def test_a_long_lists_count_is_reused_until_it_expires(campaign, make_idea, member, monkeypatch, clean_cache):
    # given a list at the LARGE_LIST size (lowered to 2 for the test), counted once
    monkeypatch.setattr(selectors, "LARGE_LIST", 2)
    make_idea(member, title="A tent that pitches itself in one minute")
    make_idea(member, title="A stove that folds into the size of a mug")
    assert selectors.idea_list(campaign=campaign).paginator.count == 2
    # when a third idea arrives
    make_idea(member, title="A lamp that charges from the campfire heat")
    # then the cached count stands, the new idea still shows on the page, and a search is counted afresh
    page = selectors.idea_list(campaign=campaign, order="new")
    assert page.paginator.count == 2
    assert titles(page)[0] == "A lamp that charges from the campfire heat"
    cache.clear()
    assert selectors.idea_list(campaign=campaign).paginator.count == 3


def test_counts_are_kept_apart_per_campaign_and_stage(make_campaign, make_idea, member, monkeypatch, clean_cache):
    monkeypatch.setattr(selectors, "LARGE_LIST", 1)
    one, other = make_campaign(), make_campaign()
    make_idea(member, in_campaign=one, title="A tent that pitches itself in one minute")
    make_idea(member, in_campaign=other, title="A stove that folds into the size of a mug")
    make_idea(member, in_campaign=other, title="A lamp that charges from the campfire heat")
    assert selectors.idea_list(campaign=one).paginator.count == 1
    assert selectors.idea_list(campaign=other).paginator.count == 2
    assert selectors.idea_list(campaign=other, stage="declined").paginator.count == 0
