from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import sparse

from prosumo.analytics.dataset import load_dataset
from prosumo.analytics.importers.polis import write_polis_dataset
from prosumo.analytics.metrics import innovation
from prosumo.analytics.sections import innovation as innovation_section

POLIS_SAMPLE = Path(__file__).parents[1] / "data" / "polis_sample"


def test_shrunk_rate_is_the_posterior_mean():
    # given a Beta(1, 9) prior
    prior = innovation.BetaPrior(1.0, 9.0)
    # when
    rates = innovation.shrunk_rate([0, 1, 10], [0, 2, 10], prior)
    # then: (0+1)/(0+10), (1+1)/(2+10), (10+1)/(10+10)
    assert rates.tolist() == pytest.approx([0.1, 1 / 6, 0.55])


def test_fit_beta_prior_by_moments_by_hand():
    # given rates 0.2 and 0.4: mean 0.3, variance 0.01, so a + b = 0.21 / 0.01 - 1 = 20
    # when
    prior = innovation.fit_beta_prior([1, 2], [5, 5], method="moments")
    # then
    assert (prior.alpha, prior.beta) == pytest.approx((6.0, 14.0))


def test_fit_beta_prior_by_ml_recovers_a_planted_prior():
    # given: 4,000 members, rates drawn from Beta(2, 18), 10 ideas each
    rng = np.random.default_rng(3)
    p = rng.beta(2.0, 18.0, 4000)
    n = np.full(4000, 10)
    k = rng.binomial(n, p)
    # when
    prior = innovation.fit_beta_prior(k, n)
    # then
    assert prior.mean == pytest.approx(0.1, abs=0.005)
    assert prior.alpha == pytest.approx(2.0, rel=0.25)
    better = innovation.beta_binomial_loglik(k, n, prior)
    assert better >= innovation.beta_binomial_loglik(k, n, innovation.BetaPrior(2.0, 18.0))


def test_fit_beta_prior_needs_ideas():
    with pytest.raises(ValueError, match="no member has an idea"):
        innovation.fit_beta_prior([0], [0])


def test_novelty_and_diversity_on_unit_vectors():
    # given: idea 0 and idea 1 are the same text, idea 2 shares no word with them
    x = innovation.tfidf(["solar panel roof", "solar panel roof", "wooden chair design"])
    order = np.array([1, 2, 3])
    one_theme = np.zeros(3, dtype="int64")
    # when
    nov = innovation.novelty(x, order, one_theme)
    credit = sparse.csr_matrix(np.array([[1, 1, 0], [1, 0, 1], [0, 0, 1]], dtype="float64"))
    div = innovation.diversity(credit, x)
    # then
    assert nov.tolist() == pytest.approx([1.0, 0.0, 1.0])
    assert div[:2].tolist() == pytest.approx([0.0, 1.0])
    assert np.isnan(div[2])


def test_novelty_looks_only_at_earlier_ideas_of_the_same_theme():
    x = innovation.tfidf(["solar panel roof", "solar panel roof"])
    # the copy came first, and sits in another theme
    nov = innovation.novelty(x, np.array([2, 1]), np.array([0, 1]))
    assert nov.tolist() == [1.0, 1.0]


def test_fold_text_equals_scikit_learns_lower_and_accent_stripping():
    # given: accents, a ligature, a dotted capital I, a digraph, ASCII and an empty text
    from sklearn.feature_extraction.text import strip_accents_unicode

    texts = pd.Series(["Crème BRÛLÉE à la Ǆ", "plain ascii", "İstanbul ﬁne", "", "Ñandú—“quoted”"])
    # when
    folded = innovation.fold_text(texts)
    # then
    assert folded.tolist() == [strip_accents_unicode(t.lower()) for t in texts]
    assert folded.tolist()[0] == "creme brulee a la dz"


def test_novelty_split_into_dense_and_sparse_terms_equals_the_plain_maximum():
    # given: 300 ideas over 40 words in two themes; a few words are common (dense
    # part), most rare (sparse part); the last 50 may only look back 100 ideas
    rng = np.random.default_rng(4)
    words = [f"w{i}" for i in range(40)]
    weights = np.r_[np.full(4, 8.0), np.ones(36)]
    texts = [" ".join(rng.choice(words, size=6, p=weights / weights.sum())) for _ in range(300)]
    x = innovation.tfidf(texts)
    order = rng.permutation(300)
    theme = rng.integers(0, 2, size=300)
    # when
    nov = innovation.novelty(x, order, theme, max_reference=100)
    # then: against every earlier idea of the theme among the 100 latest, by brute force
    sims = (x @ x.T).toarray()
    want = np.ones(300)
    for j in range(300):
        earlier = np.flatnonzero((theme == theme[j]) & (order < order[j]))
        earlier = earlier[np.argsort(order[earlier])][-100:]
        if len(earlier):
            want[j] = 1 - np.clip(sims[j, earlier].max(), 0, 1)
    assert nov == pytest.approx(want, abs=1e-12)
    assert innovation.novelty(x, order, theme, max_reference=100, dense_share=1.1) == pytest.approx(want, abs=1e-12)


def test_theme_followers_counts_later_ideas_in_the_theme():
    theme = np.array([0, 0, 1, 0, 1])
    order = np.array([5, 1, 3, 9, 2])
    assert innovation.theme_followers(theme, order).tolist() == [1, 2, 0, 0, 1]


def test_innovation_scores_rank_a_successful_member_first(make_dataset, b):
    # given: member 1 has 3 ideas, all accepted and supported; member 2 one declined
    # idea; member 3 one open idea
    members = b.members([(i, b.at(1), None, None, False) for i in (1, 2, 3, 4)])
    ideas = b.ideas(
        [
            (10, 1, b.at(2), "accepted", "solar roof tiles", "tiles that make power"),
            (11, 1, b.at(3), "launched", "recycled bottle chair", "a chair from bottles"),
            (12, 1, b.at(4), "accepted", "bike rack for balconies", "folding rack"),
            (13, 2, b.at(5), "declined", "solar roof tiles again", "tiles that make power"),
            (14, 3, b.at(6), "open", "chair from bottles", "recycled bottle chair"),
        ]
    )
    events = b.events(
        [(b.at(7), 4, "idea.supported", i, 1, None, 1.0) for i in (10, 11, 12)]
        + [(b.at(8), 4, "idea.supported", 13, 2, None, 1.0), (b.at(9), 4, "idea.support_withdrawn", 13, 2, None, -1.0)]
    )
    ds = make_dataset(members=members, ideas=ideas, events=events)
    # when
    ranked, prior = innovation.innovation_scores(ds)
    # then
    assert ranked["member_id"].tolist()[0] == 1
    assert set(ranked["member_id"]) == {1, 2, 3}
    first = ranked.iloc[0]
    assert first["ideas"] == 3
    assert first["accepted"] == 3
    assert first["support"] == 3
    assert "3 of 3 ideas accepted" in first["reason"]
    two = ranked.set_index("member_id").loc[2]
    assert two["support"] == 0
    assert prior is not None
    assert 0 < prior.mean < 1


def test_lead_user_survey_is_used_when_present(make_dataset, b, tiny):
    # given: the tiny community plus a survey where member 4 scores high
    surveys = pd.DataFrame(
        {
            "member_id": [4, 4, 5, 5],
            "item": ["lead_at_1", "lead_heb_1", "lead_at_1", "lead_heb_1"],
            "score": [7.0, 6.0, 2.0, 1.0],
        }
    )
    ds = make_dataset(surveys=surveys, **tiny)
    # when
    lead = innovation.lead_user_scores(ds).set_index("member_id")
    ranked, _ = innovation.innovation_scores(ds)
    # then
    assert lead.loc[4, "lead_user"] == 6.5
    assert lead.loc[5, "lead_at"] == 2.0
    assert set(ranked["member_id"]) == {1, 2, 3, 4, 5}
    assert "lead-user survey score 6.5" in ranked.set_index("member_id").loc[4, "reason"]


def test_section_renders(make_dataset, tiny):
    sec = innovation_section.section(make_dataset(**tiny))
    assert sec.headline["ranked_members"] == 3
    assert len(sec.tables["ranking"]) == 3


def test_support_counts_only_positive_votes_that_stand(make_dataset, b):
    # given: on up/down idea 10 member 2 votes up, 3 down, 4 up then changes to down,
    # 5 up then withdraws; on score idea 11 member 2 scores 5, 3 scores 1, 4 scores 3
    members = b.members([(i, b.at(1), None, None, False) for i in (1, 2, 3, 4, 5)])
    ideas = b.ideas([(10, 1, b.at(2), "open"), (11, 1, b.at(2), "open")])
    events = b.events(
        [
            (b.at(3), 2, "idea.supported", 10, 1, None, 1.0),
            (b.at(3), 3, "idea.supported", 10, 1, None, -1.0),
            (b.at(3), 4, "idea.supported", 10, 1, None, 1.0),
            (b.at(4), 4, "idea.supported", 10, 1, '{"previous": 1}', -1.0),
            (b.at(3), 5, "idea.supported", 10, 1, None, 1.0),
            (b.at(4), 5, "idea.support_withdrawn", 10, 1, None, 1.0),
            (b.at(3), 2, "idea.rated", 11, 1, None, 5.0),
            (b.at(3), 3, "idea.rated", 11, 1, None, 1.0),
            (b.at(3), 4, "idea.rated", 11, 1, None, 3.0),
        ]
    )
    ds = make_dataset(members=members, ideas=ideas, events=events)
    # when
    evidence = innovation.member_evidence(ds).set_index("member_id")
    # then: one up vote on 10 and one high score on 11
    assert evidence.loc[1, "support"] == 2


def test_polis_disagree_and_pass_are_not_support(tmp_path):
    # given: the Pol.is sample (agree +1, disagree -1, pass 0)
    write_polis_dataset(POLIS_SAMPLE, tmp_path / "ds")
    ds = load_dataset(tmp_path / "ds")
    votes = pd.read_csv(POLIS_SAMPLE / "votes.csv").sort_values("timestamp", kind="stable")
    latest = votes.drop_duplicates(["voter-id", "comment-id"], keep="last")
    comments = pd.read_csv(POLIS_SAMPLE / "comments.csv").set_index("comment-id")
    agree = latest[latest["vote"] == 1].assign(author=lambda f: comments.loc[f["comment-id"], "author-id"].to_numpy())
    expected = agree.groupby("author").size().to_dict()
    every_vote = latest.groupby(comments.loc[latest["comment-id"], "author-id"].to_numpy()).size().to_dict()
    assert expected != every_vote  # the sample has disagree and pass votes
    # when
    evidence = innovation.member_evidence(ds)
    # then: each author's support is the agree votes standing on their statements
    got = {int(m): int(s) for m, s in zip(evidence["member_id"], evidence["support"], strict=True) if s}
    assert got == {int(a): int(n) for a, n in expected.items()}
