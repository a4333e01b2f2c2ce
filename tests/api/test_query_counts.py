"""The main read endpoints cost a fixed number of queries, however many ideas they return.

Each count is taken with two ideas and with five, and must be the same number; a token's
first use of the day is made beforehand, so that its bookkeeping write is not counted.
"""

from __future__ import annotations

import pytest
from django.test import Client

from prosumo.ideas.services import comment_post, vote_cast


@pytest.fixture(params=[2, 5], ids=["two ideas", "five ideas"])
def ideas(request, campaign, make_campaign, make_idea, make_member):
    """`params` ideas that all match "tent umbrella", spread over two campaigns, each with a vote and a comment."""
    other = make_campaign()
    made = []
    for n in range(request.param):
        idea = make_idea(make_member(), in_campaign=other if n % 2 else campaign, title=f"Umbrella tent, model {n}")
        fan = make_member()
        vote_cast(actor=fan, idea_id=idea.pk)
        comment_post(actor=fan, idea_id=idea.pk, body="Kids would love it, and so would we.")
        made.append(idea)
    return made


@pytest.mark.parametrize(("endpoint", "visitor", "with_token"), [("list", 3, 4), ("detail", 1, 2), ("similar", 2, 3)])
def test_an_endpoint_costs_the_same_number_of_queries_for_any_number_of_ideas(
    endpoint, visitor, with_token, ideas, campaign, member, bearer, django_assert_num_queries
):
    path, query = {
        "list": (f"/api/campaigns/{campaign.slug}/ideas", {"order": "new"}),
        "detail": (f"/api/ideas/{ideas[-1].pk}", {}),
        "similar": ("/api/ideas/similar", {"text": "tent umbrella"}),
    }[endpoint]
    headers = bearer(member)
    assert Client().get(path, query, headers=headers).status_code == 200  # the token's first use today
    with django_assert_num_queries(visitor):
        response = Client().get(path, query)
    assert response.status_code == 200
    with django_assert_num_queries(with_token):
        assert Client().get(path, query, headers=headers).json() == response.json()


def test_similar_ideas_are_every_visible_match_in_one_query(ideas, campaign, django_assert_num_queries):
    # the search, then one query for the visible ideas among its hits
    with django_assert_num_queries(2):
        found = Client().get("/api/ideas/similar", {"text": "tent umbrella"}).json()
    assert sorted(i["id"] for i in found) == sorted(i.pk for i in ideas)
