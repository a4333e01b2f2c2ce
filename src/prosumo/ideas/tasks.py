"""Background work for ideas: keep the search index and the idea vectors fresh, expire support deadlines, remind of answers due."""

from __future__ import annotations

from django_tasks import task

from prosumo.ideas import search, similarity


@task()
def index_idea(idea_id: int) -> None:
    search.index(idea_id)


@task()
def embed_idea(idea_id: int) -> bool:
    """The idea's vector for similar ideas; writes nothing when its text has not changed."""
    return similarity.embed(idea_id)


@task()
def expire_support_gates() -> int:
    from prosumo.ideas.services import support_gates_expire

    return support_gates_expire()


@task()
def remind_answers() -> int:
    from prosumo.ideas.services import answer_reminders_send

    return answer_reminders_send()


@task(queue_name="bulk")
def reindex_all() -> int:
    from prosumo.ideas.models import Idea

    count = 0
    for idea_id in Idea.objects.values_list("pk", flat=True).iterator():
        search.index(idea_id)
        count += 1
    return count
