from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from prosumo.analytics.metrics import capacity
from prosumo.analytics.registry import metric


def _bass_counts(p: float, q: float, m: float, periods: int) -> np.ndarray:
    t = np.arange(0, periods + 1)
    return np.diff(capacity.bass_cumulative(t, p, q, m))


def test_bass_peak_of_the_meta_analysis_means():
    # given p = 0.03, q = 0.38 (Sultan, Farley & Lehmann 1990)
    # when
    t_star, f_star = capacity.bass_peak(0.03, 0.38)
    # then
    assert t_star == pytest.approx(np.log(0.38 / 0.03) / 0.41)
    assert round(t_star, 2) == 6.19
    assert f_star == pytest.approx(0.35 / 0.76)


def test_fit_bass_recovers_the_parameters_of_an_exact_curve():
    # given: the adopters per month of p = 0.03, q = 0.38, m = 1000 over 15 months
    counts = _bass_counts(0.03, 0.38, 1000.0, 15)
    # when
    fit = capacity.fit_bass(counts)
    # then
    assert fit.p == pytest.approx(0.03, rel=1e-4)
    assert fit.q == pytest.approx(0.38, rel=1e-4)
    assert fit.m == pytest.approx(1000.0, rel=1e-4)
    low, high = fit.interval("q")
    assert low <= 0.38 <= high


def test_fit_bass_interval_covers_the_truth_with_noise():
    # given: Poisson noise around p = 0.02, q = 0.4, m = 5000 for 24 months
    rng = np.random.default_rng(7)
    counts = rng.poisson(_bass_counts(0.02, 0.4, 5000.0, 24))
    # when
    fit = capacity.fit_bass(counts)
    # then
    assert fit.interval("m")[0] <= 5000.0 <= fit.interval("m")[1]
    assert fit.interval("q")[0] <= 0.4 <= fit.interval("q")[1]


def test_fit_bass_refuses_too_short_a_history():
    with pytest.raises(ValueError, match="at least 4 periods"):
        capacity.fit_bass([3, 5, 8])


def test_contributor_absence_factor_worked_example():
    # given: the CHAOSS example
    counts = [1000, 202, 90, 33, 332, 343, 42, 433]
    # when / then: 1000 < 2475 / 2 < 1000 + 433
    assert capacity.contributor_absence_factor(counts) == 2
    assert capacity.contributor_absence_factor([0, 0]) is None
    assert capacity.contributor_absence_factor([5, 5]) == 2


def test_absence_factor_in_the_engine(make_dataset, tiny):
    # given: contributions 3, 2, 1, 1 (members 2, 3, 1, 4); half of 7 is 3.5
    ds = make_dataset(**tiny)
    # when / then
    assert capacity.absence_factor(ds) == 2
    assert capacity.absence_factor(ds, period_days=None) == 2


def test_monthly_joiners_fills_empty_months(make_dataset, b, tiny):
    # given: two members join in January, one in March
    members = b.members(
        [
            (1, b.at(3), None, None, False),
            (2, b.at(20), None, None, False),
            (3, b.at(2, month=3), None, None, False),
        ]
    )
    events = b.events([(b.at(3), 1, "member.visited")])
    ds = make_dataset(members=members, ideas=b.ideas([]), events=events)
    # when
    out = capacity.monthly_joiners(ds)
    # then
    assert out["joiners"].tolist() == [2, 0, 1]
    assert out["members"].tolist() == [2, 2, 3]
    assert out["month"].iloc[1] == pd.Timestamp("2024-02-01", tz="UTC")


def test_retention_cohorts_by_hand(make_dataset, b):
    # given: members 1 and 2 join in January, member 3 in February
    members = b.members(
        [
            (1, b.at(3), None, None, False),
            (2, b.at(4), None, None, False),
            (3, b.at(5, month=2), None, None, False),
        ]
    )
    events = b.events(
        [
            (b.at(3), 1, "member.joined"),
            (b.at(3), 1, "member.visited"),
            (b.at(6, month=3), 1, "member.visited"),
            (b.at(7, month=2), 2, "member.visited"),
            (b.at(8, month=2), 3, "member.visited"),
        ]
    )
    ds = make_dataset(members=members, ideas=b.ideas([]), events=events)
    # when
    out = capacity.retention_cohorts(ds)
    # then
    jan = out[out["cohort"] == pd.Timestamp("2024-01-01", tz="UTC")]
    feb = out[out["cohort"] == pd.Timestamp("2024-02-01", tz="UTC")]
    assert jan["retention"].tolist() == [0.5, 0.5, 0.5]
    assert feb["retention"].tolist() == [1.0, 0.0]
    assert feb["size"].tolist() == [1, 1]


def test_forecast_continues_the_fitted_curve():
    # given
    counts = _bass_counts(0.03, 0.38, 1000.0, 12)
    fit = capacity.fit_bass(counts)
    months = pd.date_range("2024-01-01", periods=12, freq="MS", tz="UTC")
    joiners = pd.DataFrame({"month": months, "joiners": counts, "members": np.cumsum(counts)})
    active = pd.DataFrame({"month": months, "active_contributors": np.cumsum(counts) * 0.1})
    # when
    out = capacity.forecast(fit, joiners, active, horizon=3)
    # then
    expected = capacity.bass_cumulative(np.array([13, 14, 15]), 0.03, 0.38, 1000.0)
    assert out["members"].to_numpy() == pytest.approx(expected, rel=1e-4)
    assert out["active_contributors"].to_numpy() == pytest.approx(expected * 0.1, rel=1e-4)
    assert out["month"].iloc[0] == pd.Timestamp("2025-01-01", tz="UTC")


def test_section_renders(make_dataset, tiny):
    ds = make_dataset(**tiny)
    sec = metric("capacity").section(ds)
    assert sec.headline["contributor_absence_factor"] == 2
    assert "No diffusion fit" in " ".join(sec.notes)


def test_forecast_never_below_the_members_counted_when_growth_stopped():
    # given: a Madrid-like community: 2,272 members who joined in a burst that died out
    counts = np.array([1200, 500, 250, 150, 90, 50, 20, 8, 3, 1, 0, 0])
    months = pd.date_range("2024-01-01", periods=len(counts), freq="MS", tz="UTC")
    joiners = pd.DataFrame({"month": months, "joiners": counts, "members": np.cumsum(counts)})
    active = pd.DataFrame({"month": months, "active_contributors": np.cumsum(counts) * 0.1})
    fit = capacity.fit_bass(counts)
    # when
    out = capacity.forecast(fit, joiners, active)
    # then: the fit sits on its bounds (q = 0, m = today's members) and says so
    assert fit.q < capacity.DEGENERATE_Q
    assert fit.m == pytest.approx(2272.0)
    assert fit.degenerate == (
        "the ceiling m is the 2272 members already counted: growth has stopped or cannot be told from these months"
    )
    # and the forecast and its band hold the 2,272 members, never fewer, never falling
    for column in ("members", "members_low", "members_high"):
        values = out[column].to_numpy()
        assert (values >= 2272.0).all(), column
        assert (np.diff(values) >= 0).all(), column
    assert out["members"].round(6).tolist() == [2272.0] * 12


def test_a_growing_community_is_not_degenerate():
    fit = capacity.fit_bass(_bass_counts(0.03, 0.38, 1000.0, 12))
    assert fit.degenerate is None


def test_section_says_when_the_fit_is_degenerate(make_dataset, b):
    # given: 228 members who joined in a burst that died out over nine months
    per_month = [120, 50, 25, 15, 9, 5, 2, 1, 1]
    joined = [b.at(1, month + 1) for month, n in enumerate(per_month) for _ in range(n)]
    members = b.members([(i + 1, when, None, None, False) for i, when in enumerate(joined)])
    events = b.events([(b.at(1, 9), 1, "member.visited")])
    ds = make_dataset(members=members, ideas=b.ideas([]), events=events)
    # when
    sec = metric("capacity").section(ds)
    # then
    assert sec.headline["members"] == 228
    assert sec.headline["members_in_12_months"] >= 228
    assert any(note.startswith("The diffusion fit is degenerate: ") for note in sec.notes)


def _few_members(make_dataset, b, n: int):
    """``n`` members who joined over five months (1, 3, 3, n - 8, 1), one visiting once."""
    months = [1, 2, 2, 2, 3, 3, 3, 5] + [4] * (n - 8)
    members = b.members([(i + 1, b.at(1, month), None, None, False) for i, month in enumerate(months)])
    events = b.events([(b.at(20, 5), 1, "member.visited")])
    return make_dataset(members=members, ideas=b.ideas([]), events=events)


def test_no_diffusion_interval_below_ten_members(make_dataset, b):
    # given: nine members
    sec = metric("capacity").section(_few_members(make_dataset, b, 9))
    # then: the estimates stay, the intervals go, and the note names the group and its size
    assert sec.headline["members"] == 9
    assert isinstance(sec.headline["bass_p"], float)
    assert [sec.headline[k] for k in ("bass_p_95", "bass_q_95", "bass_m_95")] == ["too few"] * 3
    assert "No 95% interval for the diffusion fit: joiners 9 members; each group needs at least 10." in sec.notes
    fit_table = sec.tables["bass_fit"]
    assert fit_table["low_95"].isna().all()
    assert fit_table["high_95"].isna().all()


def test_a_diffusion_interval_at_ten_members(make_dataset, b):
    sec = metric("capacity").section(_few_members(make_dataset, b, 10))
    assert sec.headline["members"] == 10
    low, high = sec.headline["bass_p_95"]
    assert low <= sec.headline["bass_p"] <= high
    assert all(isinstance(sec.headline[k], list) for k in ("bass_q_95", "bass_m_95"))
    assert not any("No 95% interval" in note for note in sec.notes)


def test_monthly_joiners_run_to_the_datasets_end(make_dataset, b):
    # given: members join in January and February 2024; the latest event is in May 2024
    members = b.members([(1, b.at(3), None, None, False), (2, b.at(3, month=2), None, None, False)])
    events = b.events([(b.at(3), 1, "member.visited"), (b.at(20, month=5), 2, "member.visited")])
    ds = make_dataset(members=members, ideas=b.ideas([]), events=events)
    # when
    out = capacity.monthly_joiners(ds)
    # then: the three months nobody joined are counted, so growth that stopped shows
    assert out["joiners"].tolist() == [1, 1, 0, 0, 0]
    assert out["members"].tolist() == [1, 2, 2, 2, 2]
    assert out["month"].iloc[-1] == pd.Timestamp("2024-05-01", tz="UTC")


def test_fits_in_threads_side_by_side_leave_the_warning_filters_alone():
    # given: two fits at once, as sections run in a report's threads, one of them on its bounds
    # (its covariance cannot be estimated), while every warning is an error (as in these tests)
    import threading
    import warnings

    series = [_bass_counts(0.03, 0.38, 1000.0, 12), np.array([1200, 500, 250, 150, 90, 50, 20, 8, 3, 1, 0, 0])]
    before = list(warnings.filters)
    failures: list[BaseException] = []

    def fit(counts: np.ndarray) -> None:
        for _ in range(5):
            try:
                capacity.fit_bass(counts)
            except BaseException as exc:  # any failure in the thread is the test's
                failures.append(exc)

    # when
    threads = [threading.Thread(target=fit, args=(counts,)) for counts in series]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then: no fit warned (a warning is raised here), and the process-wide filters are as they were
    assert failures == []
    assert warnings.filters == before
