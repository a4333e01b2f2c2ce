"""Votes, comments, stages, merges, follows, co-authors, attachments, flags and the staff queue over the API."""

from __future__ import annotations

import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from prosumo.ideas.models import Attachment, CoAuthor, Comment, DeclineReason, Flag, Follow, Idea, StageChange, Vote
from tests.api.conftest import error


def png_bytes() -> bytes:
    """A real 1x1 transparent PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x00\x00\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


@pytest.fixture
def hidden_idea(make_campaign, make_idea, admin):
    return make_idea(admin, in_campaign=make_campaign(visibility="invitation"))


@pytest.fixture
def reason(db):
    return DeclineReason.objects.create(label="Already on our roadmap")


# votes


def test_support_and_withdraw(idea, make_member, call):
    # given
    voter = make_member()
    # when
    cast = call("PUT", f"/api/ideas/{idea.pk}/vote", {"value": 1}, as_member=voter)
    again = call("PUT", f"/api/ideas/{idea.pk}/vote", {"value": 1}, as_member=voter)
    withdrawn = call("DELETE", f"/api/ideas/{idea.pk}/vote", as_member=voter)
    # then
    assert cast.json() == {
        "idea_id": idea.pk,
        "value": 1,
        "support_count": 1,
        "up_count": 0,
        "down_count": 0,
        "score_count": 0,
    }
    assert again.json()["support_count"] == 1
    assert (withdrawn.json()["value"], withdrawn.json()["support_count"]) == (None, 0)
    assert Vote.objects.filter(idea=idea).count() == 0


def test_updown_vote_counts_down(make_campaign, make_idea, make_member, call):
    idea = make_idea(make_member(), in_campaign=make_campaign(voting_mode="updown"))
    response = call("PUT", f"/api/ideas/{idea.pk}/vote", {"value": -1}, as_member=make_member())
    assert (response.json()["up_count"], response.json()["down_count"]) == (0, 1)


def test_vote_bad_input_changes_nothing(idea, hidden_idea, make_member, call, unchanged):
    voter = make_member()
    path = f"/api/ideas/{idea.pk}/vote"
    with unchanged():
        body = error(call("PUT", path, {"value": 2}, as_member=voter), 400, "invalid_vote")
        assert body["fields"] == {"value": ["invalid"]}
        body = error(call("PUT", path, {"value": "lots"}, as_member=voter), 422, "invalid")
        assert list(body["fields"]) == ["value"]
        error(call("PUT", path, raw=b'{"value": 1', as_member=voter), 400, "malformed_json")
        error(call("PUT", f"/api/ideas/{idea.pk + 1000}/vote", {"value": 1}, as_member=voter), 404, "not_found")
        hidden = call("PUT", f"/api/ideas/{hidden_idea.pk}/vote", {"value": 1}, as_member=voter)
        missing = call("PUT", f"/api/ideas/{hidden_idea.pk + 1000}/vote", {"value": 1}, as_member=voter)
        assert error(hidden, 404, "not_found") == error(missing, 404, "not_found")
        error(Client().put(path, {"value": 1}, content_type="application/json"), 401, "not_authenticated")


def test_vote_on_a_declined_idea_is_refused(idea, reviewer, reason, make_member, call, unchanged):
    call(
        "POST",
        f"/api/ideas/{idea.pk}/stage",
        {"to_stage": "declined", "message": "We make this already, see the catalogue.", "reason_id": reason.pk},
        as_member=reviewer,
    )
    voter = make_member()
    with unchanged():
        error(call("PUT", f"/api/ideas/{idea.pk}/vote", {"value": 1}, as_member=voter), 400, "voting_closed")


# comments


def test_comment_thread(idea, make_member, call):
    # given
    first, second = make_member(), make_member()
    # when
    top = call("POST", f"/api/ideas/{idea.pk}/comments", {"body": "Would it fit on a bike?"}, as_member=first)
    reply = call(
        "POST",
        f"/api/ideas/{idea.pk}/comments",
        {"body": "Fold the poles in thirds and it fits.", "parent_id": top.json()["id"], "builds_on": True},
        as_member=second,
    )
    listed = Client().get(f"/api/ideas/{idea.pk}/comments")
    # then
    assert top.status_code == reply.status_code == 201
    assert [(c["id"], c["parent_id"], c["builds_on"]) for c in listed.json()] == [
        (top.json()["id"], None, False),
        (reply.json()["id"], top.json()["id"], True),
    ]
    idea.refresh_from_db()
    assert idea.comment_count == 2


def test_comment_bad_input_changes_nothing(idea, hidden_idea, member, call, unchanged):
    path = f"/api/ideas/{idea.pk}/comments"
    with unchanged():
        body = error(call("POST", path, {"body": " "}, as_member=member), 400, "invalid")
        assert body["fields"] == {"body": ["length"]}
        error(call("POST", path, {"body": "Nice", "parent_id": "first"}, as_member=member), 422, "invalid")
        error(
            call("POST", path, {"body": "A reply to nothing", "parent_id": 999999}, as_member=member), 404, "not_found"
        )
        error(
            call("POST", f"/api/ideas/{hidden_idea.pk}/comments", {"body": "Seen it?"}, as_member=member),
            404,
            "not_found",
        )


# stages


def test_reviewer_moves_an_idea_with_a_message(idea, reviewer, call):
    # when
    response = call(
        "POST",
        f"/api/ideas/{idea.pk}/stage",
        {"to_stage": "under_review", "message": "Our tent team will look at it this month."},
        as_member=reviewer,
    )
    # then
    assert response.status_code == 200
    assert (response.json()["from_stage"], response.json()["to_stage"], response.json()["reason"]) == (
        "open",
        "under_review",
        None,
    )
    idea.refresh_from_db()
    assert idea.stage == "under_review"
    assert idea.answered_at is not None


def test_decline_with_a_reason(idea, reviewer, reason, call):
    response = call(
        "POST",
        f"/api/ideas/{idea.pk}/stage",
        {"to_stage": "declined", "message": "We make this already, see the catalogue.", "reason_id": reason.pk},
        as_member=reviewer,
    )
    assert (response.status_code, response.json()["reason"]) == (200, "Already on our roadmap")


def test_stage_change_bad_input_changes_nothing(idea, reviewer, member, reason, call, unchanged):
    path = f"/api/ideas/{idea.pk}/stage"
    message = "Our tent team will look at it this month."
    with unchanged():
        body = error(
            call("POST", path, {"to_stage": "under_review", "message": ""}, as_member=reviewer), 400, "invalid"
        )
        assert list(body["fields"]) == ["message"]
        body = error(call("POST", path, {"to_stage": "under_review"}, as_member=reviewer), 422, "invalid")
        assert list(body["fields"]) == ["message"]
        body = error(
            call("POST", path, {"to_stage": "declined", "message": message}, as_member=reviewer), 400, "invalid"
        )
        assert list(body["fields"]) == ["reason_id"]
        body = error(
            call(
                "POST",
                path,
                {"to_stage": "declined", "message": message, "reason_id": reason.pk + 9},
                as_member=reviewer,
            ),
            400,
            "invalid",
        )
        assert list(body["fields"]) == ["reason_id"]
        body = error(
            call("POST", path, {"to_stage": "launched_yesterday", "message": message}, as_member=reviewer),
            400,
            "invalid",
        )
        assert list(body["fields"]) == ["to_stage"]
        error(call("POST", path, {"to_stage": "under_review", "message": message}, as_member=member), 403, "forbidden")
        error(
            call(
                "POST",
                f"/api/ideas/{idea.pk + 1000}/stage",
                {"to_stage": "under_review", "message": message},
                as_member=reviewer,
            ),
            404,
            "not_found",
        )
    assert StageChange.objects.filter(idea=idea).count() == 0


# merge


def test_merge_and_its_bad_input(idea, make_idea, make_member, reviewer, member, call, unchanged):
    # given
    duplicate = make_idea(make_member(), title="Self-pitching tent for families")
    message = "Same idea as the older one; votes move there."
    # when
    with unchanged():
        error(
            call(
                "POST", f"/api/ideas/{duplicate.pk}/merge", {"target_id": idea.pk, "message": message}, as_member=member
            ),
            403,
            "forbidden",
        )
        error(
            call(
                "POST",
                f"/api/ideas/{duplicate.pk}/merge",
                {"target_id": duplicate.pk, "message": message},
                as_member=reviewer,
            ),
            400,
            "invalid",
        )
        error(
            call(
                "POST", f"/api/ideas/{duplicate.pk}/merge", {"target_id": idea.pk, "message": "dup"}, as_member=reviewer
            ),
            400,
            "invalid",
        )
        error(
            call(
                "POST",
                f"/api/ideas/{duplicate.pk}/merge",
                {"target_id": "the old one", "message": message},
                as_member=reviewer,
            ),
            422,
            "invalid",
        )
    merged = call(
        "POST", f"/api/ideas/{duplicate.pk}/merge", {"target_id": idea.pk, "message": message}, as_member=reviewer
    )
    # then
    assert (merged.status_code, merged.json()["id"]) == (200, idea.pk)
    assert Idea.objects.get(pk=duplicate.pk).stage == "merged"


# follow


def test_follow_and_unfollow(idea, make_member, call):
    fan = make_member()
    assert call("POST", f"/api/ideas/{idea.pk}/follow", as_member=fan).json() == {"following": True, "changed": True}
    assert call("POST", f"/api/ideas/{idea.pk}/follow", as_member=fan).json() == {"following": True, "changed": False}
    assert call("DELETE", f"/api/ideas/{idea.pk}/follow", as_member=fan).json() == {"following": False, "changed": True}
    assert not Follow.objects.filter(idea=idea, member=fan).exists()


def test_follow_hidden_idea_is_404(hidden_idea, member, call, unchanged):
    with unchanged():
        error(call("POST", f"/api/ideas/{hidden_idea.pk}/follow", as_member=member), 404, "not_found")


# co-authors


def test_author_invites_a_coauthor(idea, member, make_member, call):
    partner = make_member()
    response = call("POST", f"/api/ideas/{idea.pk}/coauthors", {"member_id": partner.pk, "share": 30}, as_member=member)
    assert response.status_code == 201
    assert (response.json()["member_id"], response.json()["share"], response.json()["status"]) == (
        partner.pk,
        30.0,
        "invited",
    )


def test_coauthor_bad_input_changes_nothing(idea, member, make_member, call, unchanged):
    partner, stranger = make_member(), make_member()
    path = f"/api/ideas/{idea.pk}/coauthors"
    with unchanged():
        body = error(call("POST", path, {"member_id": partner.pk, "share": 100}, as_member=member), 400, "invalid")
        assert body["fields"] == {"share": ["range"]}
        error(call("POST", path, {"member_id": partner.pk, "share": "half"}, as_member=member), 422, "invalid")
        error(call("POST", path, {"member_id": partner.pk + 1000, "share": 10}, as_member=member), 404, "not_found")
        error(call("POST", path, {"member_id": partner.pk, "share": 10}, as_member=stranger), 403, "forbidden")
    assert CoAuthor.objects.count() == 0


# attachments


def upload(client_headers, idea_id, name, content, content_type="image/png"):
    return Client().post(
        f"/api/ideas/{idea_id}/attachments",
        {"file": SimpleUploadedFile(name, content, content_type=content_type)},
        headers=client_headers,
    )


def test_author_attaches_a_png(idea, member, bearer):
    response = upload(bearer(member), idea.pk, "sketch.png", png_bytes())
    assert response.status_code == 201
    assert (response.json()["content_type"], response.json()["size"], response.json()["name"]) == (
        "image/png",
        len(png_bytes()),
        "sketch.png",
    )


def test_text_renamed_png_is_refused(idea, member, bearer, unchanged):
    headers = bearer(member)
    with unchanged():
        body = error(
            upload(headers, idea.pk, "sketch.png", b"just some words pretending to be an image\n" * 5), 400, "invalid"
        )
    assert body["fields"] == {"file": ["type"]}
    assert Attachment.objects.count() == 0


def test_too_large_upload_is_refused(idea, member, bearer, settings, unchanged):
    settings.PROSUMO_MAX_UPLOAD_BYTES = 100
    headers = bearer(member)
    with unchanged():
        body = error(upload(headers, idea.pk, "big.png", png_bytes() + b"\x00" * 100), 400, "invalid")
    assert body["fields"] == {"file": ["too_large"]}


def test_upload_bad_requests_change_nothing(idea, member, make_member, bearer, unchanged):
    headers, stranger = bearer(member), bearer(make_member())
    with unchanged():
        error(upload(headers, idea.pk, "empty.png", b""), 400, "invalid")
        error(upload(stranger, idea.pk, "sketch.png", png_bytes()), 403, "forbidden")
        error(Client().post(f"/api/ideas/{idea.pk}/attachments", {}, headers=headers), 422, "invalid")


# flags, queue, decline reasons


def test_flag_an_idea_and_bad_flags(idea, make_member, call, unchanged):
    reporter = make_member()
    with unchanged():
        error(
            call("POST", "/api/flags", {"kind": "idea", "object_id": idea.pk, "reason": "x"}, as_member=reporter),
            400,
            "invalid",
        )
        error(
            call(
                "POST",
                "/api/flags",
                {"kind": "member", "object_id": idea.pk, "reason": "Spam link"},
                as_member=reporter,
            ),
            400,
            "invalid",
        )
        error(
            call(
                "POST",
                "/api/flags",
                {"kind": "idea", "object_id": idea.pk + 1000, "reason": "Spam link"},
                as_member=reporter,
            ),
            404,
            "not_found",
        )
    created = call(
        "POST", "/api/flags", {"kind": "idea", "object_id": idea.pk, "reason": "Spam link"}, as_member=reporter
    )
    assert created.status_code == 201
    assert Flag.objects.get(pk=created.json()["id"]).reporter_id == reporter.pk


def test_queue_for_staff_only(idea, reviewer, member, call):
    response = call("GET", "/api/queue", as_member=reviewer)
    assert [(i["id"], i["age_days"]) for i in response.json()] == [(idea.pk, 0)]
    error(call("GET", "/api/queue", as_member=member), 403, "forbidden")
    error(Client().get("/api/queue"), 401, "not_authenticated")


def test_decline_reasons_list_active_ones(reason, db):
    retired = DeclineReason.objects.create(label="Retired reason", is_active=False)
    listed = Client().get("/api/decline-reasons").json()
    ids = [r["id"] for r in listed]
    assert {"id": reason.pk, "label": "Already on our roadmap"} in listed
    assert retired.pk not in ids
    assert len(ids) == DeclineReason.objects.filter(is_active=True).count()
    assert [r["label"] for r in listed] == sorted(r["label"] for r in listed)


def test_comment_count_matches_rows(idea, member, call):
    call("POST", f"/api/ideas/{idea.pk}/comments", {"body": "Counting comments here."}, as_member=member)
    idea.refresh_from_db()
    assert idea.comment_count == Comment.objects.filter(idea=idea).count() == 1


def test_withdraw_bad_input_changes_nothing(idea, hidden_idea, make_member, call, unchanged):
    voter = make_member()
    call("PUT", f"/api/ideas/{idea.pk}/vote", {"value": 1}, as_member=voter)
    with unchanged():
        error(call("DELETE", f"/api/ideas/{idea.pk + 1000}/vote", as_member=voter), 404, "not_found")
        error(call("DELETE", f"/api/ideas/{hidden_idea.pk}/vote", as_member=voter), 404, "not_found")
        error(Client().delete(f"/api/ideas/{idea.pk}/vote"), 401, "not_authenticated")
    idea.refresh_from_db()
    assert idea.support_count == 1
