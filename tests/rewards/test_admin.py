"""The admin sets rules through the service and shows the ledger read only."""

from __future__ import annotations

import pytest

from prosumo.rewards.models import Posting, RuleVersion, Trigger


@pytest.mark.django_db
def test_the_admin_adds_a_rule_version_through_the_service(login, admin, campaign, make_member):
    admin.is_superuser = True
    admin.save(update_fields=["is_superuser"])
    client = login(admin)
    form = {"campaign": campaign.pk, "trigger": Trigger.IDEA_SUBMITTED, "points": 12, "daily_cap": 3}
    response = client.post("/admin/rewards/ruleversion/add/", form)
    assert response.status_code == 302
    response = client.post("/admin/rewards/ruleversion/add/", {**form, "points": 15})
    assert response.status_code == 302
    assert list(RuleVersion.objects.order_by("number").values_list("rule__campaign_id", "number", "points")) == [
        (campaign.pk, 1, 12),
        (campaign.pk, 2, 15),
    ]
    assert RuleVersion.objects.filter(created_by=admin).count() == 2


@pytest.mark.django_db
def test_the_admin_shows_a_refused_rule_as_a_form_error(login, admin):
    admin.is_superuser = True
    admin.save(update_fields=["is_superuser"])
    response = login(admin).post(
        "/admin/rewards/ruleversion/add/", {"trigger": Trigger.IDEA_SUBMITTED, "points": 2_000_000, "daily_cap": 0}
    )
    assert response.status_code == 200
    assert "Enter a whole number from 0 to 1000000." in response.content.decode()
    assert not RuleVersion.objects.exists()


@pytest.mark.django_db
def test_the_ledger_in_the_admin_cannot_be_changed(login, admin, set_rule, make_idea, member):
    admin.is_superuser = True
    admin.save(update_fields=["is_superuser"])
    set_rule(Trigger.IDEA_SUBMITTED, 10)
    make_idea(member)
    posting = Posting.objects.get()
    client = login(admin)
    assert client.get("/admin/rewards/posting/").status_code == 200
    assert client.get(f"/admin/rewards/posting/{posting.pk}/change/").status_code == 200  # view only
    response = client.post(f"/admin/rewards/posting/{posting.pk}/change/", {"points": 1000})
    assert response.status_code == 403
    assert client.post(f"/admin/rewards/posting/{posting.pk}/delete/", {"post": "yes"}).status_code == 403
    assert list(Posting.objects.values_list("points", flat=True)) == [10]


@pytest.mark.django_db
def test_pools_in_the_admin_are_read_only(login, admin, product):
    from prosumo.rewards.models import RoyaltyPool
    from prosumo.rewards.services import pool_open

    admin.is_superuser = True
    admin.save(update_fields=["is_superuser"])
    pool = pool_open(
        actor=admin, idea_id=product[0].pk, kind="prize", prize_cents=300, currency="EUR", split_rule="equal"
    )
    client = login(admin)
    assert client.get(f"/admin/rewards/royaltypool/{pool.pk}/change/").status_code == 200
    assert client.post(f"/admin/rewards/royaltypool/{pool.pk}/change/", {"prize_cents": 1}).status_code == 403
    assert client.get("/admin/rewards/salesperiod/").status_code == 200
    assert RoyaltyPool.objects.get().prize_cents == 300
