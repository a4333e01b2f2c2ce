"""The main pages cost a fixed number of queries, however many ideas, comments and votes they show.

Each count is taken twice, with two ideas and with five (each with comments, votes and
a co-author), and must be the same number: a query per row would show as a difference.
"""

from __future__ import annotations

import pytest
from django.test import Client

from prosumo.ideas.services import (
    coauthor_invite,
    coauthor_respond,
    comment_post,
    content_hide,
    flag_create,
    vote_cast,
)


@pytest.fixture(params=[2, 5], ids=["two ideas", "five ideas"])
def busy(request, campaign, make_idea, make_member, member):
    """`params` ideas in the campaign by `member`, each with two comments, two votes and an accepted co-author."""
    ideas = []
    for n in range(request.param):
        idea = make_idea(member, title=f"A tent that pitches itself, model {n}")
        for _ in range(2):
            fan = make_member()
            vote_cast(actor=fan, idea_id=idea.pk)
            comment_post(actor=fan, idea_id=idea.pk, body="Kids would love it, and so would we.")
        helper = make_member()
        offer = coauthor_invite(actor=member, idea_id=idea.pk, member_id=helper.pk, share=10)
        coauthor_respond(actor=helper, coauthor_id=offer.pk, accept=True)
        ideas.append(idea)
    return ideas


def signed_in(client: Client, path: str) -> Client:
    """A member's client that has already opened a page today (so that the day's first visit is not counted)."""
    assert client.get(path).status_code == 200
    return client


@pytest.mark.parametrize(
    ("page", "visitor", "member_queries"),
    [
        ("home", 8, 11),  # 2 of them the tags and pictures of the listed ideas
        ("campaign", 5, 8),  # 2 of them the tags and pictures of the listed ideas
        # 1 of them the current contribution terms, for the comment forms; 1 the tags; 1 the amendments
        ("idea", 10, 22),
        ("profile", 11, 14),  # 4 of them the level and badges (rewards.selectors.member_rewards)
    ],
)
def test_a_page_costs_the_same_number_of_queries_for_any_number_of_rows(
    page, visitor, member_queries, busy, member, login, django_assert_num_queries
):
    idea = busy[-1]
    path = {
        "home": "/",
        "campaign": f"/c/{idea.campaign.slug}/",
        "idea": f"/ideas/{idea.pk}/",
        "profile": f"/members/{member.pk}/",
    }[page]
    # once before counting, so that what a process reads once (and caches) is not counted
    assert Client().get(path).status_code == 200
    with django_assert_num_queries(visitor):
        assert Client().get(path).status_code == 200
    client = signed_in(login(member), path)
    with django_assert_num_queries(member_queries):
        assert client.get(path).status_code == 200


def test_the_answer_queue_costs_the_same_number_of_queries_for_any_number_of_ideas(
    busy, admin, login, django_assert_num_queries
):
    client = signed_in(login(admin), "/staff/queue/")
    with django_assert_num_queries(5):  # 1 of them the opinion marks (ideas that unite or divide the groups)
        response = client.get("/staff/queue/")
    assert len(response.context["ideas"]) == len(busy)


def _opinion_groups_of(ideas):
    """Two stored opinion groups with a verdict and votes on each idea (as the Insights run stores them)."""
    from django.utils import timezone

    from prosumo.insights.models import IdeaGroupVotes, IdeaOpinion, OpinionGrouping

    grouping = OpinionGrouping.objects.create(computed_at=timezone.now(), k=2, groups_shown=2, members_placed=10)
    for n, idea in enumerate(ideas):
        opinion = IdeaOpinion.objects.create(
            grouping=grouping, idea=idea, unites=n % 2 == 0, divides=n % 2 == 1, consensus=n / 10
        )
        for group in (0, 1):
            IdeaGroupVotes.objects.create(
                opinion=opinion, group=group, name=f"Group {group}", members=5, agree=3, disagree=1, passed=1
            )


@pytest.mark.parametrize(
    ("page", "queries"),
    [
        ("campaign", 9),  # 1 of them the opinion marks, 2 the tags and pictures of the listed ideas
        ("idea", 28),  # 2 of them the groups' votes on the idea; 1 the tags, 1 the amendments
        # 2 of them whether groups are stored (asked by the page and by the list); the ids of
        # the page and its rows are read apart, through the ORM rather than the page statement
        ("consensus", 12),  # and 2 the tags and pictures of the listed ideas
        ("queue", 5),
    ],
)
def test_staff_pages_with_opinion_groups_cost_a_fixed_number_of_queries(
    page, queries, busy, admin, login, django_assert_num_queries
):
    idea = busy[-1]
    _opinion_groups_of(busy)
    path = {
        "campaign": f"/c/{idea.campaign.slug}/",
        "idea": f"/ideas/{idea.pk}/",
        "consensus": f"/c/{idea.campaign.slug}/?order=consensus",
        "queue": "/staff/queue/",
    }[page]
    client = signed_in(login(admin), path)
    with django_assert_num_queries(queries):
        response = client.get(path)
    if page == "consensus":
        assert [i.pk for i in response.context["page"].object_list] == [i.pk for i in reversed(busy)]


def test_the_moderation_page_costs_the_same_number_of_queries_for_any_number_of_reports(
    busy, moderator, make_member, login, django_assert_num_queries
):
    # given a report on each idea, and a comment of each hidden by the moderator
    done = []
    for idea in busy:
        reporter = make_member()
        flag_create(actor=reporter, kind="idea", object_id=idea.pk, reason="Spam link")
        comment = content_hide(actor=moderator, kind="comment", object_id=idea.comments.first().pk, reason="Spam")
        done += [("idea", idea.pk, reporter.pk), ("comment", comment.pk, moderator.pk)]
    client = signed_in(login(moderator), "/staff/moderation/")
    # when
    with django_assert_num_queries(8):  # 2 of them the ideas and comments the audit log names, for their links
        response = client.get("/staff/moderation/")
    # then every report is listed, and each report and hiding with the member who made it, newest first
    assert [f.idea_id for f in response.context["flags"]] == [i.pk for i in busy]
    audit = [(line.event.object_type, line.event.object_id, line.actor.pk) for line in response.context["audit"]]
    assert audit == done[::-1]
