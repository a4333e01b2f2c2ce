"""A comment is a contribution: once terms are published, commenting asks for the current version (docs/ip.md)."""

from __future__ import annotations

import pytest

from prosumo.activity.models import Event
from prosumo.community.models import TermsAcceptance
from prosumo.community.terms import terms_publish
from prosumo.core.errors import InvalidInput
from prosumo.ideas.models import Comment, Idea
from prosumo.ideas.services import comment_edit, comment_post

TEXT = "You keep the credit for what you write. Comments are given under a non-exclusive licence."
BODY = "Could the poles fold in half for the backpack?"


def _written(idea):
    """What a comment or an acceptance would have written."""
    return (
        Comment.objects.count(),
        Idea.objects.get(pk=idea.pk).comment_count,
        Event.objects.filter(verb__in=["comment.posted", "terms.accepted"]).count(),
        TermsAcceptance.objects.count(),
    )


def test_without_published_terms_comments_need_none(idea, make_member):
    comment = comment_post(actor=make_member(), idea_id=idea.pk, body=BODY)
    assert (Comment.objects.get().pk, TermsAcceptance.objects.count()) == (comment.pk, 0)


def test_commenting_asks_for_the_current_terms_until_accepted(idea, admin, make_member):
    # given published terms and a member who never accepted them
    version = terms_publish(actor=admin, text=TEXT)
    writer = make_member()
    before = _written(idea)
    # when they comment without accepting
    with pytest.raises(InvalidInput) as refused:
        comment_post(actor=writer, idea_id=idea.pk, body=BODY)
    # then the comment is refused on accept_terms, and nothing was written
    assert (refused.value.code, refused.value.message) == ("invalid", "The comment was not posted.")
    assert refused.value.fields == {
        "accept_terms": ["Read and accept the contribution terms (version 1) to contribute."]
    }
    assert _written(idea) == before == (0, 0, 0, 0)
    # when they accept version 1 with the comment
    comment = comment_post(actor=writer, idea_id=idea.pk, body=BODY, accept_terms=1)
    # then the comment and the acceptance are both recorded
    assert Comment.objects.get().pk == comment.pk
    assert list(TermsAcceptance.objects.values_list("member_id", "version_id")) == [(writer.pk, version.pk)]
    assert Event.objects.filter(verb="terms.accepted", actor_id=writer.pk, value=1).count() == 1
    # and their next comment needs nothing more
    comment_post(actor=writer, idea_id=idea.pk, body="And a pocket for the pegs.", parent_id=comment.pk)
    assert (Comment.objects.count(), TermsAcceptance.objects.count()) == (2, 1)


def test_a_member_who_accepted_with_an_idea_comments_freely(campaign, admin, member, make_idea):
    terms_publish(actor=admin, text=TEXT)
    idea = make_idea(member, licence="assignment", accept_terms=1)
    comment = comment_post(actor=member, idea_id=idea.pk, body=BODY)
    assert (Comment.objects.get().pk, TermsAcceptance.objects.count()) == (comment.pk, 1)


def test_a_new_version_asks_again_but_editing_asks_nothing(idea, admin, make_member):
    terms_publish(actor=admin, text=TEXT)
    writer = make_member()
    comment = comment_post(actor=writer, idea_id=idea.pk, body=BODY, accept_terms=1)
    terms_publish(actor=admin, text=TEXT + " Version two.")
    before = _written(idea)
    # accepting the version read earlier is not enough
    with pytest.raises(InvalidInput) as refused:
        comment_post(actor=writer, idea_id=idea.pk, body="Another thought", accept_terms=1)
    assert refused.value.fields == {
        "accept_terms": ["The terms changed since you read them: read and accept version 2."]
    }
    assert _written(idea) == before == (1, 1, 2, 1)
    # editing the comment written under version 1 asks for nothing
    assert comment_edit(actor=writer, comment_id=comment.pk, body=BODY + " Or in three.").body == BODY + " Or in three."
    assert TermsAcceptance.objects.count() == 1
    # accepting version 2 posts the comment
    comment_post(actor=writer, idea_id=idea.pk, body="Another thought", accept_terms=2)
    assert list(
        TermsAcceptance.objects.filter(member=writer)
        .values_list("version__number", flat=True)
        .order_by("version__number")
    ) == [1, 2]
    assert Comment.objects.count() == 2


def test_the_comment_forms_ask_for_the_terms_until_accepted(idea, admin, login, make_member):
    terms_publish(actor=admin, text=TEXT)
    writer = make_member()
    client = login(writer)
    box = '<input type="checkbox" name="accept_terms" value="1" required>'
    # a comment to reply to, from a member who accepted
    comment_post(actor=idea.author, idea_id=idea.pk, body=BODY, accept_terms=1)
    page = client.get(f"/ideas/{idea.pk}/").content.decode()
    # the new-comment form and the reply form each show the box, with a link to the terms
    assert page.count(box) == 2
    assert page.count('<a href="/terms/" target="_blank">Read the terms</a>') == 2
    # posting without it is refused with the reason, and nothing is written
    before = _written(idea)
    response = client.post(f"/ideas/{idea.pk}/comment/", {"body": "A first thought"}, follow=True)
    assert "Read and accept the contribution terms (version 1) to contribute." in response.content.decode()
    assert _written(idea) == before
    # ticking it posts the comment and records the acceptance
    assert (
        client.post(f"/ideas/{idea.pk}/comment/", {"body": "A first thought", "accept_terms": "1"}).status_code == 302
    )
    assert TermsAcceptance.objects.filter(member=writer).count() == 1
    page = client.get(f"/ideas/{idea.pk}/").content.decode()
    assert box not in page
    assert "You accepted the contribution terms, version 1." in page
