"""Opinion groups where decisions are made: the idea page, the marks in lists, the consensus order.

A hand-built community of ten members in two camps of five votes on nine ideas of an
up/down campaign: two ideas everyone supports, three that camp A supports and camp B
opposes, three the other way round, and one that only camp A voted on.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from prosumo.analytics.dataset import load_dataset, write_dataset
from prosumo.ideas import selectors
from prosumo.ideas.models import Idea
from prosumo.ideas.services import vote_cast
from prosumo.insights.export import export_tables
from prosumo.insights.models import IdeaGroupVotes, IdeaOpinion, OpinionGrouping
from prosumo.insights.opinions import opinion_groups_store

UNITE = ["Longer tent pegs for sandy ground", "A repair kit in every tent bag"]
CAMP_A = ["Bright orange fabric for visibility", "A built-in floor heater", "A solar panel on the roof"]
CAMP_B = ["Muted green fabric to blend in", "No electronics in the tent at all", "A lighter tent without extras"]
ONE_SIDED = "A glow-in-the-dark guy line"


@pytest.fixture
def camps(make_campaign, make_idea, make_member, admin):
    """The campaign, its ideas by title, and the two camps' members (their votes cast)."""
    campaign = make_campaign(voting_mode="updown")
    ideas = {
        title: make_idea(admin, in_campaign=campaign, title=title, body=f"{title}, as the summer trips asked.")
        for title in [*UNITE, *CAMP_A, *CAMP_B, ONE_SIDED]
    }
    camp_a = [make_member() for _ in range(5)]
    camp_b = [make_member() for _ in range(5)]
    for voter in camp_a:
        for title in [*UNITE, *CAMP_A, ONE_SIDED]:
            vote_cast(actor=voter, idea_id=ideas[title].pk, value=1)
        for title in CAMP_B:
            vote_cast(actor=voter, idea_id=ideas[title].pk, value=-1)
    for voter in camp_b:
        for title in [*UNITE, *CAMP_B]:
            vote_cast(actor=voter, idea_id=ideas[title].pk, value=1)
        for title in CAMP_A:
            vote_cast(actor=voter, idea_id=ideas[title].pk, value=-1)
    return campaign, ideas


def store_groups() -> OpinionGrouping | None:
    """What the Insights run over everything stores: the groups of the platform's exported data."""
    with tempfile.TemporaryDirectory() as folder:
        path = write_dataset(export_tables(), Path(folder) / "dataset", {"name": "test", "source": "platform"})
        return opinion_groups_store(ds=load_dataset(path))


def group_rows(response) -> dict[str, tuple[int, int, int, int]]:
    """The idea page's groups: name -> (members, agree, disagree, pass)."""
    return {g.name: (g.members, g.agree, g.disagree, g.passed) for g in response.context["opinions"].groups}


def test_the_groups_are_stored_with_their_names_sizes_and_votes(camps):
    # given
    _campaign, ideas = camps
    # when
    grouping = store_groups()
    # then: two groups of five, each named by the first idea its camp alone supports
    assert (grouping.k, grouping.groups_shown, grouping.members_placed) == (2, 2, 10)
    names = set(IdeaGroupVotes.objects.values_list("name", "members").distinct())
    assert names == {(CAMP_A[0], 5), (CAMP_B[0], 5)}
    assert IdeaOpinion.objects.count() == 9
    assert IdeaGroupVotes.objects.count() == 18
    votes = {
        (row.opinion.idea_id, row.name): (row.agree, row.disagree, row.passed)
        for row in IdeaGroupVotes.objects.select_related("opinion")
    }
    assert votes[(ideas[UNITE[0]].pk, CAMP_A[0])] == (5, 0, 0)
    assert votes[(ideas[CAMP_A[1]].pk, CAMP_B[0])] == (0, 5, 0)
    assert votes[(ideas[ONE_SIDED].pk, CAMP_A[0])] == (5, 0, 0)
    assert votes[(ideas[ONE_SIDED].pk, CAMP_B[0])] == (0, 0, 0)


def test_a_new_computation_replaces_the_last(camps):
    # given
    first = store_groups()
    # when
    second = store_groups()
    # then
    assert list(OpinionGrouping.objects.values_list("pk", flat=True)) == [second.pk]
    assert first.pk != second.pk
    assert IdeaOpinion.objects.count() == 9
    assert IdeaGroupVotes.objects.count() == 18


def test_too_few_voters_keep_what_was_stored(idea, make_member):
    # given: three members, too few votes each to be placed
    for _ in range(3):
        vote_cast(actor=make_member(), idea_id=idea.pk)
    # when
    stored = store_groups()
    # then
    assert stored is None
    assert OpinionGrouping.objects.count() == 0


def test_staff_see_how_each_group_voted_on_an_idea(camps, admin, login):
    # given
    _campaign, ideas = camps
    store_groups()
    # when
    response = login(admin).get(f"/ideas/{ideas[CAMP_A[2]].pk}/")
    # then
    assert response.status_code == 200
    assert group_rows(response) == {CAMP_A[0]: (5, 5, 0, 0), CAMP_B[0]: (5, 0, 5, 0)}
    assert response.context["opinions"].divides is True
    assert response.context["opinions"].unites is False
    html = response.content.decode()
    assert html.count('class="opinion-group"') == 2
    assert 'id="opinion-divides"' in html
    assert 'value="100"' in html  # camp A's bar: all agree
    assert f"agrees most on “{CAMP_A[0]}”" in html


def test_staff_see_an_idea_that_unites_the_groups(camps, reviewer, login):
    # given
    _campaign, ideas = camps
    store_groups()
    # when
    response = login(reviewer).get(f"/ideas/{ideas[UNITE[1]].pk}/")
    # then
    assert group_rows(response) == {CAMP_A[0]: (5, 5, 0, 0), CAMP_B[0]: (5, 5, 0, 0)}
    assert (response.context["opinions"].unites, response.context["opinions"].divides) == (True, False)
    assert 'id="opinion-unites"' in response.content.decode()


def test_an_idea_one_group_never_voted_on_does_not_divide(camps, admin, login):
    # given: camp A agrees five times, camp B cast no vote
    _campaign, ideas = camps
    store_groups()
    # when
    response = login(admin).get(f"/ideas/{ideas[ONE_SIDED].pk}/")
    # then
    assert group_rows(response) == {CAMP_A[0]: (5, 5, 0, 0), CAMP_B[0]: (5, 0, 0, 0)}
    assert (response.context["opinions"].unites, response.context["opinions"].divides) == (False, False)
    html = response.content.decode()
    assert 'id="opinion-divides"' not in html
    assert 'id="opinion-unites"' not in html


@pytest.mark.parametrize("role", ["member", "visitor"])
def test_members_and_visitors_see_no_groups(camps, make_member, login, client, role):
    # given
    campaign, ideas = camps
    store_groups()
    reader = client if role == "visitor" else login(make_member())
    # when
    idea_page = reader.get(f"/ideas/{ideas[CAMP_A[0]].pk}/")
    list_page = reader.get(f"/c/{campaign.slug}/")
    # then
    assert idea_page.status_code == 200
    assert idea_page.context["opinions"] is None
    assert 'id="opinion-groups"' not in idea_page.content.decode()
    assert list_page.context["marks"] == selectors.OpinionMarks()
    assert "opinion-divides" not in list_page.content.decode()
    assert "opinion-unites" not in list_page.content.decode()


def test_staff_lists_mark_the_ideas_that_unite_and_divide(camps, admin, login):
    # given
    campaign, ideas = camps
    store_groups()
    client = login(admin)
    # when
    list_page = client.get(f"/c/{campaign.slug}/")
    queue = client.get("/staff/queue/")
    # then
    expected = selectors.OpinionMarks(
        uniting=frozenset(ideas[t].pk for t in UNITE),
        dividing=frozenset(ideas[t].pk for t in [*CAMP_A, *CAMP_B]),
    )
    assert list_page.context["marks"] == expected
    assert queue.context["marks"] == expected
    for page in (list_page, queue):
        html = page.content.decode()
        assert html.count('class="badge opinion-unites"') == 2
        assert html.count('class="badge opinion-divides"') == 6


def test_the_consensus_order_puts_what_every_group_supports_first(camps, make_member, login):
    # given
    campaign, ideas = camps
    store_groups()
    hot = ("-rank_hot", "-id")
    both_sides = [ideas[t].pk for t in [*CAMP_A, *CAMP_B]]
    expected = [
        *Idea.objects.filter(pk__in=[ideas[t].pk for t in UNITE]).order_by(*hot).values_list("title", flat=True),
        *Idea.objects.filter(pk__in=both_sides).order_by(*hot).values_list("title", flat=True),
        ONE_SIDED,  # camp B cast fewer than 3 votes on it: no consensus share, last
    ]
    # when
    response = login(make_member()).get(f"/c/{campaign.slug}/?order=consensus")
    # then
    assert response.status_code == 200
    assert response.context["order"] == "consensus"
    assert [i.title for i in response.context["page"].object_list] == expected
    assert list(response.context["messages"]) == []
    stored = dict(IdeaOpinion.objects.values_list("idea__title", "consensus"))
    assert stored == {**dict.fromkeys(UNITE, 1.0), **dict.fromkeys(CAMP_A + CAMP_B, 0.0), ONE_SIDED: None}


def test_the_consensus_order_falls_back_to_the_usual_one_with_a_message(camps, client):
    # given: no groups computed yet
    campaign, _ideas = camps
    usual = client.get(f"/c/{campaign.slug}/")
    # when
    response = client.get(f"/c/{campaign.slug}/?order=consensus")
    # then
    assert response.status_code == 200
    assert response.context["order"] == "hot"
    assert [i.pk for i in response.context["page"].object_list] == [i.pk for i in usual.context["page"].object_list]
    assert [str(m) for m in response.context["messages"]] == [
        "No opinion groups have been computed yet, so the ideas are in the usual order."
    ]


def test_the_api_lists_in_consensus_order_or_in_the_usual_one(camps, client):
    # given
    campaign, ideas = camps
    path = f"/api/campaigns/{campaign.pk}/ideas?per_page=100"
    before = [row["id"] for row in client.get(f"{path}&order=consensus").json()["items"]]
    usual = [row["id"] for row in client.get(path).json()["items"]]
    # when
    store_groups()
    after = [row["id"] for row in client.get(f"{path}&order=consensus&page=1").json()["items"]]
    # then
    assert before == usual
    assert set(after[:2]) == {ideas[t].pk for t in UNITE}
    assert after[-1] == ideas[ONE_SIDED].pk


def test_an_unknown_order_is_refused(camps, client):
    campaign, _ideas = camps
    response = client.get(f"/api/campaigns/{campaign.pk}/ideas?order=loudest")
    assert response.status_code == 400
    assert response.json()["message"] == "Order by one of new, top, hot, trending, consensus."
