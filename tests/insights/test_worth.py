"""The "worth it to both sides" page: one sentence with its interval, or the data missing and where to enter it."""

from __future__ import annotations

import pandas as pd
import pytest
from django.utils import timezone

from prosumo.analytics.dataset import load_dataset, write_dataset
from prosumo.analytics.examples import example_dataset
from prosumo.analytics.registry import metric
from prosumo.analytics.report import Report, to_json
from prosumo.insights.models import InsightRun
from tests.analytics.metrics.conftest import at, events_frame, ideas_frame, members_frame

DAY = pd.Timedelta(days=1)


def _run(ds) -> InsightRun:
    report = Report(
        title="t",
        meta={},
        extent={},
        sections=[metric("effectiveness").section(ds)],
        created_at="2024-03-01",
        engine="duckdb",
    )
    now = timezone.now()
    return InsightRun.objects.create(
        filter_key="all", status=InsightRun.Status.DONE, started_at=now, finished_at=now, result=to_json(report)
    )


def _community(tmp_path, co_creators: int):
    """``co_creators`` members co-create on day 182 and 20 others do not; co-creators then spend about 42 more.

    Co-creator i and non-participant 100 + i spend alike before (those above 10 much more), co-creators
    spend 50 more after (odd ones 54), the others 10 more; members 1 and 101 earn 25 points and member 1 a royalty of 12.50.
    """
    jan1 = at(1, hour=0)
    index = jan1 + 182 * DAY
    members = [(i, jan1, "s", "web", False) for i in [*range(1, co_creators + 1), *range(101, 121)]]
    events = [(index, i, "idea.submitted") for i in range(1, co_creators + 1)]
    events += [
        (index + DAY, 1, "reward.granted", None, 1, None, 25.0),
        (index + DAY, 1, "reward.granted", None, 101, None, 25.0),
        (index + 2 * DAY, 1, "royalty.paid", None, 1, None, 1250.0),
    ]
    orders = [(101, 1, jan1 + DAY, 0.0, None), (101, 1, jan1 + 364 * DAY, 0.0, None)]
    for i in range(1, co_creators + 1):
        orders += [
            (i, 1, index - 30 * DAY, 100.0 + 10 * i, None),
            (i, 1, index + 30 * DAY, 150.0 + 10 * i + 4 * (i % 2), 1),
        ]
    for i in range(1, 21):
        before = 101.0 + 10 * i if i <= 10 else 1000.0 + 10 * i
        orders += [(100 + i, 1, index - 30 * DAY, before, None), (100 + i, 1, index + 30 * DAY, before + 10, None)]
    outcomes = pd.DataFrame(orders, columns=["member_id", "product_id", "ordered_at", "amount", "from_idea_id"])
    tables = {
        "members": members_frame(members),
        "ideas": ideas_frame([(1, 1, jan1, "launched")]),
        "events": events_frame(events),
        "outcomes": outcomes.astype({"from_idea_id": "Int64"}),
    }
    write_dataset(tables, tmp_path / f"ds{co_creators}", {"name": "test"})
    return load_dataset(tmp_path / f"ds{co_creators}")


def test_the_comparison_in_one_sentence_with_its_interval(tmp_path, make_member, login):
    # given: a run over ten co-creators with orders, and an admin in each language
    run = _run(_community(tmp_path, co_creators=10))
    did = run.section("effectiveness")["tables"]["did"][0]
    low, high = did["low"], did["high"]
    english, spanish = make_member("admin"), make_member("admin", locale="es")
    # when
    en = login(english).get("/staff/insights/worth/")
    es = login(spanish).get("/staff/insights/worth/")
    # then
    assert en.status_code == es.status_code == 200
    revenue = sum(150.0 + 10 * i + 4 * (i % 2) for i in range(1, 11))  # the co-creators' orders name idea 1
    assert revenue == 2070.0
    assert did["effect"] == pytest.approx(42.0, abs=0.01)  # the odd co-creators spend 4 more
    assert en.context["worth"].sentence == (
        "The community received 50 reward points, €12.50 in royalties, credit on accepted ideas for 1 members "
        "and a staff answer on 0% of its ideas; the company gained €2,070.00 of co-created revenue, and each "
        f"co-creator spent €{did['effect']:,.2f} more per 90 days than a matched member who did not take part (95% interval "
        f"€{low:,.2f} to €{high:,.2f})."
    )
    assert 0 < low < 42 < high
    assert '<p class="card" id="worth-sentence">The community received 50 reward points' in en.content.decode()
    assert es.context["worth"].sentence.startswith("La comunidad recibió 50 puntos de recompensa, 12,50 € en regalías")
    assert f"{did['effect']:.2f} € más cada 90 días".replace(".", ",") in es.context["worth"].sentence
    # and each figure is written as the Insights pages write it: one format for one number
    en_figures, es_figures = dict(en.context["worth"].figures), dict(es.context["worth"].figures)
    assert (en_figures["Royalties paid"], en_figures["Ideas answered by staff"]) == ("€12.50", "0%")
    assert (es_figures["Regalías pagadas"], es_figures["Ideas respondidas por el equipo"]) == ("12,50 €", "0 %")
    # the spend and the survey are still missing, with where to enter them
    assert [(m.what, m.url) for m in en.context["worth"].missing] == [
        ("Channel spend", "/staff/spend/"),
        ("Satisfaction survey answers", "/staff/surveys/"),
    ]


def test_too_few_co_creators_give_no_figure_only_what_is_lacking(tmp_path, make_member, login):
    # given: nine co-creators, below the minimum for an interval
    run = _run(_community(tmp_path, co_creators=9))
    did = run.section("effectiveness")["tables"]["did"][0]
    # when
    sentence = login(make_member("admin")).get("/staff/insights/worth/").context["worth"].sentence
    spanish = login(make_member("admin", locale="es")).get("/staff/insights/worth/").context["worth"].sentence
    # then a point estimate without its interval is not stated as a finding
    assert (did["matched"], did["low"], did["high"]) == (9, None, None)
    assert did["effect"] is not None
    assert sum(150.0 + 10 * i + 4 * (i % 2) for i in range(1, 10)) == 1820.0  # the co-creators' orders
    assert sentence.split("; ", 1)[1] == (
        "the company gained €1,820.00 of co-created revenue; too few members could be matched to say whether "
        "co-creators spend more than comparable members who did not take part (9 co-creators and "
        f"{int(did['controls_used'])} members who did not take part were matched; each side needs at least 10)."
    )
    assert "spent" not in sentence
    assert "no se pudieron emparejar suficientes miembros" in spanish


def test_missing_data_is_named_with_where_to_enter_it(make_member, login):
    # given: a run over a community with no orders, spend or survey answers
    _run(example_dataset())
    english, spanish = make_member("admin"), make_member("admin", locale="es")
    # when
    en = login(english).get("/staff/insights/worth/")
    es = login(spanish).get("/staff/insights/worth/")
    # then: no sentence, and each missing piece links to its page
    assert en.context["worth"].sentence == es.context["worth"].sentence == ""
    assert [(m.what, m.url) for m in en.context["worth"].missing] == [
        ("Orders", "/staff/orders/"),
        ("Channel spend", "/staff/spend/"),
        ("Satisfaction survey answers", "/staff/surveys/"),
    ]
    page = en.content.decode()
    assert "Data missing to state the comparison" in page
    assert '<a href="/staff/orders/">Import orders</a>' in page
    assert '<a href="/staff/spend/">Record channel spend</a>' in page
    assert '<a href="/staff/surveys/">Run a co-production survey</a>' in page
    assert [m.what for m in es.context["worth"].missing] == [
        "Pedidos",
        "Gasto por canal",
        "Respuestas a la encuesta de satisfacción",
    ]
    assert "Faltan datos para hacer la comparación" in es.content.decode()


def test_nothing_computed_yet(admin, member, login):
    page = login(admin).get("/staff/insights/worth/").content.decode()
    assert 'id="worth-nothing"' in page
    assert login(member).get("/staff/insights/worth/").status_code == 404
