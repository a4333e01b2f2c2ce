"""Campaigns, ideas, their stage histories, revisions and co-authors.

Planted lead-user signal: lead users' ideas are accepted with probability about 0.55
(others about 0.05), are dated in the first part of their tenure, fall mostly on themes
whose share of new ideas grows over the window (``Theme.growth`` > 1), and use the
themes' *novel* features (rare words, two features combined). Other ideas follow the
themes' shares at their creation time and reuse a few common features, so they look
alike.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from prosumo.synth import words
from prosumo.synth.people import People
from prosumo.synth.profile import BENCH, Profile
from prosumo.synth.sampling import prefix_choice, repeat_ranges, sigmoid

ACCEPT_LOGIT = BENCH.accept_logit
QUALITY_SLOPE = 0.8
WAITING_SHARE = BENCH.waiting_share
DUPLICATE_SHARE = 0.05
NO_CAMPAIGN_SHARE = 0.08
GROWING = tuple(i for i, t in enumerate(words.THEMES) if t.growth > 1.0)


@dataclass
class Campaigns:
    """Per-campaign arrays; index ``k`` is campaign id ``k + 1``."""

    template: np.ndarray
    round: np.ndarray
    starts: np.ndarray
    ends: np.ndarray  # NaN = open-ended
    mode: np.ndarray  # int code into schema.VOTING_MODES
    threshold: np.ndarray  # -1 when not a support campaign


@dataclass
class Ideas:
    """Per-idea arrays; index ``j`` is idea id ``j + 1``; ids follow creation order."""

    author: np.ndarray  # member index
    created: np.ndarray
    campaign: np.ndarray  # campaign index, -1 none
    mode: np.ndarray
    theme: np.ndarray
    feature: np.ndarray
    feature2: np.ndarray
    novel: np.ndarray
    product: np.ndarray
    context: np.ndarray
    template: np.ndarray
    language: np.ndarray
    quality: np.ndarray
    lead: np.ndarray
    duplicate_of: np.ndarray  # idea index, -1


@dataclass
class Stages:
    """Long table of stage changes (row per change, first row per idea = submitted)."""

    idea: np.ndarray
    stage: np.ndarray  # int code into schema.STAGES
    time: np.ndarray
    actor: np.ndarray  # member index, -1 = none
    reason: np.ndarray  # int code into words.DECLINE_REASONS, -1 none
    status: np.ndarray  # per idea: current stage code
    close: np.ndarray  # per idea: time support closes (accepted/declined/merged or end)
    merged_into: np.ndarray  # per idea: idea index or -1 (only when the merge happened)
    merge_time: np.ndarray  # per idea: NaN when not merged
    launch_time: np.ndarray  # per idea: NaN when not launched
    accept_time: np.ndarray  # per idea: NaN when not accepted
    first_answer: np.ndarray  # per idea: time of first staff answer after "open" (NaN none)
    opened: np.ndarray  # per idea: time it opened for support (inf while it waits for a moderator)


def make_campaigns(rng: np.random.Generator, regular_members: int, days: float, profile: Profile = BENCH) -> Campaigns:
    """Campaign 1 is the always-open "Open ideas"; the others run for 2-8 months each."""
    if profile.running_campaigns is not None:
        return _calendar(rng, profile.running_campaigns, regular_members, days)
    extra = int(rng.integers(3, 8)) if regular_members < 5000 else int(np.clip(regular_members // 20000, 8, 60))
    n = extra + 1
    open_template = len(words.CAMPAIGNS) - 1
    templates = np.concatenate([[open_template], np.resize(rng.permutation(open_template), extra)])
    rounds = np.zeros(n, dtype=np.int64)
    for k in range(n):
        rounds[k] = int((templates[:k] == templates[k]).sum()) + 1
    starts = np.concatenate([[0.0], np.sort(rng.uniform(0.02, 0.85, extra)) * days])
    duration = rng.uniform(60.0, 240.0, n)
    ends = np.where(np.arange(n) == 0, np.nan, starts + duration)
    modes = np.concatenate([[0], [0, 1, 2][: min(3, extra)], rng.choice(3, max(extra - 3, 0), p=[0.5, 0.3, 0.2])])
    threshold = np.where(modes == 0, 10 if regular_members < 5000 else 50, -1)
    return Campaigns(templates, rounds, starts, ends, modes.astype(np.int8), threshold.astype(np.int64))


def _calendar(
    rng: np.random.Generator, counts: tuple[tuple[int, int], tuple[int, int]], regular_members: int, days: float
) -> Campaigns:
    """Demo calendar: "Open ideas", a few campaigns that ended, and a few running past ``days``."""
    (run_low, run_high), (done_low, done_high) = counts
    running = int(rng.integers(run_low, run_high + 1))
    finished = int(rng.integers(done_low, done_high + 1))
    extra = running + finished
    open_template = len(words.CAMPAIGNS) - 1
    done_starts = np.sort(rng.uniform(0.2, 0.7, finished)) * days
    done_ends = np.minimum(done_starts + rng.uniform(60.0, 150.0, finished), days - rng.uniform(3.0, 30.0, finished))
    done_ends = np.maximum(done_ends, done_starts + 0.1 * days)  # short windows: at least a tenth of the window
    run_starts = np.sort(np.maximum(days - rng.uniform(15.0, 200.0, running), 0.3 * days))
    run_ends = days + rng.uniform(20.0, 100.0, running)
    starts = np.concatenate([[0.0], done_starts, run_starts])
    ends = np.concatenate([[np.nan], done_ends, run_ends])
    modes = np.concatenate([[0], np.resize([2, 0, 1], finished), np.resize([0, 0, 1], running)])
    order = np.concatenate([[0], 1 + np.argsort(starts[1:], kind="stable")])
    starts, ends, modes = starts[order], ends[order], modes[order]
    templates = np.concatenate([[open_template], np.resize(rng.permutation(open_template), extra)])
    rounds = np.array([int((templates[:k] == templates[k]).sum()) + 1 for k in range(extra + 1)], dtype=np.int64)
    threshold = np.where(modes == 0, 10 if regular_members < 5000 else 50, -1)
    return Campaigns(templates, rounds, starts, ends, modes.astype(np.int8), threshold.astype(np.int64))


def make_ideas(
    rng: np.random.Generator, people: People, campaigns: Campaigns, days: float, profile: Profile = BENCH
) -> Ideas:
    """Ideas per writer, their times, themes, features, campaigns and duplicates."""
    n = people.n
    lead = people.lead
    superuser = people.superuser & ~lead
    engager = people.contributor & ~people.superuser
    counts = np.zeros(n, dtype=np.int64)
    lead_base, lead_mean = profile.lead_ideas
    super_median, super_sigma = profile.superuser_ideas
    counts[lead] = lead_base + rng.poisson(lead_mean, int(lead.sum()))
    counts[superuser] = 1 + np.floor(rng.lognormal(np.log(super_median), super_sigma, int(superuser.sum()))).astype(
        np.int64
    )
    counts[engager] = rng.choice(len(profile.engager_ideas), int(engager.sum()), p=list(profile.engager_ideas))
    author, _ = repeat_ranges(counts)
    is_lead = lead[author]
    joined = people.joined[author]
    tenure = days - joined
    fraction = np.where(is_lead, rng.beta(1.3, 2.6, len(author)), rng.beta(*profile.idea_beta, len(author)))
    created = np.minimum(joined + 0.01 + fraction * tenure, days * (1 - 1e-7))
    if profile.idea_growth is not None:
        # non-lead ideas follow the community's growth: density exp(g t / days) from joining to the end
        g = profile.idea_growth / days
        low, high = np.exp(g * np.minimum(joined + 0.01, days)), np.exp(g * days)
        grown = np.log(low + rng.random(len(author)) * (high - low)) / g
        created = np.where(is_lead, created, np.minimum(grown, days * (1 - 1e-7)))
    order = np.argsort(created, kind="stable")
    author, created, is_lead = author[order], created[order], is_lead[order]
    m = len(author)

    # themes: lead users favour growing themes; others follow the themes' shares at time t
    growth = np.array([t.growth for t in words.THEMES])
    share = np.exp(growth[None, :] * (created / days)[:, None])
    cumulative = np.cumsum(share / share.sum(axis=1, keepdims=True), axis=1)
    theme = (rng.random(m)[:, None] > cumulative).sum(axis=1)
    lead_theme = np.where(
        rng.random(m) < 0.85,
        np.asarray(GROWING)[rng.integers(0, len(GROWING), m)],
        rng.integers(0, len(words.THEMES), m),
    )
    theme = np.where(is_lead, lead_theme, np.minimum(theme, len(words.THEMES) - 1))
    novel_counts = np.array([len(t.novel) for t in words.THEMES])
    common_counts = np.array([len(t.common) for t in words.THEMES])
    novel = is_lead & (rng.random(m) < 0.9) | (~is_lead & (rng.random(m) < 0.03))
    feature = np.where(
        novel, rng.integers(0, 1 << 30, m) % novel_counts[theme], rng.integers(0, 1 << 30, m) % common_counts[theme]
    )
    shift = 1 + rng.integers(0, 1 << 30, m) % (novel_counts[theme] - 1)
    feature2 = np.where(novel, (feature + shift) % novel_counts[theme], -1)

    # product: one the theme's features fit
    product_keys = [p.key for p in words.PRODUCTS]
    fitting = [[product_keys.index(k) for k in words.THEME_PRODUCTS[t.tag]] for t in words.THEMES]
    width = max(len(f) for f in fitting)
    table = np.array([f + [f[0]] * (width - len(f)) for f in fitting])
    sizes = np.array([len(f) for f in fitting])
    product = table[theme, rng.integers(0, 1 << 30, m) % sizes[theme]]

    # campaign: one active at creation time that asks about this product line, or none
    compatible = np.array(
        [[key in words.CAMPAIGNS[t].products for key in product_keys] for t in campaigns.template], dtype=bool
    )
    starts, ends = campaigns.starts, np.nan_to_num(campaigns.ends, nan=np.inf)
    running = (starts[None, :] <= created[:, None]) & (created[:, None] <= ends[None, :])
    if profile.campaign_pull > 0:
        # writers answer the running challenges: a product of the idea's theme that a running
        # themed campaign asks about, with probability campaign_pull when there is one
        fits = np.zeros((len(words.THEMES), len(product_keys)), dtype=bool)
        for t, row in enumerate(fitting):
            fits[t, row] = True
        themed = running & (np.arange(len(starts)) > 0)[None, :]
        wanted = (fits[theme].astype(np.int64) @ compatible[1:].T.astype(np.int64) > 0) & themed[:, 1:]
        pulled = wanted.any(axis=1) & (rng.random(m) < profile.campaign_pull)
        target = 1 + np.where(wanted, rng.random(wanted.shape), -1.0).argmax(axis=1)
        choice = fits[theme] & compatible[target]
        product = np.where(pulled, np.where(choice, rng.random(choice.shape), -1.0).argmax(axis=1), product)
    active = running & compatible.T[product]
    # weighted pick (Efraimidis-Spirakis keys u^(1/w)): a themed campaign draws themed_weight x the open one
    weight = np.where(np.arange(len(starts)) == 0, 1.0, profile.themed_weight)
    keys = np.where(active, rng.random(active.shape) ** (1.0 / weight[None, :]), -1.0)
    campaign = keys.argmax(axis=1)
    campaign = np.where(rng.random(m) < NO_CAMPAIGN_SHARE, -1, campaign)
    mode = np.where(campaign >= 0, campaigns.mode[np.maximum(campaign, 0)], 0).astype(np.int8)

    language = people.language[author].copy()
    if len(np.unique(people.language)) > 1:
        flip = rng.random(m) < 0.1
        language[flip] = 1 - language[flip]

    # duplicates: a later idea in the same campaign repeating an earlier one
    group = campaign + 1
    by_group = np.lexsort((np.arange(m), group))
    sorted_group = group[by_group]
    group_start = np.searchsorted(sorted_group, sorted_group, side="left")
    position = np.arange(m) - group_start
    candidate = (position > 0) & (mode[by_group] != 2) & ~is_lead[by_group] & (rng.random(m) < DUPLICATE_SHARE)
    target_sorted = group_start + np.floor(rng.random(m) * np.maximum(position, 1)).astype(np.int64)
    duplicate_of = np.full(m, -1, dtype=np.int64)
    duplicate_of[by_group[candidate]] = by_group[target_sorted[candidate]]
    # no chains, no duplicating one's own idea
    bad = (duplicate_of >= 0) & (
        (duplicate_of[np.maximum(duplicate_of, 0)] >= 0) | (author[np.maximum(duplicate_of, 0)] == author)
    )
    duplicate_of[bad] = -1
    dup = duplicate_of >= 0
    src = duplicate_of[dup]
    theme[dup], feature[dup], product[dup], novel[dup] = theme[src], feature[src], product[src], novel[src]
    feature2[dup] = feature2[src]

    return Ideas(
        author=author,
        created=created,
        campaign=campaign,
        mode=mode,
        theme=theme,
        feature=feature,
        feature2=feature2,
        novel=novel,
        product=product,
        context=rng.integers(0, len(words.CONTEXTS), m),
        template=rng.integers(0, 5, m),
        language=language,
        quality=rng.normal(0.0, 1.0, m),
        lead=is_lead,
        duplicate_of=duplicate_of,
    )


def _staff_pick(rng: np.random.Generator, people: People, role: str, size: int) -> np.ndarray:
    staff = np.flatnonzero(people.is_staff & (people.staff_role == role))
    if len(staff) == 0:
        staff = np.flatnonzero(people.is_staff)
    return staff[rng.integers(0, len(staff), size)]


def make_stages(
    rng: np.random.Generator, people: People, ideas: Ideas, days: float, profile: Profile = BENCH
) -> Stages:
    """Stage timelines: submitted -> open -> (merged | declined | under_review -> ...).

    Bench: "open" follows within hours and a share of ideas never gets further. Demo:
    a moderator opens each idea within days (the first staff answer); an idea younger
    than ``profile.waiting_window`` days may still wait for it, no older one does.
    """
    from prosumo.synth.schema import STAGES

    m = len(ideas.created)
    code = {name: k for k, name in enumerate(STAGES)}
    t0 = ideas.created
    if profile.waiting_window is None:
        t_open = t0 + rng.exponential(profile.open_days, m)
        waiting = rng.random(m) < np.where(ideas.lead, profile.waiting_share["lead"], profile.waiting_share["other"])
    else:
        window = profile.waiting_window
        t_open = t0 + np.minimum(rng.lognormal(np.log(profile.open_days), 0.8, m), window)
        waiting = (t0 > days - window) & (rng.random(m) < profile.waiting_recent_share)
        # moderators work the queue oldest first and never let it grow past waiting_max
        waiting[np.flatnonzero(waiting)[: max(int(waiting.sum()) - profile.waiting_max, 0)]] = False
        t_open = np.where(waiting, np.nan, t_open)
    t_answer = t_open + rng.lognormal(np.log(profile.review_days), profile.review_sigma, m)
    logit = profile.accept_logit
    p_accept = sigmoid(np.where(ideas.lead, logit["lead"], logit["other"]) + QUALITY_SLOPE * ideas.quality)
    accepted = rng.random(m) < p_accept
    dup = ideas.duplicate_of >= 0
    t_merge = t_open + rng.lognormal(np.log(6.0), 0.6, m)
    via_review = accepted | (rng.random(m) < profile.review_share)
    t_review = np.where(via_review, t_answer, np.nan)
    t_decide = np.where(via_review, t_answer + rng.lognormal(np.log(profile.decide_days), 0.5, m), t_answer)
    t_dev = np.where(
        accepted & (rng.random(m) < 0.85), t_decide + rng.lognormal(np.log(profile.develop_days), 0.5, m), np.nan
    )
    t_launch = np.where(
        ~np.isnan(t_dev) & (rng.random(m) < 0.8), t_dev + rng.lognormal(np.log(profile.launch_days), 0.4, m), np.nan
    )
    reason = rng.choice(len(words.DECLINE_REASONS), m, p=words.DECLINE_REASON_PROBABILITIES)

    nan = np.full(m, np.nan)
    answered = ~waiting & ~dup
    columns: list[tuple[int, np.ndarray, int | np.ndarray]] = [
        (code["submitted"], t0, -1),
        (code["open"], t_open, _staff_pick(rng, people, "moderator", m)),
        (code["merged"], np.where(dup, t_merge, nan), _staff_pick(rng, people, "moderator", m)),
        (code["under_review"], np.where(answered, t_review, nan), _staff_pick(rng, people, "reviewer", m)),
        (code["accepted"], np.where(answered & accepted, t_decide, nan), _staff_pick(rng, people, "reviewer", m)),
        (code["declined"], np.where(answered & ~accepted, t_decide, nan), _staff_pick(rng, people, "reviewer", m)),
        (code["in_development"], np.where(answered, t_dev, nan), _staff_pick(rng, people, "reviewer", m)),
        (code["launched"], np.where(answered, t_launch, nan), _staff_pick(rng, people, "admin", m)),
    ]
    idea_rows, stage_rows, time_rows, actor_rows, reason_rows = [], [], [], [], []
    for stage_code, times, actor in columns:
        ok = ~np.isnan(times) & (times <= days)
        rows = np.flatnonzero(ok)
        idea_rows.append(rows)
        stage_rows.append(np.full(len(rows), stage_code, dtype=np.int8))
        time_rows.append(times[rows])
        actor_rows.append(np.full(len(rows), -1, dtype=np.int64) if isinstance(actor, int) else actor[rows])
        reason_rows.append(reason[rows] if stage_code == code["declined"] else np.full(len(rows), -1))
    idea = np.concatenate(idea_rows)
    stage = np.concatenate(stage_rows)
    time = np.concatenate(time_rows)
    order = np.lexsort((time, idea))
    idea, stage, time = idea[order], stage[order], time[order]
    actor = np.concatenate(actor_rows)[order]
    reason_col = np.concatenate(reason_rows)[order]

    last = np.r_[idea[1:] != idea[:-1], True]
    status = np.empty(m, dtype=np.int8)
    status[idea[last]] = stage[last]
    closing = np.isin(stage, [code["accepted"], code["declined"], code["merged"]])
    close = np.full(m, days)
    np.minimum.at(close, idea[closing], time[closing])
    merged = status == code["merged"]
    merged_into = np.where(merged, ideas.duplicate_of, -1)
    merge_time = np.where(merged, t_merge, np.nan)
    launch_time = np.where(status == code["launched"], t_launch, np.nan)
    accept_time = np.where(answered & accepted & (t_decide <= days), t_decide, np.nan)
    if profile.waiting_window is None:
        first_answer = np.where(~waiting | dup, np.where(dup, t_merge, t_answer), np.nan)
    else:
        first_answer = t_open
    first_answer = np.where(first_answer <= days, first_answer, np.nan)
    return Stages(
        idea,
        stage,
        time,
        actor,
        reason_col,
        status,
        close,
        merged_into,
        merge_time,
        launch_time,
        accept_time,
        first_answer,
        np.where(np.isnan(t_open) | (t_open > days), np.inf, t_open),
    )


@dataclass
class Revisions:
    """Extra revisions (revision >= 2) as a long table."""

    idea: np.ndarray
    number: np.ndarray
    time: np.ndarray
    note: np.ndarray


def make_revisions(rng: np.random.Generator, people: People, ideas: Ideas, stages: Stages, days: float) -> Revisions:
    """Revisions 2.. of each idea, between its creation and its close."""
    rate = np.where(people.superuser[ideas.author], 0.6, 0.25)
    counts = rng.poisson(rate)
    idea, _ = repeat_ranges(counts)
    time = ideas.created[idea] + rng.random(len(idea)) * (np.minimum(stages.close[idea], days) - ideas.created[idea])
    order = np.lexsort((time, idea))
    idea, time = idea[order], time[order]
    _, rank = repeat_ranges(np.bincount(idea, minlength=len(ideas.created)))
    return Revisions(idea, rank + 2, time, rng.integers(0, len(words.REVISION_NOTES["en"]), len(idea)))


@dataclass
class Coauthors:
    """Accepted co-authors: one row per (idea, co-author), plus every author's share."""

    idea: np.ndarray
    member: np.ndarray
    time: np.ndarray
    share_idea: np.ndarray  # idea_authors rows: idea index
    share_member: np.ndarray
    share: np.ndarray


def make_coauthors(
    rng: np.random.Generator, people: People, ideas: Ideas, days: float, profile: Profile = BENCH
) -> Coauthors:
    """Co-authors drawn among contributors who joined before the invitation was accepted."""
    m = len(ideas.created)
    p_any = np.where(people.superuser[ideas.author], *profile.coauthor_share)
    slots = np.where(rng.random(m) < p_any, np.where(rng.random(m) < 0.8, 1, 2), 0)
    idea, _ = repeat_ranges(slots)
    time = ideas.created[idea] + rng.exponential(4.0, len(idea))
    pool = np.flatnonzero(people.contributor)
    weights = np.cumsum(people.activity[pool])
    eligible = np.searchsorted(people.joined[pool], time, side="left")
    pick = prefix_choice(rng, weights, eligible)
    member = np.where(pick >= 0, pool[np.maximum(pick, 0)], -1)
    keep = (time <= days) & (member >= 0) & (member != ideas.author[idea])
    idea, member, time = idea[keep], member[keep], time[keep]
    pair = idea.astype(np.int64) * (people.n + 1) + member
    _, first = np.unique(pair, return_index=True)
    first = np.sort(first)
    idea, member, time = idea[first], member[first], time[first]
    order = np.lexsort((time, idea))
    idea, member, time = idea[order], member[order], time[order]

    co_count = np.bincount(idea, minlength=m)
    author_share = np.ones(m)
    one = co_count == 1
    two = co_count >= 2
    author_share[one] = np.array([0.5, 0.6, 0.7, 0.75])[rng.integers(0, 4, int(one.sum()))]
    author_share[two] = np.array([0.5, 0.6])[rng.integers(0, 2, int(two.sum()))]
    _, rank = repeat_ranges(co_count)
    co_share = (1.0 - author_share[idea]) / np.maximum(co_count[idea], 1)
    # last co-author takes the remainder so that the shares add up to exactly 1
    is_last = rank == co_count[idea] - 1
    co_share = np.where(is_last, 1.0 - author_share[idea] - co_share * rank, co_share)
    share_idea = np.concatenate([np.arange(m), idea])
    share_member = np.concatenate([ideas.author, member])
    share = np.concatenate([author_share, co_share])
    order = np.lexsort((np.concatenate([np.zeros(m), np.ones(len(idea))]), share_idea))
    return Coauthors(idea, member, time, share_idea[order], share_member[order], share[order])
