"""The duplicates list as data, and saying that two ideas are not duplicates, through the API."""

from __future__ import annotations

import pytest

from prosumo.activity.models import Event
from prosumo.ideas.models import DismissedDuplicate
from tests.api.conftest import error

TENT = dict(title="Self-pitching tent", body="A tent whose poles spring open so it stands by itself in a minute.")
TENT_AGAIN = dict(title="Tent that pitches itself", body="Poles that spring open so the tent stands by itself.")
BOOTS = dict(title="Waterproof boots for kids", body="Boots that keep small feet dry on long hikes.")


@pytest.fixture
def pair(make_idea, make_member):
    return make_idea(make_member(), **TENT), make_idea(make_member(), **TENT_AGAIN)


def listed(call, member) -> set[tuple[int, int]]:
    response = call("GET", "/api/duplicates", as_member=member)
    assert response.status_code == 200, response.content
    return {(row["idea_id"], row["other"]["id"]) for row in response.json()}


def test_staff_get_each_pair_with_why_it_was_paired(call, pair, make_idea, make_member, moderator):
    tent, again = pair
    make_idea(make_member(), **BOOTS)
    rows = call("GET", "/api/duplicates", as_member=moderator).json()
    by_pair = {(row["idea_id"], row["other"]["id"]): row for row in rows}
    assert set(by_pair) == {(tent.pk, again.pk), (again.pk, tent.pk)}
    other = by_pair[(tent.pk, again.pk)]["other"]
    assert by_pair[(tent.pk, again.pk)]["title"] == TENT["title"]
    assert 0 < other["score"] <= 1
    assert other["meaning"] is None  # the test settings compare words only
    assert {"poles", "spring", "stands", "tent"} <= set(other["shared_words"])


def test_a_dismissed_pair_never_comes_back_and_saying_it_twice_changes_nothing(call, pair, reviewer, moderator):
    tent, again = pair
    response = call(
        "POST", "/api/duplicates/dismissals", {"idea_id": again.pk, "other_id": tent.pk}, as_member=reviewer
    )
    assert response.status_code == 200, response.content
    assert response.json()["idea_id"] == min(tent.pk, again.pk)
    assert response.json()["other_id"] == max(tent.pk, again.pk)
    assert listed(call, moderator) == set()  # both ways round
    again_response = call(
        "POST", "/api/duplicates/dismissals", {"idea_id": tent.pk, "other_id": again.pk}, as_member=reviewer
    )
    assert again_response.status_code == 200
    assert again_response.json()["dismissed_at"] == response.json()["dismissed_at"]
    assert DismissedDuplicate.objects.count() == 1
    assert Event.objects.filter(verb="idea.duplicate_dismissed").count() == 1


@pytest.mark.parametrize(
    ("who", "status", "code"),
    [("member", 403, "forbidden"), ("moderator", 403, "forbidden"), ("nobody", 401, "not_authenticated")],
)
def test_only_those_who_may_merge_dismiss_and_a_refusal_changes_nothing(
    call, pair, unchanged, make_member, moderator, who, status, code
):
    tent, again = pair
    actor = {"member": make_member(), "moderator": moderator, "nobody": None}[who]
    with unchanged():
        response = call(
            "POST", "/api/duplicates/dismissals", {"idea_id": tent.pk, "other_id": again.pk}, as_member=actor
        )
    error(response, status, code)


def test_one_idea_twice_is_refused(call, pair, unchanged, reviewer):
    tent, _ = pair
    with unchanged():
        body = error(
            call("POST", "/api/duplicates/dismissals", {"idea_id": tent.pk, "other_id": tent.pk}, as_member=reviewer),
            400,
            "invalid",
        )
    assert body["fields"] == {"other_id": ["same"]}


def test_members_do_not_get_the_list(call, pair, make_member):
    error(call("GET", "/api/duplicates", as_member=make_member()), 403, "forbidden")
