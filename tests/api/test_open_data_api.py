"""Admins build, publish and unpublish the open data through the API; one build at a time."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.test import Client

from prosumo.insights.models import OpenDataRelease
from tests.api.conftest import error

pytestmark = pytest.mark.django_db


def test_an_admin_builds_publishes_and_unpublishes_the_open_data_through_the_api(
    admin: Any, make_member: Any, make_idea: Any, call: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # given
    make_idea(make_member(display_name="Ana Campista"))
    # when the admin asks for a build (the task runs when the request commits)
    with django_capture_on_commit_callbacks(execute=True):
        asked = call("post", "/api/insights/open-data", {"licence": "ODbL 1.0"}, as_member=admin)
    # then
    assert asked.status_code == 202, asked.content
    body = asked.json()
    assert (body["licence"], body["state"], body["published"], body["download_url"]) == (
        "ODbL 1.0",
        "queued",
        False,
        None,
    )
    listed = call("get", "/api/insights/open-data", as_member=admin).json()
    assert [(r["id"], r["state"]) for r in listed] == [(body["id"], "ready")]
    assert listed[0]["size_bytes"] > 0
    # when it is published, anyone downloads it
    published = call("post", f"/api/insights/open-data/{body['id']}/publish", as_member=admin)
    assert published.status_code == 200
    url = published.json()["download_url"]
    assert url == f"/open-data/{body['id']}/open-data.zip"
    got = Client().get(url)
    archive = zipfile.ZipFile(io.BytesIO(b"".join(got.streaming_content)))
    assert "Licence: ODbL 1.0" in archive.read("open-data/LICENCE.txt").decode()
    # when it is taken down, the link is gone
    taken = call("post", "/api/insights/open-data/unpublish", as_member=admin)
    assert (taken.status_code, taken.json()["published"]) == (200, False)
    assert Client().get(url).status_code == 404
    none = call("post", "/api/insights/open-data/unpublish", as_member=admin)
    assert (none.status_code, none.json()) == (200, None)


def test_a_second_request_while_one_is_built_is_told_a_build_is_under_way(admin: Any, call: Any) -> None:
    # given a build queued (its task not run yet)
    first = call("post", "/api/insights/open-data", {"licence": "CC BY 4.0"}, as_member=admin)
    assert first.status_code == 202
    # when another is asked for
    second = call("post", "/api/insights/open-data", {"licence": "CC0 1.0"}, as_member=admin)
    # then it is refused and nothing changes
    body = error(second, 409, "open_data_building")
    assert body["message"] == ("The open data is already being prepared; wait until it is ready before asking again.")
    assert list(OpenDataRelease.objects.values_list("licence", "state")) == [("CC BY 4.0", "queued")]


def test_the_database_holds_one_build_at_a_time(admin: Any) -> None:
    # given one release queued
    OpenDataRelease.objects.create(licence="CC BY 4.0")
    # then a second one queued or being built is refused by the database itself
    for state in ("queued", "building"):
        with pytest.raises(IntegrityError), transaction.atomic():
            OpenDataRelease.objects.create(licence="CC0 1.0", state=state)
    # while ready and failed ones may sit beside it
    OpenDataRelease.objects.create(licence="CC0 1.0", state="ready")
    OpenDataRelease.objects.create(licence="CC0 1.0", state="failed")


def test_only_admins_may_use_the_open_data_api(
    admin: Any, moderator: Any, member: Any, call: Any, bearer: Any, unchanged: Any
) -> None:
    with unchanged():
        error(call("post", "/api/insights/open-data", {"licence": "CC BY 4.0"}, as_member=moderator), 403, "forbidden")
        error(call("get", "/api/insights/open-data", as_member=moderator), 403, "forbidden")
        assert call("post", "/api/insights/open-data", {"licence": "CC BY 4.0"}, as_member=member).status_code == 403
        assert call("post", "/api/insights/open-data", {"licence": "CC BY 4.0"}).status_code == 401
        error(call("post", "/api/insights/open-data", {"licence": " "}, as_member=admin), 400, "invalid")
        error(call("post", "/api/insights/open-data/999999/publish", as_member=admin), 404, "not_found")
