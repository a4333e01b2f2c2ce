from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from prosumo.analytics.metrics import effectiveness
from prosumo.analytics.registry import metric

DAY = pd.Timedelta(days=1)


def _outcomes(rows):
    return pd.DataFrame(rows, columns=["member_id", "product_id", "ordered_at", "amount", "from_idea_id"]).astype(
        {"from_idea_id": "Int64"}
    )


def test_company_and_prosumer_value_totals(make_dataset, b, tiny):
    # given: the tiny community with orders, costs, a reward and a royalty
    tables = dict(tiny)
    tables["outcomes"] = _outcomes(
        [(1, 500, b.at(10), 30.0, 10), (2, 500, b.at(11), 30.0, 10), (4, 501, b.at(12), 40.0, None)]
    )
    tables["costs"] = pd.DataFrame(
        {"channel": ["ads"], "period_start": [b.at(1)], "period_end": [b.at(31)], "spend": [200.0]}
    )
    extra = b.events(
        [
            (b.at(12), 6, "reward.granted", None, 1, None, 50.0),
            (b.at(12), 6, "reward.granted", None, 3, None, 25.0),
            (b.at(13), 6, "royalty.paid", None, 1, None, 120.0),
        ]
    )
    extra["event_id"] += 100
    tables["events"] = pd.concat([tiny["events"], extra], ignore_index=True)
    tables["surveys"] = pd.DataFrame(
        {"member_id": [1, 2, 4, 5], "item": ["satisfaction"] * 4, "score": [6.0, 4.0, 3.0, 5.0]}
    )
    ds = make_dataset(**tables)
    # when
    company = effectiveness.company_value(ds)
    prosumer = effectiveness.prosumer_value(ds)
    # then
    assert (company["ideas"], company["accepted"], company["launched"]) == (2, 1, 0)
    assert company["revenue"] == 100.0
    assert company["co_created_revenue"] == 60.0
    assert company["co_created_share"] == pytest.approx(0.6)
    assert company["co_created_products"] == 1
    # points stay points; the royalty of 120 cents is money: programme cost = 200 + 1.20
    assert company["reward_points"] == 75.0
    assert company["royalties_paid"] == 1.2
    assert company["acquisition_spend"] == 200.0
    assert company["programme_cost"] == pytest.approx(201.2)
    assert (prosumer["reward_count"], prosumer["reward_value"], prosumer["reward_recipients"]) == (2, 75.0, 2)
    assert prosumer["royalty_value"] == 120.0
    assert prosumer["credited_members"] == 2
    assert prosumer["ideas_answered_share"] == 0.5
    # co-creators 1 and 2 (ideas, builds-on comment): mean 5; others 4 and 5: mean 4
    assert prosumer["satisfaction_co_creators"] == 5.0
    assert prosumer["satisfaction_others"] == 4.0
    assert prosumer["satisfaction_difference"] == 1.0


def _did_dataset(make_dataset, b, members, events, orders):
    return make_dataset(
        members=b.members(members),
        ideas=b.ideas([]),
        events=b.events(events),
        outcomes=_outcomes(orders),
    )


def test_matched_did_by_hand(make_dataset, b):
    # given: 4 co-creators and 4 non-participants join on 1 January; co-creators start
    # on day 182; everyone buys for 100 in the month before day 182; afterwards
    # co-creators buy for 150, the others for 110. Zero-value orders on days 1 and 364
    # set the orders' time span.
    jan1 = b.at(1, hour=0)
    index = jan1 + 182 * DAY
    members = [(i, jan1, "s", "web", False) for i in range(1, 9)]
    events = [(index, i, "idea.submitted") for i in range(1, 5)]
    orders = [(8, 1, jan1 + DAY, 0.0, None), (8, 1, jan1 + 364 * DAY, 0.0, None)]
    for i in range(1, 9):
        orders.append((i, 1, index - 30 * DAY, 100.0, None))
        orders.append((i, 1, index + 30 * DAY, 150.0 if i <= 4 else 110.0, None))
    ds = _did_dataset(make_dataset, b, members, events, orders)
    # when
    did = effectiveness.matched_did(ds, window_days=60)
    # then
    assert (did.treated, did.matched) == (4, 4)
    assert did.effect == pytest.approx(40.0)
    assert did.relative_effect == pytest.approx(40 / 110)
    assert did.cohens_d == pytest.approx(40 / np.sqrt(3200 / 7))
    # nobody bought in the window before: the placebo difference is exactly 0
    assert did.placebo == pytest.approx(0.0)
    # the naive comparison of spend after: 150 - 110
    assert did.naive == pytest.approx(40.0)
    # four co-creators against one matched non-participant (all alike): too few for any interval
    assert did.controls_used == 1
    assert (did.low, did.high, did.d_low, did.d_high) == (None, None, None, None)
    assert (did.placebo_low, did.placebo_high, did.naive_low, did.naive_high) == (None, None, None, None)
    assert did.note == (
        "No 95% interval for the matched comparison: matched co-creators 4, matched non-participants 1 members; "
        "each group needs at least 10. No 95% interval for the naive comparison: co-creators 4, "
        "non-participants 4 members; each group needs at least 10."
    )


def test_recent_co_creators_do_not_move_the_non_participants_index_day(make_dataset, b):
    # given: the by-hand community (4 co-creators from day 182, 4 non-participants, orders on
    # days 1-364), and 5 more members who co-create for the first time on day 360, too late
    # for a 60-day window after it inside the orders' span
    jan1 = b.at(1, hour=0)
    index = jan1 + 182 * DAY
    members = [(i, jan1, "s", "web", False) for i in range(1, 14)]
    events = [(index, i, "idea.submitted") for i in range(1, 5)]
    events += [(jan1 + 360 * DAY, i, "idea.submitted") for i in range(9, 14)]
    orders = [(8, 1, jan1 + DAY, 0.0, None), (8, 1, jan1 + 364 * DAY, 0.0, None)]
    for i in range(1, 9):
        orders.append((i, 1, index - 30 * DAY, 100.0, None))
        orders.append((i, 1, index + 30 * DAY, 150.0 if i <= 4 else 110.0, None))
    ds = _did_dataset(make_dataset, b, members, events, orders)
    # when
    did = effectiveness.matched_did(ds, window_days=60)
    # then: the median lag is taken over the co-creators who can be compared (182 days),
    # not over all of them (360 days, which put every non-participant's index day past the
    # orders' span and left nobody to compare with)
    assert did is not None
    assert (did.treated, did.matched, did.controls_used) == (4, 4, 1)
    assert did.effect == pytest.approx(40.0)


def _spread_dataset(make_dataset, b, co_creators: int):
    """``co_creators`` members (1..) co-create on day 182 and 20 others do not, all joined on 1 January.

    Before day 182 co-creator i spends 100 + 10 i and non-participant 100 + i spends 101 + 10 i (each
    co-creator has a non-participant one above it), those above 10 spending 1000 + 10 i; after it
    co-creators spend 50 more than before, the others 10 more.
    """
    jan1 = b.at(1, hour=0)
    index = jan1 + 182 * DAY
    members = [(i, jan1, "s", "web", False) for i in [*range(1, co_creators + 1), *range(101, 121)]]
    events = [(index, i, "idea.submitted") for i in range(1, co_creators + 1)]
    orders = [(101, 1, jan1 + DAY, 0.0, None), (101, 1, jan1 + 364 * DAY, 0.0, None)]
    for i in range(1, co_creators + 1):
        orders += [(i, 1, index - 30 * DAY, 100.0 + 10 * i, None), (i, 1, index + 30 * DAY, 150.0 + 10 * i, None)]
    for i in range(1, 21):
        before = 101.0 + 10 * i if i <= 10 else 1000.0 + 10 * i
        orders += [(100 + i, 1, index - 30 * DAY, before, None), (100 + i, 1, index + 30 * DAY, before + 10, None)]
    return _did_dataset(make_dataset, b, members, events, orders)


def test_matched_did_has_no_interval_below_ten_matched_co_creators(make_dataset, b):
    # given
    ds = _spread_dataset(make_dataset, b, co_creators=9)
    # when
    did = effectiveness.matched_did(ds, window_days=60)
    sec = metric("effectiveness").present(dataclasses.replace(metric("effectiveness").compute(ds), did=did))
    # then
    assert (did.treated, did.matched, did.controls_used) == (9, 9, 9)
    assert (did.low, did.high, did.d_low, did.d_high) == (None, None, None, None)
    assert did.note == (
        "No 95% interval for the matched comparison: matched co-creators 9, matched non-participants 9 members; "
        "each group needs at least 10. No 95% interval for the naive comparison: co-creators 9, "
        "non-participants 20 members; each group needs at least 10."
    )
    assert sec.headline["spend_uplift_95"] == "too few"
    assert did.note in sec.notes


def test_matched_did_has_an_interval_at_ten_matched_co_creators(make_dataset, b):
    # given
    ds = _spread_dataset(make_dataset, b, co_creators=10)
    # when
    did = effectiveness.matched_did(ds, window_days=60)
    # then
    assert (did.treated, did.matched, did.controls_used) == (10, 10, 10)
    assert did.effect == pytest.approx(40.0)
    z95 = 1.959963984540054
    assert (did.low, did.high) == (did.effect - z95 * did.se, did.effect + z95 * did.se)
    # Cohen's d's interval is the effect's, over the same standard deviation
    assert (did.d_low, did.d_high) == pytest.approx((did.low * did.cohens_d / 40.0, did.high * did.cohens_d / 40.0))
    assert did.naive_low < did.naive < did.naive_high
    assert did.note is None


def test_matched_did_treatment_by_first_contribution(make_dataset, b):
    # given: members 1-4 vote on day 182 (a contribution, not a co-creation); the
    # orders also hold spend from before joining (joined on day 150)
    jan1 = b.at(1, hour=0)
    index = jan1 + 182 * DAY
    members = [(i, jan1 + 150 * DAY, "s", "web", False) for i in range(1, 9)]
    events = [(index, i, "idea.supported") for i in range(1, 5)]
    orders = [(8, 1, jan1 + DAY, 0.0, None), (8, 1, jan1 + 364 * DAY, 0.0, None)]
    for i in range(1, 9):
        orders.append((i, 1, index - 30 * DAY, 100.0, None))
        orders.append((i, 1, index + 30 * DAY, 150.0 if i <= 4 else 110.0, None))
    ds = _did_dataset(make_dataset, b, members, events, orders)
    # when
    by_contribution = effectiveness.matched_did(
        ds, window_days=60, treatment="contribution", customers_before_joining=True
    )
    # then: votes are no co-creation; and without spend from before joining, the
    # 32 days of membership before the vote are too few for a 60-day window
    assert effectiveness.matched_did(ds, window_days=60, customers_before_joining=True) is None
    assert effectiveness.matched_did(ds, window_days=60, treatment="contribution") is None
    assert by_contribution.treatment == "contribution"
    assert (by_contribution.treated, by_contribution.matched) == (4, 4)
    assert by_contribution.effect == pytest.approx(40.0)
    with pytest.raises(ValueError, match="unknown treatment 'votes'"):
        effectiveness.matched_did(ds, treatment="votes")


def test_matched_did_recovers_a_planted_uplift_under_selection(make_dataset, b):
    # given: members who spent more before co-create more often, and their spend grows
    # faster anyway (selection on what the data show); co-creating adds 30 to spend
    # in the following window
    rng = np.random.default_rng(11)
    n = 1200
    jan1 = b.at(1, hour=0)
    pre = rng.gamma(4.0, 25.0, n)
    treated = rng.random(n) < 1 / (1 + np.exp(-(pre - 100) / 25))
    start = jan1 + pd.to_timedelta(rng.integers(150, 210, n), unit="D")
    lag = np.median((start[treated] - jan1).days)
    index = np.where(treated, start, jan1 + lag * DAY)
    post = 1.2 * pre + 30.0 * treated + rng.normal(0, 5, n)
    members = [(i + 1, jan1, "s", "web", False) for i in range(n)]
    events = [(start[i], i + 1, "idea.submitted") for i in np.flatnonzero(treated)]
    orders = [(1, 1, jan1, 0.0, None), (1, 1, jan1 + 365 * DAY, 0.0, None)]
    orders += [(i + 1, 1, index[i] - 20 * DAY, pre[i], None) for i in range(n)]
    orders += [(i + 1, 1, index[i] + 20 * DAY, post[i], None) for i in range(n)]
    ds = _did_dataset(make_dataset, b, members, events, orders)
    naive = post[treated].mean() - pre[treated].mean() - (post[~treated].mean() - pre[~treated].mean())
    # when
    did = effectiveness.matched_did(ds, window_days=60)
    # then: the naive difference in differences is far off; the matched one is not
    assert naive > 40
    assert did.matched >= 0.9 * did.treated
    assert did.low <= 30.0 <= did.high
    assert did.high - did.low < 5
    assert did.balance.set_index("covariate").loc["pre_spend", "after"] == pytest.approx(0, abs=0.1)
    assert did.placebo_low <= 0 <= did.placebo_high


def test_cooperation_efficiency_correlates_changes(make_dataset, b):
    # given: 7 months; in month k, member 1 is active, and member 2 co-creates on odd
    # months only; revenue per active member follows the co-creating share exactly
    members = b.members([(1, b.at(1), None, None, False), (2, b.at(1), None, None, False)])
    events, orders = [], []
    for k in range(1, 8):
        events.append((b.at(5, month=k), 1, "member.visited"))
        if k % 2:
            events.append((b.at(6, month=k), 2, "idea.submitted"))
            orders.append((1, 1, b.at(7, month=k), 100.0, None))
        else:
            orders.append((1, 1, b.at(7, month=k), 10.0, None))
    ds = make_dataset(members=members, ideas=b.ideas([]), events=b.events(events), outcomes=_outcomes(orders))
    # when
    out = effectiveness.cooperation_efficiency(ds)
    # then
    assert out["months"] == 6
    assert out["r"] == pytest.approx(1.0)


def test_welch_difference_by_hand():
    # given: means 3 and 1, variances 1 and 1, n = 3 each: SE = sqrt(2/3), df = 4
    diff, low, high = effectiveness.welch_difference(np.array([2.0, 3, 4]), np.array([0.0, 1, 2]))
    # then
    half = 2.7764451051977987 * np.sqrt(2 / 3)
    assert (diff, low, high) == pytest.approx((2.0, 2.0 - half, 2.0 + half))


def test_section_without_outcomes_says_so(make_dataset, tiny):
    sec = metric("effectiveness").section(make_dataset(**tiny))
    assert sec.headline["ideas_launched"] == 0
    assert any("No matched comparison" in n for n in sec.notes)


def _satisfaction_dataset(make_dataset, b, co_creators: int):
    """``co_creators`` members with an idea rate satisfaction 6 or 7, ten others 4 or 5."""
    others = range(101, 111)
    members = b.members([(i, b.at(1), None, None, False) for i in [*range(1, co_creators + 1), *others]])
    events = b.events([(b.at(5), i, "idea.submitted") for i in range(1, co_creators + 1)])
    ids = [*range(1, co_creators + 1), *others]
    scores = [6.0 + i % 2 for i in range(1, co_creators + 1)] + [4.0 + i % 2 for i in others]
    surveys = pd.DataFrame({"member_id": ids, "item": ["satisfaction"] * len(ids), "score": scores})
    return make_dataset(members=members, ideas=b.ideas([]), events=events, surveys=surveys)


def test_no_satisfaction_interval_below_ten_co_creators(make_dataset, b):
    # given: nine co-creators (five rate 7, four rate 6) and ten others (five 5, five 4)
    ds = _satisfaction_dataset(make_dataset, b, 9)
    # when
    prosumer = effectiveness.prosumer_value(ds)
    sec = metric("effectiveness").section(ds)
    # then: the difference stays, its interval goes, the note names both groups
    assert prosumer["satisfaction_difference"] == pytest.approx(59 / 9 - 4.5)
    assert prosumer["satisfaction_difference_95"] is None
    note = (
        "No 95% interval for the satisfaction difference: co-creators 9, others 10 members; "
        "each group needs at least 10."
    )
    assert prosumer["satisfaction_note"] == note
    assert sec.headline["satisfaction_difference_95"] == "too few"
    assert note in sec.notes
    assert "satisfaction_note" not in sec.tables["prosumer_value"].columns


def test_a_satisfaction_interval_at_ten_co_creators(make_dataset, b):
    ds = _satisfaction_dataset(make_dataset, b, 10)
    prosumer = effectiveness.prosumer_value(ds)
    yes, no = np.array([6.0 + i % 2 for i in range(1, 11)]), np.array([4.0 + i % 2 for i in range(101, 111)])
    assert prosumer["satisfaction_difference"] == 2.0
    assert prosumer["satisfaction_difference_95"] == list(effectiveness.welch_difference(yes, no)[1:])
    assert "satisfaction_note" not in prosumer
    assert metric("effectiveness").section(ds).headline["satisfaction_difference_95"] == pytest.approx(
        [round(v, 4) for v in prosumer["satisfaction_difference_95"]]
    )


def _cooperation_dataset(make_dataset, b, months: int):
    """Over ``months`` months member 1 is active every month and member 2 co-creates in odd months; revenue
    per month is 100 then, 10 otherwise, plus the month's number (changes not all alike)."""
    members = b.members([(1, b.at(1), None, None, False), (2, b.at(1), None, None, False)])
    events, orders = [], []
    for k in range(months):
        month, year = k % 12 + 1, 2024 + k // 12
        events.append((b.at(5, month=month, year=year), 1, "member.visited"))
        if k % 2 == 0:
            events.append((b.at(6, month=month, year=year), 2, "idea.submitted"))
        amount = (100.0 if k % 2 == 0 else 10.0) + k * (k % 3)
        orders.append((1, 1, b.at(7, month=month, year=year), amount, None))
    return make_dataset(members=members, ideas=b.ideas([]), events=b.events(events), outcomes=_outcomes(orders))


def test_no_cooperation_interval_below_ten_changes(make_dataset, b):
    # given: ten months, nine month-on-month changes
    ds = _cooperation_dataset(make_dataset, b, 10)
    # when
    out = effectiveness.cooperation_efficiency(ds)
    sec = metric("effectiveness").section(ds)
    # then
    assert out["months"] == 9
    assert -1 <= out["r"] <= 1
    assert (out["low"], out["high"]) == (None, None)
    note = (
        "No 95% interval for the cooperation-efficiency correlation: month-on-month changes 9; "
        "each group needs at least 10."
    )
    assert out["note"] == note
    assert sec.headline["cooperation_efficiency_r_95"] == "too few"
    assert note in sec.notes


def test_a_cooperation_interval_at_ten_changes(make_dataset, b):
    out = effectiveness.cooperation_efficiency(_cooperation_dataset(make_dataset, b, 11))
    assert out["months"] == 10
    z, half = np.arctanh(out["r"]), 1.959963984540054 / np.sqrt(7)
    assert (out["low"], out["high"]) == pytest.approx((np.tanh(z - half), np.tanh(z + half)))
    assert out["note"] is None


def test_one_matched_pair_is_too_few_for_the_regression_and_the_section_says_why(make_dataset, b):
    # given: one co-creator, matched to one non-participant: 4 rows for the regression's 6 terms
    ds = _spread_dataset(make_dataset, b, co_creators=1)
    # when
    found = effectiveness.matched_comparison(ds, window_days=60)
    figures = dataclasses.replace(
        metric("effectiveness").compute(ds), did=None, did_missing=found if isinstance(found, str) else None
    )
    sec = metric("effectiveness").present(figures)
    # then
    assert found == effectiveness.TOO_FEW_ROWS.format(matched=1, rows=4, terms=6)
    assert found == (
        "No matched comparison: 1 matched pairs give 4 rows (before and after for each member), too few for the "
        "regression's 6 terms; it needs more rows than terms."
    )
    assert effectiveness.matched_did(ds, window_days=60) is None
    assert found in sec.notes
    assert "spend_uplift" not in sec.headline


def test_a_small_generated_community_gets_the_section_with_the_reason_in_words(tmp_path):
    # given: a 300-member generated community whose matched comparison once divided by zero
    # (as many rows as regression terms: statsmodels' clustered covariance divides by their difference)
    from prosumo.analytics.dataset import load_dataset
    from prosumo.analytics.report import build_report
    from prosumo.synth import generate_to_parquet

    generate_to_parquet(tmp_path / "ds", members=300, seed=4, profile="bench")
    ds = load_dataset(tmp_path / "ds")
    # when
    found = effectiveness.matched_comparison(ds)
    report = build_report(ds, modules=["effectiveness"])
    # then
    assert isinstance(found, str)
    assert found.startswith("No matched comparison: ")
    assert report.failed == []
    (section,) = report.sections
    assert found in section.notes


@pytest.mark.parametrize(
    ("note", "spanish"),
    [
        (
            effectiveness.TOO_FEW_ROWS.format(matched=1, rows=4, terms=6),
            "Sin comparación emparejada: 1 parejas emparejadas dan 4 filas (antes y después para cada miembro), "
            "demasiado pocas para los 6 términos de la regresión; necesita más filas que términos.",
        ),
        (
            effectiveness.NO_MATCHES.format(treated=12),
            "Sin comparación emparejada: ninguno de los 12 cocreadores tiene un no participante lo bastante cercano "
            "en propensión (calibre de 0,2 DE del logit).",
        ),
        (effectiveness.NO_ORDERS, "Sin comparación emparejada: el conjunto de datos no tiene pedidos."),
    ],
)
def test_the_reasons_read_in_spanish(note, spanish):
    from prosumo.analytics.report import reader_for

    assert reader_for("es", "EUR").note(note) == spanish
