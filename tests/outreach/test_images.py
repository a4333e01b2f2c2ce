"""A message's optional image: checked as an idea's attachment is, shown on its page, served by its access rule."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from prosumo.community.models import Segment
from prosumo.outreach.models import Message

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)
TEXT = "Sleep under the stars, dry."


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


@pytest.mark.django_db
def test_a_message_with_an_image_shows_it_to_those_who_may_read_the_message(
    login, member, make_member, make_brief, media
):
    gold = Segment.objects.create(name="Gold", slug="gold")
    member.segment = gold
    member.save(update_fields=["segment"])
    brief = make_brief(segment_id=gold.pk)
    writer = login(member)
    proposed = writer.post(
        f"/outreach/briefs/{brief.pk}/",
        {"text": TEXT, "language": "en", "image": SimpleUploadedFile("tent.txt", PNG, content_type="text/plain")},
    )
    message = Message.objects.get()
    assert proposed.status_code == 302
    assert message.image_type == "image/png"
    assert message.image.name.startswith("messages/")
    assert message.image.name.endswith(".png")
    page = writer.get(f"/outreach/messages/{message.pk}/").content.decode()
    assert f'<img id="message-image" src="/outreach/messages/{message.pk}/image/"' in page
    image = writer.get(f"/outreach/messages/{message.pk}/image/")
    assert (image.status_code, image["Content-Type"], b"".join(image.streaming_content)) == (200, "image/png", PNG)
    # a member outside the brief's segment, and a visitor, get nothing
    assert login(make_member()).get(f"/outreach/messages/{message.pk}/image/").status_code == 404
    assert Client().get(f"/outreach/messages/{message.pk}/image/").status_code == 302


@pytest.mark.django_db
def test_a_file_that_is_not_an_image_is_refused_and_nothing_is_kept(login, member, brief, media):
    response = login(member).post(
        f"/outreach/briefs/{brief.pk}/",
        {"text": TEXT, "language": "en", "image": SimpleUploadedFile("tent.png", b"%PDF-1.4 not an image")},
    )
    assert response.status_code == 400
    assert "A message&#x27;s image is a PNG, JPEG, GIF or WebP image." in response.content.decode()
    assert Message.objects.count() == 0
    assert list(media.rglob("*.*")) == []


@pytest.mark.django_db
def test_a_message_without_an_image_has_no_image_address(login, member, brief):
    login(member).post(f"/outreach/briefs/{brief.pk}/", {"text": TEXT, "language": "en"})
    message = Message.objects.get()
    assert "message-image" not in login(member).get(f"/outreach/messages/{message.pk}/").content.decode()
    assert login(member).get(f"/outreach/messages/{message.pk}/image/").status_code == 404
