from __future__ import annotations

import math

import pandas as pd
import pytest

from prosumo.analytics.metrics import channels
from prosumo.analytics.sections import channels as channels_section


def test_prob_b_beats_a_matches_the_worked_example():
    # given: 10/100 against 15/100 (METRICS.md E3)
    # when
    p = channels.prob_b_beats_a(10, 100, 15, 100)
    # then
    assert p == pytest.approx(0.8530, abs=5e-4)


def test_prob_b_beats_a_is_one_half_without_data_and_symmetric():
    # given / when / then
    assert channels.prob_b_beats_a(0, 0, 0, 0) == pytest.approx(0.5)
    assert channels.prob_b_beats_a(15, 100, 10, 100) == pytest.approx(1 - 0.8530, abs=5e-4)


def test_prob_b_beats_a_rejects_impossible_counts():
    with pytest.raises(ValueError, match="between 0 and trials"):
        channels.prob_b_beats_a(5, 4, 1, 2)


def test_channel_table_reach_activation_and_accepted_ideas(make_dataset, tiny):
    # given
    ds = make_dataset(**tiny)
    # when
    out = channels.channel_table(ds).set_index("channel")
    # then
    assert out["reach"].to_dict() == {"ads": 2, "friends": 2, "(unknown)": 1}
    assert out["activated"].to_dict() == {"ads": 2, "friends": 2, "(unknown)": 0}
    assert out.loc["ads", "activation"] == 1.0
    assert out.loc["ads", "accepted_per_100"] == 50.0
    assert out.loc["friends", "accepted_per_100"] == 0.0
    assert out.loc["friends", "share_voted"] == 0.5  # member 4 voted, member 3 did not
    assert out.loc["friends", "share_accepted"] == 0.5
    assert out.loc["ads", "share_co-authored"] == 0.0  # nobody from ads co-authored
    assert math.isnan(out.loc["ads", "retention_90"])
    assert math.isnan(out.loc["ads", "cost_per_activated"])


def test_channel_table_retention_and_cost(make_dataset, b):
    # given: three members join on 1 January; 1 is seen on day 70, 2 on day 30,
    # 3 on day 95; member 4 joins too late (1 March) to be counted.
    jan1 = b.at(1, hour=0)
    day = pd.Timedelta(days=1)
    members = b.members(
        [
            (1, jan1, None, "ads", False),
            (2, jan1, None, "ads", False),
            (3, jan1, None, "friends", False),
            (4, b.at(1, month=3), None, "ads", False),
        ]
    )
    ideas = b.ideas([(10, 3, jan1 + day, "open")])
    events = b.events(
        [
            (jan1 + day, 3, "idea.submitted", 10),
            (jan1 + 70 * day, 1, "idea.supported", 10, 3, None, 1.0),
            (jan1 + 30 * day, 2, "member.visited"),
            (jan1 + 95 * day, 3, "member.visited"),
        ]
    )
    costs = pd.DataFrame(
        {
            "channel": ["ads", "ads"],
            "period_start": [jan1, jan1 + 31 * day],
            "period_end": [jan1 + 31 * day, jan1 + 60 * day],
            "spend": [60.0, 40.0],
        }
    )
    ds = make_dataset(members=members, ideas=ideas, events=events, costs=costs)
    # when
    out = channels.channel_table(ds).set_index("channel")
    # then
    assert out.loc["ads", "eligible"] == 2
    assert out.loc["ads", "retention_90"] == 0.5
    assert out.loc["friends", "retention_90"] == 0.0
    assert out.loc["ads", "spend"] == 100.0
    assert out.loc["ads", "cost_per_activated"] == 100.0
    assert out.loc["friends", "activation"] == 1.0


def test_channel_comparison_lists_every_pair(make_dataset, tiny):
    # given
    ds = make_dataset(**tiny)
    table = channels.channel_table(ds)
    # when
    pairs = channels.channel_comparison(table)
    # then: ads 2/2 against friends 2/2 is a tie; (unknown) 0/1 is worse than both
    assert len(pairs) == 3
    tie = pairs[(pairs["channel_a"] == "ads") & (pairs["channel_b"] == "friends")]
    assert tie["p_b_better"].item() == pytest.approx(0.5)
    worse = pairs[(pairs["channel_a"] == "ads") & (pairs["channel_b"] == "(unknown)")]
    # Beta(3,1) vs Beta(1,2): P(B > A) = 1/10
    assert worse["p_b_better"].item() == pytest.approx(0.1)


def test_section_renders(make_dataset, tiny):
    ds = make_dataset(**tiny)
    sec = channels_section.section(ds)
    assert sec.headline["channels"] == 3
    assert sec.charts[0].to_dict()["layer"]


def test_a_channel_below_the_minimum_gets_no_interval(make_dataset, b):
    # given: "email" brings ten members and "ads" nine; the first three of each submit an idea
    members = b.members(
        [(m, b.at(1), None, "email", False) for m in range(1, 11)]
        + [(m, b.at(1), None, "ads", False) for m in range(11, 20)]
    )
    authors = [1, 2, 3, 11, 12, 13]
    ideas = b.ideas([(100 + m, m, b.at(5), "open") for m in authors])
    events = b.events([(b.at(5), m, "idea.submitted", 100 + m) for m in authors])
    ds = make_dataset(members=members, ideas=ideas, events=events)
    # when
    figures = channels.compute(ds)
    sec = channels_section.present(figures)
    # then: email, at the minimum, has the Beta(4, 8) interval; ads, one below it, has none
    table = figures.table.set_index("channel")
    assert table.loc["email", ["reach", "activated", "interval"]].tolist() == [10, 3, ""]
    assert (table.loc["email", "low_95"], table.loc["email", "high_95"]) == channels.beta_interval(3, 10)
    assert table.loc["ads", ["reach", "activated", "interval"]].tolist() == [9, 3, "too few"]
    assert math.isnan(table.loc["ads", "low_95"])
    assert math.isnan(table.loc["ads", "high_95"])
    note = "No 95% interval for the activation of ads: ads 9 members; each group needs at least 10."
    assert figures.note == note
    assert note in sec.notes
    assert sec.tables["channels"].set_index("channel").loc["ads", "interval"] == "too few"
