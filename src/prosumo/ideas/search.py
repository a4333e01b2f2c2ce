"""Full-text search over ideas and their comments, on SQLite (FTS5) and PostgreSQL (tsvector).

The index holds one document per idea: its title, its text and its visible comments.
The `index_idea` task refreshes it after every change, outside the request. Searching
and "similar ideas" are the same query: similar ideas use the significant words of
the draft, joined with OR and ranked by BM25 (SQLite) or ts_rank_cd (PostgreSQL).

Ranking every idea that shares one common word with a draft is what made similar ideas
slow in a large campaign, so the OR query leaves some out:

* on SQLite, the draft's *common* words (:func:`rare_terms`): a word whose prefix
  matches more than ``COMMON_SHARE`` of the indexed ideas, once the index holds
  ``COMMON_MIN_IDEAS`` ideas, counted in FTS5's own vocabulary table; the
  ``KEEP_RAREST`` rarest words stay whatever their counts;
* on PostgreSQL, similar ideas rank only the ideas the sentence encoder found nearest
  (``among``), when it is on.
"""

from __future__ import annotations

import re
import threading
import time
import unicodedata
from collections.abc import Mapping, Sequence

from django.db import connection

from prosumo.ideas.models import Comment, Idea

TOKEN = re.compile(r"\w{3,}", re.UNICODE)
STOPWORDS = frozenset(
    [
        "the",
        "and",
        "for",
        "with",
        "that",
        "this",
        "from",
        "have",
        "has",
        "was",
        "were",
        "are",
        "you",
        "your",
        "our",
        "their",
        "they",
        "them",
        "then",
        "than",
        "into",
        "onto",
        "about",
        "would",
        "could",
        "should",
        "will",
        "can",
        "not",
        "but",
        "all",
        "any",
        "its",
        "it's",
        "more",
        "most",
        "some",
        "such",
        "very",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "how",
        "also",
        "just",
        "like",
        "make",
        "made",
        "use",
        "using",
        "each",
        "other",
        "over",
        "under",
        "los",
        "las",
        "una",
        "uno",
        "unos",
        "unas",
        "para",
        "con",
        "por",
        "que",
        "del",
        "como",
        "más",
        "pero",
        "sus",
        "este",
        "esta",
        "estos",
        "estas",
        "ese",
        "esa",
        "son",
        "ser",
        "fue",
        "muy",
        "sin",
        "sobre",
        "entre",
        "cuando",
        "donde",
        "también",
        "hay",
        "puede",
        "tiene",
    ]
)
MAX_TERMS = 12
#: A word whose prefix matches more than this share of the indexed ideas is common.
COMMON_SHARE = 0.02
#: Below this many indexed ideas no word is common: ranking every match is cheap.
COMMON_MIN_IDEAS = 2_000
#: The rarest words of a draft kept in the query however common they are.
KEEP_RAREST = 3
#: How long a process reuses its count of the indexed ideas.
COUNT_SECONDS = 60.0


def terms(text: str, limit: int = MAX_TERMS) -> list[str]:
    """The significant words of a text, longest first, without stop words (English and Spanish)."""
    seen: list[str] = []
    for token in TOKEN.findall(text.lower()):
        if token not in STOPWORDS and not token.isdigit() and token not in seen:
            seen.append(token)
    return sorted(seen, key=len, reverse=True)[:limit]


def create_index(schema_editor: object = None) -> None:
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute(
                "CREATE VIRTUAL TABLE IF NOT EXISTS idea_search USING fts5("
                "title, body, comments, tokenize = 'unicode61 remove_diacritics 2')"
            )
        else:
            cur.execute(
                "CREATE TABLE IF NOT EXISTS idea_search (idea_id bigint PRIMARY KEY, document tsvector NOT NULL)"
            )
            cur.execute("CREATE INDEX IF NOT EXISTS idea_search_document ON idea_search USING gin (document)")


def create_vocabulary(schema_editor: object = None) -> None:
    """FTS5's table of each word's document count (SQLite only), to tell the common words."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute("CREATE VIRTUAL TABLE IF NOT EXISTS idea_search_vocabulary USING fts5vocab(idea_search, 'row')")


def drop_vocabulary(schema_editor: object = None) -> None:
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute("DROP TABLE IF EXISTS idea_search_vocabulary")


def drop_index(schema_editor: object = None) -> None:
    drop_vocabulary()
    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS idea_search")


def index(idea_id: int) -> None:
    """Refresh one idea's document; a hidden or merged idea leaves the index."""
    idea = Idea.objects.filter(pk=idea_id).values("title", "body", "hidden", "stage").first()
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("DELETE FROM idea_search WHERE rowid = %s", [idea_id])
        else:
            cur.execute("DELETE FROM idea_search WHERE idea_id = %s", [idea_id])
    if idea is None or idea["hidden"] or idea["stage"] == "merged":
        return
    comments = "\n".join(Comment.objects.filter(idea_id=idea_id, hidden=False).values_list("body", flat=True)[:500])
    index_new([(idea_id, idea["title"], idea["body"], comments)])


def index_new(documents: list[tuple[int, str, str, str]]) -> None:
    """Add the documents (idea id, title, body, comments) of ideas the index does not hold yet."""
    if not documents:
        return
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.executemany("INSERT INTO idea_search (rowid, title, body, comments) VALUES (%s, %s, %s, %s)", documents)
        else:
            cur.executemany(
                "INSERT INTO idea_search (idea_id, document) VALUES (%s, "
                "setweight(to_tsvector('simple', %s), 'A') || setweight(to_tsvector('simple', %s), 'B') "
                "|| setweight(to_tsvector('simple', %s), 'C'))",
                documents,
            )


def search_ids(query: str, *, any_word: bool = False, limit: int = 50) -> list[int]:
    """Idea ids matching the query, best first. `any_word` matches any term (for similar ideas)."""
    return [idea_id for idea_id, _ in search_scores(query, any_word=any_word, limit=limit)]


_counted: dict[str, tuple[float, int]] = {}
_count_lock = threading.Lock()


def _indexed_ideas() -> int:
    """How many ideas the index holds, counted at most every COUNT_SECONDS per process."""
    now = time.monotonic()
    with _count_lock:
        at, count = _counted.get(connection.alias, (-COUNT_SECONDS, 0))
    if now - at < COUNT_SECONDS:
        return count
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM idea_search")
        count = int(cur.fetchone()[0])
    with _count_lock:
        _counted[connection.alias] = (now, count)
    return count


def _folded(word: str) -> str:
    """The word as FTS5's tokenizer stores it (``remove_diacritics``): no accents."""
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


def keep_rare(words: list[str], counts: Mapping[str, int], total: int) -> list[str]:
    """The words that are not common among ``total`` documents, given each word's document count.

    A word is common when ``counts[word]`` is more than COMMON_SHARE of ``total``; below
    COMMON_MIN_IDEAS documents none is. The KEEP_RAREST rarest words stay whatever their
    counts (ties go to the earlier word), so that a draft of common words still finds
    its matches. The words keep their order.

    >>> keep_rare(["tent", "hammock", "family", "poles"], {"tent": 90, "hammock": 1, "family": 80, "poles": 70}, 5000)
    ['tent', 'hammock', 'family', 'poles']
    >>> keep_rare(["tent", "hammock", "family", "poles"], {"tent": 900, "hammock": 1, "family": 800, "poles": 70}, 5000)
    ['hammock', 'family', 'poles']
    """
    if len(words) <= KEEP_RAREST or total < COMMON_MIN_IDEAS:
        return words
    rarest = set(sorted(words, key=lambda w: (counts[w], words.index(w)))[:KEEP_RAREST])
    return [w for w in words if w in rarest or counts[w] <= COMMON_SHARE * total]


def rare_terms(words: list[str]) -> list[str]:
    """The words of an OR query that are not common in the index (SQLite; :func:`keep_rare`).

    A word's count is the sum of FTS5's document counts of the words it begins (the query
    matches it as a prefix), an upper bound of the ideas it matches. All the words are
    counted in one query.
    """
    if len(words) <= KEEP_RAREST:
        return words
    total = _indexed_ideas()
    if total < COMMON_MIN_IDEAS:
        return words
    one = "(SELECT coalesce(sum(doc), 0) FROM idea_search_vocabulary WHERE term >= %s AND term < %s)"
    bounds = [bound for word in words for bound in (_folded(word), _folded(word) + "\U0010ffff")]
    with connection.cursor() as cur:
        cur.execute("SELECT " + ", ".join([one] * len(words)), bounds)
        counts = dict(zip(words, (int(n) for n in cur.fetchone()), strict=True))
    return keep_rare(words, counts, total)


def search_scores(
    query: str, *, any_word: bool = False, limit: int = 50, among: Sequence[int] | None = None
) -> list[tuple[int, float]]:
    """(idea id, score) of the ideas matching the query, best first; a higher score is a better match.

    The score is -BM25 on SQLite and ts_rank_cd on PostgreSQL: comparable within one query only.
    With `any_word` (similar ideas), SQLite leaves the common words out (:func:`rare_terms`);
    `among` (PostgreSQL) ranks only those ideas.
    """
    words = terms(query, limit=MAX_TERMS) if any_word else [w for w in TOKEN.findall(query.lower())][:MAX_TERMS]
    if not words:
        return []
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            if any_word:
                words = rare_terms(words)
            joiner = " OR " if any_word else " AND "
            expression = joiner.join(f'"{w}"*' for w in words)
            cur.execute(
                "SELECT rowid, -bm25(idea_search, 10.0, 3.0, 1.0) FROM idea_search WHERE idea_search MATCH %s "
                "ORDER BY bm25(idea_search, 10.0, 3.0, 1.0) LIMIT %s",
                [expression, limit],
            )
        else:
            joiner = " | " if any_word else " & "
            expression = joiner.join(f"{w}:*" for w in (re.sub(r"[^\w]", "", w) for w in words) if w)
            within = "" if among is None else "AND idea_id = ANY(%s) "
            cur.execute(
                "SELECT idea_id, ts_rank_cd(document, q) FROM idea_search, to_tsquery('simple', %s) q "  # noqa: S608 (a fixed clause; values bound)
                f"WHERE document @@ q {within}ORDER BY ts_rank_cd(document, q) DESC, idea_id DESC LIMIT %s",
                [expression, *([list(among)] if among is not None else []), limit],
            )
        return [(row[0], float(row[1])) for row in cur.fetchall()]


def shared_terms(text: str, other: str) -> list[str]:
    """The significant words two texts have in common, longest first (to say why two ideas are paired)."""
    mine = terms(text, limit=64)
    theirs = set(terms(other, limit=256))
    return [word for word in mine if word in theirs]
