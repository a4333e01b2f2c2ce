"""Royalty pools: opened for a launched idea, paid per sales period or once as a prize, split among contributors."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest
from django.db.models import Sum

from prosumo.activity.models import Event
from prosumo.core.errors import Conflict, InvalidInput, PermissionDenied
from prosumo.rewards import credit, selectors
from prosumo.rewards.models import Payout, RoyaltyPool, SalesPeriod
from prosumo.rewards.services import parse_amount, pool_open, sales_import_csv, sales_period_add


def paid() -> dict[int, int]:
    """Cents paid to each member, over every period."""
    rows = Payout.objects.values("member_id").annotate(total=Sum("amount_cents")).order_by("member_id")
    return {row["member_id"]: row["total"] for row in rows}


def open_rate_pool(admin, idea, rule, **extra):
    return pool_open(actor=admin, idea_id=idea.pk, kind="rate", rate_bp=1000, currency="eur", split_rule=rule, **extra)


@pytest.mark.django_db
def test_the_contributors_are_the_author_coauthors_and_merged_ideas_people(product):
    idea, a, b, c = product
    found = sorted(selectors.contributions(idea.pk), key=lambda x: x.member_id)
    assert [(x.member_id, x.role, x.share) for x in found] == [
        (a.pk, "author", 70),
        (b.pk, "coauthor", 30),
        (c.pk, "merged", 100),
    ]
    assert [m.pk for m in selectors.credit_line(idea=idea)] == [a.pk, b.pk, c.pk]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        # 10% of 1,000.00 is 100.00; merged ideas share 20%: A 0.8*0.7, B 0.8*0.3, C 0.2
        ("shares", (5600, 2400, 2000)),
        ("equal", (3334, 3333, 3333)),
        # author 3, co-author 2, merged 1: 5000, 3333.33, 1666.67; the odd cent to the larger remainder
        ("roles", (5000, 3333, 1667)),
        # v(S) = .56[A] + .24[A and B] + .2[A and C]: A .56+.12+.10, B .12, C .10
        ("shapley", (7800, 1200, 1000)),
    ],
)
def test_a_period_of_sales_is_split_by_the_pools_rule(product, admin, rule, expected):
    idea, a, b, c = product
    pool = open_rate_pool(admin, idea, rule)
    period = sales_period_add(
        actor=admin, pool_id=pool.pk, starts_on="2027-01-01", ends_on="2027-03-31", net_sales_cents=100_000
    )
    assert (period.net_sales_cents, period.pool_cents) == (100_000, 10_000)
    assert paid() == dict(zip((a.pk, b.pk, c.pk), expected, strict=True))
    assert sum(paid().values()) == period.pool_cents


@pytest.mark.django_db
def test_each_payout_writes_royalty_paid_in_the_dataset_shape(product, admin):
    idea, a, b, c = product
    pool = open_rate_pool(admin, idea, "shares")
    period = sales_period_add(
        actor=admin, pool_id=pool.pk, starts_on=date(2027, 1, 1), ends_on=date(2027, 1, 31), net_sales_cents=100_000
    )
    events = Event.objects.filter(verb="royalty.paid").order_by("target_member_id")
    assert [(e.actor_id, e.object_type, e.object_id, e.target_member_id, e.campaign_id, e.value) for e in events] == [
        (None, "idea", idea.pk, a.pk, idea.campaign_id, 5600.0),
        (None, "idea", idea.pk, b.pk, idea.campaign_id, 2400.0),
        (None, "idea", idea.pk, c.pk, idea.campaign_id, 2000.0),
    ]
    payout = Payout.objects.get(member=a)
    assert events[0].details == {
        "pool": pool.pk,
        "period": period.pk,
        "payout": payout.pk,
        "currency": "EUR",
        "split_rule": "shares",
    }
    assert payout.weight == str(Fraction(56, 100))
    assert payout.roles == ["author"]
    entered = Event.objects.get(verb="royalty.sales_entered")
    assert (entered.actor_id, entered.value, entered.details["pool_cents"]) == (admin.pk, 100_000.0, 10_000)


@pytest.mark.django_db
def test_a_prize_pool_is_paid_when_it_opens(product, admin):
    idea, a, b, c = product
    pool = pool_open(
        actor=admin, idea_id=idea.pk, kind="prize", prize_cents=200_000, currency="USD", split_rule="equal"
    )
    assert paid() == {a.pk: 66_667, b.pk: 66_667, c.pk: 66_666}
    assert Payout.objects.filter(period__isnull=True).count() == 3
    with pytest.raises(InvalidInput, match="A prize pool has no sales periods"):
        sales_period_add(actor=admin, pool_id=pool.pk, starts_on="2027-01-01", ends_on="2027-01-31", net_sales_cents=1)
    assert not SalesPeriod.objects.exists()


@pytest.mark.django_db
def test_a_pool_needs_a_launched_idea_and_opens_once(product, idea, admin):
    launched = product[0]
    with pytest.raises(InvalidInput, match="when the idea has launched"):
        open_rate_pool(admin, idea, "equal")
    open_rate_pool(admin, launched, "equal")
    with pytest.raises(Conflict, match="already has a pool"):
        open_rate_pool(admin, launched, "shares")
    assert list(RoyaltyPool.objects.values_list("idea_id", "split_rule")) == [(launched.pk, "equal")]
    assert Event.objects.filter(verb="royalty.pool_opened").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"kind": "rate", "rate_bp": 0}, "rate_bp"),
        ({"kind": "rate", "rate_bp": 10_001}, "rate_bp"),
        ({"kind": "prize", "prize_cents": 0}, "prize_cents"),
        ({"kind": "rate", "rate_bp": 100, "currency": "euro"}, "currency"),
        ({"kind": "rate", "rate_bp": 100, "split_rule": "luck"}, "split_rule"),
        ({"kind": "rate", "rate_bp": 100, "merged_percent": 101}, "merged_percent"),
        ({"kind": "royalty"}, "kind"),
    ],
)
def test_a_bad_pool_is_refused_and_nothing_is_written(product, admin, fields, problem):
    args = {"currency": "EUR", "split_rule": "equal", **fields}
    with pytest.raises(InvalidInput) as caught:
        pool_open(actor=admin, idea_id=product[0].pk, **args)
    assert list(caught.value.fields) == [problem]
    assert not RoyaltyPool.objects.exists()


@pytest.mark.django_db
def test_role_weights_that_pay_nobody_are_refused(product, admin):
    with pytest.raises(InvalidInput, match="nobody would be paid"):
        open_rate_pool(admin, product[0], "roles", role_weights={"author": 0, "coauthor": 0, "merged": 0})
    assert not RoyaltyPool.objects.exists()


@pytest.mark.django_db
def test_only_an_admin_opens_a_pool_or_enters_sales(product, admin, make_member):
    for role in ("member", "moderator", "reviewer"):
        with pytest.raises(PermissionDenied):
            open_rate_pool(make_member(role), product[0], "equal")
    pool = open_rate_pool(admin, product[0], "equal")
    with pytest.raises(PermissionDenied):
        sales_period_add(
            actor=make_member("reviewer"),
            pool_id=pool.pk,
            starts_on="2027-01-01",
            ends_on="2027-01-31",
            net_sales_cents=5,
        )
    assert not SalesPeriod.objects.exists()


@pytest.mark.django_db
def test_periods_never_overlap_and_end_after_they_start(product, admin):
    pool = open_rate_pool(admin, product[0], "equal")
    sales_period_add(actor=admin, pool_id=pool.pk, starts_on="2027-01-01", ends_on="2027-01-31", net_sales_cents=900)
    before = paid()
    with pytest.raises(InvalidInput, match="overlaps 2027-01-01 to 2027-01-31"):
        sales_period_add(actor=admin, pool_id=pool.pk, starts_on="2027-01-31", ends_on="2027-02-28", net_sales_cents=5)
    with pytest.raises(InvalidInput, match="ends before it starts"):
        sales_period_add(actor=admin, pool_id=pool.pk, starts_on="2027-03-02", ends_on="2027-03-01", net_sales_cents=5)
    with pytest.raises(InvalidInput, match="Write a date"):
        sales_period_add(actor=admin, pool_id=pool.pk, starts_on="March", ends_on="2027-03-01", net_sales_cents=5)
    assert SalesPeriod.objects.count() == 1
    assert paid() == before


@pytest.mark.django_db
def test_the_pool_amount_is_rounded_to_the_nearest_cent(product, admin):
    pool = open_rate_pool(admin, product[0], "equal")  # 10%
    period = sales_period_add(
        actor=admin, pool_id=pool.pk, starts_on="2027-01-01", ends_on="2027-01-31", net_sales_cents=12_345
    )
    assert period.pool_cents == 1235  # 1234.5 -> 1235
    assert sum(paid().values()) == 1235


@pytest.mark.parametrize(
    ("text", "cents"), [("1234.56", 123_456), ("1234", 123_400), ("0.5", 50), ("1,234.50", 123_450), (" 7 ", 700)]
)
def test_amounts_are_read_in_cents(text, cents):
    assert parse_amount(text) == cents


@pytest.mark.parametrize("text", ["", "12.345", "-4", "1e3", "lots", "12.", None])
def test_a_bad_amount_is_refused(text):
    with pytest.raises(InvalidInput, match="Write an amount"):
        parse_amount(text)


@pytest.mark.django_db
def test_a_csv_of_sales_enters_every_period(product, admin):
    idea = product[0]
    pool = open_rate_pool(admin, idea, "equal")
    data = b"starts_on,ends_on,net_sales\n2027-01-01,2027-01-31,1000.00\n2027-02-01,2027-02-28,300.30\n"
    periods = sales_import_csv(actor=admin, pool_id=pool.pk, data=data)
    assert [(p.starts_on.isoformat(), p.net_sales_cents, p.pool_cents, p.source) for p in periods] == [
        ("2027-01-01", 100_000, 10_000, "csv"),
        ("2027-02-01", 30_030, 3003, "csv"),
    ]
    assert sum(paid().values()) == 13_003


@pytest.mark.django_db
def test_a_csv_with_a_bad_row_enters_nothing_and_names_each_row_and_column(product, admin):
    pool = open_rate_pool(admin, product[0], "equal")
    sales_period_add(actor=admin, pool_id=pool.pk, starts_on="2026-12-01", ends_on="2026-12-31", net_sales_cents=100)
    before = (list(SalesPeriod.objects.values_list("pk", flat=True)), paid())
    data = (
        b"starts_on,ends_on,net_sales\n"
        b"2027-01-01,2027-01-31,1000.00\n"
        b"2027-02-01,2027-02-28,lots\n"
        b"2027-01-15,2027-03-31,5.00\n"
        b"2026-12-20,2027-02-31,5.00\n"
    )
    with pytest.raises(InvalidInput) as caught:
        sales_import_csv(actor=admin, pool_id=pool.pk, data=data)
    assert caught.value.fields == {
        "file": [
            "row 2, column net_sales: Write an amount such as 1234.56 (at most two decimals).",
            "row 3, column starts_on: The period overlaps 2027-01-01 to 2027-01-31, already entered.",
            "row 4, column ends_on: Write a date as 2026-01-31.",
        ]
    }
    assert caught.value.message.startswith("Nothing was entered: row 2, column net_sales:")
    assert (list(SalesPeriod.objects.values_list("pk", flat=True)), paid()) == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"start,end,amount\n2027-01-01,2027-01-31,5\n", "missing: starts_on, ends_on, net_sales"),
        (b"starts_on,ends_on,net_sales\n", "The file has no rows."),
        (b"\xff\xfe", "not UTF-8"),
    ],
)
def test_a_csv_that_cannot_be_read_says_why(product, admin, data, message):
    pool = open_rate_pool(admin, product[0], "equal")
    with pytest.raises(InvalidInput, match=message):
        sales_import_csv(actor=admin, pool_id=pool.pk, data=data)
    assert not SalesPeriod.objects.exists()


def test_a_member_who_contributed_nothing_gets_nothing_under_any_rule():
    from decimal import Decimal

    found = [
        credit.Contribution(1, 10, True, Decimal(100), False),
        credit.Contribution(2, 11, True, Decimal(100), True),
    ]
    for rule in ("equal", "shares", "roles", "shapley"):
        weights = credit.weights(rule, found)
        assert set(weights) == {1, 2}
    # a co-author with no share adds nothing under shares and Shapley
    found.append(credit.Contribution(3, 10, False, Decimal(0), False))
    assert credit.weights("shares", found)[3] == 0
    assert credit.weights("shapley", found)[3] == 0


@pytest.mark.django_db
def test_each_paid_contributor_is_told_what_they_were_paid_in_their_language(
    product, admin, django_capture_on_commit_callbacks
):
    from django.utils import translation

    from prosumo.notifications.models import Notification

    # given a pool split by shares: A 56.00, B 24.00, C 20.00 of 100.00
    idea, a, b, c = product
    pool = open_rate_pool(admin, idea, "shares")
    # when a period of sales is entered
    with django_capture_on_commit_callbacks(execute=True):
        sales_period_add(
            actor=admin, pool_id=pool.pk, starts_on="2027-01-01", ends_on="2027-03-31", net_sales_cents=100_000
        )
    # then each of them has one notification, linking to their statements
    told = {n.recipient_id: n for n in Notification.objects.filter(verb="royalty.paid")}
    assert sorted(told) == sorted([a.pk, b.pk, c.pk])
    assert {n.url for n in told.values()} == {"/rewards/royalties/"}
    assert told[a.pk].display_title == f"You were paid 56.00 EUR in royalties for “{idea.title}”"
    with translation.override("es"):
        assert told[b.pk].display_title == f"Te han pagado 24.00 EUR en regalías por «{idea.title}»"
