"""Every app's main pages open in the site's frame, for a visitor, a member and staff.

Each app's own page behaviour is tested in its own folder (tests/ideas/test_pages.py,
tests/community/...); these walk across them, as a visitor would.
"""

from __future__ import annotations

from django.test import Client


def test_public_pages_render_for_visitors(busy_idea):
    client = Client()
    for url in [
        "/",
        "/campaigns/",
        f"/c/{busy_idea.campaign.slug}/",
        f"/ideas/{busy_idea.pk}/",
        f"/ideas/{busy_idea.pk}/revisions/",
        f"/members/{busy_idea.author_id}/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
    page = client.get(f"/ideas/{busy_idea.pk}/").content.decode()
    assert "Our team is reviewing this idea." in page
    assert "<strong>kids</strong>" in page


def test_staff_pages(busy_idea, login, admin, member):
    staff = login(admin)
    for url in ["/staff/queue/", "/staff/duplicates/", "/staff/moderation/", "/staff/import/"]:
        assert staff.get(url).status_code == 200, url
    assert login(member).get("/staff/queue/").status_code == 404


def test_member_pages(busy_idea, login):
    client = login(busy_idea.author)
    for url in ["/me/", "/notifications/", f"/c/{busy_idea.campaign.slug}/submit/", f"/ideas/{busy_idea.pk}/revise/"]:
        assert client.get(url).status_code == 200, url
    assert "is now: Under review" in client.get("/notifications/").content.decode()
