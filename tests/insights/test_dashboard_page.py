"""The dashboard page refuses filters that do not hold with their messages, and starts nothing."""

from __future__ import annotations

from django.contrib.messages import get_messages

from prosumo.insights.models import InsightRun


def shown(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_posted_filters_that_do_not_hold_are_refused_with_their_messages(admin, login):
    # when
    response = login(admin).post("/staff/insights/", {"segment": "Nobody", "since": "2026-13-01"})
    # then
    assert (response.status_code, response.url) == (302, "/staff/insights/?segment=Nobody&since=2026-13-01")
    assert shown(response) == ["The filters are not valid. No such segment. Give a date as YYYY-MM-DD."]
    assert not InsightRun.objects.exists()


def test_filters_in_the_address_that_do_not_hold_fall_back_to_all_data(admin, login):
    response = login(admin).get("/staff/insights/", {"segment": "Nobody"})
    assert response.status_code == 200
    assert shown(response) == ["The filters are not valid."]
    assert response.context["run"] is None


def test_the_dashboards_do_not_exist_for_members(member, login):
    client = login(member)
    assert [client.get(path).status_code for path in ("/staff/insights/", "/staff/insights/1/overview/")] == [404, 404]
