"""One way to write each kind of figure, in English and in Spanish, with no scientific notation."""

from __future__ import annotations

import pytest

from prosumo.analytics.metrics.precision import TOO_FEW
from prosumo.analytics.report import reader_for
from prosumo.analytics.sections.formats import Reader


@pytest.fixture(scope="module")
def spanish() -> Reader:
    return reader_for("es")


def test_numbers_read_the_same_everywhere_and_never_in_scientific_notation():
    read = Reader()
    # then: one number, one way of writing it
    assert [read.format("score", v) for v in (0.0333333333, 57.6923076923, 1234.5678, 250_000.4, 42000.0, 0.00253)] == [
        "0.0333",
        "57.7",
        "1,235",
        "250,000",
        "42,000",
        "0.00253",
    ]
    assert read.format("count", 42000) == read.format("count", 42000.0) == read.format("score", 42000.0) == "42,000"
    assert read.format("score", 1e-9) == "0"


def test_each_unit_is_written_in_english():
    read = Reader(currency="EUR")
    assert read.format("share", 0.2967) == "30%"
    assert read.format("share", 0.0513) == "5.13%"
    assert read.format("share", 1.0) == "100%"
    assert read.format("share", 0.0000000788) == "< 0.01%"
    assert read.format("share", 0.0001) == "0.01%"
    assert read.format("share", -0.0000001) == "> -0.01%"
    assert read.format("share", 0.0) == "0%"
    assert read.format("money", 1043.01) == "€1,043.01"
    assert read.format("money", -5.5) == "-€5.50"
    assert read.format("money", 12.0, currency="USD") == "$12.00"
    assert read.format("money", 12.0, currency="CHF") == "12.00 CHF"
    assert read.format("points", 34000.0) == "34,000"
    assert read.format("days", 0.964042896466708) == "0.964 days"
    assert read.format("seconds", 4975064.64) == "57.6 days"
    assert read.format("seconds", 31) == "31 seconds"
    assert read.format("ratio", 6.7754) == "6.78×"
    assert read.format("yes_no", False) == "no"
    assert read.format("count", True) == "yes"
    assert read.format("date", "2026-05-04T14:12:53.479Z") == "4 May 2026"
    assert read.format("month", "2025-11-01T00:00:00.000Z") == "November 2025"
    assert read.format("member", 33.0) == "33"
    assert read.format("text", "email") == "email"


def test_missing_values_are_a_dash_and_too_few_is_a_word():
    read = Reader()
    assert [read.format("share", v) for v in (None, float("nan"), "nan", "None")] == ["—"] * 4
    assert read.value("relationship", "return_difference_95", None) == "—"
    assert read.value("remuneration", "contributions_after_reward_difference_95", [None, None]) == "—"
    assert read.value("capacity", "bass_p_95", [0.00253, 0.03482]) == "0.00253 – 0.0348"
    assert read.value("influence", "influence_ratio_95", TOO_FEW) == "too few"


def test_each_unit_is_written_in_spanish(spanish):
    assert spanish.format("share", 0.0513) == "5,13 %"
    assert spanish.format("share", 0.0000000788) == "< 0,01 %"
    assert spanish.format("money", 1043.01) == "1.043,01 €"
    assert spanish.format("count", 42000) == "42.000"
    assert spanish.format("days", 2.5) == "2,5 días"
    assert spanish.format("yes_no", True) == "sí"
    assert spanish.format("date", "2026-05-04T14:12:53.479Z") == "4 de mayo de 2026"
    assert spanish.format("month", "2025-11-01T00:00:00.000Z") == "noviembre de 2025"
    assert spanish.value("influence", "influence_ratio_95", TOO_FEW) == "demasiado pocos"


def test_labels_and_explanations_in_both_languages(spanish):
    read = Reader()
    assert read.label("involvement", "gini") == "Inequality of contributions (Gini, 0-1)"
    assert spanish.label("involvement", "gini") == "Desigualdad de las contribuciones (Gini, 0-1)"
    assert read.label("capacity", "bass_p_95") == "Growth from outside (p), 95% interval"
    assert spanish.label("capacity", "bass_p_95") == "Crecimiento desde fuera (p), intervalo del 95 %"
    assert read.explanation("relationship", "return_rate_unanswered") == (
        "Authors not answered in time who contributed again."
    )
    assert read.unit("opinions", "share") == "share"
    assert spanish.label("capacity", "members") == "Miembros"
    # a key no one has written a label for yet reads as words, never as a raw key
    assert read.label("involvement", "new_figure") == "new figure"
    assert read.table("participation_inequality") == "Participation inequality"
    assert spanish.title("ip") == "¿Están protegidos la propiedad intelectual y el consentimiento de los colaboradores?"


def test_an_empty_note_stays_empty_in_spanish_and_never_shows_the_catalogue_header():
    # given: a section with an empty note (gettext("") is the catalogue's header)
    from prosumo.analytics.report import Report, to_html
    from prosumo.analytics.section import Section

    report = Report(
        title="t",
        meta={},
        extent={},
        sections=[Section(key="x", title="x", notes=[""])],
        created_at="",
        engine="duckdb",
    )
    # when
    page = to_html(report, reader_for("es"))
    # then
    assert "<ul class='notes'><li></li></ul>" in page
    assert "Project-Id-Version" not in page


def test_the_invitation_models_inputs_read_in_words(spanish):
    english = Reader()
    # a survey item, its missing flag, a one-hot category, a rare category and a behaviour count
    assert english.word("propensity", "feature", "survey_motive_econ") == "Motive: something of value"
    assert (
        english.word("propensity", "feature", "survey_cost_social_missing")
        == "Cost: fear of being judged (not answered)"
    )
    assert english.word("propensity", "feature", "segment_gold") == "Segment: gold"
    assert english.word("propensity", "feature", "channel_infrequent_sklearn") == "Channel: other"
    assert english.word("propensity", "reason", "visits; survey_lead_at_1") == (
        "Visits; Ahead of the trend: hears of new products first"
    )
    assert spanish.word("propensity", "reason", "country_ES; tenure_days") == "País: ES; Días como miembro"
    assert spanish.word("propensity", "item", "satisfaction") == "Satisfacción"
    # a reason elsewhere is a sentence of its own, left as it is
    assert english.word("innovation", "reason", "visits; votes") == "visits; votes"


def test_notes_that_hold_figures_are_rebuilt_from_their_translated_templates(spanish):
    note = (
        "No 95% interval for the matched comparison: matched co-creators 4, matched non-participants 3 members; "
        "each group needs at least 10. No 95% interval for the activation of e-mail: e-mail 6 members; "
        "each group needs at least 10."
    )
    assert spanish.note(note) == (
        "Sin intervalo del 95 % para la comparación emparejada: cocreadores emparejados 4, no participantes "
        "emparejados 3 miembros; cada grupo necesita al menos 10. Sin intervalo del 95 % para la activación de "
        "e-mail: e-mail 6 miembros; cada grupo necesita al menos 10."
    )
    assert spanish.note(
        "Difference in differences over 90-day windows, SEs clustered by member; 1234 of 2000 co-creators matched."
    ) == (
        "Diferencia en diferencias en ventanas de 90 días, errores estándar agrupados por miembro; "
        "1.234 de 2.000 cocreadores emparejados."
    )
    # English reads as written; a note no template knows stays as it is
    assert Reader().note(note) == note
    assert spanish.note("Something new.") == "Something new."


def test_innovation_reasons_and_chart_titles_read_in_spanish(spanish):
    assert spanish.word("innovation", "reason", "3 of 5 ideas accepted (shrunk rate 40%); 2.5 supports per idea") == (
        "3 de 5 ideas aceptadas (tasa ajustada 40 %); 2,5 apoyos por idea"
    )
    spec = {
        "title": "Involvement funnel per segment",
        "encoding": {"x": {"field": "did", "title": "members who took the step"}},
        "datasets": {"d": [{"title": "Involvement funnel per segment"}]},
    }
    assert spanish.spec(spec) == {
        "title": "Embudo de implicación por segmento",
        "encoding": {"x": {"field": "did", "title": "miembros que dieron el paso"}},
        "datasets": {"d": [{"title": "Involvement funnel per segment"}]},
    }


def test_the_words_a_chart_draws_from_its_data_read_as_the_tables_write_them(spanish):
    # given: a chart whose axis, legend and tooltip draw raw keys from its data, one axis with no title
    spec = {
        "encoding": {
            "x": {"field": "step", "type": "nominal", "sort": ["visited", "voted"]},
            "y": {"field": "share", "type": "quantitative", "title": "members who took the step"},
            "color": {"field": "stage", "type": "nominal", "scale": {"domain": ["collect", "process"]}},
            "tooltip": [{"field": "feature", "type": "nominal"}],
        },
        "datasets": {"d": [{"step": "visited", "stage": "collect", "feature": "survey_motive_econ", "share": 0.5}]},
    }
    # when
    english, read = Reader().spec(spec, "involvement"), spanish.spec(spec, "involvement")
    # then: each category in words, in the order the chart gave, and every axis and legend titled
    assert english["datasets"]["d"] == [
        {"step": "Visited", "stage": "Collecting", "feature": "Motive: something of value", "share": 0.5}
    ]
    assert read["datasets"]["d"] == [
        {"step": "Visitó", "stage": "Recogida", "feature": "Motivo: obtener algo de valor", "share": 0.5}
    ]
    assert read["encoding"]["x"] == {"field": "step", "type": "nominal", "sort": ["Visitó", "Votó"], "title": "Paso"}
    assert read["encoding"]["y"]["title"] == "miembros que dieron el paso"
    assert read["encoding"]["color"]["scale"]["domain"] == ["Recogida", "Procesamiento"]
    assert read["encoding"]["color"]["title"] == "Etapa"
    assert read["encoding"]["tooltip"] == [{"field": "feature", "type": "nominal", "title": "Factor"}]
    # and a money axis names its currency
    money = {"encoding": {"x": {"field": "amount", "type": "quantitative"}}}
    assert spanish.spec(money, "effectiveness")["encoding"]["x"]["title"] == "Importe (EUR)"


def test_the_matched_comparisons_covariates_are_words_in_both_languages(spanish):
    read = Reader()
    # the balance table of the matched comparison names these inputs
    names = ["tenure", "index_day", "pre_orders", "pre_spend", "pre_events", "log_pre_spend", "log_pre_events"]
    english = [read.feature(name) for name in names]
    assert english[0] == "Days as a member before co-creating"
    assert english[5] == "Spend before co-creating (log)"
    assert all("_" not in text and text[0].isupper() for text in english)
    assert spanish.feature("log_pre_events") == "Acciones antes de cocrear (log)"
    assert [spanish.feature(name) for name in names] != english
