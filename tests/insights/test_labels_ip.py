"""The IP section and the royalty pools' figures read in plain words, with their units, in both languages."""

from __future__ import annotations

from django.utils import timezone

from prosumo.analytics.examples import example_dataset
from prosumo.analytics.report import Report, to_json
from prosumo.analytics.sections import ip, remuneration
from prosumo.insights.models import InsightRun


def finished_run() -> InsightRun:
    ds = example_dataset(ip=True, pools=True)
    report = Report(
        title="t",
        meta={},
        extent={},
        sections=[ip.section(ds), remuneration.section(ds)],
        created_at="2024-03-01",
        engine="duckdb",
    )
    now = timezone.now()
    return InsightRun.objects.create(
        filter_key="all", status=InsightRun.Status.DONE, started_at=now, finished_at=now, result=to_json(report)
    )


def test_the_ip_page_names_each_figure_with_its_unit_in_english_and_spanish(make_member, login):
    # given a finished run, and an admin who reads English and one who reads Spanish
    run = finished_run()
    english, spanish = make_member("admin"), make_member("admin", locale="es")
    # when
    en = login(english).get(f"/staff/insights/{run.pk}/ip/").content.decode()
    es = login(spanish).get(f"/staff/insights/{run.pk}/ip/").content.decode()
    pay = login(spanish).get(f"/staff/insights/{run.pk}/remuneration/").content.decode()
    board = login(spanish).get("/staff/insights/").content.decode()
    # then
    assert "<h1>Are contributors&#x27; intellectual property and consent protected?</h1>" in en
    assert (
        '<th title="The middle wait between submitting and the proof being logged.">'
        "Time from submission to proof, median (seconds)</th><td>31 seconds</td>"
    ) in en
    assert "<h1>¿Están protegidos la propiedad intelectual y el consentimiento de los colaboradores?</h1>" in es
    assert (
        '<th title="Ideas con una prueba fechada de quién las escribió.">'
        "Ideas en el registro de pruebas (proporción)</th><td>67 %</td>"
    ) in es
    assert '<th title="Ideas cuya autoría alguien disputó.">Disputas de autoría (número)</th><td>1</td>' in es
    assert "ideas_in_proof_log_share" not in es
    assert (
        '<th title="Fondos que reparten las ventas de una idea con sus colaboradores.">'
        "Fondos de regalías (número)</th><td>1</td>"
    ) in pay
    assert "pool_sales_share_returned" not in pay
    assert "¿Están protegidos la propiedad intelectual y el consentimiento de los colaboradores?</a>" in board
