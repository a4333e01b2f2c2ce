"""The message experiments' math: Beta-Binomial posteriors, P(best), expected loss, source x medium."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from prosumo.analytics.metrics import messages
from prosumo.analytics.registry import metric
from prosumo.analytics.sections import messages as messages_section
from prosumo.analytics.sections.figures import figure


def _counts(rows: list[tuple[int, str, str, int, int]]) -> pd.DataFrame:
    """Arms from (arm, source, medium, assigned, converted); exposed is every member assigned."""
    frame = pd.DataFrame(rows, columns=["arm", "source", "medium", "assigned", "converted"])
    return frame.assign(exposed=frame["assigned"])


def test_posterior_is_beta_one_plus_conversions_and_rejects_impossible_counts():
    assert messages.posterior(10, 100) == (11, 91)
    assert messages.posterior(0, 0) == (1, 1)
    with pytest.raises(ValueError, match="between 0 and the members assigned"):
        messages.posterior(5, 4)


def test_prob_best_matches_the_worked_example_and_is_exact_for_two_arms():
    # given: 10/100 against 15/100 (METRICS.md E3: 0.853)
    # when
    p_a, p_b = messages.prob_best([messages.posterior(10, 100), messages.posterior(15, 100)])
    # then
    assert p_b == pytest.approx(0.8533, abs=5e-4)
    assert p_a + p_b == pytest.approx(1.0, abs=1e-12)


def test_prob_best_is_even_for_equal_arms_and_knows_nothing_without_data():
    assert messages.prob_best([messages.posterior(10, 100)] * 2) == pytest.approx([0.5, 0.5], abs=1e-9)
    assert messages.prob_best([(1, 1)] * 4) == pytest.approx([0.25] * 4, abs=1e-9)


def test_prob_best_by_integration_agrees_with_the_closed_form_and_with_simulation():
    # given: three arms, so the quadrature is used
    params = [messages.posterior(10, 100), messages.posterior(15, 100), messages.posterior(12, 100)]
    # when
    found = messages.prob_best(params)
    # then: a 4-million-draw simulation (standard error below 0.0003) agrees to 3 decimals
    assert found == pytest.approx([0.0971, 0.6646, 0.2383], abs=5e-4)
    assert sum(found) == pytest.approx(1.0, abs=1e-8)
    rng = np.random.default_rng(7)
    draws = np.stack([rng.beta(a, b, 200_000) for a, b in params])
    simulated = np.bincount(draws.argmax(axis=0), minlength=3) / 200_000
    assert found == pytest.approx(simulated.tolist(), abs=0.005)


def test_prob_best_separates_narrow_posteriors_far_apart():
    # given: 100,000 members per arm; the middle arm is clearly best
    params = [messages.posterior(1000, 100_000), messages.posterior(1100, 100_000), messages.posterior(900, 100_000)]
    # when
    found = messages.prob_best(params)
    # then
    assert found == pytest.approx([0.0141, 0.9859, 0.0], abs=5e-4)


def test_expected_loss_known_values():
    # given: 10/100 against 15/100; simulated with 4 million draws: 0.05262 and 0.00358
    # when
    loss_a, loss_b = messages.expected_loss([messages.posterior(10, 100), messages.posterior(15, 100)])
    # then: choosing A gives up 5.3 points on average, choosing B 0.36
    assert loss_a == pytest.approx(0.05260, abs=1e-4)
    assert loss_b == pytest.approx(0.00358, abs=1e-4)
    # E[max] - E[p_a] and E[max] - E[p_b] differ by the difference of the means
    assert loss_a - loss_b == pytest.approx(16 / 102 - 11 / 102, abs=1e-9)


def test_expected_loss_is_symmetric_for_equal_arms():
    # given: two arms with the same 10/100
    # when
    losses = messages.expected_loss([messages.posterior(10, 100)] * 2)
    # then: each loses E[max - p] = 0.01713 (simulation: 0.01713)
    assert losses[0] == losses[1]
    assert losses[0] == pytest.approx(0.01713, abs=1e-4)


def test_arm_table_gives_each_arm_its_posterior():
    # given
    counts = _counts([(1, "company", "personal", 100, 10), (2, "co-produced", "personal", 100, 15)])
    # when
    out = messages.arm_table(counts).set_index("arm")
    # then
    assert out.loc[1, "conversion"] == 0.1
    assert out.loc[2, "posterior_mean"] == pytest.approx(16 / 102)
    assert (round(out.loc[2, "low_95"], 3), round(out.loc[2, "high_95"], 3)) == (0.093, 0.233)
    assert round(out.loc[2, "p_best"], 3) == 0.853
    assert round(out.loc[1, "expected_loss"], 4) == 0.0526


def test_source_by_medium_pools_arms_and_calls_the_difference_only_when_the_interval_leaves_out_zero():
    # given: personal media: co-produced 150/1000 (two arms) against company 100/1000; mass: 100/1000 each
    counts = _counts(
        [
            (1, "co-produced", "personal", 500, 70),
            (2, "co-produced", "personal", 500, 80),
            (3, "company", "personal", 1000, 100),
            (4, "co-produced", "mass", 1000, 100),
            (5, "company", "mass", 1000, 100),
        ]
    )
    # when
    out = messages.source_by_medium(counts).set_index("medium")
    # then
    assert out.loc["personal", "co_assigned"] == 1000
    assert out.loc["personal", "co_converted"] == 150
    assert out.loc["personal", "co_conversion"] == 0.15
    assert out.loc["personal", "p_co_better"] > 0.999
    assert out.loc["personal", "verdict"] == "co-produced better"
    assert out.loc["personal", "low_95"] > 0
    assert out.loc["personal", "difference"] == pytest.approx(151 / 1002 - 101 / 1002, abs=1e-3)
    assert out.loc["mass", "p_co_better"] == pytest.approx(0.5, abs=1e-9)
    assert out.loc["mass", "verdict"] == "no difference"
    assert out.loc["mass", "low_95"] < 0 < out.loc["mass", "high_95"]


def test_source_by_medium_says_too_few_below_ten_members_and_leaves_out_an_absent_medium():
    # given: only personal media, the company's arm with 9 members
    counts = _counts([(1, "co-produced", "personal", 40, 10), (2, "company", "personal", 9, 1)])
    # when
    out = messages.source_by_medium(counts)
    # then
    assert list(out["medium"]) == ["personal"]
    assert out.loc[0, "verdict"] == "too few"
    assert math.isnan(out.loc[0, "p_co_better"])


def test_interaction_finds_a_planted_difference_of_differences():
    # given: co-writing adds 5 points in personal media and nothing in mass media
    counts = _counts(
        [
            (1, "co-produced", "personal", 1000, 150),
            (2, "company", "personal", 1000, 100),
            (3, "co-produced", "mass", 1000, 100),
            (4, "company", "mass", 1000, 100),
        ]
    )
    # when
    found = messages.interaction(counts)
    # then
    assert found.difference == pytest.approx(0.05, abs=2e-3)
    assert found.low_95 is not None
    assert found.low_95 > 0
    assert found.p_positive is not None
    assert found.p_positive > messages.CLEAR
    assert found.verdict == "co-produced better"
    # the same data always give the same figures (a fixed seed)
    assert messages.interaction(counts) == found


def test_interaction_says_no_difference_when_both_media_agree_and_too_few_without_a_medium():
    both = _counts(
        [
            (1, "co-produced", "personal", 1000, 150),
            (2, "company", "personal", 1000, 100),
            (3, "co-produced", "mass", 1000, 150),
            (4, "company", "mass", 1000, 100),
        ]
    )
    assert messages.interaction(both).verdict == "no difference"
    assert messages.interaction(both).p_positive == pytest.approx(0.5, abs=0.01)
    personal_only = both[both["medium"] == "personal"]
    assert messages.interaction(personal_only) == messages.Interaction(None, None, None, None, "too few")


def test_experiment_results_stop_rule_on_expected_loss():
    # given: a clear winner with many members, and the worked example
    clear = _counts([(1, "company", "mass", 20_000, 1000), (2, "co-produced", "mass", 20_000, 1300)])
    close = _counts([(1, "company", "mass", 100, 10), (2, "co-produced", "mass", 100, 15)])
    # when
    won, open_ = messages.experiment_results(clear), messages.experiment_results(close)
    # then
    assert (won.leader, won.stop) == (2, True)
    assert won.leader_loss is not None
    assert won.leader_loss < messages.STOP_LOSS
    assert (open_.leader, open_.stop) == (2, False)
    assert open_.leader_loss == pytest.approx(0.00358, abs=1e-4)


def _details(experiment: int, arm: int, company: bool, medium: str, **more: object) -> str:
    return json.dumps({"experiment": experiment, "arm": arm, "company": company, "medium": medium, **more})


def test_arm_counts_reads_the_message_events_once_per_member(make_dataset, b):
    # given: experiment 7, arm 1 (company, mass) and arm 2 (co-produced, personal); member 3's
    # exposure is recorded twice; an event without source and medium is left out
    members = b.members([(m, b.at(1), None, None, False) for m in range(1, 6)])
    ideas = b.ideas([(10, 1, b.at(2), "open")])
    rows = [
        (b.at(3), None, "message.assigned", 5, 1, _details(7, 1, True, "mass")),
        (b.at(3), None, "message.assigned", 5, 2, _details(7, 1, True, "mass")),
        (b.at(3), None, "message.assigned", 6, 3, _details(7, 2, False, "personal")),
        (b.at(3), None, "message.assigned", 6, 4, _details(7, 2, False, "personal")),
        (b.at(4), None, "message.exposed", 5, 1, _details(7, 1, True, "mass")),
        (b.at(4), None, "message.exposed", 6, 3, _details(7, 2, False, "personal")),
        (b.at(4), None, "message.exposed", 6, 3, _details(7, 2, False, "personal")),
        (b.at(5), 3, "message.converted", 6, 3, _details(7, 2, False, "personal", action="order")),
        (b.at(5), None, "message.assigned", 6, 5, '{"experiment": 7, "arm": 2}'),
    ]
    ds = make_dataset(members=members, ideas=ideas, events=b.events(rows))
    # when
    out = messages.arm_counts(ds)
    # then
    assert out.to_dict("records") == [
        {"experiment": 7, "arm": 1, "source": "company", "medium": "mass", "assigned": 2, "exposed": 1, "converted": 0},
        {
            "experiment": 7,
            "arm": 2,
            "source": "co-produced",
            "medium": "personal",
            "assigned": 2,
            "exposed": 1,
            "converted": 1,
        },
    ]
    figures = messages.compute(ds)
    assert figures.experiments == 1
    assert list(figures.arms["experiment"]) == [7, 7]
    assert list(figures.arms.columns[:2]) == ["experiment", "arm"]


def test_the_section_reads_the_events_and_says_what_the_data_show(make_dataset, b):
    # given: experiment 3 with four arms of 20 members; in personal media co-produced 12/20 against
    # company 2/20, in mass media 4/20 each
    plan = [(1, False, "personal", 12), (2, True, "personal", 2), (3, False, "mass", 4), (4, True, "mass", 4)]
    members = b.members([(m, b.at(1), None, None, False) for m in range(1, 81)])
    rows = []
    for arm, company, medium, converted in plan:
        for i in range(20):
            member = (arm - 1) * 20 + i + 1
            rows.append((b.at(2), None, "message.assigned", arm, member, _details(3, arm, company, medium)))
            if i < converted:
                rows.append((b.at(3), member, "message.converted", arm, member, _details(3, arm, company, medium)))
    ds = make_dataset(members=members, ideas=b.ideas([(10, 1, b.at(2), "open")]), events=b.events(rows))
    # when
    section = metric("messages").section(ds)
    # then
    assert section.key == "messages"
    assert section.headline["experiments"] == 1
    assert section.headline["arms"] == 4
    assert section.headline["personal_co_conversion"] == 0.6
    assert section.headline["personal_company_conversion"] == 0.1
    assert section.headline["personal_verdict"] == "co-produced better"
    assert section.headline["mass_p_co_better"] == 0.5
    assert section.headline["mass_verdict"] == "no difference"
    assert section.headline["interaction_verdict"] == "co-produced better"
    low, high = section.headline["interaction_difference_95"]
    assert 0 < low < section.headline["interaction_difference"] < high
    assert list(section.tables) == ["message_arms", "message_media"]
    assert section.tables["message_arms"]["assigned"].tolist() == [20, 20, 20, 20]
    assert len(section.charts) == 2
    assert section.notes[0].startswith("Reporting is Bayesian")
    # and the same figures as the results page's function on the same counts
    page = messages.experiment_results(messages.arm_counts(ds).drop(columns="experiment"))
    assert page.by_medium.equals(section.tables["message_media"])
    assert page.arms.equals(section.tables["message_arms"].drop(columns="experiment"))


def test_every_figure_of_the_section_has_a_label_and_the_notes_state_the_thresholds():
    # given
    counts = _counts([(1, "co-produced", "personal", 20, 5), (2, "company", "mass", 20, 5)])
    figures = messages.MessagesFigures(
        arms=messages.arm_table(counts).assign(experiment=1),
        by_medium=messages.source_by_medium(counts),
        interaction=messages.interaction(counts),
        experiments=1,
    )
    # when
    section = messages_section.present(figures)
    # then
    keys = set(section.headline) | {c for table in section.tables.values() for c in table.columns}
    assert sorted(k for k in keys if figure("messages", k) is None) == []
    assert messages.CLEAR == 0.975
    assert "above 97.5% or below 2.5%" in messages_section.VERDICT_NOTE
    assert messages.STOP_LOSS == 0.001
    assert "less than 0.1 percentage point" in messages_section.STOP_NOTE
