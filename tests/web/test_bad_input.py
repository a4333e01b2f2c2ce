"""Pages given input they cannot take show a form error or a message and change nothing (SQLite and PostgreSQL)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from prosumo.community.models import Member
from prosumo.ideas.models import Attachment, Comment, Flag
from prosumo.ideas.services import comment_post
from tests.api.conftest import row_counts
from tests.api.test_participation import png_bytes
from tests.conftest import files_in
from tests.ideas.test_staff_campaigns import form_data
from tests.web.test_i18n import visible_text

BEYOND_64_BITS = 10**23
NUL_PROBLEM = "Text may not contain the NUL character (U+0000)."


@contextlib.contextmanager
def unchanged() -> Iterator[None]:
    before = row_counts()
    yield
    assert row_counts() == before


def messages_after(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# the moderation buttons: object_id is a number the database can hold


@pytest.mark.parametrize(
    ("object_id", "problem"),
    [
        ("abc", "Number: Enter a whole number."),
        ("1.5", "Number: Enter a whole number."),
        (str(BEYOND_64_BITS), "Number: Ensure this value is less than or equal to 9223372036854775807."),
        ("-3", "Number: Ensure this value is greater than or equal to 1."),
    ],
)
def test_hiding_with_an_object_id_that_is_no_id_is_refused(idea, moderator, login, object_id, problem):
    comment_post(actor=idea.author, idea_id=idea.pk, body="A comment to moderate")
    with unchanged():
        response = login(moderator).post(
            f"/ideas/{idea.pk}/visibility/",
            {"kind": "comment", "object_id": object_id, "hide": "1", "reason": "Off topic"},
            follow=True,
        )
    assert response.redirect_chain == [(f"/ideas/{idea.pk}/", 302)]
    assert messages_after(response) == [problem]
    assert list(Comment.objects.values_list("hidden", flat=True)) == [False]


def test_reporting_with_an_object_id_that_is_no_id_is_refused(idea, member, login):
    with unchanged():
        response = login(member).post(
            f"/ideas/{idea.pk}/flag/", {"kind": "comment", "object_id": "12abc", "reason": "Spam link"}, follow=True
        )
    assert messages_after(response) == ["Number: Enter a whole number."]
    assert Flag.objects.count() == 0


def test_reporting_and_hiding_still_work(idea, member, moderator, login):
    login(member).post(f"/ideas/{idea.pk}/flag/", {"kind": "idea", "reason": "Spam link"})
    login(moderator).post(f"/ideas/{idea.pk}/visibility/", {"kind": "idea", "hide": "1", "reason": "Spam"})
    assert Flag.objects.get().idea_id == idea.pk
    idea.refresh_from_db()
    assert idea.hidden is True


# text with a NUL: a form error, never a database error (PostgreSQL refuses NUL in text)


def test_an_idea_with_a_nul_gets_a_form_error(campaign, member, login):
    with unchanged():
        response = login(member).post(
            f"/c/{campaign.slug}/submit/",
            {"title": "Tent\x00 with a porch", "body": "A short porch keeps muddy boots out of the tent.", "tags": ""},
        )
    assert response.status_code == 400
    assert response.context["form"].errors == {"title": [NUL_PROBLEM]}


def test_posted_text_with_a_nul_is_refused_on_every_idea_page_action(idea, reviewer, admin, login):
    comment = comment_post(actor=idea.author, idea_id=idea.pk, body="First thought")
    author, staff = login(idea.author), login(reviewer)
    cases = [
        (author, f"/ideas/{idea.pk}/comments/{comment.pk}/edit/", {"body": "Second\x00 thought"}, "Comment"),
        (author, f"/ideas/{idea.pk}/comment/", {"body": "Hello\x00 there"}, "Comment"),
        (
            staff,
            f"/ideas/{idea.pk}/stage/",
            {"to_stage": "under_review", "message": "We look\x00 at it."},
            "Message to the contributors",
        ),
        (
            staff,
            f"/ideas/{idea.pk}/merge/",
            {"target_id": idea.pk, "message": "Same\x00 idea."},
            "Message to the contributors",
        ),
    ]
    with unchanged():
        for client, url, data, label in cases:
            response = client.post(url, data, follow=True)
            assert [to.split("#")[0] for to, _ in response.redirect_chain] == [f"/ideas/{idea.pk}/"], url
            assert messages_after(response) == [f"{label}: {NUL_PROBLEM}"], url
    comment.refresh_from_db()
    assert comment.body == "First thought"


def test_a_suspension_reason_with_a_nul_is_refused(member, admin, login):
    with unchanged():
        response = login(admin).post(
            f"/staff/members/{member.pk}/suspend/", {"suspend": "1", "reason": "Spam\x00"}, follow=True
        )
    assert messages_after(response) == [f"Reason: {NUL_PROBLEM}"]
    member.refresh_from_db()
    assert member.suspended_at is None


def test_a_search_with_a_nul_comes_back_with_a_message(campaign, member, login):
    response = login(member).get(f"/c/{campaign.slug}/", {"q": "tent\x00"}, follow=True)
    assert response.redirect_chain == [(f"/c/{campaign.slug}/", 302)]
    assert messages_after(response) == [NUL_PROBLEM]


def test_similar_ideas_with_a_nul_or_a_huge_campaign_show_none(idea):
    from django.test import Client

    for params in ({"title": "tent\x00 pitches", "body": ""}, {"title": "tent pitches", "campaign": BEYOND_64_BITS}):
        response = Client().get("/similar/", params)
        assert response.status_code == 200
        assert idea.title not in response.content.decode()


# ids beyond 64 bits in page addresses and posted fields


def test_page_addresses_with_ids_beyond_64_bits_are_not_found(idea, member, login):
    client = login(member)
    with unchanged():
        assert client.get(f"/ideas/{BEYOND_64_BITS}/").status_code == 404
        assert client.post(f"/ideas/{BEYOND_64_BITS}/vote/").status_code == 404
        assert client.post(f"/ideas/{BEYOND_64_BITS}/unvote/").status_code == 404
        assert client.get(f"/members/{BEYOND_64_BITS}/").status_code == 404
        assert client.get(f"/ideas/{2**63 - 1}/").status_code == 404


def test_posted_ids_beyond_64_bits_are_refused(idea, member, reviewer, login):
    with unchanged():
        response = login(member).post(
            f"/ideas/{idea.pk}/comment/", {"body": "A reply", "parent_id": BEYOND_64_BITS}, follow=True
        )
        assert messages_after(response) == ["Ensure this value is less than or equal to 9223372036854775807."]
        response = login(reviewer).post(
            f"/ideas/{idea.pk}/merge/", {"target_id": BEYOND_64_BITS, "message": "Same idea."}, follow=True
        )
        assert messages_after(response) == [
            "Merge into idea number: Ensure this value is less than or equal to 9223372036854775807."
        ]
        response = login(reviewer).post(
            f"/ideas/{idea.pk}/stage/",
            {"to_stage": "declined", "message": "Not for us, sorry.", "reason_id": BEYOND_64_BITS},
            follow=True,
        )
        assert messages_after(response) == [
            "Reason (when declining): Ensure this value is less than or equal to 9223372036854775807."
        ]


# a media folder the server cannot write


def test_an_attachment_page_upload_to_a_read_only_media_folder_changes_nothing(idea, login, read_only_media):
    with unchanged():
        response = login(idea.author).post(
            f"/ideas/{idea.pk}/attachments/",
            {"file": SimpleUploadedFile("sketch.png", png_bytes(), content_type="image/png")},
            follow=True,
        )
    assert messages_after(response) == [
        "The file could not be stored: the server cannot write uploads right now. Try again later."
    ]
    assert Attachment.objects.count() == 0
    assert files_in(read_only_media) == []


def test_an_avatar_to_a_read_only_media_folder_is_a_form_error(member, login, read_only_media):
    client = login(member)
    before = Member.objects.values().get(pk=member.pk)
    with unchanged():
        response = client.post(
            "/me/",
            {
                "display_name": "New Name",
                "avatar": SimpleUploadedFile("me.png", png_bytes(), content_type="image/png"),
                "locale": "en",
                "country": "",
                "bio": "",
                "email_preference": "immediate",
                "interests_text": "",
            },
        )
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [
        "The file could not be stored: the server cannot write uploads right now. Try again later."
    ]
    assert Member.objects.values().get(pk=member.pk) == before
    assert files_in(read_only_media) == []


def test_a_campaign_cover_to_a_read_only_media_folder_is_a_form_error(admin, login, read_only_media):
    with unchanged():
        response = login(admin).post(
            "/staff/campaigns/new/",
            form_data(cover=SimpleUploadedFile("cover.png", png_bytes(), content_type="image/png")),
        )
    assert response.status_code == 400
    assert "The file could not be stored: the server cannot write uploads right now." in visible_text(response)
    assert files_in(read_only_media) == []
