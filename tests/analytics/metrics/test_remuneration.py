"""Question 6, remuneration: who received what, for which ideas, and participation after a first reward."""

from __future__ import annotations

import pandas as pd

from prosumo.analytics.metrics import remuneration
from prosumo.analytics.report import Report, to_json
from prosumo.analytics.sections import remuneration as remuneration_section


def _story(b):
    """Six members and a staff member (7) over four months of 2024, counted by hand in the tests.

    Contributions (supports of idea 10) per month, and rewards:

    | member | Jan | Feb | Mar | Apr | first reward |
    |---|---|---|---|---|---|
    | 1 | 2 | 0 | 3 | 0 | Feb: 100 points |
    | 2 | 0 | 0 | 1 | 0 | Feb: 40 points |
    | 3 | 1 | 0 | 2 | 1 | Mar: 5.00 royalty |
    | 4 | 3 | 0 | 1 | 0 | none |
    | 5 | 0 | 0 | 2 | 0 | none |
    | 6 | 1 | 0 | 2 | 0 | none |
    """
    members = b.members([(n, b.at(1), "a", "ads", False) for n in range(1, 7)] + [(7, b.at(1), None, None, True)])
    ideas = b.ideas([(10, 1, b.at(1), "launched")])
    per_month = {1: [2, 0, 3, 0], 2: [0, 0, 1, 0], 3: [1, 0, 2, 1], 4: [3, 0, 1, 0], 5: [0, 0, 2, 0], 6: [1, 0, 2, 0]}
    rows = []
    for member, counts in per_month.items():
        for month, count in enumerate(counts, start=1):
            rows += [(b.at(2 + n, month), member, "idea.supported", 10, 1, None, 1.0) for n in range(count)]
    rows += [
        (b.at(10, 2), 7, "reward.granted", 10, 1, '{"reason": "idea_accepted"}', 100.0),
        (b.at(11, 2), 7, "reward.granted", 10, 2, '{"reason": "comment_improved"}', 40.0),
        (b.at(20, 3), 7, "royalty.paid", 10, 3, None, 500.0),
    ]
    events = b.events(sorted(rows, key=lambda r: r[0]))
    events.loc[events["verb"].isin(["reward.granted", "royalty.paid"]), "object_type"] = "idea"
    outcomes = pd.DataFrame(
        {"member_id": [4, 5], "product_id": [9, 9], "ordered_at": [b.at(5, 3), b.at(6, 3)], "amount": [300.0, 200.0]}
    )
    outcomes["from_idea_id"] = pd.array([10, 10], dtype="Int64")
    return {"members": members, "ideas": ideas, "events": events, "outcomes": outcomes}


def test_points_and_money_per_contributor_are_kept_apart(make_dataset, b):
    # given
    ds = make_dataset(**_story(b))
    # when
    table = remuneration.per_contributor(ds)
    # then: money first, then points; points are never counted as money
    assert table.drop(columns="first_rewarded_at").to_dict("records") == [
        {"member_id": 3, "points": 0.0, "money": 5.0, "awards": 0, "payments": 1},
        {"member_id": 1, "points": 100.0, "money": 0.0, "awards": 1, "payments": 0},
        {"member_id": 2, "points": 40.0, "money": 0.0, "awards": 1, "payments": 0},
    ]


def test_an_idea_returns_its_royalties_as_a_share_of_its_products_revenue(make_dataset, b):
    # given
    ds = make_dataset(**_story(b))
    # when
    table = remuneration.per_idea(ds)
    # then: 5.00 paid over 500.00 of sales
    assert table.to_dict("records") == [
        {
            "idea_id": 10,
            "status": "launched",
            "contributors": 3,
            "points": 140.0,
            "money": 5.0,
            "revenue": 500.0,
            "returned_share": 0.01,
        }
    ]


def test_participation_after_a_first_reward_is_compared_within_groups_of_prior_activity(make_dataset, b):
    # given
    ds = make_dataset(**_story(b))
    # when
    table, summary = remuneration.participation_after_reward(ds, months=1)
    # then
    # February's rewarded: member 1 (2 before, 3 after: group 2-4), member 2 (0 before, 1 after: group 0);
    # comparable: 4 (3 before, 1 after), 5 (0, 2), 6 (1, 2: a group with nobody rewarded); not 3, rewarded in March.
    # March's rewarded: member 3 (0 in February, 1 in April); comparable: 4, 5 and 6, with 0 before and 0 after.
    assert table.to_dict("records") == [
        {
            "prior": "0",
            "rewarded": 2,
            "comparable": 4,
            "rewarded_after": 1.0,
            "comparable_after": 0.5,
            "difference": 0.5,
        },
        {
            "prior": "2-4",
            "rewarded": 1,
            "comparable": 1,
            "rewarded_after": 3.0,
            "comparable_after": 1.0,
            "difference": 2.0,
        },
    ]
    # the difference weighs the groups by their rewarded members: 2/3 x 0.5 + 1/3 x 2 = 1.0; three rewarded
    # and five comparable members are too few for an interval
    assert summary == {
        "months": 1,
        "rewarded": 3,
        "comparable": 5,
        "difference": 1.0,
        "low_95": None,
        "high_95": None,
        "note": "No 95% interval for the difference in contributions after a reward: rewarded 3, comparable 5 "
        "members; each group needs at least 10.",
    }


def _rewarded_and_comparable(b, rewarded: int) -> dict:
    """``rewarded`` members (1..) get their first points in February and support idea 500 once in March; ten
    comparable members (101-110) are never rewarded, and the first five of them support idea 500 once in March.
    Nobody contributes before February; staff member 900 grants the points and visits on 1 June (the last event),
    so the three months after the reward lie within the data."""
    plain = list(range(1, rewarded + 1)) + list(range(101, 111))
    members = b.members([(m, b.at(1), "a", "ads", False) for m in plain] + [(900, b.at(1), None, None, True)])
    ideas = b.ideas([(500, 900, b.at(1), "open")])
    rows = [(b.at(10, 2), 900, "reward.granted", 500, m, None, 10.0) for m in range(1, rewarded + 1)]
    rows += [
        (b.at(5, 3), m, "idea.supported", 500, 900, None, 1.0) for m in [*range(1, rewarded + 1), *range(101, 106)]
    ]
    rows += [(b.at(1, 6), 900, "member.visited")]
    events = b.events(sorted(rows, key=lambda r: r[0]))
    events.loc[events["verb"] == "reward.granted", "object_type"] = "idea"
    return {"members": members, "ideas": ideas, "events": events}


def test_participation_has_no_interval_with_nine_rewarded_members(make_dataset, b):
    # given
    ds = make_dataset(**_rewarded_and_comparable(b, rewarded=9))
    # when
    _, summary = remuneration.participation_after_reward(ds, months=3)
    section = remuneration_section.section(ds)
    # then
    note = (
        "No 95% interval for the difference in contributions after a reward: rewarded 9, comparable 10 members; "
        "each group needs at least 10."
    )
    assert summary == {
        "months": 3,
        "rewarded": 9,
        "comparable": 10,
        "difference": 0.5,
        "low_95": None,
        "high_95": None,
        "note": note,
    }
    assert section.headline["contributions_after_reward_difference"] == 0.5
    assert section.headline["contributions_after_reward_difference_95"] == "too few"
    assert section.notes[-1] == note


def test_participation_has_an_interval_with_ten_rewarded_members(make_dataset, b):
    # given
    ds = make_dataset(**_rewarded_and_comparable(b, rewarded=10))
    # when
    _, summary = remuneration.participation_after_reward(ds, months=3)
    section = remuneration_section.section(ds)
    # then: rewarded after 1 each (no variance); comparable 0.5 with variance (5 - 5^2/10) / 9, so the
    # standard error is sqrt(2.5 / 9 / 10) = 1/6
    half = 1.959963984540054 / 6
    assert summary == {
        "months": 3,
        "rewarded": 10,
        "comparable": 10,
        "difference": 0.5,
        "low_95": round(0.5 - half, 6),
        "high_95": round(0.5 + half, 6),
        "note": None,
    }
    assert section.headline["contributions_after_reward_difference_95"] == [round(0.5 - half, 6), round(0.5 + half, 6)]
    assert not any(n.startswith("No 95% interval") for n in section.notes)


def test_a_community_without_rewards_gets_empty_figures_and_says_so(make_dataset, tiny):
    # given: no reward or royalty event
    ds = make_dataset(**tiny)
    # when
    section = remuneration_section.section(ds)
    # then
    assert section.headline["rewarded_members"] == 0
    assert section.headline["money_paid"] == 0.0
    assert section.headline["revenue_share_returned"] is None
    assert section.headline["contributions_after_reward_difference"] is None
    assert section.notes[0] == "No reward or royalty has been recorded yet."
    assert section.charts == []
    assert all(len(table) == 0 for table in section.tables.values())


def test_the_section_draws_money_points_and_the_comparison(make_dataset, b):
    # given
    ds = make_dataset(**_story(b))
    # when
    section = remuneration_section.section(ds)
    report = Report(title="t", meta={}, extent={}, sections=[section], created_at="2024-05-01", engine="duckdb")
    payload = to_json(report)
    # then
    assert section.headline == {
        "rewarded_members": 3,
        "points_granted": 140.0,
        "money_paid": 5.0,
        "median_money_per_paid_member": 5.0,
        "revenue_share_returned": 0.01,
        # the report compares three months after a reward: four months of data hold none
        "contributions_after_reward_difference": None,
        "contributions_after_reward_difference_95": [None, None],
        "royalty_pools": 0,
        "pool_sales_share_returned": None,
        "largest_change_under_another_split_rule": None,
    }
    titles = [chart.to_dict()["title"] for chart in section.charts]
    assert titles == [
        "Money paid: the members who received most",
        "Points granted: the members who received most",
    ]
    assert payload["sections"][0]["key"] == "remuneration"


def _pools(b):
    """Two pools, counted by hand in the tests.

    Pool 3, of idea 10, split by role weights (author 2, co-author 1, merged 1) with half of
    each payment for merged ideas: member 1 wrote idea 10 (60%) with member 2 (40%); member
    3's idea 11 was merged into it. Two sales periods of 1,000.00 and 101.00 net sales paid
    10.00 and 1.01 (1%). Pool 4, of idea 12 by member 4 alone, a prize of 5.00 split
    equally, with every role weight 0 (so the role rule would pay nobody).
    """
    members = b.members([(n, b.at(1), "a", "ads", False) for n in range(1, 5)] + [(7, b.at(1), None, None, True)])
    ideas = b.ideas([(10, 1, b.at(2), "launched"), (11, 3, b.at(3), "merged"), (12, 4, b.at(4), "launched")])
    events = b.events(
        [
            (b.at(5), 1, "idea.submitted", 10),
            (b.at(20), 7, "royalty.sales_entered", 10, None, None, 100000.0),
            (b.at(20, 4), 7, "royalty.sales_entered", 10, None, None, 10100.0),
        ]
    )
    events.loc[events["verb"] == "royalty.sales_entered", "object_type"] = "idea"
    pools = pd.DataFrame(
        {
            "pool_id": [3, 4],
            "idea_id": [10, 12],
            "split_rule": ["roles", "equal"],
            "merged_percent": [50, 20],
            "role_weights": ['{"author": 2, "coauthor": 1, "merged": 1}', '{"author": 0, "coauthor": 0, "merged": 0}'],
            "currency": ["EUR", "EUR"],
            "opened_at": [b.at(10), b.at(10)],
        }
    )
    contributions = pd.DataFrame(
        {
            "pool_id": [3, 3, 3, 4],
            "member_id": [1, 2, 3, 4],
            "idea_id": [10, 10, 11, 12],
            "is_author": [True, False, True, True],
            "share_percent": [60.0, 40.0, 100.0, 100.0],
            "merged": [False, False, True, False],
        }
    )
    payouts = pd.DataFrame(
        {
            "pool_id": [3, 3, 3, 3, 3, 3, 4],
            "period_id": pd.array([1, 1, 1, 2, 2, 2, None], dtype="Int64"),
            "member_id": [1, 2, 3, 1, 2, 3, 4],
            "amount_cents": [500, 250, 250, 51, 25, 25, 500],
            "paid_at": [b.at(21)] * 3 + [b.at(21, 4)] * 3 + [b.at(10)],
        }
    )
    return {
        "members": members,
        "ideas": ideas,
        "events": events,
        "royalty_pools": pools,
        "pool_contributions": contributions,
        "pool_payouts": payouts,
    }


def test_each_split_rule_is_recomputed_for_the_same_payments(make_dataset, b):
    # given
    ds = make_dataset(**_pools(b))
    # when
    table = remuneration.split_rules(ds)
    table = table.astype(object).where(table.notna(), None)
    # then, payment by payment in cents (1,000 then 101), summed:
    # roles 2:1:1 -> 500/250/250 and 51/25/25 (the odd cent to the largest remainder, member 1's 0.5);
    # equal -> 334/333/333 and 34/34/33; shares (ideas worth 0.5 each: 0.3, 0.2, 0.5) -> 300/200/500 and 30/20/51;
    # Shapley (v(1) = 0.3, v(1,2) = 0.5, v(1,3) = 0.8, all = 1; merged idea 11 counts only with idea 10's author):
    # 0.65, 0.1, 0.25 -> 650/100/250 and 66/10/25. Pool 4's role weights are all 0: that rule pays nobody.
    assert table.drop(columns=["idea_id", "currency"]).to_dict("records") == [
        {"pool_id": 3, "member_id": 1, "split_rule": "roles", "received": 5.51, "equal": 3.68, "shares": 3.3,
         "roles": 5.51, "shapley": 7.16},
        {"pool_id": 3, "member_id": 2, "split_rule": "roles", "received": 2.75, "equal": 3.67, "shares": 2.2,
         "roles": 2.75, "shapley": 1.1},
        {"pool_id": 3, "member_id": 3, "split_rule": "roles", "received": 2.75, "equal": 3.66, "shares": 5.51,
         "roles": 2.75, "shapley": 2.75},
        {"pool_id": 4, "member_id": 4, "split_rule": "equal", "received": 5.0, "equal": 5.0, "shares": 5.0,
         "roles": None, "shapley": 5.0},
    ]  # fmt: skip


def test_a_pool_returns_a_share_of_its_products_net_sales(make_dataset, b):
    # given
    ds = make_dataset(**_pools(b))
    # when
    figures = remuneration.compute(ds)
    # then: 11.01 paid over 1,101.00 of net sales; the prize pool has no sales
    records = figures.pools.to_dict("records")
    assert records[0] == {
        "pool_id": 3,
        "idea_id": 10,
        "split_rule": "roles",
        "currency": "EUR",
        "net_sales": 1101.0,
        "paid": 11.01,
        "returned_share": 0.01,
    }
    assert (records[1]["pool_id"], records[1]["paid"]) == (4, 5.0)
    assert pd.isna(records[1]["net_sales"])
    assert pd.isna(records[1]["returned_share"])
    assert figures.summary["pools"] == 2
    assert figures.summary["pool_returned_share"] == 0.01
    # member 3 would have had 5.51 instead of 2.75 under declared shares
    assert figures.summary["largest_change_under_another_rule"] == 2.76


def test_the_section_draws_the_split_rules_of_the_pool_that_paid_most(make_dataset, b):
    # given
    ds = make_dataset(**_pools(b))
    # when
    section = remuneration_section.section(ds)
    # then
    titles = [chart.to_dict()["title"] for chart in section.charts]
    assert titles[-1] == "The largest pool: what each contributor received, and would have under each rule"
    assert section.headline["royalty_pools"] == 2
    assert section.headline["pool_sales_share_returned"] == 0.01
    assert len(section.tables["split_rules"]) == 4
