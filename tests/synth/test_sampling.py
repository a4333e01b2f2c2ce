"""Hand-computed values of the sampling helpers."""

from __future__ import annotations

import math

import numpy as np
import pyarrow as pa
import pytest

from prosumo.synth.sampling import (
    bass_cdf,
    bass_inverse_cdf,
    calibrate_intercept,
    json_objects,
    likert_pmf,
    prefix_choice,
    repeat_ranges,
)
from prosumo.synth.words import capitalise, tidy_spanish


def test_bass_inverse_cdf_inverts_the_cdf_at_a_hand_computed_point():
    # given p = 0.03, q = 0.38 and u = 0.5
    # t = -ln(0.5 / (1 + 12.6667 * 0.5)) / 0.41 = ln(14.6667) / 0.41 = 6.5514...
    # when
    t = float(bass_inverse_cdf(np.array([0.5]), 0.03, 0.38)[0])
    # then
    assert t == pytest.approx(math.log(2 * (1 + 0.38 / 0.03 * 0.5)) / 0.41, rel=1e-12)
    assert bass_cdf(t, 0.03, 0.38) == pytest.approx(0.5, abs=1e-12)


def test_bass_peak_share_matches_the_sultan_farley_lehmann_example():
    # given the meta-analytic p = 0.03, q = 0.38: peak t* = ln(q/p)/(p+q) = 6.19, F(t*) = (q-p)/2q = 0.461
    peak = math.log(0.38 / 0.03) / 0.41
    # when / then
    assert peak == pytest.approx(6.19, abs=0.005)
    assert bass_cdf(peak, 0.03, 0.38) == pytest.approx(0.35 / 0.76, abs=1e-12)


def test_likert_pmf_of_a_wide_normal_sums_to_one_and_is_symmetric():
    # when
    pmf = likert_pmf(4.0, 1.4)
    # then
    assert pmf.sum() == pytest.approx(1.0, abs=1e-12)
    assert pmf[0] == pytest.approx(pmf[6], abs=1e-12)
    assert pmf[3] == pytest.approx(math.erf(0.5 / (1.4 * math.sqrt(2))), abs=1e-12)


def test_calibrated_intercept_without_covariates_is_the_logit_of_the_target():
    # given coefficients of zero, E[sigmoid(a)] = target  =>  a = ln(0.1 / 0.9) = -2.19722...
    # when
    a = calibrate_intercept(0.1, (0.0,), (0.0,), (1.0,), 4.0, 1.4)
    # then
    assert a == pytest.approx(math.log(0.1 / 0.9), abs=1e-9)


def test_calibrated_intercept_averages_over_two_equally_likely_tiers():
    # given tier effects -1 and +1 with probability 1/2 each and no score effect
    # when
    a = calibrate_intercept(0.2, (0.0,), (-1.0, 1.0), (0.5, 0.5), 4.0, 1.4)
    # then 0.5 * sigmoid(a - 1) + 0.5 * sigmoid(a + 1) = 0.2
    mean = 0.5 / (1 + math.exp(-(a - 1))) + 0.5 / (1 + math.exp(-(a + 1)))
    assert mean == pytest.approx(0.2, abs=1e-9)


def test_prefix_choice_stays_inside_the_eligible_prefix():
    # given weights 1, 1, 1, 1 and rows allowed 0, 1, 2 and 4 items
    rng = np.random.default_rng(0)
    cumulative = np.cumsum(np.ones(4))
    # when
    picks = prefix_choice(rng, cumulative, np.array([0, 1, 2, 4] * 250))
    # then
    assert set(picks[0::4]) == {-1}
    assert set(picks[1::4]) == {0}
    assert set(picks[2::4]) == {0, 1}
    assert set(picks[3::4]) == {0, 1, 2, 3}


def test_prefix_choice_never_draws_a_zero_weight_item():
    # given the second item has no weight
    rng = np.random.default_rng(1)
    cumulative = np.cumsum(np.array([1.0, 0.0, 2.0]))
    # when
    picks = prefix_choice(rng, cumulative, np.full(2000, 3))
    # then
    assert 1 not in set(picks.tolist())


def test_repeat_ranges_numbers_each_owners_rows():
    # when
    owner, rank = repeat_ranges(np.array([2, 0, 3]))
    # then
    assert owner.tolist() == [0, 0, 2, 2, 2]
    assert rank.tolist() == [0, 1, 0, 1, 2]


def test_json_objects_writes_typed_values_and_nulls():
    # when
    out = json_objects(
        [
            ("idea_id", pa.array([3, None], type=pa.int64()), "int"),
            ("builds_on", np.array([True, False]), "bool"),
            ("to", pa.array(["open", None]), "str"),
        ]
    )
    # then
    assert out.to_pylist() == [
        '{"idea_id": 3, "builds_on": true, "to": "open"}',
        '{"idea_id": null, "builds_on": false, "to": null}',
    ]


def test_spanish_contractions_and_capitalisation():
    assert tidy_spanish("Añadir un forro a el saco de el campamento") == "Añadir un forro al saco del campamento"
    assert capitalise("la mochila de 40 L") == "La mochila de 40 L"
