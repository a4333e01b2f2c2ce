from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from prosumo.analytics.metrics import propensity
from prosumo.analytics.sections import propensity as propensity_section


def test_calibration_table_and_brier_by_hand():
    # given
    y = [0, 0, 1, 1]
    p = [0.1, 0.2, 0.8, 0.9]
    # when
    table = propensity.calibration_table(y, p, bins=2)
    # then
    assert table["n"].tolist() == [2, 2]
    assert table["predicted"].tolist() == pytest.approx([0.15, 0.85])
    assert table["observed"].tolist() == [0.0, 1.0]


def test_member_features_count_only_what_happened_before_the_cutoff(make_dataset, tiny, b):
    # given: cut-off at noon on 7 January, before the co-authorship of member 3
    ds = make_dataset(**tiny)
    cutoff = b.at(7).timestamp() / 86_400
    # when
    out = propensity.member_features(ds, cutoff).set_index("member_id")
    # then
    assert out.loc[1, ["visits", "votes", "active_days", "recent_events"]].tolist() == [1, 0, 2, 2]
    assert out.loc[2, ["votes", "comments", "active_days"]].tolist() == [1, 0, 1]
    assert out.loc[1, "tenure_days"] == 6.0
    assert out["co_created_before"].to_dict() == {1: True, 2: True, 3: False, 4: False, 5: False}
    assert out.loc[4, "visits"] == 0


@pytest.fixture
def surveyed(make_dataset, b):
    """3,000 members; co-producing in the last 90 days depends on motive and cost items.

    P(take part) = sigmoid(-2 + 1.5 motive_econ - 1.0 cost_econ); member 1 took part in
    campaign 7.
    """
    rng = np.random.default_rng(5)
    n = 3000
    jan1 = b.at(1, hour=0)
    day = pd.Timedelta(days=1)
    motive = rng.normal(size=n)
    cost = rng.normal(size=n)
    takes_part = rng.random(n) < 1 / (1 + np.exp(-(-2 + 1.5 * motive - 1.0 * cost)))
    takes_part[0] = True
    members = b.members([(i + 1, jan1, None, "web", False) for i in range(n)])
    visits = [(jan1 + 100 * day, i + 1, "member.visited") for i in range(n)]
    ideas = b.ideas([(i + 1, i + 1, jan1 + 250 * day, "open") for i in np.flatnonzero(takes_part)])
    subs = [(jan1 + 250 * day, i + 1, "idea.submitted", i + 1) for i in np.flatnonzero(takes_part)]
    events = b.events(visits + subs + [(jan1 + 300 * day, 2, "member.visited")])
    events["campaign_id"] = pd.array(
        [
            7 if (v == "idea.submitted" and a == 1) else None
            for v, a in zip(events["verb"], events["actor_id"], strict=True)
        ],
        dtype="Int64",
    )
    surveys = pd.DataFrame(
        {
            "member_id": np.repeat(np.arange(1, n + 1), 2),
            "item": ["motive_econ", "cost_econ"] * n,
            "score": np.column_stack([motive, cost]).ravel(),
        }
    )
    campaigns = pd.DataFrame({"campaign_id": [7], "title": ["c"], "starts_at": [jan1], "voting_mode": ["support"]})
    return make_dataset(members=members, ideas=ideas, events=events, surveys=surveys, campaigns=campaigns)


def test_fit_propensity_learns_etgar_signs_out_of_sample(surveyed):
    # when
    model = propensity.fit_propensity(surveyed)
    # then
    coef = model.coefficients.set_index("feature")["coefficient"]
    assert coef["survey_motive_econ"] > 0.5
    assert coef["survey_cost_econ"] < -0.3
    assert model.auc > 0.75
    assert model.brier < model.brier_base
    assert model.test_rows == 900
    assert model.calibration["n"].sum() == 900


def test_invite_ranking_orders_by_probability_and_skips_campaign_members(surveyed):
    # given
    model = propensity.fit_propensity(surveyed)
    # when
    ranking = propensity.invite_ranking(surveyed, model, campaign_id=7, top=50)
    # then
    assert len(ranking) == 50
    assert ranking["probability"].is_monotonic_decreasing
    assert 1 not in set(ranking["member_id"])
    assert ranking["reason"].str.contains("survey_").any()


def test_fit_propensity_declines_without_enough_participants(make_dataset, tiny):
    assert propensity.fit_propensity(make_dataset(**tiny)) is None
    sec = propensity_section.section(make_dataset(**tiny))
    assert "Too few members" in sec.notes[0]


def test_participation_drivers_by_hand(make_dataset, b):
    # given: eight respondents, one channel and segment; motive_econ 3 or 5
    # (centred: -1 or +1); 1 of 4 at 3 contributed, 3 of 4 at 5. The logit is
    # saturated, so b0 - b = logit(1/4) = -ln 3 and b0 + b = ln 3: b = ln 3, and
    # Var(b) = (1/4)(1/(4 * 1/4 * 3/4) + 1/(4 * 3/4 * 1/4)) = 2/3.
    members = b.members([(i, b.at(1), "a", "ads", False) for i in range(1, 9)])
    ideas = b.ideas([(10, 1, b.at(2), "open")])
    contributors = [1, 5, 6, 7]
    events = b.events([(b.at(3), m, "idea.supported", 10, 1, None, 1.0) for m in contributors])
    surveys = pd.DataFrame({"member_id": range(1, 9), "item": "motive_econ", "score": [3.0] * 4 + [5.0] * 4})
    ds = make_dataset(members=members, ideas=ideas, events=events, surveys=surveys)
    # when
    drivers = propensity.participation_drivers(ds)
    # then
    row = drivers.set_index("item").loc["motive_econ"]
    assert row["coefficient"] == pytest.approx(np.log(3), abs=1e-6)
    assert row["se"] == pytest.approx(np.sqrt(2 / 3), abs=1e-6)
    assert row["expected_sign"] == 1
    assert drivers.attrs == {"respondents": 8, "contributors": 4}


def test_participation_drivers_need_a_survey(make_dataset, tiny):
    # given / when / then
    assert propensity.participation_drivers(make_dataset(**tiny)) is None
