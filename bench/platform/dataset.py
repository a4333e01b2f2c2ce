"""A large community in PostgreSQL for the platform benchmark, loaded with COPY.

The shape, deterministic by seed:

* 5 campaigns of 40,000 / 30,000 / 15,000 / 10,000 / 5,000 ideas (100,000 in all),
  in the three voting modes, started a year ago; 95 % of ideas open for votes.
* 1,000,000 votes from a pool of 50,000 members: votes per idea follow a
  multinomial over Pareto(1.3) weights (a few ideas with thousands of votes, most
  with a handful); the voters of one idea are distinct (an arithmetic progression
  modulo a prime), values by mode (support: 1; up/down: 70 % up; score: 1-5).
* one ``idea.submitted`` event per idea and one ``idea.supported``/``idea.rated`` per
  vote, so the event log agrees with the votes table.
* 5,000 further members with API tokens who have not voted yet: the vote benchmark
  casts their new votes.

Tallies are the counts of the votes; the ranking keys are computed with
``prosumo.ideas.ranking`` exactly as the vote service keeps them (top and hot from
the tallies, trending as the log-sum-exp of the positive votes' weights).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

CAMPAIGNS = ((40_000, "support"), (30_000, "updown"), (15_000, "score"), (10_000, "support"), (5_000, "updown"))
VOTES = 1_000_000
VOTER_POOL = 50_021  # a prime: voters of an idea are a + j*b mod P, distinct for j < P
BENCH_VOTERS = 5_000
WORDS = [
    "tent",
    "lamp",
    "stove",
    "pack",
    "boot",
    "jacket",
    "bottle",
    "map",
    "compass",
    "rope",
    "mat",
    "chair",
    "table",
    "cup",
    "knife",
    "filter",
    "solar",
    "light",
    "quick",
    "dry",
    "warm",
    "folding",
    "modular",
    "recycled",
    "repair",
    "kit",
    "strap",
    "pocket",
    "zip",
    "hood",
    "cord",
]


@dataclass
class Loaded:
    campaign_ids: dict[int, str]  # id -> slug
    campaign_sizes: dict[int, int]
    open_ideas: np.ndarray  # ids of ideas open for votes
    idea_weight: np.ndarray  # votes of each open idea (to pick popular ideas more often)
    idea_mode: dict[int, str]  # campaign id -> voting mode
    idea_campaign: np.ndarray  # campaign id of each open idea
    tokens: list[str]  # raw API tokens of the bench voters
    token_members: list[int]  # their member ids, in the same order
    members: int
    ideas: int
    votes: int
    events: int


def vote_counts(rng: np.random.Generator, ideas: int, votes: int, cap: int) -> np.ndarray:
    """Votes per idea: a multinomial draw over Pareto(1.3) weights, capped at `cap`, summing to `votes`."""
    weights = rng.pareto(1.3, ideas) + 1.0
    counts = rng.multinomial(votes, weights / weights.sum())
    while (over := counts > cap).any():
        excess = int((counts[over] - cap).sum())
        counts[over] = cap
        room = np.flatnonzero(counts < cap)
        counts[room] += rng.multinomial(excess, np.full(room.size, 1.0 / room.size))
    return counts


def trending_keys(idea_index: np.ndarray, seconds: np.ndarray, positive: np.ndarray, ideas: int) -> np.ndarray:
    """log Σ exp(λ·t) per idea over its positive votes (0 where none), λ from prosumo.ideas.ranking."""
    from prosumo.ideas import ranking

    rate = ranking.decay_rate()
    w = rate * seconds[positive]
    idx = idea_index[positive]
    top = np.full(ideas, -np.inf)
    np.maximum.at(top, idx, w)
    sums = np.zeros(ideas)
    np.add.at(sums, idx, np.exp(w - top[idx]))
    out = np.zeros(ideas)
    has = sums > 0
    out[has] = top[has] + np.log(sums[has])
    return out


def _copy(
    cursor: Any, table: str, columns: Sequence[str], rows: Iterator[tuple[Any, ...]], advance: Callable[[int], None]
) -> int:
    n = 0
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            n += 1
            if n % 20_000 == 0:
                advance(20_000)
    advance(n % 20_000)
    return n


def next_prime(n: int) -> int:
    """The smallest prime >= n (trial division; n is small)."""
    while n < 2 or any(n % d == 0 for d in range(2, math.isqrt(n) + 1)):
        n += 1
    return n


def load(*, scale: float = 1.0, seed: int = 1, progress: bool = True) -> Loaded:
    """Fill the (migrated, empty) PostgreSQL database named by DATABASE_URL. Django must be set up.

    `scale` shrinks every count (0.01 gives a smoke test of the whole run in seconds).
    """
    from django.db import connection
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from prosumo.community.bootstrap import create_verified_member, ensure_site
    from prosumo.ideas import ranking
    from prosumo.ideas.services import campaign_create

    if connection.vendor != "postgresql":
        raise SystemExit("The platform benchmark loads PostgreSQL: set DATABASE_URL=postgres://...")
    rng = np.random.default_rng(seed)
    now = datetime.now(UTC).replace(microsecond=0)
    year_ago = now - timedelta(days=365)
    ensure_site()
    admin = create_verified_member(email="bench-admin@example.org", password="bench admin password 1", role="admin")
    campaigns = []
    votes_n = round(VOTES * scale)
    pool_n = VOTER_POOL if scale == 1 else next_prime(max(round(VOTER_POOL * scale), 53))
    bench_n = max(round(BENCH_VOTERS * scale), 50)
    for n, (full_size, mode) in enumerate(CAMPAIGNS):
        size = max(round(full_size * scale), 20)
        campaign = campaign_create(
            actor=admin,
            title=f"Bench campaign {n + 1} ({mode})",
            brief="Ideas for the benchmark.",
            starts_at=year_ago,
            voting_mode=mode,
        )
        campaigns.append((campaign.pk, campaign.slug, size, mode))

    with connection.cursor() as cur:
        cur.execute("SELECT coalesce(max(id), 0) FROM community_member")
        member_base = cur.fetchone()[0] + 1
        cur.execute("SELECT coalesce(max(id), 0) FROM activity_event")
        event_base = cur.fetchone()[0] + 1
    pool_ids = member_base + np.arange(pool_n)
    bench_ids = member_base + pool_n + np.arange(bench_n)
    members = pool_n + bench_n

    ideas = sum(size for _, _, size, _ in campaigns)
    idea_ids = np.arange(1, ideas + 1)
    idea_campaign = np.concatenate([np.full(size, pk) for pk, _, size, _ in campaigns])
    mode_of = {pk: mode for pk, _, _, mode in campaigns}
    idea_mode = np.array([mode_of[c] for c in idea_campaign])
    idea_created = rng.uniform(0, 364 * 86400, ideas)  # seconds after year_ago
    idea_author = rng.choice(pool_ids, ideas)
    idea_open = rng.random(ideas) >= 0.05

    counts = vote_counts(rng, ideas, votes_n, pool_n - 1)
    vote_idea = np.repeat(np.arange(ideas), counts)
    start = rng.integers(0, pool_n, ideas)
    step = rng.integers(1, pool_n, ideas)
    j = np.arange(votes_n) - np.repeat(np.cumsum(counts) - counts, counts)
    vote_member = pool_ids[(start[vote_idea] + j * step[vote_idea]) % pool_n]
    # A vote comes after its idea, before now.
    vote_seconds = idea_created[vote_idea] + rng.uniform(0, 1, votes_n) * (365 * 86400 - idea_created[vote_idea])
    vmode = idea_mode[vote_idea]
    value = np.ones(votes_n, dtype=np.int16)
    updown = vmode == "updown"
    value[updown] = np.where(rng.random(int(updown.sum())) < 0.7, 1, -1)
    score = vmode == "score"
    value[score] = rng.choice([1, 2, 3, 4, 5], int(score.sum()), p=[0.1, 0.1, 0.2, 0.3, 0.3])

    support_count = np.bincount(vote_idea, weights=(vmode == "support"), minlength=ideas).astype(int)
    up_count = np.bincount(vote_idea, weights=updown & (value > 0), minlength=ideas).astype(int)
    down_count = np.bincount(vote_idea, weights=updown & (value < 0), minlength=ideas).astype(int)
    score_sum = np.bincount(vote_idea, weights=np.where(score, value, 0), minlength=ideas).astype(int)
    score_count = np.bincount(vote_idea, weights=score, minlength=ideas).astype(int)
    positive = np.where(score, value >= 4, value > 0)
    epoch_offset = (year_ago - ranking.EPOCH).total_seconds()
    rank_trending = trending_keys(vote_idea, vote_seconds + epoch_offset, positive, ideas)

    def at(seconds: float) -> datetime:
        return year_ago + timedelta(seconds=float(seconds))

    total_rows = members + bench_n + ideas * 2 + votes_n * 2
    columns = Progress(
        TextColumn("{task.description:<22}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        disable=not progress,
    )
    with columns as bar, connection.cursor() as django_cursor:
        task = bar.add_task("loading", total=total_rows)

        def advance(n: int) -> None:
            bar.advance(task, n)

        cur = django_cursor.cursor  # the psycopg cursor, for COPY
        bar.update(task, description="members")
        joined = at(0)
        _copy(
            cur,
            "community_member",
            [
                "id",
                "password",
                "is_superuser",
                "email",
                "display_name",
                "avatar",
                "locale",
                "country",
                "bio",
                "interests",
                "role",
                "channel",
                "referral_code",
                "email_preference",
                "unsubscribe_token",
                "is_active",
                "suspended_reason",
                "date_joined",
            ],
            (
                (
                    int(pk),
                    "!",
                    False,
                    f"m{pk}@bench.example.org",
                    f"Member {pk}",
                    "",
                    "en",
                    "",
                    "",
                    "[]",
                    "member",
                    "",
                    f"b{pk}",
                    "immediate",
                    hashlib.sha256(f"u{pk}".encode()).hexdigest(),
                    True,
                    "",
                    joined,
                )
                for pk in np.concatenate([pool_ids, bench_ids])
            ),
            advance,
        )
        bar.update(task, description="API tokens")
        tokens = [bench_token(seed, int(pk)) for pk in bench_ids]
        _copy(
            cur,
            "community_apitoken",
            ["member_id", "name", "prefix", "digest", "scopes", "revoked_reason", "created_at"],
            (
                (int(pk), "bench", raw[:10], hashlib.sha256(raw.encode()).hexdigest(), "read write", "", now)
                for pk, raw in zip(bench_ids, tokens, strict=True)
            ),
            advance,
        )
        bar.update(task, description="ideas")

        def idea_rows() -> Iterator[tuple[Any, ...]]:
            for i in range(ideas):
                mode = str(idea_mode[i])
                tallies = {
                    "support": int(support_count[i]),
                    "up": int(up_count[i]),
                    "down": int(down_count[i]),
                    "score_sum": int(score_sum[i]),
                    "score_count": int(score_count[i]),
                }
                created = at(idea_created[i])
                words = [WORDS[k] for k in rng.integers(0, len(WORDS), 40)]
                title = f"{words[0].capitalize()} {words[1]} {words[2]} idea {i + 1}"
                body = " ".join(words).capitalize() + ". " + " ".join(reversed(words)) + "."
                yield (
                    int(idea_ids[i]),
                    created,
                    created,
                    int(idea_campaign[i]),
                    int(idea_author[i]),
                    title,
                    body,
                    "en",
                    "open" if idea_open[i] else "declined",
                    created,
                    None,
                    1,
                    False,
                    True,
                    tallies["support"],
                    tallies["up"],
                    tallies["down"],
                    tallies["score_sum"],
                    tallies["score_count"],
                    0,
                    1,
                    ranking.top(mode, **tallies),
                    ranking.hot(ranking.net_support(mode, **tallies), created),
                    float(rank_trending[i]),
                    0,
                    None,
                    "",
                )

        _copy(
            cur,
            "ideas_idea",
            [
                "id",
                "created_at",
                "updated_at",
                "campaign_id",
                "author_id",
                "title",
                "body",
                "language",
                "stage",
                "stage_changed_at",
                "answered_at",
                "revision",
                "hidden",
                "approved",
                "support_count",
                "up_count",
                "down_count",
                "score_sum",
                "score_count",
                "comment_count",
                "follower_count",
                "rank_top",
                "rank_hot",
                "rank_trending",
                "gate_index",
                "gate_deadline",
                "licence",  # no contribution terms in the benchmark's community: no licence chosen
            ],
            idea_rows(),
            advance,
        )
        bar.update(task, description="votes")
        _copy(
            cur,
            "ideas_vote",
            ["idea_id", "member_id", "value", "created_at", "updated_at"],
            (
                (int(idea_ids[i]), int(m), int(v), t, t)
                for i, m, v, t in zip(vote_idea, vote_member, value, map(at, vote_seconds), strict=True)
            ),
            advance,
        )
        bar.update(task, description="events")
        verb = {"support": "idea.supported", "updown": "idea.supported", "score": "idea.rated"}

        def event_rows() -> Iterator[tuple[Any, ...]]:
            pk = event_base
            for i in range(ideas):
                yield (
                    pk,
                    at(idea_created[i]),
                    int(idea_author[i]),
                    "idea.submitted",
                    "idea",
                    int(idea_ids[i]),
                    None,
                    int(idea_campaign[i]),
                    "",
                    1.0,
                    json.dumps({"stage": "open", "language": "en", "tags": []}),
                )
                pk += 1
            for i, m, v, s in zip(vote_idea, vote_member, value, vote_seconds, strict=True):
                yield (
                    pk,
                    at(s),
                    int(m),
                    verb[str(idea_mode[i])],
                    "idea",
                    int(idea_ids[i]),
                    int(idea_author[i]),
                    int(idea_campaign[i]),
                    "",
                    float(v),
                    "{}",
                )
                pk += 1

        events = _copy(
            cur,
            "activity_event",
            [
                "id",
                "occurred_at",
                "actor_id",
                "verb",
                "object_type",
                "object_id",
                "target_member_id",
                "campaign_id",
                "channel",
                "value",
                "details",
            ],
            event_rows(),
            advance,
        )
        bar.update(task, description="indexes and statistics")
        for table, column in (("community_member", "id"), ("ideas_idea", "id"), ("activity_event", "id")):
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), (SELECT max({column}) FROM {table}))"
            )
        cur.execute(
            "INSERT INTO idea_search (idea_id, document) SELECT id, setweight(to_tsvector('simple', title), 'A') "
            "|| setweight(to_tsvector('simple', body), 'B') FROM ideas_idea ON CONFLICT DO NOTHING"
        )
    connection.close()
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
    opened = idea_open
    return Loaded(
        campaign_ids={pk: slug for pk, slug, _, _ in campaigns},
        campaign_sizes={pk: size for pk, _, size, _ in campaigns},
        open_ideas=idea_ids[opened],
        idea_weight=counts[opened] + 1,
        idea_mode=mode_of,
        idea_campaign=idea_campaign[opened],
        tokens=tokens,
        token_members=[int(pk) for pk in bench_ids],
        members=members + 1,
        ideas=ideas,
        votes=votes_n,
        events=events,
    )


def check_tallies_match_votes() -> list[str]:
    """Ideas whose stored tallies differ from the aggregate of the votes table (an empty list when exact)."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            """
            SELECT i.id, i.support_count, i.up_count, i.down_count, i.score_sum, i.score_count,
                   coalesce(v.support, 0), coalesce(v.up, 0), coalesce(v.down, 0), coalesce(v.ssum, 0), coalesce(v.scount, 0)
            FROM ideas_idea i
            JOIN ideas_campaign c ON c.id = i.campaign_id
            LEFT JOIN (
                SELECT v.idea_id,
                       count(*) FILTER (WHERE c.voting_mode = 'support') AS support,
                       count(*) FILTER (WHERE c.voting_mode = 'updown' AND v.value > 0) AS up,
                       count(*) FILTER (WHERE c.voting_mode = 'updown' AND v.value < 0) AS down,
                       coalesce(sum(v.value) FILTER (WHERE c.voting_mode = 'score'), 0) AS ssum,
                       count(*) FILTER (WHERE c.voting_mode = 'score') AS scount
                FROM ideas_vote v JOIN ideas_idea i ON i.id = v.idea_id JOIN ideas_campaign c ON c.id = i.campaign_id
                GROUP BY v.idea_id
            ) v ON v.idea_id = i.id
            WHERE (i.support_count, i.up_count, i.down_count, i.score_sum, i.score_count)
               <> (coalesce(v.support, 0), coalesce(v.up, 0), coalesce(v.down, 0), coalesce(v.ssum, 0), coalesce(v.scount, 0))
            LIMIT 20
            """
        )
        return [f"idea {row[0]}: stored {row[1:6]} != votes {row[6:]}" for row in cur.fetchall()]


def hot_check_sample(ideas: Sequence[int]) -> list[str]:
    """Ideas among `ideas` whose top and hot keys differ from prosumo.ideas.ranking over their tallies."""
    from prosumo.ideas import ranking
    from prosumo.ideas.models import Idea

    wrong = []
    for idea in Idea.objects.filter(pk__in=list(ideas)).select_related("campaign"):
        mode = idea.campaign.voting_mode
        tallies = {
            "support": idea.support_count,
            "up": idea.up_count,
            "down": idea.down_count,
            "score_sum": idea.score_sum,
            "score_count": idea.score_count,
        }
        top = ranking.top(mode, **tallies)
        hot = ranking.hot(ranking.net_support(mode, **tallies), idea.created_at)
        if not (math.isclose(idea.rank_top, top, abs_tol=1e-9) and math.isclose(idea.rank_hot, hot, abs_tol=1e-6)):
            wrong.append(f"idea {idea.pk}: keys ({idea.rank_top}, {idea.rank_hot}) != ({top}, {hot})")
    return wrong


def bench_token(seed: int, member_id: int) -> str:
    """The raw API token the loader gives bench voter `member_id` (deterministic, so a run can reuse a load)."""
    return f"psm_bench_{seed}_{member_id}_{hashlib.sha256(f'{seed}:{member_id}'.encode()).hexdigest()[:24]}"


def loaded_from_database(*, seed: int = 1) -> Loaded:
    """Describe a community that an earlier run loaded into DATABASE_URL (for `--reuse`)."""
    from django.db.models import Count

    from prosumo.activity.models import Event
    from prosumo.community.models import ApiToken
    from prosumo.ideas.models import Campaign, Idea, Stage

    campaigns = list(
        Campaign.objects.filter(slug__startswith="bench-campaign-").annotate(size=Count("ideas")).order_by("pk")
    )
    if not campaigns:
        raise SystemExit("No benchmark data in this database: run without --reuse first.")
    open_rows = np.array(
        list(
            Idea.objects.filter(stage=Stage.OPEN, campaign__in=campaigns)
            .order_by("pk")
            .values_list("pk", "campaign_id", "support_count", "up_count", "down_count", "score_count")
        )
    )
    votes = open_rows[:, 2:].sum(axis=1)
    members = list(ApiToken.objects.filter(name="bench").order_by("member_id").values_list("member_id", flat=True))
    from prosumo.ideas.models import Vote

    return Loaded(
        campaign_ids={c.pk: c.slug for c in campaigns},
        campaign_sizes={c.pk: c.size for c in campaigns},
        open_ideas=open_rows[:, 0],
        idea_weight=votes + 1,
        idea_mode={c.pk: c.voting_mode for c in campaigns},
        idea_campaign=open_rows[:, 1],
        tokens=[bench_token(seed, pk) for pk in members],
        token_members=members,
        members=0,
        ideas=sum(c.size for c in campaigns),
        votes=Vote.objects.count(),
        events=Event.objects.count(),
    )
