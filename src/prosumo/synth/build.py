"""Run the generator's steps in order and assemble the tables and the planted truth."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from prosumo.synth import words
from prosumo.synth.activity import first_contribution_time, make_comments, make_votes
from prosumo.synth.commerce import (
    BASE_RATE,
    COST_PER_JOIN,
    LAUNCHED_SHARE,
    MONTH_DAYS,
    SPEND_MULTIPLIER,
    make_costs,
    make_orders,
)
from prosumo.synth.events import EventLog, make_traffic
from prosumo.synth.ideas import (
    GROWING,
    QUALITY_SLOPE,
    make_campaigns,
    make_coauthors,
    make_ideas,
    make_revisions,
    make_stages,
)
from prosumo.synth.people import (
    ACTIVATION,
    BASS_P,
    BASS_PERIODS,
    BASS_Q,
    PROSUMER_INFLUENCE,
    SURVEY_COEFFICIENTS,
    TIER_EFFECTS,
    make_people,
)
from prosumo.synth.profile import Profile, get_profile
from prosumo.synth.sampling import json_objects, likert, masked_int, sigmoid
from prosumo.synth.schema import CONTRACT_SCHEMAS, PLATFORM_SCHEMAS, STAGES, VOTING_MODES
from prosumo.synth.text import comment_bodies, idea_texts, revision_bodies, stage_messages

MIN_MEMBERS = 50
MIN_DAYS = 30.0
STEPS = 13  # one random stream per step; a new step takes a new stream, leaving the others as they were
Progress = Callable[[str], None]


def _check_inputs(members: int, start: datetime, end: datetime, languages: tuple[str, ...]) -> float:
    if not isinstance(members, int) or members < MIN_MEMBERS:
        raise ValueError(f"members must be an integer of at least {MIN_MEMBERS}, got {members!r}")
    for name, value in (("start", start), ("end", end)):
        if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"{name} must be a timezone-aware datetime, got {value!r}")
    days = (end - start).total_seconds() / 86400.0
    if days < MIN_DAYS:
        raise ValueError(f"end must be at least {MIN_DAYS:.0f} days after start, got {days:.1f} days")
    unknown = [code for code in languages if code not in words.LANGUAGES]
    if unknown or not languages or len(set(languages)) != len(languages):
        raise ValueError(f"languages must be distinct codes from {words.LANGUAGES}, got {languages!r}")
    return days


def _ts(us: np.ndarray) -> pa.Array:
    return pa.array(np.asarray(us, dtype=np.int64), type=pa.int64()).cast(pa.timestamp("us", tz="UTC"))


def _strings(codes: np.ndarray, names: tuple[str, ...] | list[str]) -> pa.Array:
    indices = pa.array(np.asarray(codes, dtype=np.int32), mask=np.asarray(codes) < 0)
    return pa.DictionaryArray.from_arrays(indices, pa.array(list(names), type=pa.string())).cast(pa.string())


def _mean_acceptance(logit: float) -> float:
    """E[sigmoid(logit + slope z)], z ~ N(0, 1), by midpoint quadrature on 20,001 quantiles."""
    from statistics import NormalDist

    grid = (np.arange(20001) + 0.5) / 20001
    z = np.array([NormalDist().inv_cdf(float(u)) for u in grid[::20]])
    return float(sigmoid(logit + QUALITY_SLOPE * z).mean())


def build(
    *,
    seed: int,
    members: int,
    start: datetime,
    end: datetime,
    languages: tuple[str, ...] = ("en", "es"),
    events_target: int | None = None,
    text: bool = True,
    progress: Progress | None = None,
    profile: str = "bench",
) -> tuple[dict[str, pa.Table], dict[str, object]]:
    """Generate every table as Arrow plus the planted truth; see :func:`prosumo.synth.generate`."""
    languages = tuple(languages)
    rates = get_profile(profile)
    days = _check_inputs(members, start, end, languages)
    say = progress or (lambda _step: None)
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(STEPS)]
    start_us = int(start.timestamp()) * 1_000_000 + start.microsecond
    log = EventLog(start_us)

    say("members")
    people = make_people(streams[0], members, days, languages, rates.survey_response_rate)
    regular = ~people.is_staff
    say("campaigns and ideas")
    campaigns = make_campaigns(streams[1], int(regular.sum()), days, rates)
    ideas = make_ideas(streams[2], people, campaigns, days, rates)
    stages = make_stages(streams[3], people, ideas, days, rates)
    revisions = make_revisions(streams[4], people, ideas, stages, days)
    coauthors = make_coauthors(streams[5], people, ideas, days, rates)
    say("votes and comments")
    planned_first = first_contribution_time(streams[6], people, days)
    votes = make_votes(streams[6], people, ideas, stages, planned_first, days, rates)
    opens = None if rates.waiting_window is None else stages.opened
    comments = make_comments(streams[7], people, ideas, planned_first, days, rates, opens)
    m = len(ideas.created)
    idea_ids = np.arange(1, m + 1, dtype=np.int64)

    say("events")
    # member.joined, member.referred
    channel = np.where(people.is_staff, -1, people.channel)
    log.add(
        "member.joined",
        people.joined,
        np.arange(people.n),
        object_type="member",
        object_id=people.member_id,
        channel=channel,
    )
    if rates.touch_share > 0:  # tracked links followed before joining (demo): multi-touch journeys
        touch_rng = streams[12]
        touched = np.flatnonzero(regular & (touch_rng.random(people.n) < rates.touch_share))
        who = np.repeat(touched, touch_rng.integers(1, 3, len(touched)))
        marketing = np.array([i for i, c in enumerate(words.CHANNELS) if c != "referral"])
        weights = np.array([words.CHANNEL_PROBABILITIES[i] for i in marketing])
        log.add(
            "member.touched",
            np.maximum(people.joined[who] - touch_rng.uniform(0.5, 30.0, len(who)), 0.0),
            who,
            object_type="member",
            object_id=people.member_id[who],
            channel=touch_rng.choice(marketing, len(who), p=weights / weights.sum()).astype(np.int8),
        )
    referred = np.flatnonzero(people.referred_by >= 0)
    log.add(
        "member.referred",
        people.joined[referred],
        people.referred_by[referred] - 1,
        object_type="member",
        object_id=people.member_id[referred],
        target=referred,
    )
    # ideas
    tags = pa.array([t.tag for t in words.THEMES]).take(pa.array(ideas.theme))
    lang_names = _strings(ideas.language, words.LANGUAGES)
    submitted_details = pc.binary_join_element_wise(
        '{"revision": 1, "tags": ["', tags, '"], "language": "', lang_names, '"}', ""
    )
    log.add(
        "idea.submitted",
        ideas.created,
        ideas.author,
        object_type="idea",
        object_id=idea_ids,
        campaign=ideas.campaign,
        value=np.ones(m),
        details=submitted_details,
    )
    log.add(
        "idea.revised",
        revisions.time,
        ideas.author[revisions.idea],
        object_type="idea",
        object_id=revisions.idea + 1,
        campaign=ideas.campaign[revisions.idea],
        value=revisions.number.astype(np.float64),
    )
    share_key = coauthors.share_idea.astype(np.int64) * (people.n + 1) + coauthors.share_member
    share_sorter = np.argsort(share_key, kind="stable")
    co_key = coauthors.idea.astype(np.int64) * (people.n + 1) + coauthors.member
    co_share = coauthors.share[share_sorter[np.searchsorted(share_key, co_key, sorter=share_sorter)]]
    log.add(
        "idea.coauthor_added",
        coauthors.time,
        ideas.author[coauthors.idea],
        object_type="idea",
        object_id=coauthors.idea + 1,
        target=coauthors.member,
        campaign=ideas.campaign[coauthors.idea],
        details=json_objects([("share", co_share, "float")]),
    )
    # votes
    v_mode = ideas.mode[votes.idea]
    withdrawn = (votes.kind == 2) | (votes.kind == 3)
    for verb, rows in (
        ("idea.supported", np.flatnonzero(~withdrawn & (v_mode != 2))),
        ("idea.rated", np.flatnonzero(~withdrawn & (v_mode == 2))),
        ("idea.support_withdrawn", np.flatnonzero(withdrawn)),
    ):
        kind = votes.kind[rows]
        origin = votes.origin[rows]
        details = pc.if_else(
            pa.array(kind == 1),
            json_objects([("carried_from", origin + 1, "int")]),
            pc.if_else(
                pa.array(kind == 2),
                json_objects([("reason", pa.array(["merged"] * len(kind)), "str"), ("into", origin + 1, "int")]),
                pc.if_else(pa.array(kind == 4), '{"changed": true}', pa.scalar(None, pa.string())),
            ),
        )
        log.add(
            verb,
            votes.time[rows],
            votes.member[rows],
            object_type="idea",
            object_id=votes.idea[rows] + 1,
            target=ideas.author[votes.idea[rows]],
            campaign=ideas.campaign[votes.idea[rows]],
            value=votes.value[rows],
            details=details,
        )
    # comments
    c_target = np.where(
        comments.parent >= 0, comments.author[np.maximum(comments.parent, 0)], ideas.author[comments.idea]
    )
    c_ids = np.arange(1, len(comments.idea) + 1, dtype=np.int64)
    log.add(
        "comment.posted",
        comments.time,
        comments.author,
        object_type="comment",
        object_id=c_ids,
        target=c_target,
        campaign=ideas.campaign[comments.idea],
        details=json_objects(
            [
                ("idea_id", comments.idea + 1, "int"),
                ("builds_on", comments.builds_on, "bool"),
                ("parent_id", masked_int(np.where(comments.parent >= 0, comments.parent + 1, -1)), "int"),
            ]
        ),
    )
    # stage changes and merges
    s_lang = ideas.language[stages.idea]
    into_id = np.where(stages.merged_into[stages.idea] >= 0, stages.merged_into[stages.idea] + 1, -1)
    messages = stage_messages(stages.stage, stages.reason, s_lang, into_id)
    first_row = np.r_[True, stages.idea[1:] != stages.idea[:-1]]
    changes = np.flatnonzero(~first_row)
    stage_names = pa.array(list(STAGES))
    from_names = stage_names.take(pa.array(stages.stage[changes - 1].astype(np.int64)))
    to_names = stage_names.take(pa.array(stages.stage[changes].astype(np.int64)))
    reasons = _strings(stages.reason[changes], words.DECLINE_REASONS)
    message_array = pa.array(messages[changes], type=pa.string())
    log.add(
        "idea.stage_changed",
        stages.time[changes],
        stages.actor[changes],
        object_type="idea",
        object_id=stages.idea[changes] + 1,
        target=ideas.author[stages.idea[changes]],
        campaign=ideas.campaign[stages.idea[changes]],
        details=json_objects(
            [
                ("from", from_names, "str"),
                ("to", to_names, "str"),
                ("reason", reasons, "str"),
                ("message", message_array, "str"),
            ]
        ),
    )
    merge_rows = np.flatnonzero(stages.stage == STAGES.index("merged"))
    merged = stages.idea[merge_rows]
    log.add(
        "idea.merged",
        stages.time[merge_rows],
        stages.actor[merge_rows],
        object_type="idea",
        object_id=merged + 1,
        target=ideas.author[merged],
        campaign=ideas.campaign[merged],
        details=json_objects(
            [
                ("into", stages.merged_into[merged] + 1, "int"),
                ("carried_supporters", votes.carried_count[stages.merged_into[merged]], "int"),
            ]
        ),
    )
    # rewards for accepted ideas, split by contribution share
    rewarded = ~np.isnan(stages.accept_time[coauthors.share_idea])
    r_idea = coauthors.share_idea[rewarded]
    log.add(
        "reward.granted",
        stages.accept_time[r_idea],
        np.full(len(r_idea), -1),
        object_type="idea",
        object_id=r_idea + 1,
        target=coauthors.share_member[rewarded],
        campaign=ideas.campaign[r_idea],
        value=np.round(1000.0 * coauthors.share[rewarded]),
        details=pa.array(np.full(len(r_idea), '{"reason": "idea_accepted"}', dtype=object), type=pa.string()),
    )

    # realised first contribution (drives the spend uplift)
    contribution = [
        (ideas.author, ideas.created),
        (coauthors.member, coauthors.time),
        (votes.member[(votes.kind == 0) | (votes.kind >= 3)], votes.time[(votes.kind == 0) | (votes.kind >= 3)]),
        (comments.author, comments.time),
    ]
    first = np.full(people.n, np.inf)
    for who, when in contribution:
        np.minimum.at(first, who, when)
    first = np.where(np.isinf(first), np.nan, first)

    say("orders and costs")
    orders = make_orders(streams[8], people, ideas, stages, first, days)
    log.add(
        "order.imported",
        orders.time,
        orders.member,
        object_type="product",
        object_id=orders.product_id,
        value=orders.amount,
        details=json_objects(
            [
                ("product", orders.product_id, "int"),
                ("from_idea", masked_int(np.where(orders.from_idea >= 0, orders.from_idea + 1, -1)), "int"),
            ]
        ),
    )
    cost_channel, cost_start, cost_end, cost_spend = make_costs(streams[9], people, start, end, days)

    say("visits and views")
    direct_votes = (votes.kind == 0) | (votes.kind >= 3)
    activity = [
        (np.arange(people.n), log.to_us(people.joined)),
        (ideas.author, log.to_us(ideas.created)),
        (ideas.author[revisions.idea], log.to_us(revisions.time)),
        (coauthors.member, log.to_us(coauthors.time)),
        (votes.member[direct_votes], log.to_us(votes.time[direct_votes])),
        (comments.author, log.to_us(comments.time)),
        (stages.actor[changes], log.to_us(stages.time[changes])),
    ]
    viewing = [
        (votes.member[votes.kind == 0], votes.idea[votes.kind == 0], log.to_us(votes.time[votes.kind == 0])),
        (comments.author, comments.idea, log.to_us(comments.time)),
    ]
    make_traffic(streams[10], people, ideas, log, days, activity, viewing, events_target)

    say("tables")
    events = log.to_table()
    tables: dict[str, pa.Table] = {}
    tables["members"] = _members_table(people, log)
    tables["campaigns"] = pa.table(
        {
            "campaign_id": np.arange(1, len(campaigns.starts) + 1, dtype=np.int64),
            "title": pa.array(
                [_campaign_title(t, r, 0) for t, r in zip(campaigns.template, campaigns.round, strict=True)]
            ),
            "starts_at": _ts(log.to_us(campaigns.starts)),
            "ends_at": pa.array(log.to_us(np.nan_to_num(campaigns.ends)), mask=np.isnan(campaigns.ends)).cast(
                pa.timestamp("us", tz="UTC")
            ),
            "voting_mode": _strings(campaigns.mode, VOTING_MODES),
        },
        schema=CONTRACT_SCHEMAS["campaigns"],
    )
    titles, bodies = idea_texts(ideas)
    extra_bodies = revision_bodies(revisions, ideas, bodies) if text else None
    latest_body = list(bodies)
    if extra_bodies is not None:
        for j, body in zip(revisions.idea.tolist(), extra_bodies, strict=True):
            latest_body[j] = body
    else:
        notes: dict[int, list[str]] = {}
        for j, k in zip(revisions.idea.tolist(), revisions.note.tolist(), strict=True):
            notes.setdefault(j, []).append(words.REVISION_NOTES[words.LANGUAGES[int(ideas.language[j])]][k])
        for j, added in notes.items():
            latest_body[j] = "\n\n".join([bodies[j], *added])
    tables["ideas"] = pa.table(
        {
            "idea_id": idea_ids,
            "campaign_id": masked_int(np.where(ideas.campaign >= 0, ideas.campaign + 1, -1)),
            "author_id": people.member_id[ideas.author],
            "created_at": _ts(log.to_us(ideas.created)),
            "status": _strings(stages.status, STAGES),
            "title": pa.array(titles, type=pa.string()),
            "body": pa.array(latest_body, type=pa.string()),
            "language": lang_names,
            "merged_into": masked_int(np.where(stages.merged_into >= 0, stages.merged_into + 1, -1)),
            "licence": pa.nulls(len(idea_ids), pa.string()),
            "terms_version": pa.nulls(len(idea_ids), pa.int64()),
        },
        schema=CONTRACT_SCHEMAS["ideas"],
    )
    tables["idea_authors"] = pa.table(
        {
            "idea_id": coauthors.share_idea + 1,
            "member_id": people.member_id[coauthors.share_member],
            "share": coauthors.share,
        },
        schema=CONTRACT_SCHEMAS["idea_authors"],
    )
    tables["idea_stages"] = pa.table(
        {
            "idea_id": stages.idea + 1,
            "stage": _strings(stages.stage, STAGES),
            "changed_at": _ts(log.to_us(stages.time)),
            "actor_id": masked_int(np.where(stages.actor >= 0, stages.actor + 1, -1)),
            "reason": _strings(stages.reason, words.DECLINE_REASONS),
            "message": pa.array(messages, type=pa.string()),
        },
        schema=CONTRACT_SCHEMAS["idea_stages"],
    )
    tables["events"] = events
    tables["outcomes"] = pa.table(
        {
            "member_id": people.member_id[orders.member],
            "product_id": orders.product_id,
            "ordered_at": _ts(log.to_us(orders.time)),
            "amount": orders.amount,
            "from_idea_id": masked_int(np.where(orders.from_idea >= 0, orders.from_idea + 1, -1)),
        },
        schema=CONTRACT_SCHEMAS["outcomes"],
    )
    tables["surveys"] = _surveys_table(streams[11], people, ideas, stages, first)
    tables["costs"] = pa.table(
        {
            "channel": cost_channel,
            "period_start": pa.array(cost_start, type=pa.timestamp("us", tz="UTC")),
            "period_end": pa.array(cost_end, type=pa.timestamp("us", tz="UTC")),
            "spend": cost_spend,
        },
        schema=CONTRACT_SCHEMAS["costs"],
    )

    # platform detail
    tables["campaign_details"] = pa.table(
        {
            "campaign_id": np.arange(1, len(campaigns.starts) + 1, dtype=np.int64),
            "title_es": [_campaign_title(t, r, 1) for t, r in zip(campaigns.template, campaigns.round, strict=True)],
            "brief_en": [words.CAMPAIGNS[t].brief_en for t in campaigns.template],
            "brief_es": [words.CAMPAIGNS[t].brief_es for t in campaigns.template],
            "support_threshold": masked_int(campaigns.threshold),
            "products": [json.dumps(list(words.CAMPAIGNS[t].products)) for t in campaigns.template],
            "scorecard": [json.dumps(list(words.SCORECARD_CRITERIA))] * len(campaigns.starts),
        },
        schema=PLATFORM_SCHEMAS["campaign_details"],
    )
    rev_idea = np.concatenate([np.arange(m), revisions.idea])
    rev_number = np.concatenate([np.ones(m, dtype=np.int64), revisions.number])
    rev_time = np.concatenate([ideas.created, revisions.time])
    order = np.lexsort((rev_number, rev_idea))
    rev_titles = pa.array(titles, type=pa.string()).take(pa.array(rev_idea))
    no_bodies: list[str | None] = [None] * len(revisions.idea)
    rev_texts: list[str | None] = [*bodies, *(extra_bodies or no_bodies)]
    rev_bodies = pa.array(rev_texts, type=pa.string())
    tables["idea_revisions"] = pa.table(
        {
            "idea_id": rev_idea + 1,
            "revision": rev_number,
            "title": rev_titles,
            "body": rev_bodies,
            "created_at": _ts(log.to_us(rev_time)),
        },
        schema=PLATFORM_SCHEMAS["idea_revisions"],
    ).take(pa.array(order))
    tables["idea_tags"] = pa.table({"idea_id": idea_ids, "tag": tags}, schema=PLATFORM_SCHEMAS["idea_tags"])
    tables["comments"] = pa.table(
        {
            "comment_id": c_ids,
            "idea_id": comments.idea + 1,
            "author_id": people.member_id[comments.author],
            "parent_id": masked_int(np.where(comments.parent >= 0, comments.parent + 1, -1)),
            "body": pa.array(comment_bodies(comments, ideas) if text else [None] * len(c_ids), type=pa.string()),
            "builds_on": comments.builds_on,
            "created_at": _ts(log.to_us(comments.time)),
            "language": _strings(ideas.language[comments.idea], words.LANGUAGES),
        },
        schema=PLATFORM_SCHEMAS["comments"],
    )
    v_order = np.lexsort((votes.state_member, votes.state_idea))
    tables["votes"] = pa.table(
        {
            "idea_id": votes.state_idea[v_order] + 1,
            "member_id": people.member_id[votes.state_member[v_order]],
            "value": votes.state_value[v_order],
            "created_at": _ts(log.to_us(votes.state_time[v_order])),
        },
        schema=PLATFORM_SCHEMAS["votes"],
    )

    truth = _truth(seed, members, start, end, people, ideas, stages, comments, orders, first, days, rates)
    truth["events"] = events.num_rows
    return tables, truth


def _campaign_title(template: int, round_number: int, language: int) -> str:
    base = words.CAMPAIGNS[template]
    title = base.es if language else base.en
    if round_number > 1:
        title += f" (ronda {round_number})" if language else f" (round {round_number})"
    return title


def _members_table(people, log: EventLog) -> pa.Table:
    ids = pa.array(people.member_id)
    id_text = ids.cast(pa.string())
    lang = np.asarray(people.language, dtype=np.int64)
    combos = [
        (f"{animal[1]} {adjective[1]}" if language else f"{adjective[0]} {animal[0]}")
        for language in (0, 1)
        for adjective in words.NAME_ADJECTIVES
        for animal in words.NAME_ANIMALS
    ]
    index = (lang * len(words.NAME_ADJECTIVES) + people.name_adjective) * len(words.NAME_ANIMALS) + people.name_animal
    names = pa.array(combos).take(pa.array(index))
    role_codes = np.array(
        [words.STAFF_ROLES.index(r) if r else -1 for r in people.staff_role[people.is_staff]]
        + [-1] * int((~people.is_staff).sum())
    )
    roles = _strings(role_codes, words.STAFF_ROLES)
    staff_names = pc.fill_null(_strings(role_codes, [words.STAFF_NAMES[r][0] for r in words.STAFF_ROLES]), "")
    names = pc.if_else(pa.array(people.is_staff), staff_names, names)
    handle = pc.if_else(
        pa.array(people.is_staff),
        pc.binary_join_element_wise("staff", id_text, ""),
        pc.binary_join_element_wise("member", id_text, ""),
    )
    locale = _strings(people.language, words.LANGUAGES)
    customer = pc.binary_join_element_wise("C", pc.utf8_lpad(id_text, 7, "0"), "")
    attributes = json_objects(
        [
            ("handle", handle, "str"),
            ("display_name", names, "str"),
            ("locale", locale, "str"),
            ("email", pc.binary_join_element_wise(handle, "@example.org", ""), "str"),
            ("customer_id", pc.if_else(pa.array(people.is_staff), pa.scalar(None, pa.string()), customer), "str"),
            ("role", roles, "str"),
        ]
    )
    return pa.table(
        {
            "member_id": ids,
            "joined_at": _ts(log.to_us(people.joined)),
            "segment": _strings(np.where(people.is_staff, -1, people.tier), words.TIERS),
            "country": pa.array(people.country, type=pa.string()),
            "channel": _strings(np.where(people.is_staff, -1, people.channel), words.CHANNELS),
            "referred_by": masked_int(people.referred_by),
            "is_staff": pa.array(people.is_staff),
            "attributes": attributes,
        },
        schema=CONTRACT_SCHEMAS["members"],
    )


def _surveys_table(rng, people, ideas, stages, first) -> pa.Table:
    answered = np.zeros(people.n, dtype=bool)
    answered[ideas.author[~np.isnan(stages.first_answer)]] = True
    took_part = ~np.isnan(first)
    satisfaction = likert(rng, 4.2 + 0.6 * took_part + 0.8 * answered, 1.1, people.n)
    scores = np.column_stack([people.lead_items, people.scores, satisfaction])
    rows = np.flatnonzero(people.respondent)
    n_items = len(words.SURVEY_ITEMS)
    return pa.table(
        {
            "member_id": np.repeat(people.member_id[rows], n_items),
            "item": _strings(np.tile(np.arange(n_items), len(rows)), words.SURVEY_ITEMS),
            "score": scores[rows].ravel(),
        },
        schema=CONTRACT_SCHEMAS["surveys"],
    )


def _ratio(a: float, b: float) -> float | None:
    return round(a / b, 4) if b else None


def _truth(
    seed, members, start, end, people, ideas, stages, comments, orders, first, days, rates: Profile
) -> dict[str, object]:
    regular = ~people.is_staff
    took_part = ~np.isnan(first) & regular
    prosumer = people.superuser
    others = regular & ~prosumer
    referrals = np.bincount(people.referred_by[people.referred_by > 0] - 1, minlength=people.n)
    replies = comments.parent >= 0
    top = np.flatnonzero(comments.parent < 0)
    top_replies = np.bincount(comments.parent[replies], minlength=len(comments.parent))[top]
    top_by_prosumer = prosumer[comments.author[top]]
    decided = np.isin(stages.status, [STAGES.index(s) for s in ("accepted", "in_development", "launched", "declined")])
    accepted = np.isin(stages.status, [STAGES.index(s) for s in ("accepted", "in_development", "launched")])
    by_channel = {}
    for code, name in enumerate(words.CHANNELS):
        rows = regular & (people.channel == code)
        by_channel[name] = {
            "members": int(rows.sum()),
            "contributors": int((took_part & rows).sum()),
            "realized_rate": round(float(took_part[rows].mean()), 5) if rows.any() else None,
        }
    # expected monthly spend uplift among co-creators after their first contribution
    post_months = np.where(took_part, (days - np.nan_to_num(first, nan=days)) / MONTH_DAYS, 0.0)
    att = (
        (SPEND_MULTIPLIER - 1.0)
        * orders.expected_amount
        * float(np.dot(orders.monthly_rate, post_months))
        / max(float(post_months.sum()), 1e-12)
    )
    tenure_months = np.where(regular, days / MONTH_DAYS, 0.0)
    spend = np.bincount(orders.member, weights=orders.amount, minlength=people.n)
    naive_t = spend[took_part].sum() / max(tenure_months[took_part].sum(), 1e-12)
    naive_c = spend[regular & ~took_part].sum() / max(tenure_months[regular & ~took_part].sum(), 1e-12)
    return {
        "generator": "prosumo.synth",
        "seed": seed,
        "members": members,
        "profile": rates.name,
        "window": {"start": start.isoformat(), "end": end.isoformat()},
        "contributor_definition": (
            "a non-staff member who is the actor of at least one idea.submitted, idea.supported, "
            "idea.support_withdrawn, idea.rated or comment.posted event, or the target (the co-author) "
            "of an idea.coauthor_added event"
        ),
        "participation": {
            "members": int(regular.sum()),
            "contributors": int(took_part.sum()),
            "idea_authors": len(np.unique(ideas.author)),
            "superusers": int(people.superuser.sum()),
            "lead_users": int(people.lead.sum()),
            "staff": int(people.is_staff.sum()),
        },
        "lead_users": {
            "member_ids": people.member_id[people.lead].tolist(),
            "k": int(2 * people.lead.sum()),
            "acceptance_probability": {
                "lead_users": round(_mean_acceptance(rates.accept_logit["lead"]), 4),
                "others": round(_mean_acceptance(rates.accept_logit["other"]), 4),
            },
            "realized_acceptance_rate_of_decided_ideas": {
                "lead_users": _ratio(float((accepted & ideas.lead).sum()), float((decided & ideas.lead).sum())),
                "others": _ratio(float((accepted & ~ideas.lead).sum()), float((decided & ~ideas.lead).sum())),
            },
            "growing_themes": [words.THEMES[k].tag for k in GROWING],
            "theme_growth_log_ratio": {t.tag: t.growth for t in words.THEMES},
            "description": (
                "lead users' ideas are accepted far more often, come early in their tenure on themes "
                "whose share of new ideas grows, and use rare (novel) features; theme per idea in idea_tags"
            ),
        },
        "channels": {
            "activation_rate": ACTIVATION,
            "intercepts": {k: round(v, 6) for k, v in people.intercepts.items()},
            "realized": by_channel,
            "cost_per_join": COST_PER_JOIN,
        },
        "participation_model": {
            "formula": "P(contributor) = sigmoid(intercept[channel] + tier_effect[segment] + sum_k coef[k] * (score_k - 4))",
            "intercepts": {k: round(v, 6) for k, v in people.intercepts.items()},
            "tier_effects": TIER_EFFECTS,
            "coefficients": SURVEY_COEFFICIENTS,
            "centre": 4.0,
            "respondents": int(people.respondent.sum()),
            "response_rate": rates.survey_response_rate,
            "note": "surveys are answered by a random share of regular members (response_rate), "
            "independent of everything else",
        },
        "spend_uplift": {
            "multiplier": SPEND_MULTIPLIER,
            "treatment": "member's orders after their first contribution (see contributor_definition)",
            "base_monthly_orders": BASE_RATE,
            "selection": "participation rises with segment (tier) and so does spend: naive comparisons are biased up",
            "att_monthly_spend": round(att, 4),
            "naive_monthly_spend_ratio": _ratio(float(naive_t), float(naive_c)),
            "launched_product_share": LAUNCHED_SHARE,
        },
        "influence": {
            "prosumer_ids": people.member_id[prosumer].tolist(),
            "prosumer_definition": "superusers: the ~1% of members who write most ideas (lead users included)",
            "referral_multiple": PROSUMER_INFLUENCE,
            "reply_multiple_per_top_level_comment": PROSUMER_INFLUENCE,
            "definition": (
                "referral_multiple: member.referred events per prosumer / per other non-staff member; "
                "reply multiple: direct replies drawn by a top-level comment written by a prosumer / by anyone else"
            ),
            "realized": {
                "referrals_per_prosumer": round(float(referrals[prosumer].mean()), 5),
                "referrals_per_other_member": round(float(referrals[others].mean()), 5),
                "referral_ratio": _ratio(float(referrals[prosumer].mean()), float(referrals[others].mean())),
                "direct_replies_per_top_level_comment_ratio": _ratio(
                    float(top_replies[top_by_prosumer].mean()) if top_by_prosumer.any() else 0.0,
                    float(top_replies[~top_by_prosumer].mean()) if (~top_by_prosumer).any() else 0.0,
                ),
            },
        },
        "bass": {"p": BASS_P, "q": BASS_Q, "m": round(people.bass_m, 2), "period_days": days / BASS_PERIODS},
    }
