"""The staff API for scorecards and moderation: the same services as the staff pages."""

from __future__ import annotations

from prosumo.activity.models import Event
from prosumo.ideas.services import comment_post, flag_create
from tests.api.conftest import error

SCORES = {"desirability": 4, "feasibility": 2, "viability": 3}


def test_reviewers_score_an_idea_and_staff_read_the_scorecards(call, idea, reviewer, make_member):
    # given
    other = make_member("reviewer")
    # when
    mine = call("PUT", f"/api/ideas/{idea.pk}/review", {"scores": SCORES, "note": "Costly"}, as_member=reviewer)
    theirs = call("PUT", f"/api/ideas/{idea.pk}/review", {"scores": {**SCORES, "feasibility": 4}}, as_member=other)
    again = call("PUT", f"/api/ideas/{idea.pk}/review", {"scores": {**SCORES, "desirability": 5}}, as_member=reviewer)
    cards = call("GET", f"/api/ideas/{idea.pk}/reviews", as_member=reviewer)
    # then
    assert (mine.status_code, theirs.status_code, again.status_code) == (200, 200, 200)
    assert mine.json()["note"] == "Costly"
    body = cards.json()
    assert body["criteria"] == ["desirability", "feasibility", "viability"]
    assert body["means"] == {"desirability": 4.5, "feasibility": 3.0, "viability": 3.0}
    assert [(r["reviewer_id"], r["scores"]["desirability"]) for r in body["reviews"]] == [
        (reviewer.pk, 5),
        (other.pk, 4),
    ]
    assert Event.objects.filter(verb="idea.reviewed", object_id=idea.pk).count() == 3


def test_a_bad_scorecard_or_a_member_changes_nothing(call, idea, reviewer, member, moderator, unchanged):
    with unchanged():
        short = call("PUT", f"/api/ideas/{idea.pk}/review", {"scores": {"desirability": 6}}, as_member=reviewer)
        text = call("PUT", f"/api/ideas/{idea.pk}/review", {"scores": {**SCORES, "viability": "3"}}, as_member=reviewer)
        by_member = call("PUT", f"/api/ideas/{idea.pk}/review", {"scores": SCORES}, as_member=member)
        by_moderator = call("PUT", f"/api/ideas/{idea.pk}/review", {"scores": SCORES}, as_member=moderator)
    assert set(error(short, 400, "invalid")["fields"]) == {"desirability", "feasibility", "viability"}
    error(text, 422, "invalid")
    error(by_member, 403, "forbidden")
    error(by_moderator, 403, "forbidden")
    error(call("GET", f"/api/ideas/{idea.pk}/reviews", as_member=member), 403, "forbidden")


def test_moderators_see_reports_hide_and_restore(call, idea, member, make_member, moderator):
    # given a report on the idea and one on a comment
    reporter = make_member()
    comment = comment_post(actor=member, idea_id=idea.pk, body="Buy cheap watches at example.com")
    flag_create(actor=reporter, kind="idea", object_id=idea.pk, reason="Off topic")
    flag_create(actor=reporter, kind="comment", object_id=comment.pk, reason="Spam")
    # when
    flags = call("GET", "/api/moderation/flags", as_member=moderator).json()
    hidden = call(
        "POST",
        "/api/moderation/hide",
        {"kind": "comment", "object_id": comment.pk, "reason": "Spam"},
        as_member=moderator,
    )
    after = call("GET", "/api/moderation/flags", as_member=moderator).json()
    restored = call(
        "POST", "/api/moderation/restore", {"kind": "comment", "object_id": comment.pk}, as_member=moderator
    )
    audit = call("GET", "/api/moderation/audit", as_member=moderator).json()
    # then
    assert [(f["kind"], f["object_id"], f["idea_id"], f["reason"]) for f in flags] == [
        ("idea", idea.pk, idea.pk, "Off topic"),
        ("comment", comment.pk, idea.pk, "Spam"),
    ]
    assert hidden.json() == {"kind": "comment", "object_id": comment.pk, "hidden": True}
    assert [f["kind"] for f in after] == ["idea"]
    assert restored.json()["hidden"] is False
    assert [a["verb"] for a in audit[:2]] == ["moderation.restored", "moderation.hidden"]


def test_hiding_needs_a_moderator_and_a_reason(call, idea, member, reviewer, moderator, unchanged):
    with unchanged():
        no_reason = call("POST", "/api/moderation/hide", {"kind": "idea", "object_id": idea.pk}, as_member=moderator)
        bad_kind = call(
            "POST", "/api/moderation/hide", {"kind": "vote", "object_id": idea.pk, "reason": "x"}, as_member=moderator
        )
        missing = call(
            "POST", "/api/moderation/hide", {"kind": "idea", "object_id": 999999, "reason": "x"}, as_member=moderator
        )
        by_reviewer = call(
            "POST", "/api/moderation/hide", {"kind": "idea", "object_id": idea.pk, "reason": "x"}, as_member=reviewer
        )
    assert error(no_reason, 400, "invalid")["fields"] == {"reason": ["required"]}
    assert error(bad_kind, 400, "invalid")["fields"] == {"kind": ["invalid"]}
    error(missing, 404, "not_found")
    error(by_reviewer, 403, "forbidden")
    error(call("GET", "/api/moderation/flags", as_member=member), 403, "forbidden")
