"""The experiment results page: posteriors per arm, P(best), expected loss, co-produced against company by medium."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from prosumo.outreach import services
from prosumo.outreach.models import Arm, Assignment

TEXTS = ("Sleep under the stars, dry.", "Our tent, your night out.")


def _counts(arm: Arm, members: list, exposed: int, converted: int) -> None:
    """Gives ``members`` this arm; the first ``exposed`` opened their link, the first ``converted`` of them converted."""
    now = timezone.now()
    Assignment.objects.bulk_create(
        Assignment(
            experiment_id=arm.experiment_id,
            arm=arm,
            member=m,
            exposed_at=now if i < exposed else None,
            converted_at=now if i < converted else None,
            conversion="order" if i < converted else "",
        )
        for i, m in enumerate(members)
    )


@pytest.fixture
def experiment(brief, admin, member, make_member):
    """A co-produced and a company message by email: 15 members each, 6 and 1 converted."""
    ours = services.message_propose(actor=member, brief_id=brief.pk, text=TEXTS[0])
    company = services.message_propose(actor=admin, brief_id=brief.pk, text=TEXTS[1], company=True)
    email = services.channel_create(actor=admin, name="newsletter", kind="email")
    experiment = services.experiment_create(
        actor=admin, name="Spring mail", arms=[(ours.pk, email.pk), (company.pk, email.pk)]
    )
    co_arm, company_arm = Arm.objects.filter(experiment=experiment).order_by("pk")
    people = [make_member() for _ in range(30)]
    _counts(co_arm, people[:15], exposed=9, converted=6)
    _counts(company_arm, people[15:], exposed=10, converted=1)
    return experiment


def _row(page: str, element_id: str) -> list[str]:
    row = re.search(rf'<tr id="{element_id}">(.*?)</tr>', page, flags=re.S)
    assert row is not None
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", row.group(1), flags=re.S)]


@pytest.mark.django_db
def test_the_results_page_shows_each_arm_posterior_and_the_comparison_by_medium(login, admin, experiment):
    # given
    co_arm, company_arm = Arm.objects.filter(experiment=experiment).order_by("pk")
    # when
    response = login(admin).get(f"/staff/outreach/experiments/{experiment.pk}/results/")
    # then: 6/15 -> Beta(7, 10), 1/15 -> Beta(2, 15); P(best) by the closed form, loss by quadrature
    assert response.status_code == 200
    page = response.content.decode()
    assert _row(page, f"arm-{co_arm.pk}") == [
        f"#{co_arm.pk}",
        TEXTS[0],
        "Co-produced",
        "newsletter",
        "Personal medium",
        "15",
        "9",
        "6",
        "40%",
        "20% – 65%",
        "98%",
        "0.104%",
    ]
    assert _row(page, f"arm-{company_arm.pk}")[2:] == [
        "The company",
        "newsletter",
        "Personal medium",
        "15",
        "10",
        "1",
        "6.67%",
        "1.55% – 30%",
        "1.86%",
        "30%",
    ]
    assert "Reporting is Bayesian" in page
    assert (
        "In personal media, co-produced messages convert better: 40% against 6.67% (P(co-produced better) = 98%)."
        in (page.replace("&#x27;", "'"))
    )
    assert "Too few members to compare the two media" in page
    # the leader's expected loss (0.104%) is above the 0.1% threshold: keep going
    assert f"Arm {co_arm.pk} has the smallest expected loss: choosing it now would give up 0.104% conversion" in page
    assert "Never stop because the chance of being best looked high" in page
    # the two charts, as data the page's script draws, and the words and numbers of the reader's language
    assert page.count('type="application/json"') == 3
    assert 'id="chart-locale" type="application/json"' in page


@pytest.mark.django_db
def test_the_results_page_reads_in_spanish(login, make_member, experiment):
    page = login(make_member("admin", locale="es")).get(f"/staff/outreach/experiments/{experiment.pk}/results/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "El informe es bayesiano" in text
    assert "40 %" in text


@pytest.mark.django_db
def test_the_results_page_does_not_exist_for_members_nor_for_an_unknown_experiment(login, admin, experiment):
    # given: a member who was given an arm, and a member who was not
    given = Assignment.objects.filter(experiment=experiment).first().member
    # when / then
    assert login(given).get(f"/staff/outreach/experiments/{experiment.pk}/results/").status_code == 404
    assert login(admin).get("/staff/outreach/experiments/999999/results/").status_code == 404


@pytest.mark.django_db
def test_the_results_page_names_no_member(login, admin, experiment):
    # a member can never learn from it which arm another member got: it shows counts only
    page = login(admin).get(f"/staff/outreach/experiments/{experiment.pk}/results/").content.decode()
    names = list(Assignment.objects.filter(experiment=experiment).values_list("member__display_name", flat=True))
    assert len(names) == 30
    assert [name for name in names if name in page] == []


@pytest.mark.django_db
def test_the_results_read_in_three_queries_whatever_the_number_of_members(experiment, django_assert_num_queries):
    from prosumo.outreach.selectors import experiment_results

    with django_assert_num_queries(3):
        view = experiment_results(experiment.pk)
    assert [row.figures["assigned"] for row in view.arms] == [15, 15]
    assert view.results.leader == view.arms[0].arm.pk


@pytest.mark.django_db
def test_the_results_are_in_the_api_with_the_same_figures_as_the_page(call, admin, member, experiment):
    # given the experiment of the page test: 6/15 converted on the co-produced arm, 1/15 on the company's
    co_arm, company_arm = Arm.objects.filter(experiment=experiment).order_by("pk")
    # when staff read its results through the API
    response = call("GET", f"/api/experiments/{experiment.pk}/results", as_member=admin)
    # then each arm has the page's figures: Beta(7, 10) and Beta(2, 15)
    assert response.status_code == 200, response.content
    found = response.json()
    co, company = found["arms"]
    assert (co["arm"], co["source"], co["medium"], co["assigned"], co["exposed"], co["converted"]) == (
        co_arm.pk,
        "co-produced",
        "personal",
        15,
        9,
        6,
    )
    assert co["conversion"] == pytest.approx(6 / 15)
    assert co["posterior_mean"] == pytest.approx(7 / 17)
    assert (round(co["low_95"], 2), round(co["high_95"], 2)) == (0.2, 0.65)
    assert (round(co["p_best"], 2), round(co["expected_loss"], 5)) == (0.98, 0.00104)
    assert (company["arm"], company["source"]) == (company_arm.pk, "company")
    assert company["p_best"] == pytest.approx(1 - co["p_best"])
    assert (found["leader"], found["stop"]) == (co_arm.pk, False)
    [personal] = found["by_medium"]
    assert (personal["medium"], personal["verdict"]) == ("personal", "co-produced better")
    assert found["interaction"] == {
        "difference": None,
        "low_95": None,
        "high_95": None,
        "p_positive": None,
        "verdict": "too few",
    }
    # and members may not read them; an unknown experiment is a 404 with a code
    assert call("GET", f"/api/experiments/{experiment.pk}/results", as_member=member).status_code == 403
    missing = call("GET", "/api/experiments/999999/results", as_member=admin)
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")
