"""The royalty pages: staff open a pool and enter sales; members read their statements; finance gets a CSV."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from prosumo.rewards.models import Payout, RoyaltyPool, SalesPeriod
from prosumo.rewards.services import pool_open, sales_period_add


@pytest.fixture
def pool(product, admin):
    return pool_open(actor=admin, idea_id=product[0].pk, kind="rate", rate_bp=100, currency="EUR", split_rule="shares")


def rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


@pytest.mark.django_db
def test_an_admin_opens_a_pool_on_the_staff_page(product, admin, login):
    idea = product[0]
    client = login(admin)
    page = client.get("/staff/royalties/").content.decode()
    assert f'<option value="{idea.pk}">' in page
    form = {
        "idea": idea.pk,
        "kind": "rate",
        "rate_percent": "1.5",
        "prize": "",
        "currency": "EUR",
        "split_rule": "shapley",
        "merged_percent": "25",
    }
    response = client.post("/staff/royalties/", form)
    created = RoyaltyPool.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/staff/royalties/{created.pk}/"
    assert (created.rate_bp, created.split_rule, created.merged_percent, created.currency) == (
        150,
        "shapley",
        25,
        "EUR",
    )
    # the pool reads as a sentence, in both languages
    assert "1.5% of net sales, paid in EUR" in client.get("/staff/royalties/").content.decode()
    from django.template.loader import render_to_string
    from django.utils import translation

    with translation.override("es"):
        spanish = render_to_string("rewards/_pool_terms.html", {"pool": created}).strip()
    assert spanish == "el 1.5 % de las ventas netas, pagado en EUR"


@pytest.mark.django_db
def test_a_prize_pool_from_the_staff_page_is_paid_at_once(product, admin, login):
    idea = product[0]
    form = {
        "idea": idea.pk,
        "kind": "prize",
        "prize": "2000.00",
        "currency": "usd",
        "split_rule": "equal",
        "merged_percent": "20",
    }
    response = login(admin).post("/staff/royalties/", form)
    assert response.status_code == 302
    assert sorted(Payout.objects.values_list("amount_cents", flat=True)) == [66_666, 66_667, 66_667]


@pytest.mark.django_db
def test_a_bad_prize_on_the_staff_page_shows_beside_its_field(product, admin, login):
    form = {
        "idea": product[0].pk,
        "kind": "prize",
        "prize": "lots",
        "currency": "EUR",
        "split_rule": "equal",
        "merged_percent": "20",
    }
    response = login(admin).post("/staff/royalties/", form)
    assert response.status_code == 400
    assert "Write an amount such as 1234.56" in response.content.decode()
    assert not RoyaltyPool.objects.exists()


@pytest.mark.django_db
def test_staff_enter_a_period_by_hand_and_by_csv(pool, admin, login):
    client = login(admin)
    response = client.post(
        f"/staff/royalties/{pool.pk}/", {"starts_on": "2027-01-01", "ends_on": "2027-01-31", "net_sales": "10000.00"}
    )
    assert response.status_code == 302
    upload = SimpleUploadedFile(
        "sales.csv", b"starts_on,ends_on,net_sales\n2027-02-01,2027-02-28,500\n", content_type="text/csv"
    )
    response = client.post(f"/staff/royalties/{pool.pk}/", {"file": upload})
    assert response.status_code == 302
    assert list(SalesPeriod.objects.order_by("starts_on").values_list("net_sales_cents", "pool_cents", "source")) == [
        (1_000_000, 10_000, "form"),
        (50_000, 500, "csv"),
    ]


@pytest.mark.django_db
def test_a_bad_csv_on_the_staff_page_names_the_row_and_enters_nothing(pool, admin, login):
    upload = SimpleUploadedFile(
        "sales.csv", b"starts_on,ends_on,net_sales\n2027-02-01,2027-02-28,500\n2027-03-01,2027-03-31,x\n"
    )
    response = login(admin).post(f"/staff/royalties/{pool.pk}/", {"file": upload})
    assert response.status_code == 400
    assert (
        "row 2, column net_sales: Write an amount such as 1234.56 (at most two decimals)." in response.content.decode()
    )
    assert not SalesPeriod.objects.exists()
    assert not Payout.objects.exists()


@pytest.mark.django_db
def test_royalty_pages_are_for_admins(pool, make_member, login):
    assert login(make_member()).get("/staff/royalties/").status_code == 404
    assert login(make_member("reviewer")).get(f"/staff/royalties/{pool.pk}/").status_code == 403
    assert login(make_member("moderator")).get(f"/staff/royalties/{pool.pk}/payouts.csv").status_code == 403
    response = login(make_member("reviewer")).post(
        f"/staff/royalties/{pool.pk}/", {"starts_on": "2027-01-01", "ends_on": "2027-01-31", "net_sales": "1.00"}
    )
    assert response.status_code == 403
    assert not SalesPeriod.objects.exists()


@pytest.mark.django_db
def test_a_member_reads_their_statement_and_downloads_it(product, pool, admin, login):
    idea, a, _b, c = product
    period = sales_period_add(
        actor=admin, pool_id=pool.pk, starts_on="2027-01-01", ends_on="2027-03-31", net_sales_cents=1_000_000
    )
    client = login(c)
    page = client.get("/rewards/royalties/").content.decode()
    assert "<strong>20.00 EUR</strong>" in page  # 1% of 10,000.00 is 100.00; merged ideas' 20% is C's
    response = client.get(f"/rewards/royalties/statement.csv?period={period.pk}")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert rows(response) == [
        [
            "period_start",
            "period_end",
            "idea_id",
            "idea",
            "currency",
            "net_sales",
            "pool",
            "split_rule",
            "roles",
            "amount",
            "amount_cents",
        ],
        [
            "2027-01-01",
            "2027-03-31",
            str(idea.pk),
            idea.title,
            "EUR",
            "10000.00",
            "100.00",
            "shares",
            "merged",
            "20.00",
            "2000",
        ],
    ]
    # nobody sees another member's statement
    theirs = login(a).get("/rewards/royalties/").content.decode()
    assert "<strong>56.00 EUR</strong>" in theirs
    assert "<strong>20.00 EUR</strong>" not in theirs


@pytest.mark.django_db
def test_finance_gets_every_payout_of_a_pool(product, pool, admin, login):
    _idea, a, b, c = product
    sales_period_add(
        actor=admin, pool_id=pool.pk, starts_on="2027-01-01", ends_on="2027-03-31", net_sales_cents=1_000_000
    )
    found = rows(login(admin).get(f"/staff/royalties/{pool.pk}/payouts.csv"))
    assert found[0][:4] == ["payout_id", "member_id", "name", "email"]
    assert [(r[1], r[3], r[-1]) for r in found[1:]] == [
        (str(a.pk), a.email, "5600"),
        (str(b.pk), b.email, "2400"),
        (str(c.pk), c.email, "2000"),
    ]


@pytest.mark.django_db
def test_a_launched_idea_carries_its_credit_line(product, client):
    idea, *people = product
    page = client.get(f"/ideas/{idea.pk}/").content.decode()
    line = page[page.index('id="credit-line"') :]
    line = line[: line.index("</p>")]
    links = [f'<a href="/members/{m.pk}/">{m.display_name}</a>' for m in people]
    assert line == 'id="credit-line">Designed with ' + ", ".join(links)
