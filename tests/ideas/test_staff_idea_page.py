"""The staff's part of an idea page: forms with ids of their own, the merge search, the scorecard, the timeline."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from prosumo.activity.models import Event
from prosumo.ideas.models import Idea, Review, Stage
from prosumo.ideas.services import stage_change


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_no_two_fields_of_the_staff_idea_page_share_an_id(login, reviewer, idea) -> None:
    # when a reviewer opens an idea, with the stage, scorecard, merge and report forms on it
    page = login(reviewer).get(f"/ideas/{idea.pk}/").content.decode()
    # then every id is used once (the stage and the merge forms both had id="id_message")
    ids = Counter(re.findall(r'\sid="([^"]+)"', page))
    assert {i: n for i, n in ids.items() if n > 1} == {}
    assert 'id="stage-message"' in page
    assert 'id="merge-message"' in page
    assert '<label for="merge-message">' in page


@pytest.fixture
def lanterns(make_idea, member, campaign):
    """The idea to merge, and three others of its campaign."""
    source = make_idea(member, title="A lantern for the tent roof")
    return {
        "source": source,
        "hook": make_idea(member, title="A hook for a lantern"),
        "solar": make_idea(member, title="A solar lantern"),
        "mat": make_idea(member, title="A thicker sleeping mat"),
    }


def test_the_merge_form_offers_the_ideas_of_the_campaign_to_search_by_title(login, reviewer, lanterns) -> None:
    page = login(reviewer).get(f"/ideas/{lanterns['source'].pk}/").content.decode()
    assert 'list="merge-targets"' in page
    offered = re.findall(r'<option value="#(\d+) ([^"]+)"></option>', page.split('<datalist id="merge-targets">')[1])
    assert sorted(offered) == sorted((str(lanterns[k].pk), lanterns[k].title) for k in ("hook", "solar", "mat"))


@pytest.mark.parametrize(
    ("typed", "into"),
    [
        ("sleeping mat", "mat"),
        ("a solar LANTERN", "solar"),
        ("#{hook} A hook for a lantern", "hook"),
        ("{hook}", "hook"),
    ],
)
def test_staff_merge_into_an_idea_found_by_its_title_or_its_number(login, reviewer, lanterns, typed, into) -> None:
    # given the title (or number) typed in the merge form's search
    source, target = lanterns["source"], lanterns[into]
    typed = typed.format(hook=lanterns["hook"].pk)
    # when the reviewer merges
    response = login(reviewer).post(
        f"/ideas/{source.pk}/merge/", {"target": typed, "message": "The same lantern, told twice."}, follow=True
    )
    # then the idea is merged into the one named
    source.refresh_from_db()
    assert (source.stage, source.merged_into_id) == (Stage.MERGED, target.pk)
    assert response.redirect_chain[-1][0] == f"/ideas/{target.pk}/"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("kayak", "No idea of this campaign that can take a merge has “kayak” in its title."),
        (
            "lantern",
            "Several ideas have “lantern” in their title (#{hook} A hook for a lantern, #{solar} A solar lantern): "
            "give more of the title, or its number.",
        ),
        ("", "Choose the idea to merge into, and write a message."),
    ],
)
def test_a_merge_target_that_names_no_idea_or_several_changes_nothing(
    login, reviewer, lanterns, typed, message
) -> None:
    source = lanterns["source"]
    events = Event.objects.exclude(verb__in=["idea.viewed", "member.visited"]).count()  # reading pages records visits
    response = login(reviewer).post(
        f"/ideas/{source.pk}/merge/", {"target": typed, "message": "The same lantern, told twice."}, follow=True
    )
    assert _messages(response) == [message.format(hook=lanterns["hook"].pk, solar=lanterns["solar"].pk)]
    source.refresh_from_db()
    assert (source.stage, source.merged_into_id) == (Stage.OPEN, None)
    assert Event.objects.exclude(verb__in=["idea.viewed", "member.visited"]).count() == events
    assert Idea.objects.filter(stage=Stage.MERGED).count() == 0


def test_an_untouched_scorecard_records_nothing_and_says_which_scores_are_missing(login, reviewer, idea) -> None:
    client = login(reviewer)
    # given the scorecard as the page shows it: no score chosen
    page = client.get(f"/ideas/{idea.pk}/").content.decode()
    chosen = re.findall(r'<select name="(\w+)"[^>]*id="review-\w+">\s*<option value="(\d*)"', page)
    assert chosen == [("desirability", ""), ("feasibility", ""), ("viability", "")]
    # when it is saved untouched but for one score
    response = client.post(
        f"/ideas/{idea.pk}/review/", {"desirability": "", "feasibility": "4", "viability": "", "note": ""}, follow=True
    )
    # then nothing is recorded, and the message names the missing scores
    assert _messages(response) == ["Nothing was saved. Give a score from 1 to 5 to: Desirability, Viability."]
    assert Review.objects.count() == 0
    # and a full scorecard is saved
    client.post(f"/ideas/{idea.pk}/review/", {"desirability": "2", "feasibility": "4", "viability": "5"})
    assert list(Review.objects.values_list("scores", flat=True)) == [
        {"desirability": 2, "feasibility": 4, "viability": 5}
    ]


def test_the_timeline_shows_the_campaigns_own_name_for_a_stage(login, reviewer, member, make_campaign, make_idea):
    # given a campaign that calls "under review" its own way
    campaign = make_campaign(title="Stoves", stage_labels={"under_review": "With the stove team"})
    idea = make_idea(member, in_campaign=campaign)
    stage_change(actor=reviewer, idea_id=idea.pk, to_stage="under_review", message="Our stove team is looking at it.")
    # when anyone reads the idea
    page = login(member).get(f"/ideas/{idea.pk}/").content.decode()
    # then the badge and the timeline both use the campaign's name
    timeline = page.split('<ol class="timeline" id="timeline">')[1].split("</ol>")[0]
    assert re.findall(r"<li><strong>([^<]+)</strong>", timeline) == ["Submitted", "With the stove team"]
    assert '<span class="badge under_review" id="stage-badge">With the stove team</span>' in page
