from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from prosumo.analytics.metrics import attribution
from prosumo.analytics.sections import channels as channels_section


def test_two_channels_by_hand():
    # given: journeys {A}: 3 conversions, {B}: 1, {A, B}: 2 (bit 0 = A, bit 1 = B), so
    # v(0) = 0, v(A) = 3, v(B) = 1, v(AB) = 6 and
    # phi_A = 1/2 (v(A) - v(0)) + 1/2 (v(AB) - v(B)) = 1/2 (3 + 5) = 4,
    # phi_B = 1/2 (v(B) - v(0)) + 1/2 (v(AB) - v(A)) = 1/2 (1 + 3) = 2
    masks, conversions = [0b01, 0b10, 0b11], [3, 1, 2]
    # when
    v = attribution.coalition_values(masks, conversions, 2)
    phi, method = attribution.shapley_from_journeys(masks, conversions, 2)
    # then
    assert v.tolist() == [0.0, 3.0, 1.0, 6.0]
    assert phi.tolist() == pytest.approx([4.0, 2.0], abs=1e-12)
    assert method == "exact"


def test_three_channels_by_hand():
    # given: {A}: 2, {A, B}: 3, {B, C}: 1, {A, B, C}: 6 (bits A, B, C = 1, 2, 4).
    # v: A 2, B 0, C 0, AB 5, AC 2, BC 1, ABC 12. With weights 1/3 (|S| = 0 or 2)
    # and 1/6 (|S| = 1):
    # phi_A = 2/3 + (5 - 0)/6 + (2 - 0)/6 + (12 - 1)/3 = 2/3 + 5/6 + 1/3 + 11/3 = 5.5
    # phi_B = 0/3 + (5 - 2)/6 + (1 - 0)/6 + (12 - 2)/3 = 1/2 + 1/6 + 10/3 = 4
    # phi_C = 0/3 + (2 - 2)/6 + (1 - 0)/6 + (12 - 5)/3 = 1/6 + 7/3 = 2.5
    masks, conversions = [0b001, 0b011, 0b110, 0b111], [2, 3, 1, 6]
    # when
    phi, _ = attribution.shapley_from_journeys(masks, conversions, 3)
    # then
    assert phi.tolist() == pytest.approx([5.5, 4.0, 2.5], abs=1e-12)


def test_glove_game_from_metrics_md():
    # given: L with either R makes a pair worth 1 (bit 0 = L, 1 = R1, 2 = R2)
    v = [0, 0, 0, 1, 0, 1, 0, 1]
    # when
    phi = attribution.shapley_exact(v)
    # then
    assert phi.tolist() == pytest.approx([2 / 3, 1 / 6, 1 / 6], abs=1e-12)


def _random_journeys(n: int, types: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    masks = np.unique(rng.integers(1, 1 << n, size=types))
    return masks, rng.integers(1, 50, size=len(masks)).astype("float64")


def test_efficiency_the_credits_sum_to_all_conversions():
    # given: random journeys over 7 channels, plus converted members with no channel
    masks, conversions = _random_journeys(7, 60, seed=1)
    masks, conversions = np.append(masks, 0), np.append(conversions, 9.0)
    # when
    phi, _ = attribution.shapley_from_journeys(masks, conversions, 7)
    v = attribution.coalition_values(masks, conversions, 7)
    # then: sum phi = v(N) - v(empty)
    assert phi.sum() == pytest.approx(v[-1] - v[0], abs=1e-9)
    assert v[-1] == conversions.sum()


def test_symmetric_channels_get_equal_credit():
    # given: B (bit 1) and C (bit 2) appear in mirrored journeys
    masks = [0b0011, 0b0101, 0b0110, 0b1010, 0b1100, 0b0001]
    conversions = [4, 4, 7, 2, 2, 5]
    # when
    phi, _ = attribution.shapley_from_journeys(masks, conversions, 4)
    # then
    assert phi[1] == pytest.approx(phi[2], abs=1e-12)
    assert phi.sum() == pytest.approx(24.0, abs=1e-12)


def test_a_channel_in_no_converting_journey_gets_nothing():
    # given: channel D (bit 3) touches no converted member
    masks = [0b0001, 0b0011, 0b0110]
    conversions = [5, 3, 2]
    # when
    phi, _ = attribution.shapley_from_journeys(masks, conversions, 4)
    # then
    assert phi[3] == 0.0
    assert phi[:3].tolist() == pytest.approx([6.5, 2.5, 1.0], abs=1e-12)


def test_sampling_agrees_with_exact_on_five_channels():
    # given
    masks, conversions = _random_journeys(5, 25, seed=3)
    exact, _ = attribution.shapley_from_journeys(masks, conversions, 5)
    # when
    sampled, se = attribution.shapley_sampled(masks, conversions, 5, samples=20_000, seed=0)
    forced, method = attribution.shapley_from_journeys(masks, conversions, 5, exact_max=4, samples=20_000)
    # then: within 4 standard errors, and within 2% of the total
    assert np.all(np.abs(sampled - exact) <= 4 * se + 1e-9)
    assert np.abs(sampled - exact).max() <= 0.02 * conversions.sum()
    assert method == "sampled (20,000 orders)"
    assert forced.tolist() == sampled.tolist()


def test_exact_equals_the_equal_split_inside_each_journey():
    # given: v(S) is a sum of unanimity games, one per journey type J, so the Shapley
    # value splits each journey's conversions equally among its channels
    masks, conversions = _random_journeys(9, 120, seed=5)
    bits = (masks[:, None] >> np.arange(9)[None, :]) & 1
    split = (conversions / bits.sum(axis=1)) @ bits
    # when
    phi, _ = attribution.shapley_from_journeys(masks, conversions, 9)
    # then
    assert phi.tolist() == pytest.approx(split.tolist(), abs=1e-9)


def test_bad_masks_are_refused():
    with pytest.raises(ValueError, match=r"journey masks must lie in \[0, 2\^2\)"):
        attribution.coalition_values([4], [1], 2)
    with pytest.raises(ValueError, match="2\\^n entries"):
        attribution.shapley_exact([0, 1, 2])


@pytest.fixture
def journeys_ds(make_dataset, b):
    """Four members, one staff; touches through members.channel and events with a channel.

    1: joined through ads, visits through mail on day 3, supports on day 4: {ads, mail}, converted.
    2: joined through ads, supports on day 2, visits through mail on day 5 (after): {ads}, converted.
    3: joined through mail, visits through ads on day 6, never contributes: {ads, mail}.
    4: no channel anywhere, supports on day 3: {(unknown)}, converted.
    """
    members = b.members(
        [
            (1, b.at(1), None, "ads", False),
            (2, b.at(1), None, "ads", False),
            (3, b.at(1), None, "mail", False),
            (4, b.at(1), None, None, False),
            (5, b.at(1), None, None, True),
        ]
    )
    ideas = b.ideas([(10, 5, b.at(1), "open")])
    rows = [
        ((b.at(1), 1, "member.joined"), "ads"),
        ((b.at(3), 1, "member.visited"), "mail"),
        ((b.at(4), 1, "idea.supported", 10, 5, None, 1.0), None),
        ((b.at(2), 2, "idea.supported", 10, 5, None, 1.0), None),
        ((b.at(5), 2, "member.visited"), "mail"),
        ((b.at(6), 3, "member.visited"), "ads"),
        ((b.at(3), 4, "idea.supported", 10, 5, None, 1.0), None),
        ((b.at(7), 5, "member.visited"), "staff-link"),
    ]
    events = b.events([r for r, _ in rows])
    events["channel"] = pd.array([c for _, c in rows], dtype="string")
    return make_dataset(members=members, ideas=ideas, events=events)


def test_journeys_are_cut_at_the_first_contribution(journeys_ds):
    # when
    types, names = attribution.journey_types(journeys_ds)
    # then: staff touches are left out; bits: (unknown) 1, ads 2, mail 4
    assert names == ["(unknown)", "ads", "mail"]
    rows = types.to_dict("records")
    assert rows == [
        {"mask": 1, "first_touch": "(unknown)", "last_touch": "(unknown)", "converted": True, "members": 1},
        {"mask": 2, "first_touch": "ads", "last_touch": "ads", "converted": True, "members": 1},
        {"mask": 6, "first_touch": "ads", "last_touch": "mail", "converted": True, "members": 1},
        {"mask": 6, "first_touch": "mail", "last_touch": "ads", "converted": False, "members": 1},
    ]


def test_attribution_table_by_hand(journeys_ds):
    # given: converted journeys {ads, mail}, {ads}, {(unknown)}: Shapley ads 1/2 + 1,
    # mail 1/2, (unknown) 1
    types, names = attribution.journey_types(journeys_ds)
    # when
    table = attribution.attribution_table(types, names).set_index("channel")
    # then
    assert table["shapley_conversions"].to_dict() == pytest.approx({"ads": 1.5, "(unknown)": 1.0, "mail": 0.5})
    assert table["shapley_share"].to_dict() == pytest.approx({"ads": 0.5, "(unknown)": 1 / 3, "mail": 1 / 6})
    assert table["first_touch_conversions"].to_dict() == {"ads": 2, "(unknown)": 1, "mail": 0}
    assert table["last_touch_conversions"].to_dict() == {"ads": 1, "(unknown)": 1, "mail": 1}
    assert table["members_touched"].to_dict() == {"ads": 3, "(unknown)": 1, "mail": 2}
    assert table["conversions_touched"].to_dict() == {"ads": 2, "(unknown)": 1, "mail": 1}
    assert set(table["method"]) == {"exact"}


def test_single_touch_journeys_give_the_same_credit_three_ways(make_dataset, tiny):
    # given: in the tiny community every member has one channel and no event carries one
    ds = make_dataset(**tiny)
    # when
    sec = channels_section.section(ds)
    table = sec.tables["channel_attribution"].set_index("channel")
    # then: ads 2 contributors, friends 2, (unknown) 0
    assert table["shapley_conversions"].to_dict() == pytest.approx({"ads": 2.0, "friends": 2.0, "(unknown)": 0.0})
    assert (table["first_touch_conversions"] == table["shapley_conversions"]).all()
    assert (table["last_touch_conversions"] == table["shapley_conversions"]).all()
    assert sec.headline["multi_touch_journeys"] == 0.0
    assert len(sec.charts) == 2
