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


def test_compute_now_says_so_in_the_readers_language(make_member, login):
    # given: an admin reading English and one reading Spanish
    english, spanish = login(make_member("admin")), login(make_member("admin", locale="es"))
    # when: each presses "Compute now" (the run is queued, not computed here)
    en, es = english.post("/staff/insights/", {}), spanish.post("/staff/insights/", {})
    # then
    assert shown(en) == ["The analytics are being computed; this page shows them when ready."]
    assert shown(es) == ["Se están calculando los análisis; esta página los mostrará cuando estén listos."]


def test_filters_that_do_not_hold_are_refused_in_spanish(make_member, login):
    response = login(make_member("admin", locale="es")).post("/staff/insights/", {"segment": "Nobody"})
    assert shown(response) == ["Los filtros no son válidos. No existe ese segmento."]
