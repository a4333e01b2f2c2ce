"""Erasing an account: from the settings page, the API and the Django admin, through one service."""

from __future__ import annotations

import pytest
from allauth.socialaccount.models import SocialAccount
from django.contrib.sessions.models import Session
from django.test import Client

from prosumo.activity.models import Event
from prosumo.analytics.dataset import load_dataset
from prosumo.community.models import ApiToken, CustomerRecord, Member
from prosumo.core.errors import Conflict, PermissionDenied
from prosumo.ideas import search
from prosumo.ideas.models import CoAuthor, Comment, Follow, Idea, Vote
from prosumo.insights.export import export_dataset
from prosumo.notifications.models import Notification
from prosumo.privacy.services import member_erase
from tests.privacy.conftest import EMAIL, NAME, PASSWORD, tallies_equal_votes, where_found


def _state(member_id: int) -> dict[str, object]:
    """What an erasure would change, to show that a refused one changed nothing."""
    member = Member.objects.get(pk=member_id)
    return {
        "member": (member.email, member.display_name, member.is_active, member.erased_at, member.password),
        "votes": Vote.objects.filter(member_id=member_id).count(),
        "tallies": list(Idea.objects.order_by("pk").values_list("support_count", "follower_count", "title")),
        "events": Event.objects.exclude(verb="member.visited").count(),
        "tokens": ApiToken.objects.filter(member_id=member_id).count(),
        "notifications": Notification.objects.filter(recipient_id=member_id).count(),
        "sessions": Session.objects.count(),
    }


def test_a_member_erases_their_account_from_the_settings_page(world, login, django_capture_on_commit_callbacks):
    # given Zelda, signed in, with a sign-in account elsewhere, and Otto told of her comment by email
    zelda = world.zelda
    SocialAccount.objects.create(user=zelda, provider="google", uid="g-1234", extra_data={"email": EMAIL, "name": NAME})
    avatar = zelda.avatar
    assert avatar.storage.exists(avatar.name)
    assert where_found(NAME) >= {("core_outgoingmail", "body"), ("notifications_notification", "title")}
    client = login(zelda)
    settings_page = client.get("/me/").content.decode()
    erase_page = client.get("/me/data/erase/")
    before = _state(zelda.pk)
    # when she gives a wrong password
    refused = client.post("/me/data/erase/", {"password": "not my password"})
    # then nothing changes
    assert refused.status_code == 400
    assert "That is not your password." in refused.content.decode()
    assert _state(zelda.pk) == before
    # when she confirms with her password
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post("/me/data/erase/", {"password": PASSWORD})
    # then she is signed out, and her account is a former member's
    assert 'href="/me/data/"' in settings_page
    assert erase_page.status_code == 200
    assert done.status_code == 302
    assert done["Location"] == "/"
    assert client.get("/me/")["Location"].startswith("/accounts/login/")
    zelda.refresh_from_db()
    assert zelda.name == "former member"
    assert zelda.email == f"member-{zelda.pk}@erased.invalid"
    assert (zelda.is_active, zelda.has_usable_password(), zelda.display_name, zelda.bio, zelda.country) == (
        False,
        False,
        "",
        "",
        "",
    )
    assert zelda.interests == []
    assert not zelda.avatar
    assert not avatar.storage.exists(avatar.name)
    # her vote is withdrawn through the vote service: the tallies equal the votes table
    assert Vote.objects.filter(member=zelda).count() == 0
    assert tallies_equal_votes() == []
    assert Idea.objects.get(pk=world.other_idea.pk).support_count == 0
    assert Follow.objects.filter(member=zelda).count() == 0
    assert [(i.pk, i.follower_count) for i in Idea.objects.order_by("pk")] == [
        (world.own_idea.pk, 0),
        (world.other_idea.pk, 1),
    ]
    # nothing personal is left anywhere in the database, but the company's own customer record
    assert where_found(EMAIL, NAME, "zelda.quill", "I camp every summer") == {("community_customerrecord", "email")}
    assert CustomerRecord.objects.get().member_id is None
    assert (ApiToken.objects.count(), Notification.objects.filter(recipient=zelda).count()) == (0, 0)
    assert SocialAccount.objects.count() == 0
    assert Session.objects.count() == 0
    # what she wrote stays, signed "former member"; Otto keeps the idea she co-authored
    assert Idea.objects.get(pk=world.own_idea.pk).title == "A tent with a porch for muddy boots"
    assert Comment.objects.get(pk=world.comment.pk).body == "Yes, I trip over my pegs every night."
    assert CoAuthor.objects.get(member=zelda).status == "accepted"
    idea_page = Client().get(f"/ideas/{world.other_idea.pk}/").content.decode()
    assert "former member" in idea_page
    otto_told = Notification.objects.get(recipient=world.other, verb="comment.posted")
    assert otto_told.display_title == "A former member commented on “Glow-in-the-dark tent pegs”"
    erased = Event.objects.get(verb="member.erased")
    assert (erased.actor_id, erased.object_id, erased.target_member_id) == (zelda.pk, zelda.pk, zelda.pk)
    assert erased.details == {"by": "self", "content_removed": False, "votes_withdrawn": 1, "removed": 0}
    withdrawn = Event.objects.get(verb="idea.support_withdrawn")
    assert (withdrawn.actor_id, withdrawn.object_id, withdrawn.details) == (
        zelda.pk,
        world.other_idea.pk,
        {"member_erased": True},
    )
    # the events keep her number, which now leads to no one
    assert Event.objects.filter(actor_id=zelda.pk, verb="idea.submitted").count() == 1


def test_the_api_erases_and_can_remove_what_the_member_wrote(world, make_idea, django_capture_on_commit_callbacks):
    from prosumo.ideas.services import coauthor_invite, coauthor_respond

    # given Zelda's second idea, shared with Otto as co-author
    zelda, otto = world.zelda, world.other
    with django_capture_on_commit_callbacks(execute=True):
        shared = make_idea(
            zelda,
            in_campaign=world.own_idea.campaign,
            title="Tent poles that click together",
            body="Poles with magnets at each joint, no elastic.",
        )
    invite = coauthor_invite(actor=zelda, idea_id=shared.pk, member_id=otto.pk, share=40)
    coauthor_respond(actor=otto, coauthor_id=invite.pk, accept=True)
    headers = {"Authorization": f"Bearer {world.token_raw}"}
    before = _state(zelda.pk)
    # when she calls with a wrong password, then with hers, asking for her words to go too
    refused = Client().post(
        "/api/me/erase", {"password": "nope", "remove_content": True}, content_type="application/json", headers=headers
    )
    assert refused.status_code == 400
    assert refused.json()["code"] == "wrong_password"
    assert refused.json()["fields"] == {"password": ["wrong"]}
    assert _state(zelda.pk) == before
    with django_capture_on_commit_callbacks(execute=True):
        done = Client().post(
            "/api/me/erase",
            {"password": PASSWORD, "remove_content": True},
            content_type="application/json",
            headers=headers,
        )
    # then
    assert done.status_code == 200
    assert done.json() == {"erased": True, "member_id": zelda.pk}
    assert Client().get("/api/me", headers=headers).status_code == 401  # her token went with her
    own = Idea.objects.get(pk=world.own_idea.pk)
    assert (own.title, own.hidden, own.author_id) == ("Removed by its author", True, zelda.pk)
    assert list(own.revisions.values_list("title", flat=True)) == ["Removed by its author"] * 2
    comment = Comment.objects.get(pk=world.comment.pk)
    assert (comment.body, comment.hidden, comment.revisions.count()) == (
        "This comment was removed by its author.",
        True,
        0,
    )
    # the idea she shares with Otto is his too: it keeps its text
    assert Idea.objects.get(pk=shared.pk).title == "Tent poles that click together"
    assert search.search_ids("muddy boots") == []
    assert search.search_ids("trip over pegs") == []
    assert search.search_ids("magnets joint") == [shared.pk]
    assert where_found("muddy boots", "trip over my pegs") == set()
    assert Notification.objects.get(recipient=otto, verb="comment.posted").body == ""
    assert Event.objects.get(verb="member.erased").details == {
        "by": "self",
        "content_removed": True,
        "votes_withdrawn": 1,
        "removed": 2,
    }
    assert tallies_equal_votes() == []


def test_the_django_admins_delete_erases_a_voter_and_the_analytics_still_run(idea, make_member, admin, login, tmp_path):
    from prosumo.ideas.services import vote_cast

    # given an idea with two supporters
    voter, other = make_member(display_name="Vera Voter"), make_member()
    vote_cast(actor=voter, idea_id=idea.pk)
    vote_cast(actor=other, idea_id=idea.pk)
    client = login(admin)
    # when an admin deletes one of them in the Django admin
    confirm = client.get(f"/admin/community/member/{voter.pk}/delete/").content.decode()
    deleted = client.post(f"/admin/community/member/{voter.pk}/delete/", {"post": "yes"})
    # then the member is erased, not deleted: the tallies and the analytics stay whole
    assert "erases the account" in confirm
    assert deleted.status_code == 302
    voter.refresh_from_db()
    assert voter.erased_at is not None
    assert Idea.objects.get(pk=idea.pk).support_count == Vote.objects.filter(idea=idea).count() == 1
    assert tallies_equal_votes() == []
    assert Event.objects.get(verb="member.erased").details["by"] == "admin"
    assert where_found("Vera Voter", voter.email if "@erased" not in voter.email else "Vera") == set()
    dataset = load_dataset(export_dataset(tmp_path / "ds"))
    members = dataset.members.execute().set_index("member_id")
    assert bool(members.loc[voter.pk, "erased"]) is True
    assert bool(members.loc[other.pk, "erased"]) is False


def test_the_admins_bulk_delete_erases_each_member(idea, make_member, admin, login):
    from prosumo.ideas.services import vote_cast

    first, second = make_member(), make_member()
    for voter in (first, second):
        vote_cast(actor=voter, idea_id=idea.pk)
    response = login(admin).post(
        "/admin/community/member/",
        {"action": "delete_selected", "_selected_action": [first.pk, second.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert Member.objects.filter(pk__in=[first.pk, second.pk], erased_at__isnull=False).count() == 2
    assert Idea.objects.get(pk=idea.pk).support_count == 0
    assert tallies_equal_votes() == []


def test_the_only_admin_cannot_be_erased(admin, login):
    client = login(admin)
    before = _state(admin.pk)
    with pytest.raises(Conflict) as refused:
        member_erase(actor=admin, member=admin, password="correct horse 12")
    assert refused.value.code == "last_admin"
    page = client.post(f"/admin/community/member/{admin.pk}/delete/", {"post": "yes"})
    assert "the only admin" in page.content.decode()
    assert _state(admin.pk) == before


def test_only_an_admin_may_erase_someone_else(member, moderator, make_member):
    before = _state(member.pk)
    with pytest.raises(PermissionDenied):
        member_erase(actor=moderator, member=member)
    assert _state(member.pk) == before
    erased = member_erase(actor=make_member("admin"), member=member)
    assert erased.erased_at is not None
    with pytest.raises(Conflict) as again:
        member_erase(actor=make_member("admin"), member=member)
    assert again.value.code == "already_erased"


def test_an_erased_member_cannot_sign_in_again(member):
    email = member.email
    member_erase(actor=member, member=member, password="correct horse 12")
    response = Client().post("/accounts/login/", {"login": email, "password": "correct horse 12"})
    assert response.status_code == 200  # the form again, with its error
    assert "_auth_user_id" not in Client().session


def test_an_account_without_a_password_confirms_with_its_email_address(member, login):
    # given a member who signs in through another site only
    member.set_unusable_password()
    member.save(update_fields=["password"])
    client = login(member)
    before = _state(member.pk)
    # when they confirm with another address, then with theirs
    refused = client.post("/me/data/erase/", {"confirm_email": "someone@example.org"})
    assert refused.status_code == 400
    assert "Type your email address to confirm." in refused.content.decode()
    assert _state(member.pk) == before
    done = client.post("/me/data/erase/", {"confirm_email": member.email.upper()})
    # then
    assert done.status_code == 302
    member.refresh_from_db()
    assert member.erased_at is not None
