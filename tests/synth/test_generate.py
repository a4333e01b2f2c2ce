"""The generated community: determinism, the contract's schema, and consistency between tables."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from prosumo.synth import Community, generate

from .conftest import END, START

TS = pa.timestamp("us", tz="UTC")
I64, F64, STR, BOOL = pa.int64(), pa.float64(), pa.string(), pa.bool_()

# The contract, column by column, as docs/dataset.md states it.
CONTRACT = {
    "members": [
        ("member_id", I64),
        ("joined_at", TS),
        ("segment", STR),
        ("country", STR),
        ("channel", STR),
        ("referred_by", I64),
        ("is_staff", BOOL),
        ("attributes", STR),
    ],
    "campaigns": [("campaign_id", I64), ("title", STR), ("starts_at", TS), ("ends_at", TS), ("voting_mode", STR)],
    "ideas": [
        ("idea_id", I64),
        ("campaign_id", I64),
        ("author_id", I64),
        ("created_at", TS),
        ("status", STR),
        ("title", STR),
        ("body", STR),
        ("language", STR),
        ("merged_into", I64),
        ("licence", STR),
        ("terms_version", I64),
    ],
    "idea_authors": [("idea_id", I64), ("member_id", I64), ("share", F64)],
    "idea_stages": [
        ("idea_id", I64),
        ("stage", STR),
        ("changed_at", TS),
        ("actor_id", I64),
        ("reason", STR),
        ("message", STR),
    ],
    "events": [
        ("event_id", I64),
        ("occurred_at", TS),
        ("actor_id", I64),
        ("verb", STR),
        ("object_type", STR),
        ("object_id", I64),
        ("target_member_id", I64),
        ("campaign_id", I64),
        ("channel", STR),
        ("value", F64),
        ("details", STR),
    ],
    "outcomes": [("member_id", I64), ("product_id", I64), ("ordered_at", TS), ("amount", F64), ("from_idea_id", I64)],
    "surveys": [("member_id", I64), ("item", STR), ("score", F64)],
    "costs": [("channel", STR), ("period_start", TS), ("period_end", TS), ("spend", F64)],
}
STAGES = {"submitted", "open", "under_review", "accepted", "in_development", "launched", "declined", "merged"}
VERBS = {
    "member.joined",
    "member.visited",
    "idea.viewed",
    "idea.submitted",
    "idea.revised",
    "idea.coauthor_added",
    "idea.supported",
    "idea.support_withdrawn",
    "idea.rated",
    "comment.posted",
    "idea.stage_changed",
    "idea.merged",
    "member.referred",
    "reward.granted",
    "royalty.paid",
    "message.exposed",
    "message.converted",
    "order.imported",
    "moderation.flagged",
    "moderation.hidden",
    "moderation.restored",
    "member.suspended",
    "notification.sent",
}
VOTE_VERBS = ["idea.supported", "idea.support_withdrawn", "idea.rated"]
CONTRIBUTION_VERBS = ["idea.submitted", *VOTE_VERBS, "comment.posted"]


def _events(c: Community, verb: str | list[str]) -> pd.DataFrame:
    verbs = [verb] if isinstance(verb, str) else verb
    return c.events[c.events.verb.isin(verbs)]


def _day(ts: pd.Series) -> pd.Series:
    return ts.dt.floor("D")


# ----------------------------------------------------------------------------- determinism


def test_same_seed_gives_identical_tables_and_truth():
    # given
    kwargs = {"seed": 3, "members": 150, "start": START, "end": START + timedelta(days=120)}
    # when
    first, second = generate(**kwargs), generate(**kwargs)
    # then
    for name in CONTRACT | {"idea_revisions": 0, "comments": 0, "votes": 0, "idea_tags": 0, "campaign_details": 0}:
        pd.testing.assert_frame_equal(first.table(name), second.table(name))
    assert first.truth == second.truth


def test_another_seed_gives_another_community():
    # when
    a = generate(seed=3, members=150, start=START, end=START + timedelta(days=120))
    b = generate(seed=4, members=150, start=START, end=START + timedelta(days=120))
    # then
    assert not a.events[["occurred_at", "verb"]].equals(b.events[["occurred_at", "verb"]])


# ----------------------------------------------------------------------------- schema


@pytest.mark.parametrize("name", list(CONTRACT))
def test_contract_tables_have_the_contracts_columns_and_types(demo: Community, name: str):
    # when
    schema = demo.arrow(name).schema
    # then
    assert [(f.name, f.type) for f in schema] == CONTRACT[name]
    assert len(demo.table(name)) > 0


def test_tables_pass_the_analytics_validator(demo: Community):
    # given the analytics library's own contract check
    from prosumo.analytics.dataset import validate

    # when
    conformed = validate({name: demo.arrow(name) for name in CONTRACT})
    # then
    assert set(conformed) == set(CONTRACT)


def test_vocabularies_are_the_contracts(demo: Community):
    assert set(demo.events.verb) <= VERBS
    assert set(demo.ideas.status) <= STAGES
    assert set(demo.idea_stages.stage) <= STAGES
    assert set(demo.campaigns.voting_mode) == {"support", "updown", "score"}
    assert 4 <= len(demo.campaigns) <= 8
    assert set(demo.members.channel.dropna()) == {"email", "social", "search", "referral", "event", "partner"}
    assert set(demo.ideas.language) == {"en", "es"}


def test_every_time_is_inside_the_window(demo: Community):
    for name, column in [
        ("members", "joined_at"),
        ("ideas", "created_at"),
        ("idea_stages", "changed_at"),
        ("events", "occurred_at"),
        ("outcomes", "ordered_at"),
        ("comments", "created_at"),
    ]:
        times = demo.table(name)[column]
        assert times.min() >= pd.Timestamp(START), name
        assert times.max() <= pd.Timestamp(END), name


def test_ids_are_unique_and_events_are_numbered_in_time_order(demo: Community):
    assert demo.members.member_id.is_unique
    assert demo.ideas.idea_id.is_unique
    assert demo.events.event_id.tolist() == list(range(1, len(demo.events) + 1))
    assert demo.events.occurred_at.is_monotonic_increasing


def test_every_details_value_is_a_json_object(demo: Community):
    # when
    parsed = [json.loads(d) for d in demo.events.details.dropna()]
    # then
    assert parsed
    assert all(isinstance(p, dict) for p in parsed)
    assert all(isinstance(json.loads(a), dict) for a in demo.members.attributes)


# ----------------------------------------------------------------------------- consistency


def test_every_referenced_member_idea_campaign_and_comment_exists(demo: Community):
    members = set(demo.members.member_id)
    ev = demo.events
    assert set(ev.actor_id.dropna()) <= members
    assert set(ev.target_member_id.dropna()) <= members
    assert set(ev.campaign_id.dropna()) <= set(demo.campaigns.campaign_id)
    assert set(ev[ev.object_type == "idea"].object_id) <= set(demo.ideas.idea_id)
    assert set(ev[ev.object_type == "comment"].object_id) <= set(demo.comments.comment_id)
    assert set(demo.members.referred_by.dropna()) <= members
    assert set(demo.votes.member_id) <= members
    assert set(demo.outcomes.member_id) <= members


def test_each_member_joined_once_with_their_channel(demo: Community):
    # when
    joined = _events(demo, "member.joined").set_index("actor_id").sort_index()
    members = demo.members.set_index("member_id").sort_index()
    # then
    assert joined.index.tolist() == members.index.tolist()
    assert (joined.occurred_at == members.joined_at).all()
    assert joined.channel.fillna("-").tolist() == members.channel.fillna("-").tolist()


def test_referrals_are_member_referred_events(demo: Community):
    # given
    referred = demo.members.dropna(subset=["referred_by"])
    # when
    events = _events(demo, "member.referred")
    # then
    assert len(referred) > 0
    assert sorted(zip(events.target_member_id, events.actor_id, strict=True)) == sorted(
        zip(referred.member_id, referred.referred_by, strict=True)
    )
    joined = demo.members.set_index("member_id").joined_at
    assert (joined[referred.referred_by].to_numpy() < joined[referred.member_id].to_numpy()).all()


def test_each_idea_is_submitted_once_by_its_author_at_its_creation(demo: Community):
    # when
    submitted = _events(demo, "idea.submitted").set_index("object_id").sort_index()
    ideas = demo.ideas.set_index("idea_id").sort_index()
    # then
    assert submitted.index.tolist() == ideas.index.tolist()
    assert (submitted.actor_id == ideas.author_id).all()
    assert (submitted.occurred_at == ideas.created_at).all()
    assert (submitted.value == 1.0).all()


def test_stage_history_starts_with_submitted_and_ends_with_the_status(demo: Community):
    # given
    stages = demo.idea_stages
    ideas = demo.ideas.set_index("idea_id")
    # when
    first = stages.groupby("idea_id").head(1).set_index("idea_id")
    last = stages.groupby("idea_id").tail(1).set_index("idea_id")
    # then
    assert (first.stage == "submitted").all()
    assert (first.changed_at == ideas.created_at[first.index]).all()
    assert (last.stage == ideas.status[last.index]).all()
    assert set(first.index) == set(ideas.index)
    assert stages.groupby("idea_id").changed_at.apply(lambda s: s.is_monotonic_increasing).all()


def test_each_stage_change_has_a_staff_actor_a_message_and_an_event(demo: Community):
    # given
    staff = set(demo.members[demo.members.is_staff].member_id)
    changes = demo.idea_stages[demo.idea_stages.stage != "submitted"]
    # when
    events = _events(demo, "idea.stage_changed")
    details = [json.loads(d) for d in events.details]
    # then
    assert set(changes.actor_id) <= staff
    assert changes.message.notna().all()
    assert len(events) == len(changes)
    assert sorted(zip(events.object_id, events.occurred_at, [d["to"] for d in details], strict=True)) == sorted(
        zip(changes.idea_id, changes.changed_at, changes.stage, strict=True)
    )
    assert all(d["message"] for d in details)


def test_declines_carry_a_reason_from_the_list(demo: Community):
    # when
    declined = demo.idea_stages[demo.idea_stages.stage == "declined"]
    # then
    assert len(declined) > 0
    assert set(declined.reason) <= {
        "duplicate",
        "out of scope",
        "not feasible now",
        "already planned",
        "too costly",
        "safety concerns",
    }
    assert demo.idea_stages[demo.idea_stages.stage != "declined"].reason.isna().all()


def test_some_ideas_still_wait_for_an_answer(demo: Community):
    assert demo.ideas.status.isin(["submitted", "open"]).sum() > 0


def test_merged_ideas_point_to_an_earlier_idea_and_have_a_merge_event():
    # given a community large enough to have merges
    c = generate(seed=5, members=3000, start=START, end=END)
    merged = c.ideas[c.ideas.status == "merged"]
    # when
    events = _events(c, "idea.merged")
    # then
    assert len(merged) > 0
    assert merged.merged_into.notna().all()
    created = c.ideas.set_index("idea_id").created_at
    assert (created[merged.merged_into].to_numpy() < merged.created_at.to_numpy()).all()
    assert sorted(events.object_id) == sorted(merged.idea_id)
    assert c.ideas[c.ideas.status != "merged"].merged_into.isna().all()


def test_author_shares_sum_to_one_and_include_the_submitter(demo: Community):
    # when
    sums = demo.idea_authors.groupby("idea_id").share.sum()
    submitter = demo.idea_authors.groupby("idea_id").head(1).set_index("idea_id").member_id
    # then
    assert np.allclose(sums.to_numpy(), 1.0, atol=1e-12)
    assert set(sums.index) == set(demo.ideas.idea_id)
    assert (submitter == demo.ideas.set_index("idea_id").author_id[submitter.index]).all()
    assert not demo.idea_authors.duplicated(["idea_id", "member_id"]).any()


def test_coauthor_events_match_the_coauthors():
    # given
    c = generate(seed=5, members=3000, start=START, end=END)
    authors = c.ideas.set_index("idea_id").author_id
    co = c.idea_authors[c.idea_authors.member_id.to_numpy() != authors[c.idea_authors.idea_id].to_numpy()]
    # when
    events = _events(c, "idea.coauthor_added")
    # then
    assert len(co) > 0
    assert (events.actor_id.to_numpy() == authors[events.object_id].to_numpy()).all()
    assert sorted(zip(events.object_id, events.target_member_id, strict=True)) == sorted(
        zip(co.idea_id, co.member_id, strict=True)
    )


def test_revisions_follow_each_other_and_match_revised_events(demo: Community):
    # given
    revisions = demo.idea_revisions
    # when
    revised = _events(demo, "idea.revised")
    # then
    assert (revisions.groupby("idea_id").revision.apply(lambda r: r.tolist() == list(range(1, len(r) + 1)))).all()
    later = revisions[revisions.revision > 1]
    assert len(later) > 0
    assert sorted(zip(revised.object_id, revised.value, strict=True)) == sorted(
        zip(later.idea_id, later.revision.astype(float), strict=True)
    )
    latest = revisions.groupby("idea_id").tail(1).set_index("idea_id")
    assert (latest.body == demo.ideas.set_index("idea_id").body[latest.index]).all()


def test_vote_state_equals_the_replay_of_vote_events():
    # given a community with merges, withdrawals and changes
    c = generate(seed=5, members=3000, start=START, end=END)
    state: dict[tuple[int, int], tuple[float, pd.Timestamp]] = {}
    # when
    for row in _events(c, VOTE_VERBS).sort_values("event_id").itertuples():
        key = (row.actor_id, row.object_id)
        if row.verb == "idea.support_withdrawn":
            assert state.pop(key)[0] == -row.value
        else:
            state[key] = (row.value, row.occurred_at)
    # then
    votes = {(r.member_id, r.idea_id): (r.value, r.created_at) for r in c.votes.itertuples()}
    assert state == votes
    assert len(c.votes) > 1000
    assert not c.votes.duplicated(["idea_id", "member_id"]).any()
    assert set(_events(c, "idea.support_withdrawn").details.dropna().map(lambda d: json.loads(d)["reason"])) == {
        "merged"
    }


def test_votes_follow_the_campaigns_voting_mode(demo: Community):
    # given
    mode = (
        demo.ideas.set_index("idea_id")
        .campaign_id.map(demo.campaigns.set_index("campaign_id").voting_mode)
        .fillna("support")
    )
    votes = demo.votes.assign(mode=mode[demo.votes.idea_id].to_numpy())
    # then
    assert set(votes[votes["mode"] == "support"].value) == {1.0}
    assert set(votes[votes["mode"] == "updown"].value) <= {1.0, -1.0}
    assert set(votes[votes["mode"] == "score"].value) <= {1.0, 2.0, 3.0, 4.0, 5.0}
    authors = demo.ideas.set_index("idea_id").author_id
    assert (votes.member_id.to_numpy() != authors[votes.idea_id].to_numpy()).all()


def test_comments_are_threaded_on_one_idea_and_posted_as_events(demo: Community):
    # given
    comments = demo.comments.set_index("comment_id")
    replies = comments.dropna(subset=["parent_id"])
    # when
    posted = _events(demo, "comment.posted").set_index("object_id").sort_index()
    details = posted.details.map(json.loads)
    # then
    assert len(replies) > 0
    assert comments.builds_on.any()
    assert (comments.idea_id[replies.parent_id].to_numpy() == replies.idea_id.to_numpy()).all()
    assert (comments.created_at[replies.parent_id].to_numpy() < replies.created_at.to_numpy()).all()
    assert posted.index.tolist() == comments.sort_index().index.tolist()
    assert (posted.actor_id == comments.author_id).all()
    assert (posted.occurred_at == comments.created_at).all()
    assert (details.map(lambda d: d["idea_id"]) == comments.idea_id).all()
    assert (details.map(lambda d: d["builds_on"]) == comments.builds_on).all()
    assert comments.body.str.len().min() > 5


def test_visits_are_daily_and_precede_each_days_actions(demo: Community):
    # given
    visits = _events(demo, "member.visited")
    acted = _events(demo, ["idea.viewed", "idea.submitted", "comment.posted", "idea.supported", "idea.rated"])
    # when
    first_visit = visits.assign(day=_day(visits.occurred_at)).set_index(["actor_id", "day"]).occurred_at
    keys = pd.MultiIndex.from_arrays([acted.actor_id, _day(acted.occurred_at)])
    # then
    assert first_visit.index.is_unique
    assert keys.isin(first_visit.index).all()
    assert (first_visit[keys].to_numpy() <= acted.occurred_at.to_numpy()).all()


def test_views_are_deduplicated_per_member_idea_and_day(demo: Community):
    views = _events(demo, "idea.viewed")
    assert len(views) > 0
    assert not views.assign(day=_day(views.occurred_at)).duplicated(["actor_id", "object_id", "day"]).any()


def test_products_from_ideas_come_from_launched_ideas_after_launch():
    # given
    c = generate(seed=5, members=3000, start=START, end=END)
    launched = c.idea_stages[c.idea_stages.stage == "launched"].set_index("idea_id").changed_at
    # when
    from_ideas = c.outcomes.dropna(subset=["from_idea_id"])
    # then
    assert len(from_ideas) > 0
    assert set(from_ideas.from_idea_id) <= set(c.ideas[c.ideas.status == "launched"].idea_id)
    assert (from_ideas.ordered_at.to_numpy() >= launched[from_ideas.from_idea_id].to_numpy()).all()
    orders = _events(c, "order.imported")
    assert len(orders) == len(c.outcomes)
    assert np.isclose(orders.value.sum(), c.outcomes.amount.sum())


def test_staff_place_no_orders_and_write_no_ideas(demo: Community):
    staff = set(demo.members[demo.members.is_staff].member_id)
    assert not staff & set(demo.outcomes.member_id)
    assert not staff & set(demo.ideas.author_id)
    assert demo.members[demo.members.is_staff].segment.isna().all()


# ----------------------------------------------------------------------------- shape


@pytest.mark.parametrize("seed", [7, 1, 2])
def test_participation_follows_90_9_1_at_demo_scale(seed: int):
    # given
    c = generate(seed=seed, members=300, start=START, end=END)
    regular = c.members[~c.members.is_staff]
    # when
    contributors = set(_events(c, CONTRIBUTION_VERBS).actor_id)
    lurkers = 1 - regular.member_id.isin(contributors).mean()
    per_author = c.ideas.author_id.value_counts()
    top_1_percent = per_author.iloc[: max(1, round(0.01 * len(regular)))].sum() / len(c.ideas)
    # then
    assert 0.85 <= lurkers <= 0.95
    assert len(per_author) / len(regular) <= 0.05
    assert top_1_percent >= 0.5


def test_activity_is_heavy_tailed(town: Community):
    # given
    regular = int((~town.members.is_staff).sum())
    # when
    per_member = _events(town, CONTRIBUTION_VERBS).actor_id.value_counts()
    # then the busiest 1% of members produce more than half of all contributions (van Mierlo 2014: 74.7%)
    top = per_member.iloc[: regular // 100].sum()
    assert top / per_member.sum() > 0.5


def test_one_language_only():
    # when
    c = generate(seed=2, members=200, start=START, end=END, languages=("es",))
    # then
    assert set(c.ideas.language) == {"es"}
    assert set(c.members.country) <= {"ES", "MX", "AR", "CO"}
    assert c.ideas.body.str.contains(" la | el | los | las ").all()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"members": 10}, "members must be an integer of at least 50, got 10"),
        ({"start": datetime(2025, 1, 1)}, "start must be a timezone-aware datetime"),
        ({"end": START + timedelta(days=3)}, "end must be at least 30 days after start, got 3.0 days"),
        ({"languages": ("en", "fr")}, "languages must be distinct codes from"),
    ],
)
def test_bad_arguments_are_refused_with_a_clear_message(kwargs: dict, message: str):
    # given
    arguments = {"members": 100, "start": START, "end": END, **kwargs}
    # when / then
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        generate(**arguments)


def test_times_are_utc(demo: Community):
    assert str(demo.events.occurred_at.dt.tz) == "UTC"
    assert demo.members.joined_at.iloc[-1].tzinfo is not None
    assert demo.members.joined_at.max() < pd.Timestamp(END.astimezone(UTC))


def test_a_tiny_short_community_still_has_writers_and_passes_the_validator():
    # given
    from prosumo.analytics.dataset import validate

    # when
    c = generate(seed=30, members=50, start=START, end=START + timedelta(days=30))
    # then
    assert len(c.ideas) > 0
    assert set(validate({name: c.arrow(name) for name in CONTRACT})) == set(CONTRACT)
