"""The staff API for members and segments: list, search, and who is in which segment."""

from __future__ import annotations

from prosumo.activity.models import Event
from prosumo.community.models import Segment
from tests.api.conftest import error


def test_staff_search_members_by_name_or_address_and_by_segment(call, make_member, moderator):
    # given
    gold = Segment.objects.create(name="Gold", slug="gold")
    ana = make_member(display_name="Ana Campista")
    make_member(display_name="Bruno")
    ana.segment = gold
    ana.save(update_fields=["segment"])
    # when
    by_name = call("GET", "/api/members?q=campista", as_member=moderator)
    by_address = call("GET", f"/api/members?q={ana.email.upper()}", as_member=moderator)
    by_segment = call("GET", f"/api/members?segment_id={gold.pk}", as_member=moderator)
    one = call("GET", f"/api/members/{ana.pk}", as_member=moderator)
    segments = call("GET", "/api/segments", as_member=moderator)
    # then
    assert by_name.status_code == 200
    assert [m["id"] for m in by_name.json()["items"]] == [ana.pk]
    assert by_name.json()["count"] == 1
    assert [m["id"] for m in by_address.json()["items"]] == [ana.pk]
    assert [m["id"] for m in by_segment.json()["items"]] == [ana.pk]
    assert one.json()["email"] == ana.email
    assert one.json()["segment_id"] == gold.pk
    assert segments.json() == [{"id": gold.pk, "name": "Gold", "slug": "gold", "description": "", "member_count": 1}]


def test_members_are_paged(call, make_member, admin):
    for _ in range(4):
        make_member()
    first = call("GET", "/api/members?per_page=2&role=member", as_member=admin).json()
    past = call("GET", "/api/members?per_page=2&page=3&role=member", as_member=admin)
    assert (first["count"], first["pages"], len(first["items"])) == (4, 2, 2)
    assert error(past, 404, "not_found")["fields"] == {"page": ["1 to 2"]}


def test_a_member_may_not_list_members(call, member):
    error(call("GET", "/api/members", as_member=member), 403, "forbidden")
    error(call("GET", f"/api/members/{member.pk}", as_member=member), 403, "forbidden")
    error(call("GET", "/api/segments", as_member=member), 403, "forbidden")


def test_an_unknown_role_or_segment_is_named(call, admin):
    error(call("GET", "/api/members?role=boss", as_member=admin), 400, "invalid")
    body = error(call("GET", "/api/members?segment_id=999", as_member=admin), 400, "invalid")
    assert body["fields"] == {"segment_id": ["unknown"]}


def test_an_admin_moves_a_member_between_segments(call, admin, member):
    # given
    gold = Segment.objects.create(name="Gold", slug="gold")
    # when
    moved = call("PUT", f"/api/members/{member.pk}/segment", {"segment_id": gold.pk}, as_member=admin)
    again = call("PUT", f"/api/members/{member.pk}/segment", {"segment_id": gold.pk}, as_member=admin)
    out = call("PUT", f"/api/members/{member.pk}/segment", {"segment_id": None}, as_member=admin)
    # then
    assert moved.status_code == 200
    assert moved.json()["segment_id"] == gold.pk
    assert again.status_code == 200
    assert out.json()["segment_id"] is None
    events = Event.objects.filter(verb="member.segment_changed", object_id=member.pk).order_by("id")
    assert [e.details for e in events] == [{"from": None, "to": gold.pk}, {"from": gold.pk, "to": None}]


def test_only_an_admin_changes_segments_and_a_bad_one_changes_nothing(call, moderator, admin, member, unchanged):
    gold = Segment.objects.create(name="Gold", slug="gold")
    with unchanged():
        refused = call("PUT", f"/api/members/{member.pk}/segment", {"segment_id": gold.pk}, as_member=moderator)
        unknown = call("PUT", f"/api/members/{member.pk}/segment", {"segment_id": 999}, as_member=admin)
        nobody = call("PUT", "/api/members/999999/segment", {"segment_id": gold.pk}, as_member=admin)
    error(refused, 403, "forbidden")
    assert error(unknown, 400, "invalid")["fields"] == {"segment_id": ["unknown"]}
    error(nobody, 404, "not_found")
