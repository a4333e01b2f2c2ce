"""Insights filters narrow the terms, proof log, flags and royalty pools with the members and ideas they keep."""

from __future__ import annotations

import pyarrow as pa

from prosumo.analytics.dataset import validate
from prosumo.analytics.examples import example_dataset
from prosumo.insights.filters import subset


def tables():
    """The example community with its IP and pool stories (prosumo.analytics.examples), as Arrow tables."""
    return dict(example_dataset(ip=True, pools=True).arrow)


IP_AND_POOLS = (
    "terms_versions",
    "terms_acceptances",
    "proof_log",
    "ip_flags",
    "royalty_pools",
    "pool_contributions",
    "pool_payouts",
)


def validate_ip_and_pools(narrowed):
    """Check the IP and pool tables against the members and ideas kept.

    The events and referrals of the members dropped are the rest of the filter's concern
    (not this part's), so they are left out here: no event, no referral.
    """
    members = narrowed["members"]
    members = members.set_column(
        members.schema.get_field_index("referred_by"), "referred_by", pa.nulls(members.num_rows, pa.int64())
    )
    kept = {"members": members, "ideas": narrowed["ideas"], "events": narrowed["events"].slice(0, 0)}
    return validate({**kept, **{name: narrowed[name] for name in IP_AND_POOLS}})


def rows(table, *columns):
    return [tuple(r[c] for c in columns) for r in table.to_pylist()]


def test_a_channel_keeps_its_members_terms_and_flags_and_drops_a_pool_it_holds_only_part_of():
    # given: channel "ads" keeps members 2 and 3, so only idea 11 (member 2's)
    # when
    narrowed = subset(tables(), {"channel": "ads"})
    # then the IP and pool tables refer to no one the subset lacks
    checked = validate_ip_and_pools(narrowed)
    assert rows(checked["terms_acceptances"], "member_id", "version") == [(2, 1)]
    assert checked["proof_log"].num_rows == 0  # idea 11 was never logged
    assert rows(checked["ip_flags"], "idea_id", "kind", "earlier_idea_id") == [(11, "dispute", None)]
    # pool 1 is idea 10's, paid to members 1 and 2: it goes whole, with its contributors and payouts
    assert checked["royalty_pools"].num_rows == 0
    assert checked["pool_contributions"].num_rows == 0
    assert checked["pool_payouts"].num_rows == 0


def test_a_segment_that_holds_a_whole_pool_keeps_it_and_empties_references_outside():
    # given: segment "makers" keeps members 1 and 2, the authors of all three ideas
    # when
    checked = validate(subset(tables(), {"segment": "makers"}))
    # then
    assert rows(checked["proof_log"], "entry", "idea_id", "member_id") == [(0, 10, 1), (1, 10, 2), (2, 12, 1)]
    assert rows(checked["ip_flags"], "idea_id", "earlier_idea_id") == [(12, 10), (11, None)]
    assert rows(checked["royalty_pools"], "pool_id") == [(1,)]
    assert rows(checked["pool_payouts"], "member_id", "amount_cents") == [(1, 2240), (2, 1760)]


def test_a_period_keeps_the_terms_published_and_accepted_before_its_end_and_the_payouts_inside_it():
    # given: up to 20 January (midnight): version 2 (published at noon that day) and idea 12 (25 January) are out
    # when
    checked = validate(subset(tables(), {"until": "2024-01-20T00:00:00+00:00"}))
    # then
    assert rows(checked["terms_versions"], "version") == [(1,)]
    assert rows(checked["terms_acceptances"], "member_id", "version") == [(1, 1), (2, 1)]
    assert rows(checked["proof_log"], "idea_id") == [(10,), (10,)]
    assert rows(checked["ip_flags"], "idea_id") == [(11,)]
    assert rows(checked["royalty_pools"], "pool_id") == [(1,)]
    assert checked["pool_payouts"].num_rows == 0  # paid on 3 February
