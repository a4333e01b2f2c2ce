"""Pairwise campaigns: answering pairs (service, page and API), the pair chosen next, and the results."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from prosumo.activity.models import Event
from prosumo.core.errors import Conflict, InvalidInput, NotFound
from prosumo.ideas.models import Campaign, Idea, Stage
from prosumo.ideas.services import vote_cast
from prosumo.pairwise import services
from prosumo.pairwise.models import Choice
from prosumo.pairwise.offers import offer_sign
from prosumo.pairwise.selectors import next_pair, results
from tests.api.conftest import error
from tests.pairwise.choosing import choose as pairwise_choose


def _nothing_written() -> tuple[int, int]:
    return Choice.objects.count(), Event.objects.filter(verb__startswith="pairwise.").count()


@pytest.mark.django_db
def test_a_choice_is_recorded_with_its_event(pairwise, three, member):
    a, b, _ = three
    choice = pairwise_choose(actor=member, campaign_id=pairwise.slug, left_id=b.pk, right_id=a.pk, outcome="right")
    assert (choice.winner_id, choice.loser_id, choice.member_id) == (a.pk, b.pk, member.pk)
    event = Event.objects.get(verb="pairwise.chosen")
    assert (event.actor_id, event.object_type, event.object_id, event.campaign_id) == (
        member.pk,
        "idea",
        a.pk,
        pairwise.pk,
    )
    assert event.details == {"winner": a.pk, "loser": b.pk, "left": b.pk, "right": a.pk}


@pytest.mark.django_db
def test_cant_decide_is_recorded_as_neither_a_win_nor_a_loss(pairwise, three, member):
    a, b, _ = three
    choice = pairwise_choose(actor=member, campaign_id=pairwise.pk, left_id=a.pk, right_id=b.pk, outcome="cant_decide")
    assert (choice.winner_id, choice.loser_id) == (None, None)
    event = Event.objects.get(verb="pairwise.cant_decide")
    assert (event.object_type, event.object_id, event.details) == (
        "campaign",
        pairwise.pk,
        {"left": a.pk, "right": b.pk},
    )
    assert {r.idea.pk: (r.score.wins, r.score.losses, r.appearances) for r in results(pairwise)} == {
        a.pk: (0, 0, 1),
        b.pk: (0, 0, 1),
        three[2].pk: (0, 0, 0),
    }


@pytest.mark.django_db
def test_results_match_the_hand_computed_scores(pairwise, three, make_member):
    # given six answers by several members: A beats B twice and C once, C beats A once,
    # B beats C once, and B against C once undecided
    a, b, c = three
    answers = [(a, b, "left"), (b, a, "right"), (a, c, "left"), (c, a, "left"), (b, c, "left"), (b, c, "cant_decide")]
    for left, right, outcome in answers:
        pairwise_choose(
            actor=make_member(), campaign_id=pairwise.slug, left_id=left.pk, right_id=right.pk, outcome=outcome
        )
    # then A: 3 wins, 1 loss -> 4/6 in [0.3174, 1]; B and C: 1 win, 2 losses -> 2/5 in [0.008, 0.792]
    rows = results(pairwise)
    assert [r.idea.pk for r in rows] == [a.pk, b.pk, c.pk]  # B and C tie on score and appearances: older first
    assert [(r.score.wins, r.score.losses, r.appearances) for r in rows] == [(3, 1, 4), (1, 2, 4), (1, 2, 4)]
    assert [(r.percent, r.low_percent, r.high_percent) for r in rows] == [(67, 32, 100), (40, 1, 79), (40, 1, 79)]
    assert rows[1].score.low == pytest.approx(0.008)


@pytest.mark.django_db
def test_a_new_idea_is_shown_until_it_catches_up(pairwise, three, member, make_idea, make_member):
    # given A and B compared four times, and C never
    a, b, c = three
    for _ in range(4):
        pairwise_choose(actor=member, campaign_id=pairwise.pk, left_id=a.pk, right_id=b.pk, outcome="left")
    # then every pair offered holds C
    for _ in range(12):
        pair = next_pair(pairwise)
        assert pair is not None
        assert c.pk in {pair[0].pk, pair[1].pk}
        assert pair[0].pk != pair[1].pk


@pytest.mark.django_db
def test_no_pair_with_fewer_than_two_open_ideas(pairwise, three, admin):
    _a, b, c = three
    Idea.objects.filter(pk__in=[b.pk, c.pk]).update(stage=Stage.DECLINED)
    assert next_pair(pairwise) is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "error_type", "code"),
    [
        ("outcome", InvalidInput, "invalid"),
        ("same", InvalidInput, "invalid"),
        ("declined", InvalidInput, "invalid"),
        ("elsewhere", InvalidInput, "invalid"),
        ("closed", Conflict, "campaign_closed"),
        ("not_pairwise", NotFound, "not_found"),
    ],
)
def test_a_refused_choice_changes_nothing(pairwise, three, member, make_campaign, make_idea, change, error_type, code):
    a, b, _c = three
    campaign, left, right, outcome = pairwise.pk, a.pk, b.pk, "left"
    if change == "outcome":
        outcome = "both"
    elif change == "same":
        right = a.pk
    elif change == "declined":
        Idea.objects.filter(pk=b.pk).update(stage=Stage.DECLINED)
    elif change == "elsewhere":
        right = make_idea(member, in_campaign=make_campaign()).pk
    elif change == "closed":
        Campaign.objects.filter(pk=pairwise.pk).update(ends_at=timezone.now() - timedelta(minutes=1))
    else:
        campaign = make_campaign().pk
    with pytest.raises(error_type) as caught:
        pairwise_choose(actor=member, campaign_id=campaign, left_id=left, right_id=right, outcome=outcome)
    assert caught.value.code == code
    assert _nothing_written() == (0, 0)


@pytest.mark.django_db
def test_a_support_vote_is_refused_in_a_pairwise_campaign(three, member):
    with pytest.raises(InvalidInput) as caught:
        vote_cast(actor=member, idea_id=three[0].pk, value=1)
    assert caught.value.code == "pairwise_campaign"
    assert Idea.objects.get(pk=three[0].pk).support_count == 0


@pytest.mark.django_db
def test_the_pairs_page_shows_a_pair_and_records_the_pick(client, login, pairwise, three, member):
    client = login(member)
    page = client.get(f"/c/{pairwise.slug}/pairs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="pick-left"' in html
    assert 'id="pick-right"' in html
    assert 'id="pick-neither"' in html
    assert "pairwise/pairwise.js" in html
    left, right = page.context["pair"]
    offer = page.context["offer"]
    assert f'name="offer" value="{offer}"' in html
    sent = client.post(
        f"/c/{pairwise.slug}/pairs/", {"left_id": left.pk, "right_id": right.pk, "outcome": "right", "offer": offer}
    )
    assert sent.status_code == 302
    assert sent["Location"] == f"/c/{pairwise.slug}/pairs/"
    assert list(Choice.objects.values_list("winner_id", "loser_id", "member_id")) == [(right.pk, left.pk, member.pk)]
    assert "You have answered 1 pair." in client.get(f"/c/{pairwise.slug}/pairs/").content.decode()


@pytest.mark.django_db
def test_the_pairs_page_refuses_a_bad_pick_with_a_message(client, login, pairwise, three, member):
    client = login(member)
    sent = client.post(f"/c/{pairwise.slug}/pairs/", {"left_id": "x", "right_id": three[1].pk, "outcome": "left"})
    assert sent.status_code in (302, 303)
    assert Choice.objects.count() == 0
    shown = client.get(sent["Location"]).content.decode()
    assert "Your choice was not recorded." in shown


@pytest.mark.django_db
def test_the_results_page_lists_scores_for_anyone(client, pairwise, three, member):
    a, b, _ = three
    pairwise_choose(actor=member, campaign_id=pairwise.pk, left_id=a.pk, right_id=b.pk, outcome="left")
    page = client.get(f"/c/{pairwise.slug}/pairs/results/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f'<tr id="pairwise-idea-{a.pk}">' in html
    assert html.index(f"pairwise-idea-{a.pk}") < html.index(f"pairwise-idea-{b.pk}")
    assert "<strong>67</strong>" in html  # 2 of 3: one win, no loss


@pytest.mark.django_db
def test_a_campaign_of_another_mode_has_no_pairs_page(client, login, campaign, member):
    assert login(member).get(f"/c/{campaign.slug}/pairs/").status_code == 404
    assert client.get(f"/c/{campaign.slug}/pairs/results/").status_code == 404


@pytest.mark.django_db
def test_the_api_offers_a_pair_takes_a_choice_and_reports_scores(call, pairwise, three, member):
    pair = call("GET", f"/api/campaigns/{pairwise.slug}/pairs/next", as_member=member)
    assert pair.status_code == 200, pair.content
    body = pair.json()
    assert body["answered"] == 0
    left, right = body["left"]["id"], body["right"]["id"]
    assert {left, right} <= {i.pk for i in three}
    assert left != right
    sent = call(
        "POST",
        f"/api/campaigns/{pairwise.slug}/pairs/choices",
        {"left_id": left, "right_id": right, "outcome": "left", "offer": body["offer"]},
        as_member=member,
    )
    assert sent.status_code == 201, sent.content
    assert (sent.json()["winner_id"], sent.json()["outcome"]) == (left, "left")
    scores = call("GET", f"/api/campaigns/{pairwise.slug}/pairs/results").json()
    assert scores[0]["idea_id"] == left
    assert (scores[0]["wins"], scores[0]["losses"], scores[0]["appearances"]) == (1, 0, 1)
    assert scores[0]["score"] == pytest.approx(2 / 3)
    assert len(scores) == 3


@pytest.mark.django_db
def test_the_api_refuses_a_bad_outcome_with_its_field(call, pairwise, three, member):
    sent = call(
        "POST",
        f"/api/campaigns/{pairwise.slug}/pairs/choices",
        {"left_id": three[0].pk, "right_id": three[0].pk, "outcome": "up", "offer": offered(member, pairwise, three)},
        as_member=member,
    )
    body = error(sent, 400, "invalid")
    assert sorted(body["fields"]) == ["outcome", "right_id"]
    assert _nothing_written() == (0, 0)


@pytest.mark.django_db
def test_a_spanish_member_gets_the_pairs_page_in_spanish(login, make_member, pairwise, three):
    html = login(make_member(locale="es")).get(f"/c/{pairwise.slug}/pairs/").content.decode()
    assert "¿Cuál de estas dos ideas es mejor? Elige una, tantas veces como quieras." in html
    assert "Has respondido 0 pares." in html
    assert "No puedo decidir" in html


@pytest.mark.django_db
def test_the_campaign_and_idea_pages_lead_to_the_pairs_instead_of_vote_buttons(client, login, pairwise, three, member):
    campaign_page = client.get(f"/c/{pairwise.slug}/").content.decode()
    assert f'href="/c/{pairwise.slug}/pairs/"' in campaign_page
    idea_page = login(member).get(f"/ideas/{three[0].pk}/").content.decode()
    assert f'href="/c/{pairwise.slug}/pairs/"' in idea_page
    assert 'name="value"' not in idea_page


def offered(member, campaign, ideas) -> str:
    """An offer of the first idea against itself: signed, so that the service goes on to check the pair."""
    return offer_sign(member_id=member.pk, campaign_id=campaign.pk, left_id=ideas[0].pk, right_id=ideas[0].pk)


# --- only a pair the site offered, once ---------------------------------------------------


@pytest.mark.django_db
def test_a_pair_not_offered_is_refused_and_changes_nothing(call, pairwise, three, member, make_member):
    a, b, c = three
    other = make_member()
    right_offer = offer_sign(member_id=member.pk, campaign_id=pairwise.pk, left_id=a.pk, right_id=b.pk)
    wrong = {
        "another pair": offer_sign(member_id=member.pk, campaign_id=pairwise.pk, left_id=a.pk, right_id=c.pk),
        "the sides swapped": offer_sign(member_id=member.pk, campaign_id=pairwise.pk, left_id=b.pk, right_id=a.pk),
        "another member's": offer_sign(member_id=other.pk, campaign_id=pairwise.pk, left_id=a.pk, right_id=b.pk),
        "altered": right_offer[:-2] + ("AA" if not right_offer.endswith("AA") else "BB"),
        "none": "",
    }
    for name, offer in wrong.items():
        with pytest.raises(InvalidInput) as caught:
            services.pairwise_choose(
                actor=member, campaign_id=pairwise.pk, left_id=a.pk, right_id=b.pk, outcome="left", offer=offer
            )
        assert (caught.value.code, caught.value.fields) == ("pair_not_offered", {"offer": ["not_offered"]}), name
    sent = call(
        "POST",
        f"/api/campaigns/{pairwise.slug}/pairs/choices",
        {"left_id": a.pk, "right_id": b.pk, "outcome": "left", "offer": wrong["another pair"]},
        as_member=member,
    )
    assert error(sent, 400, "pair_not_offered")["message"] == (
        "This pair was not offered to you, or the offer is too old: answer the pair shown now."
    )
    assert _nothing_written() == (0, 0)


@pytest.mark.django_db
def test_an_offer_is_answered_once_and_expires_after_a_day(pairwise, three, member, time_machine):
    a, b, _ = three
    time_machine.move_to(timezone.now(), tick=False)
    offer = offer_sign(member_id=member.pk, campaign_id=pairwise.pk, left_id=a.pk, right_id=b.pk)
    kwargs = {"actor": member, "campaign_id": pairwise.pk, "left_id": a.pk, "right_id": b.pk, "outcome": "left"}
    services.pairwise_choose(**kwargs, offer=offer)
    with pytest.raises(Conflict) as caught:
        services.pairwise_choose(**kwargs, offer=offer)
    assert caught.value.code == "pair_answered"
    assert _nothing_written() == (1, 1)
    late = offer_sign(member_id=member.pk, campaign_id=pairwise.pk, left_id=a.pk, right_id=b.pk)
    time_machine.move_to(timezone.now() + timedelta(days=1, seconds=1), tick=False)
    with pytest.raises(InvalidInput) as caught:
        services.pairwise_choose(**kwargs, offer=late)
    assert caught.value.code == "pair_not_offered"
    assert _nothing_written() == (1, 1)


@pytest.mark.django_db
def test_the_page_refuses_a_pair_it_did_not_offer(login, pairwise, three, member):
    a, b, _ = three
    client = login(member)
    sent = client.post(f"/c/{pairwise.slug}/pairs/", {"left_id": a.pk, "right_id": b.pk, "outcome": "left"})
    assert sent.status_code in (302, 303)
    shown = client.get(sent["Location"]).content.decode()
    assert "This pair was not offered to you" in shown
    assert _nothing_written() == (0, 0)
