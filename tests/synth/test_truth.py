"""The planted ground truth is recorded and can be recovered from the tables."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from prosumo.synth import Community

CONTRIBUTION_VERBS = [
    "idea.submitted",
    "idea.supported",
    "idea.support_withdrawn",
    "idea.rated",
    "comment.posted",
]


def _logit(y: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Maximum-likelihood logit by Newton-Raphson: coefficients and standard errors."""
    beta = np.zeros(x.shape[1])
    for _ in range(30):
        p = 1 / (1 + np.exp(-x @ beta))
        hessian = x.T @ (x * (p * (1 - p))[:, None])
        step = np.linalg.solve(hessian, x.T @ (y - p))
        beta += step
        if np.abs(step).max() < 1e-10:
            break
    return beta, np.sqrt(np.diag(np.linalg.inv(hessian)))


def _first_contribution(c: Community) -> pd.Series:
    acted = c.events[c.events.verb.isin(CONTRIBUTION_VERBS)][["actor_id", "occurred_at"]]
    coauthored = c.events[c.events.verb == "idea.coauthor_added"][["target_member_id", "occurred_at"]]
    both = pd.concat([acted.set_axis(["member_id", "at"], axis=1), coauthored.set_axis(["member_id", "at"], axis=1)])
    return both.groupby("member_id").at.min()


def test_truth_names_every_planted_effect(demo: Community):
    # then
    assert {"lead_users", "channels", "spend_uplift", "influence", "participation_model", "bass"} <= set(demo.truth)
    assert demo.truth["channels"]["activation_rate"] == {
        "email": 0.10,
        "social": 0.06,
        "search": 0.08,
        "referral": 0.16,
        "event": 0.22,
        "partner": 0.12,
    }
    assert demo.truth["spend_uplift"]["multiplier"] == 1.25
    assert demo.truth["influence"]["referral_multiple"] == 4.5
    assert json.loads(json.dumps(demo.truth)) == demo.truth


def test_lead_users_are_members_with_ideas_accepted_far_more_often(town: Community):
    # given
    lead = set(town.truth["lead_users"]["member_ids"])
    ideas = town.ideas.assign(lead=town.ideas.author_id.isin(lead))
    decided = ideas[ideas.status.isin(["accepted", "in_development", "launched", "declined"])]
    # when
    rate = decided.groupby("lead").status.apply(lambda s: (s != "declined").mean())
    # then
    assert len(lead) == 30
    assert town.truth["lead_users"]["k"] == 60
    assert not town.members.set_index("member_id").is_staff[sorted(lead)].any()
    assert rate[True] > 8 * rate[False]


def test_lead_users_are_found_by_a_simple_empirical_bayes_ranking(town: Community):
    # given accepted ideas per author, shrunk towards a 5% base rate (Beta(0.5, 10) prior)
    accepted = town.ideas.status.isin(["accepted", "in_development", "launched"])
    per_author = (
        town.ideas.assign(accepted=accepted)
        .groupby("author_id")
        .agg(ideas=("idea_id", "size"), accepted=("accepted", "sum"))
    )
    score = (per_author.accepted + 0.5) / (per_author.ideas + 10.5)
    # when
    k = town.truth["lead_users"]["k"]
    top = set(score.sort_values(ascending=False).index[:k])
    # then
    lead = set(town.truth["lead_users"]["member_ids"])
    assert len(top & lead) / len(lead) >= 0.8


def test_lead_users_are_early_on_growing_themes_and_use_rarer_words(town: Community):
    # given
    lead = set(town.truth["lead_users"]["member_ids"])
    growing = set(town.truth["lead_users"]["growing_themes"])
    ideas = town.ideas.merge(town.idea_tags, on="idea_id")
    on_growing = ideas[ideas.tag.isin(growing)]
    by_lead = on_growing.author_id.isin(lead)
    # when
    lead_share_growing = ideas[ideas.author_id.isin(lead)].tag.isin(growing).mean()
    other_share_growing = ideas[~ideas.author_id.isin(lead)].tag.isin(growing).mean()
    words = ideas.body.str.lower().str.findall(r"[a-záéíóúñ]+")
    frequency = pd.Series([w for ws in words for w in set(ws)]).value_counts()
    rarity = words.map(lambda ws: float(np.mean([1 / frequency[w] for w in set(ws)])))
    # then
    assert lead_share_growing > 0.85
    assert lead_share_growing > other_share_growing + 0.1
    assert on_growing[by_lead].created_at.median() < on_growing[~by_lead].created_at.median()
    assert rarity[ideas.author_id.isin(lead)].mean() > 2 * rarity[~ideas.author_id.isin(lead)].mean()


def test_growing_themes_take_a_larger_share_of_new_ideas_over_time(town: Community):
    # given
    ideas = town.ideas.merge(town.idea_tags, on="idea_id")
    growing = ideas.tag.isin(town.truth["lead_users"]["growing_themes"])
    half = ideas.created_at < ideas.created_at.min() + (ideas.created_at.max() - ideas.created_at.min()) / 2
    # when / then
    assert growing[~half].mean() > growing[half].mean() + 0.1


def test_channel_activation_rates_are_recovered_from_the_events(town: Community):
    # given
    regular = town.members[~town.members.is_staff]
    contributor = regular.member_id.isin(_first_contribution(town).index)
    # when
    measured = contributor.groupby(regular.channel).mean()
    # then
    for channel, rate in town.truth["channels"]["activation_rate"].items():
        assert abs(measured[channel] - rate) / rate < 0.2, channel
        assert town.truth["channels"]["realized"][channel]["realized_rate"] == round(measured[channel], 5)


def test_survey_scores_drive_participation_through_the_planted_logit(town: Community):
    # given respondents' motive and cost scores and whether they took part
    surveys = town.surveys.pivot(index="member_id", columns="item", values="score")
    items = list(town.truth["participation_model"]["coefficients"])
    members = town.members.set_index("member_id").loc[surveys.index]
    took_part = surveys.index.isin(_first_contribution(town).index).astype(float)
    design = pd.concat(
        [
            surveys[items] - 4.0,
            pd.get_dummies(members.segment, dtype=float)[["silver", "gold"]],
            pd.get_dummies(members.channel, dtype=float),
        ],
        axis=1,
    )
    # when
    beta, se = _logit(took_part, design.to_numpy())
    params = pd.Series(beta, index=design.columns)
    errors = pd.Series(se, index=design.columns)
    # then every coefficient is within 3 standard errors of the planted value
    planted = (
        town.truth["participation_model"]["coefficients"]
        | {"silver": 0.5, "gold": 1.2}
        | town.truth["participation_model"]["intercepts"]
    )
    for name, value in planted.items():
        assert abs(params[name] - value) < 3 * errors[name], name
    assert errors["motive_psych"] < 0.1


def test_co_creators_order_more_after_their_first_contribution(town: Community):
    # given each co-creator's orders before and after their first contribution
    start = town.outcomes.ordered_at.min().normalize()
    end = pd.Timestamp(town.truth["window"]["end"])
    first = _first_contribution(town)
    first = first[first.index.isin(town.members[~town.members.is_staff].member_id)]
    orders = town.outcomes[town.outcomes.member_id.isin(first.index)]
    after = orders.ordered_at.to_numpy() >= first[orders.member_id].to_numpy()
    # when
    pre_rate = (~after).sum() / (first - start).dt.total_seconds().sum()
    post_rate = after.sum() / (end - first).dt.total_seconds().sum()
    # then the order rate rises by the planted multiplier, and the naive comparison overstates it
    assert abs(post_rate / pre_rate - 1.25) < 0.12
    assert town.truth["spend_uplift"]["naive_monthly_spend_ratio"] > 1.3
    assert town.truth["spend_uplift"]["att_monthly_spend"] > 0


def test_prosumers_draw_referrals_and_replies_at_the_planted_multiple(town: Community):
    # given
    prosumers = set(town.truth["influence"]["prosumer_ids"])
    regular = town.members[~town.members.is_staff]
    referrals = town.members.referred_by.value_counts().reindex(regular.member_id, fill_value=0)
    replies = town.comments.dropna(subset=["parent_id"]).parent_id.value_counts()
    top = town.comments[town.comments.parent_id.isna()].set_index("comment_id")
    drawn = replies.reindex(top.index, fill_value=0)
    # when
    is_prosumer = referrals.index.isin(prosumers)
    referral_ratio = referrals[is_prosumer].mean() / referrals[~is_prosumer].mean()
    by_prosumer = top.author_id.isin(prosumers)
    reply_ratio = drawn[by_prosumer].mean() / drawn[~by_prosumer].mean()
    # then
    assert 3.5 < referral_ratio < 5.5
    assert 3.5 < reply_ratio < 5.5
    assert town.truth["influence"]["realized"]["referral_ratio"] == round(referral_ratio, 4)
