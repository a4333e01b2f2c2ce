"""The rewards endpoints: my points, the leaderboard choice, leaderboards, rules and improvements."""

from __future__ import annotations

import pytest

from prosumo.ideas.services import comment_post
from prosumo.rewards.models import ImprovementMark, LeaderboardChoice, Payout, Posting, RuleVersion, Trigger
from tests.api.conftest import error


@pytest.mark.django_db
def test_my_rewards_gives_balance_level_badges_and_history(call, set_rule, make_idea, member):
    set_rule(Trigger.IDEA_SUBMITTED, 60)
    make_idea(member)
    response = call("GET", "/api/rewards/me", as_member=member)
    assert response.status_code == 200
    body = response.json()
    posting = Posting.objects.get()
    assert body["balance"] == 60
    assert body["earned"] == 60
    assert body["level"] == {"number": 2, "name": "Contributor", "points": 50, "next_at": 200}
    assert body["badges"] == [{"key": "first_idea", "name": "First idea", "description": "Shared a first idea."}]
    assert body["hidden_from_leaderboards"] is False
    [row] = body["history"]
    assert {k: row[k] for k in ("id", "kind", "reason", "points", "rule_version", "source_event_id")} == {
        "id": posting.pk,
        "kind": "award",
        "reason": "idea_submitted",
        "points": 60,
        "rule_version": 1,
        "source_event_id": posting.source_event_id,
    }


@pytest.mark.django_db
def test_a_member_leaves_the_leaderboard_over_the_api(call, set_rule, make_idea, member):
    set_rule(Trigger.IDEA_SUBMITTED, 10)
    make_idea(member)
    before = call("GET", "/api/rewards/leaderboard").json()
    assert [(s["rank"], s["member_id"], s["points"], s["awards"]) for s in before] == [(1, member.pk, 10, 1)]
    response = call("PUT", "/api/rewards/me/leaderboard", {"hidden": True}, as_member=member)
    assert response.json() == {"hidden": True}
    assert call("GET", "/api/rewards/leaderboard").json() == []
    assert LeaderboardChoice.objects.get(member=member).hidden is True


@pytest.mark.django_db
def test_a_leaderboard_of_a_campaign_one_cannot_see_is_not_found(call, make_campaign):
    hidden = make_campaign(title="Staff only", is_published=False)
    error(call("GET", f"/api/rewards/leaderboard?campaign_id={hidden.pk}"), 404, "not_found")


@pytest.mark.django_db
def test_an_admin_sets_and_reads_rules(call, admin, campaign):
    body = {"campaign_id": campaign.pk, "trigger": "idea_launched", "points": 500, "daily_cap": 0}
    response = call("PUT", "/api/rewards/rules", body, as_member=admin)
    assert response.status_code == 200
    assert {k: response.json()[k] for k in ("campaign_id", "trigger", "version", "points", "daily_cap")} == {
        "campaign_id": campaign.pk,
        "trigger": "idea_launched",
        "version": 1,
        "points": 500,
        "daily_cap": 0,
    }
    call("PUT", "/api/rewards/rules", {**body, "points": 700}, as_member=admin)
    listed = call("GET", f"/api/rewards/rules?campaign_id={campaign.pk}", as_member=admin).json()
    assert [(r["version"], r["points"]) for r in listed] == [(2, 700), (1, 500)]


@pytest.mark.django_db
def test_a_bad_rule_over_the_api_is_a_400_and_changes_nothing(call, admin):
    response = call("PUT", "/api/rewards/rules", {"trigger": "idea_liked", "points": 5}, as_member=admin)
    assert error(response, 400, "invalid")["fields"] == {"trigger": ["invalid"]}
    assert not RuleVersion.objects.exists()


@pytest.mark.django_db
def test_a_moderator_without_admin_rights_cannot_set_rules(call, moderator):
    response = call("PUT", "/api/rewards/rules", {"trigger": "idea_submitted", "points": 5}, as_member=moderator)
    error(response, 403, "forbidden")
    assert not RuleVersion.objects.exists()


@pytest.mark.django_db
def test_a_moderator_marks_an_improvement_over_the_api(call, moderator, idea, member):
    comment = comment_post(actor=member, idea_id=idea.pk, body="Use shorter poles.", builds_on=True)
    response = call("POST", f"/api/comments/{comment.pk}/improvement", as_member=moderator)
    assert response.status_code == 200
    assert response.json()["comment_id"] == comment.pk
    refused = call("POST", f"/api/comments/{comment.pk}/improvement", as_member=member)
    error(refused, 403, "forbidden")
    assert ImprovementMark.objects.count() == 1


@pytest.mark.django_db
def test_royalties_over_the_api_open_enter_and_read(call, product, admin):
    idea, a, b, c = product
    body = {"idea_id": idea.pk, "kind": "rate", "rate_bp": 100, "currency": "EUR", "split_rule": "shares"}
    opened = call("POST", "/api/royalties/pools", body, as_member=admin)
    assert opened.status_code == 201
    pool_id = opened.json()["id"]
    period = {"starts_on": "2027-01-01", "ends_on": "2027-03-31", "net_sales_cents": 1_000_000}
    entered = call("POST", f"/api/royalties/pools/{pool_id}/periods", period, as_member=admin)
    assert entered.status_code == 201
    assert {k: entered.json()[k] for k in ("net_sales_cents", "pool_cents", "source")} == {
        "net_sales_cents": 1_000_000,
        "pool_cents": 10_000,
        "source": "api",
    }
    assert [(p["member_id"], p["amount_cents"]) for p in entered.json()["payouts"]] == [
        (a.pk, 5600),
        (b.pk, 2400),
        (c.pk, 2000),
    ]
    again = call("POST", f"/api/royalties/pools/{pool_id}/periods", period, as_member=admin)
    assert error(again, 400, "invalid")["fields"] == {"starts_on": ["overlap"]}
    detail = call("GET", f"/api/royalties/pools/{pool_id}", as_member=admin).json()
    assert (detail["idea_id"], len(detail["periods"]), detail["prize_payouts"]) == (idea.pk, 1, [])
    mine = call("GET", "/api/royalties/statements", as_member=c).json()
    assert [(s["idea_id"], s["amount_cents"], s["currency"], s["roles"]) for s in mine] == [
        (idea.pk, 2000, "EUR", ["merged"])
    ]
    credits = call("GET", f"/api/ideas/{idea.pk}/credits").json()
    assert [x["member_id"] for x in credits] == [a.pk, b.pk, c.pk]


@pytest.mark.django_db
def test_a_member_cannot_open_a_pool_over_the_api(call, product, member):
    body = {"idea_id": product[0].pk, "kind": "prize", "prize_cents": 100, "currency": "EUR", "split_rule": "equal"}
    error(call("POST", "/api/royalties/pools", body, as_member=member), 403, "forbidden")
    assert not Payout.objects.exists()


@pytest.mark.django_db
def test_the_credits_of_an_idea_before_launch_are_empty_and_a_hidden_idea_is_not_found(call, idea, make_campaign):
    assert call("GET", f"/api/ideas/{idea.pk}/credits").json() == []
    error(call("GET", "/api/ideas/999999/credits"), 404, "not_found")


@pytest.mark.django_db
def test_an_admin_records_a_spend_and_a_correction_over_the_api(call, admin, set_rule, make_idea, member):
    set_rule(Trigger.IDEA_SUBMITTED, 30)
    make_idea(member)
    award = Posting.objects.get()
    spent = call(
        "POST", f"/api/rewards/members/{member.pk}/spend", {"points": 10, "reason": "Tent bag"}, as_member=admin
    )
    assert spent.status_code == 201
    assert (spent.json()["kind"], spent.json()["points"]) == ("spend", -10)
    body = {"points": -5, "note": "Counted twice"}
    corrected = call("POST", f"/api/rewards/postings/{award.pk}/correction", body, as_member=admin)
    assert corrected.status_code == 201
    assert (corrected.json()["corrects_id"], corrected.json()["points"]) == (award.pk, -5)
    too_much = call(
        "POST", f"/api/rewards/members/{member.pk}/spend", {"points": 16, "reason": "Tent"}, as_member=admin
    )
    assert error(too_much, 400, "invalid")["fields"] == {"points": ["insufficient"]}
    assert call("GET", "/api/rewards/me", as_member=member).json()["balance"] == 15
    refused = call("POST", f"/api/rewards/members/{member.pk}/spend", {"points": 1, "reason": "Tent"}, as_member=member)
    error(refused, 403, "forbidden")
    assert Posting.objects.count() == 3
