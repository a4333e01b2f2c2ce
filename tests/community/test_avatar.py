"""Avatars: checked like every upload (size, type read from the bytes); a replaced or removed one is deleted."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from prosumo.community.models import Member
from tests.api.conftest import error
from tests.conftest import files_in


def image_bytes(kind: str = "PNG", colour: str = "teal") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(out, kind)
    return out.getvalue()


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


def profile_post(browser: Client, member: Any, **extra: Any) -> Any:
    data = {"display_name": member.display_name, "locale": "en", "email_preference": "immediate", **extra}
    return browser.post("/me/", data)


def api_upload(bearer: Any, member: Any, name: str, content: bytes) -> Any:
    return Client().post(
        "/api/me/avatar", {"file": SimpleUploadedFile(name, content, content_type="image/png")}, headers=bearer(member)
    )


def test_a_40_mb_avatar_is_refused_on_the_page_with_a_clear_message(media, member, login):
    # given: 40 MB that start like a PNG
    big = SimpleUploadedFile("me.png", image_bytes() + b"\x00" * (40 * 1024 * 1024), content_type="image/png")
    # when
    page = profile_post(login(member), member, avatar=big)
    # then
    assert page.status_code == 400
    assert page.context["form"].errors["avatar"] == ["The file is 41.9 MB; the limit is 2.1 MB."]
    member.refresh_from_db()
    assert member.avatar.name == ""
    assert files_in(media) == []


def test_a_file_that_is_not_an_image_is_refused_whatever_its_name(media, member, login, bearer):
    words = b"<svg onload=alert(1)> not a picture\n" * 20
    page = profile_post(login(member), member, avatar=SimpleUploadedFile("me.png", words, content_type="image/png"))
    assert page.context["form"].errors["avatar"] == ["An avatar is a PNG, JPEG, GIF or WebP image."]
    body = error(api_upload(bearer, member, "me.png", words), 400, "invalid")
    assert (body["message"], body["fields"]) == ("An avatar is a PNG, JPEG, GIF or WebP image.", {"avatar": ["type"]})
    member.refresh_from_db()
    assert (member.avatar.name, files_in(media)) == ("", [])


def test_the_api_refuses_an_avatar_over_the_limit(media, member, bearer, settings):
    settings.PROSUMO_MAX_AVATAR_BYTES = 1000
    body = error(api_upload(bearer, member, "me.png", image_bytes() + b"\x00" * 1000), 400, "invalid")
    assert body["fields"] == {"avatar": ["too_large"]}
    assert body["message"].endswith("the limit is 0.0 MB.")
    assert files_in(media) == []


def test_a_new_avatar_replaces_the_old_file_and_removing_it_deletes_the_file(
    media, member, login, django_capture_on_commit_callbacks
):
    browser = login(member)
    # given: a first avatar from the page, under a name that claims another type
    with django_capture_on_commit_callbacks(execute=True):
        first = profile_post(browser, member, avatar=SimpleUploadedFile("first.gif", image_bytes("JPEG")))
    assert first.status_code == 302
    member.refresh_from_db()
    assert files_in(media) == [member.avatar.name] == ["avatars/first.jpg"]
    # when: a second one
    with django_capture_on_commit_callbacks(execute=True):
        profile_post(browser, member, avatar=SimpleUploadedFile("second.png", image_bytes("PNG", "red")))
    # then: only the second is kept
    member.refresh_from_db()
    assert files_in(media) == [member.avatar.name] == ["avatars/second.png"]
    # when: saving the profile without a file keeps it
    with django_capture_on_commit_callbacks(execute=True):
        profile_post(browser, member, bio="Camping since 1990")
    member.refresh_from_db()
    assert (member.bio, member.avatar.name, files_in(media)) == (
        "Camping since 1990",
        "avatars/second.png",
        ["avatars/second.png"],
    )
    # when: "Clear" is ticked
    with django_capture_on_commit_callbacks(execute=True):
        assert profile_post(browser, member, **{"avatar-clear": "on"}).status_code == 302
    # then
    member.refresh_from_db()
    assert (member.avatar.name, files_in(media)) == ("", [])


def test_the_api_uploads_replaces_and_removes_an_avatar(media, member, bearer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = api_upload(bearer, member, "a.png", image_bytes())
    assert (first.status_code, first.json()["avatar_url"]) == (200, "/media/avatars/a.png")
    with django_capture_on_commit_callbacks(execute=True):
        second = api_upload(bearer, member, "b.webp", image_bytes("WEBP"))
    assert second.json()["avatar_url"] == "/media/avatars/b.webp"
    assert files_in(media) == ["avatars/b.webp"]
    with django_capture_on_commit_callbacks(execute=True):
        removed = Client().delete("/api/me/avatar", headers=bearer(member))
    assert (removed.status_code, removed.json()["avatar_url"]) == (200, "")
    assert files_in(media) == []
    assert Member.objects.get(pk=member.pk).avatar.name == ""
