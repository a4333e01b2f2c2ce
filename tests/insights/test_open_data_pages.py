"""Admins publish the open data on the site; anyone downloads the published version under its licence."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest
from django.test import Client

from prosumo.activity.models import Event
from prosumo.community.services import member_update_profile
from prosumo.core.errors import Conflict, InvalidInput, PermissionDenied
from prosumo.insights.models import OpenDataRelease
from prosumo.insights.services import open_data_publish, open_data_request, open_data_unpublish

pytestmark = pytest.mark.django_db


def signed_in(member: Any) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(member)
    return client


def download(client: Client, url: str) -> Any:
    response = client.get(url)
    if response.streaming:
        response.content_bytes = b"".join(response.streaming_content)
    return response


@pytest.fixture
def built(admin: Any, make_member: Any, make_idea: Any, django_capture_on_commit_callbacks: Any) -> OpenDataRelease:
    shown = make_member(display_name="Bruno Abierto")
    member_update_profile(member=shown, open_data_name=True)
    make_idea(make_member(display_name="Ana Campista", email_preference="none"))
    with django_capture_on_commit_callbacks(execute=True):
        release = open_data_request(actor=admin, licence="CC BY 4.0")
    release.refresh_from_db()
    return release


def test_an_admin_prepares_publishes_and_unpublishes_the_open_data(
    admin: Any, make_member: Any, make_idea: Any, django_capture_on_commit_callbacks: Any
) -> None:
    make_idea(make_member(display_name="Ana Campista"))
    staff = signed_in(admin)
    visitor = Client(headers={"accept-language": "en"})
    assert "No open data is published" in visitor.get("/open-data/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post("/staff/insights/open-data/", {"licence": "ODbL 1.0"})
    assert response.status_code == 302
    release = OpenDataRelease.objects.get()
    assert (release.state, release.licence, release.published) == ("ready", "ODbL 1.0", False)
    page = staff.get("/staff/insights/open-data/").content.decode()
    assert "ODbL 1.0" in page
    assert f'id="publish-{release.pk}"' in page
    assert "No open data is published" in visitor.get("/open-data/").content.decode()  # not published yet
    assert visitor.get(f"/open-data/{release.pk}/open-data.zip").status_code == 404

    assert staff.post(f"/staff/insights/open-data/{release.pk}/publish/").status_code == 302
    page = visitor.get("/open-data/").content.decode()
    assert 'id="open-data-licence">ODbL 1.0<' in page
    assert "naming its source" in page
    got = download(visitor, f"/open-data/{release.pk}/open-data.zip")
    assert got.status_code == 200
    assert got["Content-Type"] == "application/zip"
    assert "attachment" in got["Content-Disposition"]
    assert ".zip" in got["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(got.content_bytes))
    names = archive.namelist()
    assert "open-data/LICENCE.txt" in names
    assert "open-data/dataset.json" in names
    assert "Licence: ODbL 1.0" in archive.read("open-data/LICENCE.txt").decode()
    meta = json.loads(archive.read("open-data/dataset.json"))
    assert (meta["licence"], meta["public"], meta["pseudonymous"]) == ("ODbL 1.0", True, True)
    assert not any(name.endswith(("orders.parquet", "spend.parquet")) for name in names)
    assert b"@example.org" not in b"".join(archive.read(n) for n in names)
    assert release.size_bytes == len(got.content_bytes) or OpenDataRelease.objects.get().size_bytes == len(
        got.content_bytes
    )

    assert staff.post("/staff/insights/open-data/unpublish/").status_code == 302
    assert "No open data is published" in visitor.get("/open-data/").content.decode()
    assert visitor.get(f"/open-data/{release.pk}/open-data.zip").status_code == 404
    verbs = list(Event.objects.filter(object_type="open_data").order_by("pk").values_list("verb", flat=True))
    assert verbs == ["open_data.requested", "open_data.published", "open_data.unpublished"]


def test_publishing_a_new_version_replaces_the_one_before(
    admin: Any, built: OpenDataRelease, django_capture_on_commit_callbacks: Any
) -> None:
    open_data_publish(actor=admin, release_id=built.pk)
    with django_capture_on_commit_callbacks(execute=True):
        newer = open_data_request(actor=admin, licence="CC0 1.0")
    open_data_publish(actor=admin, release_id=newer.pk)
    assert list(OpenDataRelease.objects.filter(published=True).values_list("pk", flat=True)) == [newer.pk]
    visitor = Client()
    assert visitor.get(f"/open-data/{built.pk}/open-data.zip").status_code == 404
    assert download(visitor, f"/open-data/{newer.pk}/open-data.zip").status_code == 200
    # a third request deletes the version neither published nor being built, with its file
    with django_capture_on_commit_callbacks(execute=True):
        open_data_request(actor=admin, licence="CC BY 4.0")
    assert not OpenDataRelease.objects.filter(pk=built.pk).exists()
    assert OpenDataRelease.objects.filter(pk=newer.pk, published=True).exists()


def test_bad_input_changes_nothing(admin: Any, moderator: Any, built: OpenDataRelease) -> None:
    before = (OpenDataRelease.objects.count(), Event.objects.count())
    with pytest.raises(InvalidInput, match="Choose the licence"):
        open_data_request(actor=admin, licence="   ")
    with pytest.raises(InvalidInput, match="at most 100"):
        open_data_request(actor=admin, licence="x" * 101)
    with pytest.raises(PermissionDenied):
        open_data_request(actor=moderator, licence="CC BY 4.0")
    with pytest.raises(PermissionDenied):
        open_data_publish(actor=moderator, release_id=built.pk)
    with pytest.raises(PermissionDenied):
        open_data_unpublish(actor=moderator)
    failed = OpenDataRelease.objects.create(licence="CC BY 4.0", state=OpenDataRelease.State.FAILED)
    with pytest.raises(Conflict, match="not ready"):
        open_data_publish(actor=admin, release_id=failed.pk)
    assert (OpenDataRelease.objects.count() - 1, Event.objects.count()) == before
    assert not OpenDataRelease.objects.filter(published=True).exists()
    page = signed_in(admin).post("/staff/insights/open-data/", {"licence": ""})
    assert page.status_code == 400
    assert OpenDataRelease.objects.count() - 1 == before[0]


def test_only_admins_see_the_staff_page(admin: Any, moderator: Any, make_member: Any) -> None:
    assert signed_in(make_member()).get("/staff/insights/open-data/").status_code == 404
    assert signed_in(moderator).get("/staff/insights/open-data/").status_code == 403
    assert signed_in(admin).get("/staff/insights/open-data/").status_code == 200
    assert Client().get("/staff/insights/open-data/").status_code == 302


def test_the_spanish_public_page(admin: Any, built: OpenDataRelease) -> None:
    open_data_publish(actor=admin, release_id=built.pk)
    client = Client(headers={"accept-language": "es"})
    page = client.get("/open-data/").content.decode()
    assert "Datos abiertos" in page
    assert "CC BY 4.0" in page
