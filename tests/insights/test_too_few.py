"""Below the minimum group size the pages say "too few" instead of an interval, in the reader's language."""

from __future__ import annotations

from django.utils import timezone

from prosumo.analytics.examples import example_dataset
from prosumo.analytics.report import Report, to_json
from prosumo.analytics.sections import channels, influence
from prosumo.insights.models import InsightRun


def finished_run() -> InsightRun:
    # the example community has two prosumers at most and one or two members per channel
    ds = example_dataset()
    report = Report(
        title="t",
        meta={},
        extent={},
        sections=[influence.section(ds), channels.section(ds)],
        created_at="2024-03-01",
        engine="duckdb",
    )
    now = timezone.now()
    return InsightRun.objects.create(
        filter_key="all", status=InsightRun.Status.DONE, started_at=now, finished_at=now, result=to_json(report)
    )


def test_too_few_is_shown_in_english_and_spanish(make_member, login):
    # given a finished run, and an admin who reads English and one who reads Spanish
    run = finished_run()
    english, spanish = make_member("admin"), make_member("admin", locale="es")
    # when
    en = login(english).get(f"/staff/insights/{run.pk}/influence/").content.decode()
    es = login(spanish).get(f"/staff/insights/{run.pk}/influence/").content.decode()
    es_channels = login(spanish).get(f"/staff/insights/{run.pk}/channels/").content.decode()
    # then: the headline's interval and the tables' interval cells
    assert (
        '<th title="Prosumers&#x27; mean influence over other members&#x27; mean.">'
        "Influence of prosumers over others (times), 95% interval</th><td>too few</td>"
    ) in en
    assert (
        '<th title="Influencia media de los prosumidores dividida entre la de los demás.">'
        "Influencia de los prosumidores frente a los demás (veces), intervalo del 95 %</th><td>demasiado pocos</td>"
    ) in es
    assert "<td>too few</td>" not in es
    assert es_channels.count("<td>demasiado pocos</td>") == 2
    assert "<td>too few</td>" not in es_channels
