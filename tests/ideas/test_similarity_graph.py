"""The nearest-neighbour graph of a large campaign stays fresh as ideas come, change and go (ideas/similarity.py)."""

from __future__ import annotations

import numpy as np
import pytest

from prosumo.ideas import similarity
from prosumo.ideas.selectors import similar_ideas
from prosumo.ideas.services import content_hide, idea_revise

DARK = dict(title="Dark mode", body="A darker colour scheme for the mobile screens, easier on the eyes in the evening.")
BOOTS = dict(title="Waterproof boots for kids", body="Boots that keep small feet dry on long hikes.")
BUSES = dict(title="Night buses to the stadium", body="Extra buses after late matches so that fans get home.")
SEATS = dict(title="Padded seats in the stands", body="Softer seats for the long winter games.")
RACKS = dict(title="Bicycle racks by the entrance", body="Somewhere safe to lock a bike during a visit.")
DRAFT = "Let me switch the app to a black theme at night"


def unit_rows(count: int, seed: int) -> np.ndarray:
    rows = np.random.default_rng(seed).standard_normal((count, similarity.DIMENSIONS)).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def made_index(ideas: list[int], matrix: np.ndarray, campaign_id: int = 7) -> similarity.Index:
    """An index as `similarity.index()` builds it, of one campaign, from given vectors."""
    current = similarity.Index(stamp=(len(ideas),))
    current.ideas = np.asarray(ideas, dtype=np.int64)
    current.campaigns = np.full(len(ideas), campaign_id, dtype=np.int64)
    current.matrix = matrix
    current.spans = {campaign_id: (0, len(ideas))}
    current.by_idea = np.argsort(current.ideas, kind="stable")
    current.sorted_ideas = current.ideas[current.by_idea]
    return current


def test_a_graph_writes_only_the_new_changed_and_gone_vectors():
    # given: a graph of 200 ideas
    vectors = unit_rows(201, seed=1)
    first = made_index(list(range(1, 201)), vectors[:200])
    graph = similarity.Graph()
    assert graph.sync(first, 7) == 200
    # when: idea 5 is gone, idea 9 changed, idea 300 is new, the rest untouched (in another row order)
    ideas = [300] + [i for i in range(200, 0, -1) if i != 5]
    matrix = np.stack([vectors[200]] + [vectors[i - 1] for i in ideas[1:]])
    changed = unit_rows(1, seed=2)[0]
    matrix[ideas.index(9)] = changed
    second = made_index(ideas, matrix)
    # then: three writes, and the graph answers with the new vectors
    assert graph.sync(second, 7) == 3
    assert graph.synced is second
    assert 5 not in graph.hnsw
    assert 300 in graph.hnsw
    assert len(graph.hnsw) == 200
    assert graph.nearest(changed, 1)[0] == 9
    assert graph.nearest(vectors[200], 1)[0] == 300
    assert graph.nearest(vectors[8], 1)[0] != 9  # its old vector is gone
    assert graph.sync(second, 7) == 0


def test_the_graph_finds_what_brute_force_finds():
    # given: 2,000 vectors around 200 topics, as ideas are
    topics = unit_rows(200, seed=3)
    vectors = topics[np.arange(2000) % 200] + 0.6 * unit_rows(2000, seed=4)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    graph = similarity.Graph()
    graph.sync(made_index(list(range(1, 2001)), vectors), 7)
    queries = topics[:20] + 0.6 * unit_rows(20, seed=5)
    # when
    found = [set(graph.nearest(q, similarity.GRAPH_FETCH).tolist()) for q in queries]
    # then: the 10 nearest by exact cosine are among the graph's answer, nearly always
    exact = [set((np.argsort(-(vectors @ q))[:10] + 1).tolist()) for q in queries]
    recall = np.mean([len(f & e) / 10 for f, e in zip(found, exact, strict=True)])
    assert recall >= 0.95


@pytest.fixture
def small_graphs(settings, monkeypatch):
    """The hybrid ranking, with a graph for any campaign of three ideas or more, and two candidates by meaning.

    With more ideas in the graph than candidates, a search takes its nearest ideas from the
    graph (with fewer, it falls back to brute force).
    """
    settings.PROSUMO_SIMILARITY = "hybrid"
    monkeypatch.setattr(similarity, "GRAPH_MIN", 3)
    monkeypatch.setattr(similarity, "CANDIDATES", 2)


def graph_of(campaign_id: int) -> similarity.Graph:
    assert similarity.wait_for_graphs(timeout=60)
    current = similarity.index()
    graph = current.graphs[campaign_id]
    assert graph.synced is current
    vector = similarity.vectors([DRAFT])[0]
    assert len(similarity._graph_rows(current, graph, vector, current.rows(campaign_id))) > similarity.CANDIDATES
    return graph


def test_a_new_idea_is_found_at_once_and_joins_the_graph(process_store, small_graphs, make_idea, make_member, campaign):
    # given: a campaign searched through its graph
    for text in (BOOTS, RACKS, SEATS):
        make_idea(make_member(), **text)
    assert [i.pk for i in similar_ideas(text=DRAFT, campaign_id=campaign.pk)] == []
    assert len(graph_of(campaign.pk).hnsw) == 3
    # when: a paraphrase of the draft is submitted (its vector stored by its task)
    dark = make_idea(make_member(), **DARK)
    # then: the next search finds it, before the graph holds it (brute force meanwhile) and after
    assert [i.pk for i in similar_ideas(text=DRAFT, campaign_id=campaign.pk)] == [dark.pk]
    graph = graph_of(campaign.pk)
    assert dark.pk in graph.hnsw
    assert [i.pk for i in similar_ideas(text=DRAFT, campaign_id=campaign.pk)] == [dark.pk]


def test_a_revised_or_hidden_idea_changes_the_graph(
    process_store, small_graphs, make_idea, make_member, moderator, campaign, django_capture_on_commit_callbacks
):
    # given
    author = make_member()
    idea = make_idea(author, **BUSES)
    for text in (BOOTS, SEATS, RACKS):
        make_idea(make_member(), **text)
    similar_ideas(text=DRAFT, campaign_id=campaign.pk)
    before = graph_of(campaign.pk).hnsw.get(idea.pk)
    # when: the idea is revised into the draft's meaning
    with django_capture_on_commit_callbacks(execute=True):
        idea_revise(actor=author, idea_id=idea.pk, title=DARK["title"], body=DARK["body"], note="Another idea")
    # then: found at once, and the graph holds its new vector
    assert [i.pk for i in similar_ideas(text=DRAFT, campaign_id=campaign.pk)] == [idea.pk]
    after = graph_of(campaign.pk).hnsw.get(idea.pk)
    assert not np.allclose(before, after)
    assert [i.pk for i in similar_ideas(text=DRAFT, campaign_id=campaign.pk)] == [idea.pk]
    # when: a moderator hides it
    with django_capture_on_commit_callbacks(execute=True):
        content_hide(actor=moderator, kind="idea", object_id=idea.pk, reason="Spam")
    # then: it leaves the graph
    assert similar_ideas(text=DRAFT, campaign_id=campaign.pk) == []
    graph = graph_of(campaign.pk)
    assert idea.pk not in graph.hnsw
    assert len(graph.hnsw) == 3


def test_a_merged_idea_loses_its_vector(
    small_graphs, make_idea, make_member, reviewer, campaign, django_capture_on_commit_callbacks
):
    from prosumo.ideas.models import IdeaEmbedding
    from prosumo.ideas.services import idea_merge

    # given
    source = make_idea(make_member(), **DARK)
    target = make_idea(make_member(), title="Night theme", body="A dark colour scheme for the app at night.")
    assert IdeaEmbedding.objects.filter(idea_id=source.pk).exists()
    # when
    with django_capture_on_commit_callbacks(execute=True):
        idea_merge(actor=reviewer, source_id=source.pk, target_id=target.pk, message="Same idea as the other one.")
    # then: only the idea it went into is found
    assert not IdeaEmbedding.objects.filter(idea_id=source.pk).exists()
    assert [i.pk for i in similar_ideas(text=DRAFT, campaign_id=campaign.pk)] == [target.pk]
