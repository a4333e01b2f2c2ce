"""Amendments in a member's copy of their data, and what erasing an account does to them."""

from __future__ import annotations

from prosumo.ideas.models import Amendment, IdeaRevision
from prosumo.ideas.services import amendment_accept, amendment_propose, amendment_reject
from prosumo.notifications.models import Notification
from prosumo.privacy.export import amendments
from prosumo.privacy.services import member_erase

PASSWORD = "correct horse 12"  # make_member's


def _propose(idea, amender, extra):
    return amendment_propose(actor=amender, idea_id=idea.pk, title=idea.title, body=f"{idea.body}\n\n{extra}")


def test_the_copy_lists_the_amendments_the_member_proposed(idea, member, make_member):
    # given one rejected with a reason, then one accepted (which makes the amender a co-author)
    amender, other = make_member(), make_member()
    turned_down = _propose(idea, amender, "In pink.")
    amendment_reject(actor=member, amendment_id=turned_down.pk, reason="Colours come later.")
    taken = _propose(idea, amender, "With a carry bag.")
    amendment_accept(actor=member, amendment_id=taken.pk)
    idea.refresh_from_db()
    _propose(idea, other, "Someone else's change.")
    # when
    rows = list(amendments(amender))
    # then
    assert [(r["status"], r["written_against_revision"], r["became_revision"], r["authors_answer"]) for r in rows] == [
        ("rejected", 1, None, "Colours come later."),
        ("accepted", 1, 2, ""),
    ]
    assert rows[1]["body"].endswith("With a carry bag.")


def test_erasing_the_amender_keeps_an_accepted_amendment_and_drops_the_others(
    idea, member, make_member, django_capture_on_commit_callbacks
):
    # given
    amender = make_member()
    turned_down = _propose(idea, amender, "In pink.")
    amendment_reject(actor=member, amendment_id=turned_down.pk)
    taken = _propose(idea, amender, "With a carry bag.")
    amendment_accept(actor=member, amendment_id=taken.pk)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        member_erase(actor=amender, member=amender, password=PASSWORD)
    # then: the accepted one is the idea's revision 2 and stays; the one turned down goes
    assert list(Amendment.objects.values_list("pk", flat=True)) == [taken.pk]
    assert IdeaRevision.objects.get(idea=idea, number=2).author_id == amender.pk


def test_erasing_the_author_with_their_words_closes_the_amendments_that_quote_them(
    make_idea, make_member, django_capture_on_commit_callbacks
):
    # given an idea with no co-author, and a waiting amendment that quotes its text
    author, amender = make_member(), make_member()
    idea = make_idea(author)
    waiting = _propose(idea, amender, "With a carry bag.")
    # when
    with django_capture_on_commit_callbacks(execute=True):
        member_erase(actor=author, member=author, password=PASSWORD, remove_content=True)
    # then
    waiting.refresh_from_db()
    assert (waiting.status, waiting.title, "carry bag" in waiting.body) == ("rejected", "Removed by its author", False)


def test_an_erased_amenders_name_leaves_the_authors_notification(
    idea, member, make_member, django_capture_on_commit_callbacks
):
    amender = make_member()
    with django_capture_on_commit_callbacks(execute=True):
        _propose(idea, amender, "With a carry bag.")
    with django_capture_on_commit_callbacks(execute=True):
        member_erase(actor=amender, member=amender, password=PASSWORD)
    note = Notification.objects.get(recipient=member, verb="idea.amendment_proposed")
    assert note.title == f"A former member proposes a change to “{idea.title}”"
