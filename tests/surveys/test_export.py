"""Survey answers reach the community dataset's surveys table, and the analytics read them."""

from __future__ import annotations

from prosumo.analytics.dataset import load_dataset
from prosumo.analytics.metrics.innovation import lead_user_scores
from prosumo.analytics.metrics.propensity import survey_wide
from prosumo.insights.export import export_dataset, export_tables
from prosumo.surveys.services import survey_answer
from tests.surveys.conftest import ANSWERS

LEAD = {"lead_at_1": 7, "lead_at_2": 6, "lead_at_3": 5, "lead_heb_1": 2, "lead_heb_2": 3, "lead_heb_3": 4}


def test_answers_are_exported_one_row_per_item(make_survey, make_member, tmp_path):
    # given
    first, second = make_member(), make_member()
    drivers, lead = make_survey(), make_survey("lead_user")
    survey_answer(actor=first, survey_id=drivers.pk, scores=ANSWERS)
    survey_answer(actor=first, survey_id=lead.pk, scores=LEAD)
    survey_answer(actor=second, survey_id=drivers.pk, scores={**ANSWERS, "satisfaction": 2})
    survey_answer(actor=second, survey_id=drivers.pk, scores={**ANSWERS, "satisfaction": 5})  # changed
    # when
    table = export_tables()["surveys"]
    # then
    rows = sorted(zip(*(table[c].to_pylist() for c in ("member_id", "item", "score")), strict=True))
    expected = sorted(
        [(first.pk, k, float(v)) for k, v in {**ANSWERS, **LEAD}.items()]
        + [(second.pk, k, float(v)) for k, v in {**ANSWERS, "satisfaction": 5}.items()]
    )
    assert rows == expected
    # and the analytics read them from the written dataset
    ds = load_dataset(export_dataset(tmp_path / "ds"))
    wide = survey_wide(ds)
    assert wide is not None
    assert wide.loc[second.pk, "satisfaction"] == 5.0
    lead_scores = lead_user_scores(ds)
    assert lead_scores is not None
    assert lead_scores.set_index("member_id").loc[first.pk, ["lead_at", "lead_heb"]].tolist() == [6.0, 3.0]


def test_no_answers_export_an_empty_table(db):
    table = export_tables()["surveys"]
    assert (table.num_rows, table.column_names) == (0, ["member_id", "item", "score"])
