"""Full-text search over ideas and their comments, on SQLite (FTS5) and PostgreSQL (tsvector).

The index holds one document per idea: its title, its text and its visible comments.
The `index_idea` task refreshes it after every change, outside the request. Searching
and "similar ideas" are the same query: similar ideas use the significant words of
the draft, joined with OR and ranked by BM25 (SQLite) or ts_rank_cd (PostgreSQL).
"""

from __future__ import annotations

import re

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


def drop_index(schema_editor: object = None) -> None:
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


def search_scores(query: str, *, any_word: bool = False, limit: int = 50) -> list[tuple[int, float]]:
    """(idea id, score) of the ideas matching the query, best first; a higher score is a better match.

    The score is -BM25 on SQLite and ts_rank_cd on PostgreSQL: comparable within one query only.
    """
    words = terms(query, limit=MAX_TERMS) if any_word else [w for w in TOKEN.findall(query.lower())][:MAX_TERMS]
    if not words:
        return []
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
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
            cur.execute(
                "SELECT idea_id, ts_rank_cd(document, q) FROM idea_search, to_tsquery('simple', %s) q "
                "WHERE document @@ q ORDER BY ts_rank_cd(document, q) DESC, idea_id DESC LIMIT %s",
                [expression, limit],
            )
        return [(row[0], float(row[1])) for row in cur.fetchall()]


def shared_terms(text: str, other: str) -> list[str]:
    """The significant words two texts have in common, longest first (to say why two ideas are paired)."""
    mine = terms(text, limit=64)
    theirs = set(terms(other, limit=256))
    return [word for word in mine if word in theirs]
