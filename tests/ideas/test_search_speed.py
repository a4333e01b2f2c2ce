"""What keeps similar ideas fast in a large campaign: fewer full-text matches to rank (ideas/search.py)."""

from __future__ import annotations

import pytest
from django.db import connection

from prosumo.ideas import search

COMMON = "A family tent for camping trips"
RARE = {
    "hammock": "A family tent for camping trips with a hammock hook",
    "lantern": "A family tent for camping trips with a lantern loop",
    "stove": "A family tent for camping trips with a stove porch",
    "waterproof": "A waterproof family tent for camping trips",
    "waterproof zips": "A family tent for camping trips with waterproof zips",
}
DRAFT = "waterproof hammock lantern stove tent family"


@pytest.fixture
def twelve_ideas(make_idea, member):
    """Seven ideas that share only common words with the draft, five with one rarer word each."""
    ideas = {}
    for n in range(7):
        ideas[f"common {n}"] = make_idea(member, title=f"Camping tent number {n}", body=COMMON)
    for key, body in RARE.items():
        ideas[key] = make_idea(member, title=f"Camping tent: {key}", body=body)
    return ideas


@pytest.fixture
def small_index_counts(monkeypatch):
    """Treat a 12-idea index as large, and a word in more than a quarter of it as common."""
    monkeypatch.setattr(search, "COMMON_MIN_IDEAS", 10)
    monkeypatch.setattr(search, "COMMON_SHARE", 0.25)
    monkeypatch.setattr(search, "_counted", {})


sqlite_only = pytest.mark.skipif("connection.vendor != 'sqlite'", reason="FTS5's vocabulary is SQLite's")


@sqlite_only
def test_the_common_words_of_a_draft_are_left_out(twelve_ideas, small_index_counts):
    # given: "tent" and "family" are in all 12 ideas, "waterproof" in 2, the others in 1
    words = search.terms(DRAFT)
    # when
    kept = search.rare_terms(words)
    # then
    assert words == ["waterproof", "hammock", "lantern", "family", "stove", "tent"]
    assert kept == ["waterproof", "hammock", "lantern", "stove"]


@sqlite_only
def test_similar_ideas_rank_only_the_matches_of_the_rarer_words(twelve_ideas, small_index_counts):
    # when
    found = {idea_id for idea_id, _ in search.search_scores(DRAFT, any_word=True, limit=50)}
    # then
    assert found == {twelve_ideas[key].pk for key in RARE}


@sqlite_only
def test_the_rarest_words_stay_even_when_common(twelve_ideas, small_index_counts):
    # given: four words, three of them in every idea
    words = ["hammock", "camping", "family", "tent"]
    # when
    kept = search.rare_terms(words)
    # then: the rarest three stay; ties go to the earlier (longer) word
    assert kept == ["hammock", "camping", "family"]


@sqlite_only
def test_a_small_index_has_no_common_word(twelve_ideas, monkeypatch):
    # given: the default threshold, far above 12 ideas
    monkeypatch.setattr(search, "_counted", {})
    words = search.terms(DRAFT)
    # when / then
    assert search.rare_terms(words) == words
    assert len(search.search_scores(DRAFT, any_word=True, limit=50)) == 12


def test_a_search_can_rank_only_some_ideas(twelve_ideas):
    if connection.vendor != "postgresql":
        pytest.skip("only PostgreSQL ranks among given ideas; SQLite leaves common words out instead")
    # given
    among = [twelve_ideas["hammock"].pk, twelve_ideas["common 3"].pk]
    # when
    found = [idea_id for idea_id, _ in search.search_scores(DRAFT, any_word=True, limit=50, among=among)]
    # then: the hammock idea shares more words, so it comes first
    assert found == among


@sqlite_only
def test_the_words_are_counted_in_one_query(twelve_ideas, small_index_counts, django_assert_num_queries):
    # given: the index's size counted already (once a minute)
    search.rare_terms(search.terms(DRAFT))
    # when / then: one query for the six words' counts, one for the matches
    with django_assert_num_queries(2):
        search.search_scores(DRAFT, any_word=True, limit=50)


@sqlite_only
def test_an_accented_word_is_counted_as_the_index_stores_it(make_idea, member, small_index_counts):
    # given: "canción" is stored without its accent (remove_diacritics)
    for n in range(12):
        make_idea(member, title=f"Una canción de campamento {n}", body="Para cantar junto al fuego")
    make_idea(member, title="Una linterna", body="Para leer en la tienda")
    # when: "canción" is in 12 of 13 ideas, the other three words in one
    kept = search.rare_terms(["linterna", "canción", "leer", "tienda"])
    # then: counted as "cancion", it is common and left out (counted as 0, it would stay)
    assert kept == ["linterna", "leer", "tienda"]
