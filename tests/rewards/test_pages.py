"""The rewards pages: a member's points and leaderboard choice, leaderboards, staff's rules and improvements."""

from __future__ import annotations

import pytest

from prosumo.ideas.services import comment_post, stage_change
from prosumo.rewards.models import ImprovementMark, LeaderboardChoice, Posting, RuleVersion, Trigger


@pytest.fixture
def scored(set_rule, make_idea, make_member, admin):
    """Three members with 30, 20 and 10 points in the default campaign."""
    set_rule(Trigger.IDEA_SUBMITTED, 10)
    members = [make_member(display_name=name) for name in ("Ana", "Bo", "Cy")]
    for count, who in zip((3, 2, 1), members, strict=True):
        for n in range(count):
            make_idea(who, title=f"{who.display_name}'s tent idea number {n}")
    return members


@pytest.mark.django_db
def test_my_points_page_shows_the_balance_level_badges_and_history(scored, login):
    ana = scored[0]
    page = login(ana).get("/rewards/").content.decode()
    assert "You have 30 points." in page
    assert "Level 1: Newcomer" in page
    assert 'id="badge-first_idea"' in page
    assert page.count("+10</td>") == 3


@pytest.mark.django_db
def test_the_leaderboard_ranks_by_points_earned_and_leaves_out_who_opted_out(scored, login, client):
    bo = scored[1]
    page = client.get("/rewards/leaderboard/").content.decode()
    assert page.index(">Ana<") < page.index(">Bo<") < page.index(">Cy<")
    # when Bo leaves the leaderboards on their points page
    response = login(bo).post("/rewards/leaderboard/choice/", {"hidden": "1"})
    assert response.status_code == 302
    assert LeaderboardChoice.objects.get(member=bo).hidden is True
    page = client.get("/rewards/leaderboard/").content.decode()
    assert ">Bo<" not in page
    assert ">Ana<" in page
    assert ">Cy<" in page
    # and comes back
    login(bo).post("/rewards/leaderboard/choice/", {"hidden": "0"})
    assert ">Bo<" in client.get("/rewards/leaderboard/").content.decode()


@pytest.mark.django_db
def test_a_campaign_leaderboard_counts_only_that_campaign(scored, make_campaign, make_idea, client, campaign):
    cy = scored[2]
    other = make_campaign(title="Other campaign")
    for n in range(5):
        make_idea(cy, in_campaign=other, title=f"Cy's other tent idea number {n}")
    first = client.get(f"/rewards/leaderboard/{campaign.pk}/").content.decode()
    assert first.index(">Ana<") < first.index(">Cy<")
    second = client.get(f"/rewards/leaderboard/{other.pk}/").content.decode()
    assert ">Cy<" in second
    assert ">Ana<" not in second
    overall = client.get("/rewards/leaderboard/").content.decode()
    assert overall.index(">Cy<") < overall.index(">Ana<")  # 60 points against 30


@pytest.mark.django_db
def test_a_campaign_leaderboard_the_visitor_cannot_see_is_not_found(client, make_campaign):
    hidden = make_campaign(title="Staff only", is_published=False)
    assert client.get(f"/rewards/leaderboard/{hidden.pk}/").status_code == 404


@pytest.mark.django_db
def test_the_profile_shows_level_and_badges(scored, client):
    page = client.get(f"/members/{scored[0].pk}/").content.decode()
    assert 'id="rewards-summary"' in page
    assert "30 points earned" in page
    assert 'id="badge-first_idea"' in page


@pytest.mark.django_db
def test_an_admin_sets_a_campaign_rule_on_the_staff_page(login, admin, campaign):
    client = login(admin)
    assert client.get("/staff/rewards/").status_code == 200
    response = client.post(
        f"/staff/rewards/?campaign={campaign.pk}", {"trigger": "idea_accepted", "points": "40", "daily_cap": "0"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/staff/rewards/?campaign={campaign.pk}"
    version = RuleVersion.objects.get()
    assert (version.rule.campaign_id, version.rule.trigger, version.points, version.created_by_id) == (
        campaign.pk,
        "idea_accepted",
        40,
        admin.pk,
    )
    page = client.get(f"/staff/rewards/?campaign={campaign.pk}").content.decode()
    assert 'id="rule-idea_accepted"><td>Idea accepted</td><td>40</td>' in page


@pytest.mark.django_db
def test_a_bad_rule_on_the_staff_page_shows_beside_its_field_and_saves_nothing(login, admin):
    response = login(admin).post("/staff/rewards/", {"trigger": "idea_accepted", "points": "-3", "daily_cap": "0"})
    assert response.status_code == 400
    assert "Ensure this value is greater than or equal to 0." in response.content.decode()
    assert not RuleVersion.objects.exists()


@pytest.mark.django_db
def test_the_rules_page_is_for_admins(login, make_member):
    assert login(make_member()).get("/staff/rewards/").status_code == 404
    assert login(make_member("moderator")).get("/staff/rewards/").status_code == 403
    response = login(make_member("reviewer")).post("/staff/rewards/", {"trigger": "idea_accepted", "points": "5"})
    assert response.status_code == 403
    assert not RuleVersion.objects.exists()


@pytest.mark.django_db
def test_a_moderator_marks_a_comment_as_an_improvement_from_the_staff_page(
    login, moderator, idea, make_member, set_rule, after_commit
):
    set_rule(Trigger.COMMENT_IMPROVED, 5)
    commenter = make_member()
    comment = comment_post(actor=commenter, idea_id=idea.pk, body="Use shorter poles.", builds_on=True)
    client = login(moderator)
    page = client.get("/staff/rewards/improvements/").content.decode()
    assert f'id="comment-{comment.pk}"' in page
    with after_commit():
        response = client.post(f"/staff/rewards/improvements/{comment.pk}/")
    assert response.status_code == 302
    assert ImprovementMark.objects.get().comment_id == comment.pk
    assert list(Posting.objects.values_list("member_id", "points")) == [(commenter.pk, 5)]


@pytest.mark.django_db
def test_a_member_cannot_mark_an_improvement(login, idea, member, make_member):
    comment = comment_post(actor=member, idea_id=idea.pk, body="Use shorter poles.", builds_on=True)
    assert login(make_member()).post(f"/staff/rewards/improvements/{comment.pk}/").status_code == 404
    assert not ImprovementMark.objects.exists()


@pytest.mark.django_db
def test_badges_follow_the_ideas_stages(make_idea, member, admin, client):
    idea = make_idea(member)
    for stage in ("under_review", "accepted", "in_development", "launched"):
        stage_change(actor=admin, idea_id=idea.pk, to_stage=stage, message="Moving it along for everyone.")
    page = client.get(f"/members/{member.pk}/").content.decode()
    assert 'id="badge-accepted"' in page
    assert 'id="badge-launched"' in page
    assert 'id="badge-ten_ideas"' not in page


@pytest.mark.django_db
def test_a_member_leaves_the_leaderboards_from_the_settings_page(login, member):
    client = login(member)
    page = client.get("/me/").content.decode()
    assert 'id="leaderboard-choice"' in page
    assert '<input type="hidden" name="next" value="settings">' in page
    response = client.post("/rewards/leaderboard/choice/", {"hidden": "1", "next": "settings"})
    assert response.status_code == 302
    assert response["Location"] == "/me/"
    assert LeaderboardChoice.objects.get(member=member).hidden is True
    assert "Show me on the leaderboards" in client.get("/me/").content.decode()
