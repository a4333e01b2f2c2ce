from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    "path",
    [
        "/admin/",
        "/admin/ideas/campaign/",
        "/admin/ideas/campaign/add/",
        "/admin/ideas/idea/",
        "/admin/community/member/",
        "/admin/activity/event/",
        "/admin/ideas/declinereason/",
        "/admin/community/customerrecord/",
    ],
)
def test_admin_pages_open_for_admins(idea, admin, login, path):
    assert login(admin).get(path).status_code == 200


def test_admin_idea_page_shows_stage_history(idea, admin, reviewer, login):
    from prosumo.ideas.services import stage_change

    stage_change(actor=reviewer, idea_id=idea.pk, to_stage="under_review", message="Reviewing this now.")
    page = login(admin).get(f"/admin/ideas/idea/{idea.pk}/change/").content.decode()
    assert "Reviewing this now." in page


def test_members_cannot_open_the_admin(member, login):
    response = login(member).get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
