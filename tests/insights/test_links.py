"""The Insights tables name members and link to their profiles, and link each channel to its spend."""

from __future__ import annotations

from django.utils import timezone

from prosumo.insights.models import InsightRun


def run_with(sections: list[dict]) -> InsightRun:
    now = timezone.now()
    return InsightRun.objects.create(
        filter_key="all",
        status=InsightRun.Status.DONE,
        started_at=now,
        finished_at=now,
        result={"sections": sections},
    )


def section(key: str, tables: dict) -> dict:
    return {"key": key, "title": key, "headline": {}, "tables": tables, "charts": [], "notes": []}


def test_lead_users_are_named_and_link_to_their_profiles(make_member, admin, login):
    # given: a ranking that names two members, and one id no member has any more
    ana, luis = make_member(display_name="Ana López"), make_member(display_name="Luis Gil")
    gone = luis.pk + 1000
    rows = [{"rank": i + 1, "member_id": pk, "score": 0.5} for i, pk in enumerate((ana.pk, luis.pk, gone))]
    run = run_with([section("innovation", {"ranking": rows})])
    # when
    page = login(admin).get(f"/staff/insights/{run.pk}/innovation/").content.decode()
    # then
    assert f'<td><a href="/members/{ana.pk}/">Ana López</a></td>' in page
    assert f'<td><a href="/members/{luis.pk}/">Luis Gil</a></td>' in page
    assert f"<td>{gone}</td>" in page
    assert "member_id" not in page
    assert '<div class="card scroll-x"><table class="data small">' in page


def test_a_channel_links_to_its_spend_with_the_channel_filled_in(admin, login):
    # given
    run = run_with([section("channels", {"channels": [{"channel": "e-mail & ads", "reach": 30, "spend": 58.47}]})])
    client = login(admin)
    # when
    page = client.get(f"/staff/insights/{run.pk}/channels/").content.decode()
    spend = client.get("/staff/spend/?channel=e-mail+%26+ads").content.decode()
    # then
    assert '<td><a href="/staff/spend/?channel=e-mail%20%26%20ads">e-mail &amp; ads</a></td>' in page
    assert "<td>€58.47</td>" in page
    assert 'name="channel" value="e-mail &amp; ads"' in spend


def test_members_cannot_open_the_page_that_names_them(make_member, login):
    # given
    ana = make_member(display_name="Ana López")
    run = run_with([section("innovation", {"ranking": [{"rank": 1, "member_id": ana.pk, "score": 0.5}]})])
    # when
    response = login(ana).get(f"/staff/insights/{run.pk}/innovation/")
    # then
    assert response.status_code == 404
    assert "Ana López" not in response.content.decode()


def test_the_invitation_ranking_links_to_the_invite_page_with_its_members_ticked(make_member, admin, login):
    # given: the ranking of a run for campaign 5 names two members
    ana, luis = make_member(display_name="Ana López"), make_member(display_name="Luis Gil")
    rows = [
        {"rank": i + 1, "member_id": pk, "probability": 0.5, "reason": "visits"}
        for i, pk in enumerate((ana.pk, luis.pk))
    ]
    run = run_with(
        [section("propensity", {"invite": rows, "coefficients": [{"feature": "visits", "coefficient": 1.0}]})]
    )
    run.filters = {"campaign": "5"}
    run.save(update_fields=["filters"])
    client = login(admin)
    # when
    page = client.get(f"/staff/insights/{run.pk}/propensity/").content.decode()
    # then: one link, on the ranking only, that opens the invite page with both members ticked
    link = f"/staff/invite/?member={ana.pk}&amp;member={luis.pk}&amp;campaign=5"
    assert page.count("Invite these members") == 1
    assert f'<a class="btn" href="{link}">Invite these members</a>' in page
    invite = client.get(link.replace("&amp;", "&")).content.decode()
    assert ("Ana López" in invite, "Luis Gil" in invite, invite.count("checked")) == (True, True, 2)
