"""The amendments API: list, propose, update, accept, reject, ask for changes."""

from __future__ import annotations

from prosumo.ideas.models import Amendment, CoAuthor, Idea
from tests.api.conftest import error

NEW_BODY = "Pre-bent poles attached to the fabric.\n\nThe tent unfolds like an umbrella."


def _propose(call, idea, amender, **body):
    body = {"title": idea.title, "body": NEW_BODY, "note": "Two paragraphs", **body}
    return call("post", f"/api/ideas/{idea.pk}/amendments", body, as_member=amender)


def test_propose_list_and_accept(call, idea, member, make_member):
    # given
    amender = make_member()
    # when
    proposed = _propose(call, idea, amender, base_revision=1)
    # then
    assert proposed.status_code == 201, proposed.content
    out = proposed.json()
    amendment_id = out["id"]
    assert {k: out[k] for k in ("idea_id", "amender", "status", "base_revision", "out_of_date", "revision")} == {
        "idea_id": idea.pk,
        "amender": {"id": amender.pk, "name": amender.name},
        "status": "pending",
        "base_revision": 1,
        "out_of_date": False,
        "revision": None,
    }
    listed = call("get", f"/api/ideas/{idea.pk}/amendments").json()
    assert [a["id"] for a in listed] == [amendment_id]
    accepted = call("post", f"/api/amendments/{amendment_id}/accept", {"share": 12.5}, as_member=member)
    assert accepted.status_code == 200, accepted.content
    assert (accepted.json()["status"], accepted.json()["revision"]) == ("accepted", 2)
    assert str(CoAuthor.objects.get(member=amender).share) == "12.50"
    assert Idea.objects.get(pk=idea.pk).body == NEW_BODY


def test_changes_then_update_then_reject(call, idea, member, make_member):
    amender = make_member()
    amendment_id = _propose(call, idea, amender).json()["id"]
    asked = call("post", f"/api/amendments/{amendment_id}/changes", {"message": "Say how heavy."}, as_member=member)
    assert (asked.status_code, asked.json()["status"], asked.json()["answer"]) == (
        200,
        "changes_requested",
        "Say how heavy.",
    )
    updated = call(
        "put",
        f"/api/amendments/{amendment_id}",
        {"title": idea.title, "body": NEW_BODY + " It weighs 2 kg."},
        as_member=amender,
    )
    assert (updated.status_code, updated.json()["status"]) == (200, "pending")
    rejected = call("post", f"/api/amendments/{amendment_id}/reject", {"reason": ""}, as_member=member)
    assert (rejected.status_code, rejected.json()["status"]) == (200, "rejected")


def test_out_of_date_is_shown_and_refused(call, idea, member, make_member, unchanged):
    amender = make_member()
    amendment_id = _propose(call, idea, amender).json()["id"]
    call("patch", f"/api/ideas/{idea.pk}", {"title": idea.title, "body": idea.body + " Bag."}, as_member=member)
    assert call("get", f"/api/ideas/{idea.pk}/amendments").json()[0]["out_of_date"] is True
    with unchanged():
        error(call("post", f"/api/amendments/{amendment_id}/accept", {}, as_member=member), 409, "out_of_date")


def test_bad_input_changes_nothing(call, idea, member, make_member, unchanged):
    amender = make_member()
    other = make_member()
    amendment_id = _propose(call, idea, amender).json()["id"]
    with unchanged():
        error(_propose(call, idea, other, title="Hi"), 400, "invalid")
        error(_propose(call, idea, amender), 409, "amendment_open")
        error(_propose(call, idea, other, base_revision="1"), 422, "invalid")
        error(call("post", f"/api/amendments/{amendment_id}/accept", {"share": 0}, as_member=member), 400, "invalid")
        error(
            call("post", f"/api/amendments/{amendment_id}/changes", {"message": ""}, as_member=member), 400, "invalid"
        )
        error(call("post", f"/api/amendments/{amendment_id}/accept", {}, as_member=amender), 403, "forbidden")
        error(call("post", "/api/amendments/999999/reject", {}, as_member=member), 404, "not_found")
        error(_propose(call, idea, None), 401, "not_authenticated")
    assert Amendment.objects.get(pk=amendment_id).status == "pending"
