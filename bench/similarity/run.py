"""How similar ideas agree with people: Spearman's rho of each method against human ratings.

    python -m bench similarity                      # the short idea pairs of bench/similarity/pairs.csv
    python -m bench similarity --sts FOLDER         # and the STS benchmark (stsb-{en,es}-{dev,test}.csv)
    python -m bench similarity --latency            # similar ideas at 100,000 ideas (bench/similarity/latency.py)

Methods (docs/similarity.md): the full-text rank as similar ideas used it before (an OR of
the draft's longest significant words, BM25 on an FTS5 table with the site's tokenizer; 0
where nothing matches), a TF-IDF cosine (character 3-5-grams), the sentence encoder's
cosine, and the hybrid the site uses (ideas/similarity.py: MEANING_WEIGHT x cosine + the
rest x the full-text score over the query's best). For a pair, the "query" is the first
text and the index holds every second text of the split. Each text is embedded once, with
one thread. Prints a table; writes it to bench/out/similarity-<UTC time>.json.

pairs.csv: 20 short ideas, each with a paraphrase that shares no significant word and a
different idea on the same topic that shares one, rated 0-5 by the author of this file, in
English and in Spanish (written for this benchmark, no outside source).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sqlite3
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import numpy as np  # noqa: E402

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "out"

Pairs = list[tuple[str, str, float]]


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prosumo.settings")
    os.environ.setdefault("PROSUMO_DEBUG", "1")
    import django

    django.setup()


def read_sts(path: Path) -> Pairs:
    with path.open(encoding="utf-8", newline="") as handle:
        return [(a, b, float(score)) for a, b, score in csv.reader(handle)]


def read_own(path: Path, lang: str) -> Pairs:
    with path.open(encoding="utf-8", newline="") as handle:
        return [(r["text1"], r["text2"], float(r["score"])) for r in csv.DictReader(handle) if r["lang"] == lang]


def full_text(
    pairs: Pairs, *, normalise: bool, common_left_out: bool = False, nearest: np.ndarray | None = None
) -> np.ndarray:
    """-BM25 of each second text for the first text's OR query (divided by the query's best when `normalise`).

    `common_left_out`: the query leaves out the words common in this corpus, by the site's
    rule on SQLite (`search.keep_rare`, as if the corpus were large enough for it).
    `nearest`: for each pair, the rows of the texts nearest by meaning; only those are
    ranked (the site's rule on PostgreSQL), and a text outside them scores 0.
    """
    from prosumo.ideas import search
    from prosumo.ideas.search import terms

    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(title, body, comments, tokenize = 'unicode61 remove_diacritics 2')")
    db.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, 'row')")
    db.executemany(
        "INSERT INTO t (rowid, title, body, comments) VALUES (?, '', ?, '')",
        [(i + 1, b) for i, (_, b, _) in enumerate(pairs)],
    )
    out = np.zeros(len(pairs))
    for i, (a, _, _) in enumerate(pairs):
        words = terms(a)
        if common_left_out and words:
            counts = {
                w: db.execute(
                    "SELECT coalesce(sum(doc), 0) FROM v WHERE term >= ? AND term < ?",
                    (search._folded(w), search._folded(w) + "\U0010ffff"),
                ).fetchone()[0]
                for w in words
            }
            kept = search.COMMON_MIN_IDEAS
            search.COMMON_MIN_IDEAS = 0
            try:
                words = search.keep_rare(words, counts, len(pairs))
            finally:
                search.COMMON_MIN_IDEAS = kept
        if not words:
            continue
        expression = " OR ".join(f'"{w}"*' for w in words)
        rank = "bm25(t, 10.0, 3.0, 1.0)"
        among = "" if nearest is None else f" AND rowid IN ({','.join(str(int(r) + 1) for r in nearest[i])})"
        if nearest is not None and i not in set(nearest[i].tolist()):
            continue
        row = db.execute(f"SELECT -{rank} FROM t WHERE t MATCH ? AND rowid = ?", (expression, i + 1)).fetchone()
        if row is None:
            continue
        out[i] = row[0]
        if normalise:
            best = db.execute(
                f"SELECT -{rank} FROM t WHERE t MATCH ?{among} ORDER BY {rank} LIMIT 1",
                (expression,),
            ).fetchone()
            out[i] = row[0] / best[0]
    return out


def tfidf(pairs: Pairs, corpus: list[str]) -> np.ndarray:
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(strip_accents="unicode", sublinear_tf=True, analyzer="char_wb", ngram_range=(3, 5))
    vectorizer.fit(corpus)
    left = vectorizer.transform([a for a, _, _ in pairs])
    right = vectorizer.transform([b for _, b, _ in pairs])
    return np.asarray(left.multiply(right).sum(1)).ravel()


def scores(pairs: Pairs, corpus: list[str], vectors: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    from prosumo.ideas import similarity

    left = np.stack([vectors[a] for a, _, _ in pairs])
    right = np.stack([vectors[b] for _, b, _ in pairs])
    cosine = (left * right).sum(1)
    weight = similarity.MEANING_WEIGHT
    # the CANDIDATES texts nearest by meaning to each first text, among the pairs' second texts
    nearest = np.argsort(-(left @ right.T), axis=1)[:, : similarity.CANDIDATES]
    return {
        "full-text rank as before": full_text(pairs, normalise=False),
        "TF-IDF cosine, character 3-5-grams": tfidf(pairs, corpus),
        "encoder cosine": cosine,
        "hybrid (the site's)": weight * cosine + (1 - weight) * full_text(pairs, normalise=True),
        "hybrid, common words left out (SQLite)": weight * cosine
        + (1 - weight) * full_text(pairs, normalise=True, common_left_out=True),
        "hybrid, words of the nearest only (PostgreSQL)": weight * cosine
        + (1 - weight) * full_text(pairs, normalise=True, nearest=nearest),
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench similarity", description=__doc__.split("\n")[0])
    parser.add_argument("--sts", type=Path, help="folder holding stsb-{en,es}-{dev,test}.csv")
    parser.add_argument("--pairs", type=Path, default=HERE / "pairs.csv")
    parser.add_argument("--latency", action="store_true", help="measure similar ideas for typed drafts instead")
    parser.add_argument("--ideas", type=int, default=100_000, help="with --latency: ideas in the campaign")
    parser.add_argument("--pool", type=int, default=4000, help="with --latency: distinct texts embedded")
    parser.add_argument("--drafts", type=int, default=200, help="with --latency: drafts measured")
    parser.add_argument(
        "--engine", choices=("sqlite", "postgresql", "pgvector"), default="sqlite", help="with --latency"
    )
    args = parser.parse_args(argv)
    if args.latency:
        if min(args.ideas, args.pool, args.drafts) < 1 or args.pool > args.ideas:
            print("--ideas, --pool and --drafts must be at least 1, and --pool at most --ideas", file=sys.stderr)
            return 2
        from bench.similarity import latency

        return latency.main(argv, ideas=args.ideas, pool_size=args.pool, drafts=args.drafts, engine=args.engine)
    _setup()
    from scipy.stats import spearmanr

    from prosumo.ideas import similarity

    sets: dict[str, Pairs] = {f"own-{lang}": read_own(args.pairs, lang) for lang in ("en", "es")}
    if args.sts is not None:
        for lang in ("en", "es"):
            for split in ("dev", "test"):
                sets[f"{lang}-{split}"] = read_sts(args.sts / f"stsb-{lang}-{split}.csv")
    texts = sorted({t for pairs in sets.values() for a, b, _ in pairs for t in (a, b)})
    started = time.perf_counter()
    similarity.vectors(["a first text loads the model"])
    print(f"model loaded in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    matrix = similarity.vectors(texts)
    elapsed = time.perf_counter() - started
    vectors = dict(zip(texts, matrix, strict=True))
    print(f"{len(texts)} texts embedded in {elapsed:.1f} s ({1000 * elapsed / len(texts):.1f} ms per text, one thread)")
    table: dict[str, dict[str, float]] = {}
    for name, pairs in sets.items():
        lang = name.split("-")[1] if name.startswith("own") else name.split("-")[0]
        corpus = [t for other, p in sets.items() if lang in other for a, b, _ in p for t in (a, b)]
        human = [score for _, _, score in pairs]
        for method, values in scores(pairs, corpus, vectors).items():
            table.setdefault(method, {})[name] = round(float(spearmanr(values, human).statistic), 3)
    columns = list(sets)
    print(f"{'method':40s}" + "".join(f"{c:>9s}" for c in columns))
    for method, row in table.items():
        print(f"{method:40s}" + "".join(f"{row[c]:9.3f}" for c in columns))
    OUT.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (OUT / f"similarity-{stamp}.json").write_text(json.dumps({"model": similarity.MODEL, "spearman": table}, indent=1))
    return 0
