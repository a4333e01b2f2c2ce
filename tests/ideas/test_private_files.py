"""Files of ideas and campaigns are served through the access rule of what they belong to.

An attachment goes out only to someone who may read its idea (the idea page's rule), a
campaign cover only to someone who may see the campaign; both under names nobody can
guess, with the type read from the bytes, ``nosniff``, a download for anything but an
image, and ``Cache-Control: private`` unless the file is public. The media folder itself
serves avatars only.
"""

from __future__ import annotations

import importlib
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from prosumo.community.models import Segment
from prosumo.ideas import services
from prosumo.ideas.models import Attachment, Campaign

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
RANDOM_NAME = r"[A-Za-z0-9_-]{32}"


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


@pytest.fixture
def gold_campaign(make_campaign: Any) -> Any:
    gold = Segment.objects.create(name="Gold", slug="gold")
    return make_campaign(visibility="segment", segment_id=gold.pk)


def _attach(author: Any, idea: Any, name: str = "secret-plan.png", data: bytes = PNG) -> Attachment:
    upload = SimpleUploadedFile(name, data, content_type="application/octet-stream")
    return services.attachment_add(actor=author, idea_id=idea.pk, upload=upload)


def _body(response: Any) -> bytes:
    # Read to the end, the test client closes a streamed file (closing it by hand would also end the "request"
    # again, and Django would close a PostgreSQL connection that is inside the test's transaction).
    return b"".join(response.streaming_content) if response.streaming else response.content


def _gold_member(make_member: Any, campaign: Any) -> Any:
    return make_member(segment_id=campaign.segment_id)


def test_an_attachment_of_a_segment_only_idea_is_not_public(media, make_member, make_idea, gold_campaign, login):
    # given a gold member's idea with a file, in a gold-only campaign
    author = _gold_member(make_member, gold_campaign)
    idea = make_idea(author, in_campaign=gold_campaign)
    attachment = _attach(author, idea)
    url = f"/ideas/{idea.pk}/attachments/{attachment.pk}/"
    # when anyone outside the segment asks for it, by its page's address or by its old place in the media folder
    outsiders = [Client(), login(make_member())]
    answers = [client.get(url).status_code for client in outsiders]
    media_path = f"/media/{attachment.file.name}"
    old_name = f"/media/attachments/{attachment.created_at:%Y/%m}/secret-plan.png"
    (media / "attachments" / f"{attachment.created_at:%Y/%m}" / "secret-plan.png").write_bytes(PNG)
    # then nobody outside gets it, the same answer as the idea page's
    assert answers == [404, 404]
    assert [client.get(f"/ideas/{idea.pk}/").status_code for client in outsiders] == [404, 404]
    assert Client().get(media_path).status_code == 404
    assert Client().get(old_name).status_code == 404
    # and a member of the segment gets the bytes
    response = login(_gold_member(make_member, gold_campaign)).get(url)
    assert response.status_code == 200
    assert _body(response) == PNG


def test_an_attachment_is_stored_under_a_name_nobody_can_guess(media, member, idea):
    # when
    attachment = _attach(member, idea, name="secret-plan.png")
    # then the member's name for it is kept for downloads only
    assert re.fullmatch(rf"attachments/\d{{4}}/\d{{2}}/{RANDOM_NAME}\.png", attachment.file.name), attachment.file.name
    assert attachment.original_name == "secret-plan.png"
    assert (media / attachment.file.name).read_bytes() == PNG
    assert "secret-plan" not in "".join(str(p) for p in media.rglob("*"))


def test_an_image_is_shown_in_the_page_with_private_caching(media, member, idea, login):
    # given
    attachment = _attach(member, idea, name="sketch.png")
    # when
    response = login(member).get(f"/ideas/{idea.pk}/attachments/{attachment.pk}/")
    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == 'inline; filename="sketch.png"'
    assert response["Cache-Control"] == "private, max-age=3600"
    assert _body(response) == PNG


def test_a_pdf_is_offered_as_a_download(media, member, idea):
    # given
    attachment = _attach(member, idea, name="Plan für Zelte.pdf", data=PDF)
    # when
    response = Client().get(f"/ideas/{idea.pk}/attachments/{attachment.pk}/")
    # then the type read from the bytes, and a download, never a page of the site
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''Plan_f%C3%BCr_Zelte.pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, max-age=3600"
    assert _body(response) == PDF


def test_an_attachment_of_another_idea_is_not_found(media, member, make_idea, login):
    # given two ideas, a file on the first
    first, second = make_idea(member), make_idea(member)
    attachment = _attach(member, first)
    # then the file is not reachable through the other idea's address
    assert login(member).get(f"/ideas/{second.pk}/attachments/{attachment.pk}/").status_code == 404


def test_a_file_missing_from_the_disk_is_not_found(media, member, idea):
    attachment = _attach(member, idea)
    (media / attachment.file.name).unlink()
    assert Client().get(f"/ideas/{idea.pk}/attachments/{attachment.pk}/").status_code == 404


def test_nginx_is_handed_the_file(media, member, idea, settings):
    # given the front server sends the files
    settings.PROSUMO_FILE_SENDER = "nginx"
    settings.PROSUMO_NGINX_PRIVATE_MEDIA_URL = "/private-media/"
    attachment = _attach(member, idea, name="sketch.png")
    # when
    response = Client().get(f"/ideas/{idea.pk}/attachments/{attachment.pk}/")
    # then the site only says which file, after its own check, with the headers nginx passes on
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/private-media/{attachment.file.name}"
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "private, max-age=3600"
    assert response.content == b""
    # and a reader who may not see the idea is not handed anything
    services.content_hide(actor=_moderator(), kind="idea", object_id=idea.pk, reason="Personal data in the attachment")
    refused = Client().get(f"/ideas/{idea.pk}/attachments/{attachment.pk}/")
    assert refused.status_code == 404
    assert "X-Accel-Redirect" not in refused


def _moderator() -> Any:
    from prosumo.community.bootstrap import create_verified_member

    return create_verified_member(email="mod@files.example.org", password="correct horse 12", role="moderator")


def test_x_sendfile_names_the_file_on_disk(media, member, idea, settings):
    settings.PROSUMO_FILE_SENDER = "sendfile"
    attachment = _attach(member, idea, name="sketch.png")
    response = Client().get(f"/ideas/{idea.pk}/attachments/{attachment.pk}/")
    assert response.status_code == 200
    assert response["X-Sendfile"] == str(media / attachment.file.name)
    assert response.content == b""


def test_an_unknown_file_sender_stops_the_site_with_a_clear_message(tmp_path):
    # when the settings are read with a sender the site does not know
    env = {
        **os.environ,
        "PROSUMO_FILE_SENDER": "apache",
        "PROSUMO_SECRET_KEY": "x" * 50,
        "PROSUMO_DATA_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "-c", "import prosumo.settings"], env=env, capture_output=True, text=True, check=False
    )
    # then
    assert result.returncode == 1
    assert "PROSUMO_FILE_SENDER is 'apache'; set it to django, nginx or sendfile" in result.stderr


# --- campaign covers ------------------------------------------------------------------------------


def _with_cover(admin: Any, campaign: Campaign) -> Campaign:
    cover = SimpleUploadedFile("our-plans.png", PNG, content_type="image/png")
    return services.campaign_update(actor=admin, campaign=campaign, cover=cover)


def test_a_public_campaigns_cover_is_public(media, admin, campaign):
    # given
    campaign = _with_cover(admin, campaign)
    # when
    response = Client().get(f"/c/{campaign.slug}/cover/")
    # then
    assert re.fullmatch(rf"covers/{RANDOM_NAME}\.png", campaign.cover.name)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "public, max-age=3600"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert _body(response) == PNG
    page = Client().get(f"/c/{campaign.slug}/").content.decode()
    assert f'src="/c/{campaign.slug}/cover/"' in page


def test_a_segment_campaigns_cover_is_for_the_segment(media, admin, gold_campaign, make_member, login):
    # given
    campaign = _with_cover(admin, gold_campaign)
    # when
    outside = [Client().get(f"/c/{campaign.slug}/cover/"), login(make_member()).get(f"/c/{campaign.slug}/cover/")]
    inside = login(_gold_member(make_member, campaign)).get(f"/c/{campaign.slug}/cover/")
    # then
    assert [r.status_code for r in outside] == [404, 404]
    assert Client().get(f"/media/{campaign.cover.name}").status_code == 404
    assert inside.status_code == 200
    assert inside["Cache-Control"] == "private, max-age=3600"
    assert _body(inside) == PNG


def test_an_unpublished_campaigns_cover_is_for_staff(media, admin, campaign, reviewer, member, login):
    campaign = _with_cover(admin, campaign)
    services.campaign_update(actor=admin, campaign=campaign, is_published=False)
    assert login(member).get(f"/c/{campaign.slug}/cover/").status_code == 404
    response = login(reviewer).get(f"/c/{campaign.slug}/cover/")
    assert (response.status_code, response["Cache-Control"]) == (200, "private, max-age=3600")
    assert _body(response) == PNG


def test_the_admin_links_a_campaigns_cover_to_the_page_that_serves_it(media, admin, gold_campaign, login):
    # given a segment campaign with a cover
    campaign = _with_cover(admin, gold_campaign)
    browser = login(admin)
    # when an admin opens the campaign in the Django admin
    page = browser.get(f"/admin/ideas/campaign/{campaign.pk}/change/").content.decode()
    # then the cover's link is the served address, which the admin may open
    links = re.findall(r'<a href="([^"]+)">covers/', page)
    assert links == [f"/c/{campaign.slug}/cover/"]
    assert _body(browser.get(links[0])) == PNG


def test_a_campaign_without_a_cover_has_none(media, campaign):
    assert Client().get(f"/c/{campaign.slug}/cover/").status_code == 404


def test_avatars_stay_public(media, db):
    (media / "avatars").mkdir()
    (media / "avatars" / "face.png").write_bytes(PNG)
    response = Client().get("/media/avatars/face.png")
    assert response.status_code == 200
    assert _body(response) == PNG


# --- files stored before names were random ----------------------------------------------------------


def test_the_migration_gives_old_files_random_names(
    media, member, idea, admin, campaign, django_capture_on_commit_callbacks
):
    # given an attachment and a cover stored under the names their uploaders gave them, and a row whose file is gone
    old_attachment = default_storage.save("attachments/2026/12/secret-plan.png", ContentFile(PNG))
    old_cover = default_storage.save("covers/launch.png", ContentFile(PNG))
    kept = Attachment.objects.create(
        idea=idea, file=old_attachment, original_name="secret-plan.png", content_type="image/png", size=len(PNG)
    )
    gone = Attachment.objects.create(
        idea=idea, file="attachments/2026/12/gone.png", original_name="gone.png", content_type="image/png", size=1
    )
    Campaign.objects.filter(pk=campaign.pk).update(cover=old_cover)
    migration = importlib.import_module("prosumo.ideas.migrations.0008_private_file_names")
    # when
    with django_capture_on_commit_callbacks(execute=True):
        migration.rename(apps, None)
    # then each file has a random name in its old folder, with its bytes; the old names are gone
    kept.refresh_from_db()
    campaign.refresh_from_db()
    assert re.fullmatch(rf"attachments/2026/12/{RANDOM_NAME}\.png", kept.file.name)
    assert re.fullmatch(rf"covers/{RANDOM_NAME}\.png", campaign.cover.name)
    assert (media / kept.file.name).read_bytes() == PNG
    assert (media / campaign.cover.name).read_bytes() == PNG
    assert not (media / old_attachment).exists()
    assert not (media / old_cover).exists()
    assert Attachment.objects.get(pk=gone.pk).file.name == "attachments/2026/12/gone.png"
    # and a second run changes nothing
    names = kept.file.name, campaign.cover.name
    with django_capture_on_commit_callbacks(execute=True):
        migration.rename(apps, None)
    kept.refresh_from_db()
    campaign.refresh_from_db()
    assert (kept.file.name, campaign.cover.name) == names
