"""The demo profile: a lively trial community with the bench's members and participation shape."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, stats

from prosumo.synth import Community, generate

# the window load_demo uses: 400 days ending one hour before "now"
NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
END = NOW - timedelta(hours=1)
START = NOW - timedelta(days=400)
SEEDS = [7, 1, 2]
WRITING_VERBS = ["idea.submitted", "idea.supported", "idea.support_withdrawn", "idea.rated", "comment.posted"]


@pytest.fixture(scope="module", params=SEEDS, ids=[f"seed{s}" for s in SEEDS])
def lively(request: pytest.FixtureRequest) -> Community:
    """The demo community as `prosumo demo` generates it, for three seeds."""
    return generate(seed=request.param, members=300, start=START, end=END, profile="demo")


def _last_days(ts: pd.Series, days: float) -> pd.Series:
    return ts >= pd.Timestamp(END - timedelta(days=days))


def _answered(c: Community) -> set[int]:
    """Ideas with a stage change made by staff (the platform's answered_at)."""
    return set(c.idea_stages[c.idea_stages.actor_id.notna()].idea_id)


def test_demo_has_100_to_150_ideas_in_english_and_spanish(lively: Community):
    # when
    languages = lively.ideas.language.value_counts(normalize=True)
    # then
    assert 100 <= len(lively.ideas) <= 150
    assert set(languages.index) == {"en", "es"}
    assert languages.min() >= 0.1


def test_demo_recent_month_is_busy(lively: Community):
    # given
    ev = lively.events
    votes = ev[ev.verb.isin(["idea.supported", "idea.rated"])]
    comments = ev[ev.verb == "comment.posted"]
    window_months = (END - START).days / 30
    # when
    recent_votes = int(_last_days(votes.occurred_at, 30).sum())
    recent_comments = int(_last_days(comments.occurred_at, 30).sum())
    # then: at least 20 new ideas, and twice the monthly average of votes and comments
    assert _last_days(lively.ideas.created_at, 30).sum() >= 20
    assert recent_votes >= 2 * len(votes) / window_months
    assert recent_comments >= 2 * len(comments) / window_months


def test_demo_staff_queue_holds_8_to_15_recent_ideas(lively: Community):
    # given
    ideas = lively.ideas.set_index("idea_id")
    # when
    waiting = ideas[~ideas.index.isin(_answered(lively))]
    age = pd.Timestamp(END) - waiting.created_at
    # then
    assert 8 <= len(waiting) <= 15
    assert age.max() <= pd.Timedelta(days=18)
    assert set(waiting.status) == {"submitted"}


def test_waiting_ideas_take_no_votes_or_comments_before_a_moderator_opens_them(lively: Community):
    # given
    opened = lively.idea_stages[lively.idea_stages.stage == "open"].set_index("idea_id").changed_at
    votes = lively.events[lively.events.verb.isin(["idea.supported", "idea.rated"])]
    # when
    vote_opened = opened.reindex(votes.object_id.to_numpy()).to_numpy()
    comment_opened = opened.reindex(lively.comments.idea_id.to_numpy()).to_numpy()
    # then
    assert not pd.isna(vote_opened).any()
    assert (votes.occurred_at.to_numpy() >= vote_opened).all()
    assert (lively.comments.created_at.to_numpy() >= comment_opened).all()


def test_demo_stages_are_spread_and_at_most_30_percent_declined(lively: Community):
    # when
    share = lively.ideas.status.value_counts(normalize=True)
    # then
    assert share.get("declined", 0.0) <= 0.30
    for stage in ("open", "under_review", "accepted", "in_development", "launched"):
        assert share.get(stage, 0.0) >= 0.02, stage


def test_several_open_ideas_are_near_their_support_threshold(lively: Community):
    # given
    threshold = lively.campaign_details.set_index("campaign_id").support_threshold
    supporters = lively.votes.groupby("idea_id").size()
    open_ideas = lively.ideas[(lively.ideas.status == "open") & lively.ideas.campaign_id.notna()]
    # when
    needed = threshold.reindex(open_ideas.campaign_id.to_numpy()).to_numpy(dtype=float, na_value=np.nan)
    support = supporters.reindex(open_ideas.idea_id.to_numpy(), fill_value=0).to_numpy()
    # then: at least three open ideas have half or more of the supporters they need
    assert ((support >= needed / 2) & ~np.isnan(needed)).sum() >= 3


def test_demo_runs_3_to_5_campaigns_now_and_some_finished(lively: Community):
    # when
    ends = lively.campaigns.ends_at
    running = ends.isna() | (ends > pd.Timestamp(END))
    # then
    assert 3 <= running.sum() <= 5
    assert (~running).sum() >= 2
    assert (lively.campaigns.starts_at < pd.Timestamp(END)).all()


def test_most_open_ideas_have_threaded_comments_and_some_ideas_are_co_authored(lively: Community):
    # given
    comments = lively.comments
    threaded = set(comments[comments.parent_id.notna()].idea_id)
    open_ideas = lively.ideas[lively.ideas.status == "open"].idea_id
    # when
    co_authored = lively.idea_authors.groupby("idea_id").size().gt(1).sum()
    # then
    assert open_ideas.isin(threaded).mean() > 0.5
    assert co_authored >= 10


def test_demo_keeps_90_9_1_participation(lively: Community):
    # given
    regular = lively.members[~lively.members.is_staff]
    contributors = set(lively.events[lively.events.verb.isin(WRITING_VERBS)].actor_id)
    # when
    lurkers = 1 - regular.member_id.isin(contributors).mean()
    per_author = lively.ideas.author_id.value_counts()
    top_1_percent = per_author.iloc[: round(0.01 * len(regular))].sum() / len(lively.ideas)
    # then
    assert 0.85 <= lurkers <= 0.95
    assert len(per_author) / len(regular) <= 0.05
    assert top_1_percent >= 0.5


def test_demo_and_bench_have_the_same_members_and_contributors():
    # given
    bench = generate(seed=7, members=300, start=START, end=END)
    demo = generate(seed=7, members=300, start=START, end=END, profile="demo")

    # when
    def writers(c: Community) -> set[int]:
        return set(c.events[c.events.verb.isin(WRITING_VERBS)].actor_id)

    # then
    pd.testing.assert_frame_equal(bench.members, demo.members)
    assert writers(bench) == writers(demo)
    # the same superusers write; engagers draw their idea counts afresh, so about as many write
    superusers = set(bench.truth["influence"]["prosumer_ids"])
    assert superusers == set(demo.truth["influence"]["prosumer_ids"])
    assert superusers <= set(demo.ideas.author_id)
    assert abs(demo.ideas.author_id.nunique() - bench.ideas.author_id.nunique()) <= 3
    assert len(demo.ideas) > 2 * len(bench.ideas)


def test_demo_is_deterministic_and_passes_the_analytics_validator():
    # given
    from prosumo.analytics.dataset import validate
    from prosumo.synth.schema import CONTRACT_TABLES

    # when
    first = generate(seed=7, members=300, start=START, end=END, profile="demo")
    second = generate(seed=7, members=300, start=START, end=END, profile="demo")
    # then
    for name in [*CONTRACT_TABLES, "comments", "votes", "idea_revisions", "campaign_details"]:
        pd.testing.assert_frame_equal(first.table(name), second.table(name))
    assert first.truth == second.truth
    assert set(validate({name: first.arrow(name) for name in CONTRACT_TABLES})) == set(CONTRACT_TABLES)


def test_demo_truth_records_its_profile_and_acceptance_model():
    # given E[sigmoid(a + 0.8 z)], z ~ N(0, 1), integrated here with scipy
    def acceptance(a: float) -> float:
        value, _ = integrate.quad(lambda z: stats.norm.pdf(z) / (1 + np.exp(-(a + 0.8 * z))), -12, 12)
        return round(value, 4)

    # when
    c = generate(seed=7, members=300, start=START, end=END, profile="demo")
    probability = c.truth["lead_users"]["acceptance_probability"]
    # then
    assert c.truth["profile"] == "demo"
    assert json.loads(json.dumps(c.truth)) == c.truth
    # (the generator integrates on 1,001 normal quantiles, good to about 3e-4)
    assert probability["lead_users"] == pytest.approx(acceptance(1.2), abs=5e-4)
    assert probability["others"] == pytest.approx(acceptance(-0.2), abs=5e-4)


def test_a_short_small_demo_stays_inside_its_window_and_passes_the_validator():
    # given
    from prosumo.analytics.dataset import validate
    from prosumo.synth.schema import CONTRACT_TABLES

    start, end = START, START + timedelta(days=30)
    # when
    c = generate(seed=30, members=50, start=start, end=end, profile="demo")
    # then
    assert len(c.ideas) > 0
    assert set(validate({name: c.arrow(name) for name in CONTRACT_TABLES})) == set(CONTRACT_TABLES)
    assert c.events.occurred_at.between(pd.Timestamp(start), pd.Timestamp(end)).all()
    assert (c.campaigns.starts_at >= pd.Timestamp(start)).all()
    finished = c.campaigns.dropna(subset=["ends_at"])
    assert (finished.ends_at > finished.starts_at).all()


def test_bench_is_the_default_profile():
    # when
    c = generate(seed=3, members=120, start=START, end=START + timedelta(days=60))
    # then
    assert c.truth["profile"] == "bench"


def test_unknown_profile_is_refused_with_a_clear_message():
    # when / then
    with pytest.raises(ValueError, match=r"profile must be one of \['bench', 'demo'\], got 'lively'"):
        generate(seed=3, members=120, start=START, end=END, profile="lively")


def test_command_line_writes_a_demo_dataset(tmp_path: Path, capsys):
    # given
    from prosumo.synth.__main__ import main

    # when
    status = main([str(tmp_path / "demo"), "--members", "300", "--profile", "demo"])
    # then
    report = json.loads(capsys.readouterr().out)
    truth = json.loads((tmp_path / "demo" / "truth.json").read_text(encoding="utf-8"))
    assert status == 0
    assert report["rows"]["members"] == 300
    assert truth["profile"] == "demo"
