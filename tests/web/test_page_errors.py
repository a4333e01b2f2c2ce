"""Pages answer a service's error with its message (never its code), a 404, or a 403: one decorator for all."""

from __future__ import annotations

import html
import re

import pytest
from django.contrib.messages import get_messages

from prosumo.community.models import Invitation
from prosumo.ideas.models import CoAuthor, Flag, Idea, StageChange
from prosumo.ideas.services import coauthor_invite

# PostgreSQL sums the shares as a decimal with two places, SQLite as a whole number.
SHARE_TOO_LARGE = re.compile(r"The author must keep a share: 29(\.00)?% at most is left to offer\.")


def shown(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_too_many_tags_are_refused_with_the_message_beside_the_field(campaign, login, member):
    # when
    response = login(member).post(
        f"/c/{campaign.slug}/submit/",
        {"title": "A tent for nine", "body": "Room for the whole family and the dog too.", "tags": "a,b,c,d,e,f,g,h,i"},
    )
    # then
    assert response.status_code == 400
    assert response.context["form"].errors == {"tags": ["At most 8 tags."]}
    assert "too_many" not in response.content.decode()
    assert not Idea.objects.exists()


def test_a_share_too_large_is_refused_with_the_message_alone(idea, login, make_member):
    # given the author has offered 70% already
    coauthor_invite(actor=idea.author, idea_id=idea.pk, member_id=make_member().pk, share=70)
    # when the author offers 40% more from the idea's page
    response = login(idea.author).post(f"/ideas/{idea.pk}/coauthors/", {"email": "x@example.org", "share": "40"})
    # then
    assert (response.status_code, response.url) == (302, f"/ideas/{idea.pk}/")
    [message] = shown(response)
    assert SHARE_TOO_LARGE.fullmatch(message), message
    assert CoAuthor.objects.filter(idea=idea).count() == 1
    assert not Invitation.objects.exists()


def test_a_refused_action_from_htmx_gets_the_message_alone(idea, login, make_member):
    coauthor_invite(actor=idea.author, idea_id=idea.pk, member_id=make_member().pk, share=70)
    response = login(idea.author).post(
        f"/ideas/{idea.pk}/coauthors/", {"email": "x@example.org", "share": "40"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 400
    assert SHARE_TOO_LARGE.fullmatch(html.unescape(response.content.decode()))
    assert CoAuthor.objects.filter(idea=idea).count() == 1


def test_a_missing_idea_in_an_action_is_a_404(idea, login, member):
    response = login(member).post(f"/ideas/{idea.pk + 1000}/vote/", {"value": "1"})
    assert response.status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/ideas/abc/flag/",
        "/ideas/abc/visibility/",
        "/ideas/abc/merge/",
        "/ideas/abc/stage/",
        "/ideas/1/comments/abc/edit/",
        "/staff/members/abc/suspend/",
        "/staff/import/abc/",
    ],
)
def test_a_non_numeric_id_in_a_moderation_page_is_a_404(path, moderator, admin, login):
    # when
    response = login(admin if path.startswith("/staff/") else moderator).post(path, {"reason": "Spam link"})
    # then
    assert response.status_code == 404
    assert not Flag.objects.exists()
    assert not StageChange.objects.exists()
