"""Question 9: opinion groups (Pol.is method)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from prosumo.analytics.dataset import load_dataset, write_dataset
from prosumo.analytics.importers.polis import write_polis_dataset
from prosumo.analytics.metrics.opinions import (
    BASE_CLUSTERS,
    MIN_GROUP_SIZE,
    KState,
    _base_clusters,
    agreement_with_labels,
    opinion_groups,
    votes_of,
)
from prosumo.analytics.sections import opinions

SAMPLE = Path(__file__).parent / "data" / "polis_sample"
# shared/ lies beside the repository (CI's clone and a developer's checkout alike).
REALDATA = next(
    (
        p
        for p in (Path(__file__).resolve().parents[3] / "shared/realdata/polis", Path("/work/shared/realdata/polis"))
        if p.is_dir()
    ),
    Path("/work/shared/realdata/polis"),
)


def two_camps() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """8 members x 8 ideas: members 0-3 agree and 4-7 disagree on ideas 0-3; all agree on 4-7."""
    members = np.repeat(np.arange(8), 8)
    ideas = np.tile(np.arange(8), 8)
    side = np.where(np.arange(8) < 4, 1.0, -1.0)
    votes = np.where(ideas < 4, side[members], 1.0)
    return members, ideas, votes


def test_two_planted_camps_are_found_with_pol_is_statistics():
    # given
    members, ideas, votes = two_camps()
    # when
    result = opinion_groups(members, ideas, votes)
    # then
    assert result.k == 2
    groups = result.members.set_index("member_id")["group"]
    camp_a, camp_b = groups[0], groups[4]
    assert camp_a != camp_b
    assert (groups[:4] == camp_a).all()
    assert (groups[4:] == camp_b).all()
    stats = result.ideas.set_index("idea_id")
    # idea 0: camp A 4 agrees of 4 -> (1+4)/(2+4) = 5/6; camp B 0 of 4 -> 1/6
    assert stats.loc[0, f"p_agree_g{camp_a}"] == pytest.approx(5 / 6)
    assert stats.loc[0, f"p_agree_g{camp_b}"] == pytest.approx(1 / 6)
    assert stats.loc[0, "consensus"] == pytest.approx(5 / 36)
    assert stats.loc[0, "divisiveness"] == pytest.approx(2 / 3)
    assert stats.loc[0, "representative_group"] == camp_a
    assert stats.loc[0, "repness"] == pytest.approx(5.0)
    # pooled p = (2+4+0)/(4+4+4) = 1/2, se = sqrt(1/4 * (1/6 + 1/6)), z = (2/3) / se
    assert stats.loc[0, "z"] == pytest.approx((2 / 3) / np.sqrt(1 / 12))
    # idea 4: everyone agrees -> 5/6 in both groups
    assert stats.loc[4, "consensus"] == pytest.approx(25 / 36)
    assert stats.loc[4, "divisiveness"] == pytest.approx(0.0)
    assert result.silhouettes[2] == pytest.approx(1.0)


def test_sparse_voters_are_not_placed():
    # given: member 8 voted on 6 of the 8 ideas (< 7), member 9 on all 8
    members, ideas, votes = two_camps()
    members = np.concatenate([members, np.full(6, 8), np.full(8, 9)])
    ideas = np.concatenate([ideas, np.arange(6), np.arange(8)])
    votes = np.concatenate([votes, np.ones(6), np.ones(8)])
    # when
    result = opinion_groups(members, ideas, votes)
    # then
    assert result.n_voters == 10
    assert result.members["member_id"].tolist() == [0, 1, 2, 3, 4, 5, 6, 7, 9]
    assert result.members.set_index("member_id").loc[9, "n_votes"] == 8


def three_camps() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """36 members x 9 ideas: camp c (12 members) agrees with ideas 3c..3c+2 and disagrees
    with the rest, and passes on a fifth of its votes at random (a fixed draw), so the
    members sit at many places."""
    members = np.repeat(np.arange(36), 9)
    ideas = np.tile(np.arange(9), 36)
    camp = members // 12
    votes = np.where(ideas // 3 == camp, 1.0, -1.0)
    votes[np.random.default_rng(7).random(len(votes)) < 0.2] = 0.0
    return members, ideas, votes


def test_three_planted_camps_give_three_groups():
    # when
    result = opinion_groups(*three_camps())
    # then
    assert result.k == 3
    groups = result.members.set_index("member_id")["group"]
    camps = [sorted(set(groups[c * 12 : c * 12 + 12])) for c in range(3)]
    assert [len(c) for c in camps] == [1, 1, 1]
    assert sorted(c[0] for c in camps) == [0, 1, 2]
    assert max(result.silhouettes, key=result.silhouettes.__getitem__) == 3
    assert result.k_state == KState(last_k=3, last_k_count=1, smoothed_k=3)


def test_k_changes_only_after_being_the_best_four_runs_in_a_row():
    # given: earlier runs settled on 2 groups
    state = KState(last_k=2, last_k_count=6, smoothed_k=2)
    seen = []
    # when: four runs in which 3 groups fit best
    for _ in range(4):
        result = opinion_groups(*three_camps(), k_state=state)
        state = result.k_state
        seen.append((result.k, state))
    # then: k stays 2 for three runs and becomes 3 on the fourth
    assert [k for k, _ in seen] == [2, 2, 2, 3]
    assert [s.last_k_count for _, s in seen] == [1, 2, 3, 4]
    assert seen[-1][1] == KState(last_k=3, last_k_count=4, smoothed_k=3)


def test_a_fixed_k_overrides_the_silhouette():
    # when
    result = opinion_groups(*three_camps(), k=2)
    # then
    assert result.k == 2
    assert list(result.silhouettes) == [2]
    assert sorted(np.bincount(result.members["group"]).tolist()) == [12, 24]


def test_members_are_condensed_into_a_hundred_base_clusters():
    # given: 250 members at distinct places
    points = np.random.default_rng(3).normal(size=(250, 2))
    # when
    base_of, centres, sizes = _base_clusters(points, 0)
    # then
    assert centres.shape == (BASE_CLUSTERS, 2) == (100, 2)
    assert sizes.sum() == 250
    assert (sizes > 0).all()
    assert np.bincount(base_of, minlength=100).tolist() == sizes.tolist()
    # each member's base cluster is the nearest centre
    nearest = ((points[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2).argmin(axis=1)
    assert (nearest == base_of).all()


def test_few_distinct_places_are_their_own_base_clusters():
    # given: 8 members at two places
    points = np.array([[0.0, 1.0]] * 5 + [[2.0, 0.0]] * 3)
    # when
    base_of, centres, sizes = _base_clusters(points, 0)
    # then
    assert centres.tolist() == [[0.0, 1.0], [2.0, 0.0]]
    assert sizes.tolist() == [5, 3]
    assert base_of.tolist() == [0, 0, 0, 0, 0, 1, 1, 1]


def test_a_group_is_named_by_the_idea_it_agrees_on_most_beyond_the_rest():
    # given
    members, ideas, votes = three_camps()
    # when
    result = opinion_groups(members, ideas, votes)
    # then: each camp's group is named by one of the three ideas only that camp agrees with
    group_of = result.members.set_index("member_id")["group"]
    table = result.groups.set_index("group")
    for camp in range(3):
        group = int(group_of[camp * 12])
        idea = int(table.loc[group, "name_idea_id"])
        assert idea // 3 == camp
        inside = (members // 12 == camp) & (ideas == idea)
        outside = (members // 12 != camp) & (ideas == idea)
        # smoothed shares: (1 + agrees) / (2 + votes), in the group and among the rest
        assert table.loc[group, "name_agree"] == pytest.approx((1 + (votes[inside] > 0).sum()) / (2 + inside.sum()))
        assert table.loc[group, "name_agree_rest"] == pytest.approx(
            (1 + (votes[outside] > 0).sum()) / (2 + outside.sum())
        )
        # no other idea the group mostly agrees with leads the rest by more
        stats = result.ideas.set_index("idea_id")
        lead = stats[f"p_agree_g{group}"] - table.loc[group, "name_agree_rest"]
        assert lead[idea] == lead.max()
    assert table["shown"].tolist() == [True, True, True]


def test_a_group_below_the_minimum_size_is_not_shown_and_divides_nothing():
    # given: the third camp has only 4 members (fewer than MIN_GROUP_SIZE)
    members, ideas, votes = three_camps()
    keep = members < 28
    # when
    result = opinion_groups(members[keep], ideas[keep], votes[keep])
    # then: three groups are found, the small one is hidden and has no name
    assert MIN_GROUP_SIZE == 5
    assert result.k == 3
    table = result.groups.set_index("group")
    assert table["members"].tolist() == [12, 12, 4]
    assert table["shown"].tolist() == [True, True, False]
    assert table["name_idea_id"].isna().tolist() == [False, False, True]
    assert np.isnan(table.loc[2, "name_agree"])
    stats = result.ideas.set_index("idea_id")
    # ideas 6-8: only the hidden camp agrees; the two shown groups both disagree
    assert stats.loc[[6, 7, 8], "divides"].tolist() == [False, False, False]
    assert stats.loc[[6, 7, 8], "divisiveness"].tolist() == [0.0, 0.0, 0.0]
    assert stats.loc[6, "consensus"] == pytest.approx(stats.loc[6, "p_agree_g0"] * stats.loc[6, "p_agree_g1"])
    assert (stats["representative_group"] != 2).all()
    # with the minimum lowered, the same small group is shown and ideas 6-8 divide
    lowered = opinion_groups(members[keep], ideas[keep], votes[keep], min_group_size=4)
    assert lowered.groups["shown"].tolist() == [True, True, True]
    assert lowered.ideas.set_index("idea_id").loc[[6, 7, 8], "divides"].tolist() == [True, True, True]


def test_an_idea_one_side_does_not_vote_against_never_divides():
    # given: two camps of 6 split on ideas 0-5; idea 6 is agreed by camp A and only
    # passed by camp B (6 agrees, 0 disagrees): a large spread, but nobody is against it
    members, ideas, votes = [], [], []
    for member in range(12):
        camp_a = member < 6
        for idea in range(6):
            members.append(member)
            ideas.append(idea)
            votes.append(1.0 if camp_a == (idea < 3) else -1.0)
        members.append(member)
        ideas.append(6)
        votes.append(1.0 if camp_a else 0.0)
    # when
    result = opinion_groups(np.array(members), np.array(ideas), np.array(votes))
    # then
    assert result.k == 2
    stats = result.ideas.set_index("idea_id")
    assert (stats.loc[6, "agree"], stats.loc[6, "disagree"]) == (6, 0)
    # spread = 7/8 - 1/8 between the agreeing camp and the passing one
    assert stats.loc[6, "divisiveness"] == pytest.approx(0.75)
    assert not stats.loc[6, "divides"]
    assert stats.loc[list(range(6)), "divides"].tolist() == [True] * 6


def test_too_few_voters_gives_no_groups():
    # when
    result = opinion_groups(np.array([1, 1, 2]), np.array([1, 2, 1]), np.array([1.0, -1.0, 1.0]))
    # then
    assert result.k == 0
    assert result.members.empty


def test_latest_vote_counts_and_declined_ideas_are_left_out(tmp_path):
    # given
    t = [dt.datetime(2024, 1, 1, h, tzinfo=dt.UTC) for h in range(8)]
    tables = {
        "members": pd.DataFrame({"member_id": [1, 2], "joined_at": [t[0], t[0]], "is_staff": [False, False]}),
        "ideas": pd.DataFrame(
            {
                "idea_id": [10, 11, 12],
                "author_id": [1, 1, 2],
                "created_at": [t[0]] * 3,
                "status": ["open", "declined", "accepted"],
                "title": ["a", "b", "c"],
                "body": ["a", "b", "c"],
            }
        ),
        "events": pd.DataFrame(
            {
                "event_id": [1, 2, 3, 4, 5, 6, 7],
                "occurred_at": [t[1], t[2], t[1], t[3], t[4], t[5], t[6]],
                "actor_id": [1, 1, 2, 2, 2, 1, 1],
                "verb": [
                    "idea.supported",
                    "idea.supported",
                    "idea.supported",
                    "idea.support_withdrawn",
                    "idea.supported",
                    "idea.rated",
                    "comment.posted",
                ],
                "object_type": ["idea"] * 6 + ["comment"],
                "object_id": [10, 10, 10, 10, 11, 12, 99],
                "value": [1.0, -1.0, 1.0, None, 1.0, 4.0, None],
            }
        ),
    }
    write_dataset(tables, tmp_path / "ds", {"name": "votes"})
    ds = load_dataset(tmp_path / "ds")
    # when
    votes = votes_of(ds)
    # then
    assert votes.to_dict("records") == [
        {"member_id": 1, "idea_id": 10, "vote": -1.0},
        {"member_id": 1, "idea_id": 12, "vote": 1.0},
        {"member_id": 2, "idea_id": 10, "vote": 0.0},
    ]


def test_agreement_with_labels_is_the_adjusted_rand_index():
    # given: found {1,2} {3,4}, reference {1,2,3} {4}; member 5 only in one of them
    found = pd.DataFrame({"member_id": [1, 2, 3, 4, 5], "group": [0, 0, 1, 1, 1]})
    reference = pd.Series([7, 7, 7, 8], index=[1, 2, 3, 4])
    # when
    ari, n = agreement_with_labels(found, reference)
    # then: contingency [[2,0],[1,1]]; sum C(n_ij,2) = 1; rows 1+1 = 2; cols 3+0 = 3;
    # expected = 2*3/6 = 1; max = (2+3)/2 = 2.5; ARI = (1-1)/(2.5-1) = 0
    assert n == 4
    assert ari == pytest.approx(0.0)


def test_section_on_the_pol_is_sample(tmp_path):
    # given
    write_polis_dataset(SAMPLE, tmp_path / "ds")
    ds = load_dataset(tmp_path / "ds")
    # when
    section = opinions.section(ds)
    # then
    assert section.key == "opinions"
    assert section.headline["voters"] == 36
    assert section.headline["members_grouped"] == 36
    assert section.headline["votes"] == 864  # 867 votes, 3 of them repeats
    # five groups found; one of 4 members is below the minimum size and not shown
    assert section.headline["groups"] == 4
    assert section.headline["ari_vs_source_groups"] == pytest.approx(0.2665, abs=1e-4)
    assert section.tables["groups"]["members"].tolist() == [9, 9, 8, 6]
    assert section.notes[-1] == (
        "1 group(s) with fewer than 5 members (4 members in all) are not shown and are left out "
        "of what unites and divides the groups."
    )
    assert (
        section.tables["groups"]["name"].tolist()[2]
        == "The Single Market is important for the prosperity of the country."
    )
    dividing = section.tables["dividing_ideas"]
    assert ((dividing["agree"] > 0) & (dividing["disagree"] > 0)).all()
    uniting = section.tables["uniting_ideas"]
    assert (uniting["min_group_agree"] > 0.5).all()
    assert uniting["consensus"].is_monotonic_decreasing
    assert section.tables["dividing_ideas"]["divisiveness"].is_monotonic_decreasing
    assert len(section.charts) == 2
    scatter = section.charts[0].to_dict()
    assert scatter["mark"]["type"] == "circle"
    # and the charts call each group by its number and its name, cut to fit
    third = section.tables["groups"].iloc[2]
    drawn = {row["group"] for rows in scatter["datasets"].values() for row in rows}
    assert f"{third['group']} · The Single Market is important for…" in drawn
    assert all(label.split(" · ")[0].isdigit() for label in drawn)


#: ARI of our groups against Pol.is's own group-id, over the members both placed
#: (docs/real-data.md reports the same figures).
REAL_ARI = {
    "15-per-hour-seattle": (2, 0.8022),
    "brexit-consensus": (2, 0.8764),
    "canadian-electoral-reform": (2, 0.8381),
    "football-concussions": (4, 0.1455),
    "scoop-hivemind.ubi": (2, 0.0947),
    "vtaiwan.uberx": (2, 0.8496),
}


@pytest.mark.skipif(not REALDATA.exists(), reason="real Pol.is data not present")
@pytest.mark.parametrize("name", sorted(REAL_ARI))
def test_real_conversations_against_pol_is_groups(tmp_path, name):
    # given
    write_polis_dataset(REALDATA / name, tmp_path / "ds")
    ds = load_dataset(tmp_path / "ds")
    # when
    section = opinions.section(ds)
    # then
    k, ari = REAL_ARI[name]
    assert section.headline["groups"] == k
    assert section.headline["ari_vs_source_groups"] == pytest.approx(ari, abs=1e-4)


def test_a_low_score_is_a_disagree_vote(tmp_path):
    # given: on a score campaign member 2 scores idea 10 with 5, member 3 with 1, member 4 with 3
    at = dt.datetime(2024, 1, 2, tzinfo=dt.UTC)
    members = pd.DataFrame({"member_id": [1, 2, 3, 4], "joined_at": [at] * 4, "is_staff": [False] * 4})
    ideas = pd.DataFrame(
        {"idea_id": [10], "author_id": [1], "created_at": [at], "status": ["open"], "title": ["t"], "body": ["b"]}
    )
    events = pd.DataFrame(
        {
            "event_id": [1, 2, 3],
            "occurred_at": [at] * 3,
            "actor_id": [2, 3, 4],
            "verb": ["idea.rated"] * 3,
            "object_type": ["idea"] * 3,
            "object_id": [10, 10, 10],
            "value": [5.0, 1.0, 3.0],
        }
    )
    write_dataset({"members": members, "ideas": ideas, "events": events}, tmp_path / "ds", {"name": "t"})
    # when
    votes = votes_of(load_dataset(tmp_path / "ds"))
    # then
    assert votes[["member_id", "vote"]].to_dict("records") == [
        {"member_id": 2, "vote": 1.0},
        {"member_id": 3, "vote": -1.0},
        {"member_id": 4, "vote": 0.0},
    ]
