"""Input no endpoint can take: each kind gets a 4xx JSON error with its code (or 503 for the server's own
storage) and changes nothing, on SQLite and on PostgreSQL (`scripts/with_postgres.py`)."""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from prosumo.api import api
from prosumo.community.models import Member
from prosumo.ideas.models import Attachment, Campaign, Comment
from tests.api.conftest import error
from tests.api.test_participation import png_bytes
from tests.conftest import files_in

BEYOND_64_BITS = 10**23
NUL = "\x00"
SURROGATE = "\\ud800"  # as JSON writes it; a lone high surrogate is no character


def comment_body(text_json: str) -> bytes:
    """A comment body whose text is given as it appears inside a JSON string."""
    return b'{"body": "Good idea, ' + text_json.encode() + b' and more."}'


# 1. size


def test_a_body_over_the_limit_gets_413_too_large(idea, member, call, unchanged):
    # given: a 10 MB JSON body, over DATA_UPLOAD_MAX_MEMORY_SIZE (6 MB)
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE < 10 * 1024 * 1024
    huge = json.dumps({"body": "a" * (10 * 1024 * 1024)}).encode()
    with unchanged():
        # when
        body = error(call("POST", f"/api/ideas/{idea.pk}/comments", raw=huge, as_member=member), 413, "too_large")
    # then
    assert body["fields"] == {}
    assert body["message"] == "The request body is larger than 6.3 MB, the most the API reads."


def test_a_body_at_the_limit_is_read(idea, member, call, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 200
    raw = json.dumps({"body": "x" * 150}).encode()
    raw += b" " * (200 - len(raw))
    assert len(raw) == 200
    assert call("POST", f"/api/ideas/{idea.pk}/comments", raw=raw, as_member=member).status_code == 201
    error(call("POST", f"/api/ideas/{idea.pk}/comments", raw=raw + b" ", as_member=member), 413, "too_large")


# 2. text no database can store: a lone surrogate anywhere, a NUL anywhere


@pytest.mark.parametrize(
    ("raw", "field", "problem"),
    [
        (
            comment_body(SURROGATE),
            "body",
            "Text may not contain an unpaired surrogate (U+D800); it is not a character.",
        ),
        (comment_body("\\u0000"), "body", "Text may not contain the NUL character (U+0000)."),
        (
            comment_body("\\udfff"),
            "body",
            "Text may not contain an unpaired surrogate (U+DFFF); it is not a character.",
        ),
    ],
)
def test_unstorable_text_in_a_body_is_refused(idea, member, call, unchanged, raw, field, problem):
    with unchanged():
        body = error(call("POST", f"/api/ideas/{idea.pk}/comments", raw=raw, as_member=member), 422, "invalid")
    assert body["fields"] == {field: [problem]}
    assert Comment.objects.count() == 0


def test_a_surrogate_pair_is_one_character_and_is_kept(idea, member, call):
    # "\ud83c\udfd5" is U+1F3D5 (camping), written as JSON's two escapes
    response = call("POST", f"/api/ideas/{idea.pk}/comments", raw=comment_body("\\ud83c\\udfd5"), as_member=member)
    assert response.status_code == 201, response.content
    assert Comment.objects.get().body == "Good idea, \U0001f3d5 and more."


def test_unstorable_text_is_found_at_any_depth_and_in_keys(campaign, admin, call, unchanged):
    raw = (
        b'{"title": "Quiet stoves", "brief": "How quiet can a stove be?",'
        b' "scorecard_criteria": ["taste", "no\\u0000ise"], "support_gates": [{"days\\ud800": 3}]}'
    )
    with unchanged():
        body = error(call("POST", "/api/campaigns", raw=raw, as_member=admin), 422, "invalid")
    assert body["fields"] == {
        "scorecard_criteria.1": ["Text may not contain the NUL character (U+0000)."],
        "support_gates.0.days\ud800": ["Text may not contain an unpaired surrogate (U+D800); it is not a character."],
    }
    # the answer itself is still valid JSON (json.dumps escapes the surrogate)
    assert Campaign.objects.filter(title="Quiet stoves").count() == 0


def test_a_nul_in_a_query_or_path_parameter_is_refused(campaign, member, call, unchanged):
    with unchanged():
        body = error(call("GET", f"/api/campaigns/{campaign.pk}/ideas?q=tent%00", as_member=member), 422, "invalid")
        assert body["fields"] == {"q": ["Text may not contain the NUL character (U+0000)."]}
        body = error(call("GET", "/api/ideas/similar?text=tent%00pole", as_member=member), 422, "invalid")
        assert body["fields"] == {"text": ["Text may not contain the NUL character (U+0000)."]}
        body = error(call("GET", "/api/campaigns/tents%00"), 422, "invalid")
        assert body["fields"] == {"campaign": ["Text may not contain the NUL character (U+0000)."]}


def test_a_nul_in_a_profile_or_token_name_is_refused(member, call, login, unchanged):
    session = login(member)  # tokens are made from a session
    before = Member.objects.values().get(pk=member.pk)
    with unchanged():
        error(call("PATCH", "/api/me", {"bio": "Camper\x00"}, as_member=member), 422, "invalid")
        error(session.post("/api/tokens", {"name": "CRM\x00"}, content_type="application/json"), 422, "invalid")
    assert Member.objects.values().get(pk=member.pk) == before


# ids beyond 64 bits, and digits int() cannot read


def test_ids_beyond_64_bits_are_refused_wherever_they_appear(idea, member, call, unchanged):
    big = BEYOND_64_BITS
    with unchanged():
        for method, path, name in [
            ("GET", f"/api/ideas/{big}", "idea_id"),
            ("DELETE", f"/api/ideas/{big}/vote", "idea_id"),
            ("PUT", f"/api/ideas/{big}/vote", "idea_id"),
            ("POST", f"/api/ideas/{big}/follow", "idea_id"),
            ("DELETE", f"/api/tokens/{big}", "token_id"),
        ]:
            body = error(call(method, path, {"value": 1}, as_member=member), 422, "invalid")
            assert list(body["fields"]) == [name]
        body = error(call("GET", f"/api/ideas/similar?text=tent&campaign={big}", as_member=member), 422, "invalid")
        assert list(body["fields"]) == ["campaign"]
        body = error(
            call("POST", "/api/flags", {"kind": "idea", "object_id": big, "reason": "spam"}, as_member=member),
            422,
            "invalid",
        )
        assert list(body["fields"]) == ["object_id"]
        body = error(
            call("POST", f"/api/ideas/{idea.pk}/comments", {"body": "Reply here", "parent_id": big}, as_member=member),
            422,
            "invalid",
        )
        assert list(body["fields"]) == ["parent_id"]
        body = error(call("POST", "/api/notifications/read", {"ids": [1, big]}, as_member=member), 422, "invalid")
        assert list(body["fields"]) == ["ids.1"]


def test_the_largest_id_is_taken_and_finds_nothing(member, call, unchanged):
    with unchanged():
        error(call("GET", f"/api/ideas/{2**63 - 1}", as_member=member), 404, "not_found")
        body = error(call("GET", f"/api/ideas/{2**63}", as_member=member), 422, "invalid")
    assert body["fields"] == {"idea_id": ["Input should be less than or equal to 9223372036854775807"]}


@pytest.mark.parametrize("ref", [str(BEYOND_64_BITS), "²²", "0"])
def test_a_campaign_reference_no_row_can_have_is_not_found(campaign, member, call, ref, unchanged):
    with unchanged():
        error(call("GET", f"/api/campaigns/{ref}", as_member=member), 404, "not_found")
        error(call("GET", f"/api/campaigns/{ref}/ideas", as_member=member), 404, "not_found")
        error(
            call("POST", f"/api/campaigns/{ref}/ideas", {"title": "Tent", "body": "A tent"}, as_member=member),
            404,
            "not_found",
        )


# JSON types as documented: NaN is not JSON, true is not 1, a body is an object


def test_a_nan_or_infinite_share_is_refused(idea, make_member, call, unchanged):
    invitee = make_member()
    path = f"/api/ideas/{idea.pk}/coauthors"
    with unchanged():
        for constant in (b"NaN", b"Infinity", b"-Infinity"):
            raw = b'{"member_id": %d, "share": %s}' % (invitee.pk, constant)
            body = error(call("POST", path, raw=raw, as_member=idea.author), 400, "malformed_json")
            assert body["message"] == f"The request body is not valid JSON: {constant.decode()} is not a JSON value."
        for text in ("NaN", "inf"):
            body = error(
                call("POST", path, {"member_id": invitee.pk, "share": text}, as_member=idea.author), 422, "invalid"
            )
            assert list(body["fields"]) == ["share"]


@pytest.mark.parametrize("raw", [b"[]", b'"text"', b"12", b"null", b"true"])
def test_a_body_that_is_not_an_object_is_refused(member, call, unchanged, raw):
    with unchanged():
        body = error(call("POST", "/api/notifications/read", raw=raw, as_member=member), 422, "invalid")
    assert body["fields"] == {"request": ["The body must be a JSON object."]}


def test_values_are_taken_as_their_json_types(idea, member, call, unchanged):
    with unchanged():
        for value in (True, "1", 1.0):
            body = error(call("PUT", f"/api/ideas/{idea.pk}/vote", {"value": value}, as_member=member), 422, "invalid")
            assert list(body["fields"]) == ["value"]
        body = error(call("POST", "/api/notifications/read", {"ids": [True]}, as_member=member), 422, "invalid")
        assert list(body["fields"]) == ["ids.0"]


# the media folder cannot be written


def test_an_attachment_to_a_read_only_media_folder_gets_503_and_changes_nothing(
    idea, member, bearer, unchanged, read_only_media
):
    headers = bearer(member)
    with unchanged():
        response = Client().post(
            f"/api/ideas/{idea.pk}/attachments",
            {"file": SimpleUploadedFile("sketch.png", png_bytes(), content_type="image/png")},
            headers=headers,
        )
        body = error(response, 503, "storage_unavailable")
    assert (
        body["message"] == "The file could not be stored: the server cannot write uploads right now. Try again later."
    )
    assert Attachment.objects.count() == 0
    assert files_in(read_only_media) == []


# the OpenAPI document declares what the API gives


def test_every_operation_declares_the_errors_of_the_api_itself():
    schema = api.get_openapi_schema()
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            declared = {int(status) for status in operation["responses"]}
            assert 401 in declared, (method, path)
            if "requestBody" in operation:
                assert {400, 413, 422} <= declared, (method, path)
            if any(p["in"] == "path" for p in operation.get("parameters", [])):
                assert 404 in declared, (method, path)
    attachments = schema["paths"]["/api/ideas/{idea_id}/attachments"]["post"]["responses"]
    assert 503 in {int(status) for status in attachments}
