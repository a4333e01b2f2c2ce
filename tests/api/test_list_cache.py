from __future__ import annotations

from django.test import Client

from prosumo.ideas.services import vote_cast


def test_anonymous_list_may_be_seconds_old_but_members_see_fresh_counts(idea, make_member, login, settings):
    settings.PROSUMO_ANONYMOUS_CACHE_SECONDS = 60
    url = f"/api/campaigns/{idea.campaign.slug}/ideas?order=new"
    visitor = Client()
    assert visitor.get(url).json()["items"][0]["support_count"] == 0
    vote_cast(actor=make_member(), idea_id=idea.pk)
    assert visitor.get(url).json()["items"][0]["support_count"] == 0  # served from the cache
    assert login(make_member()).get(url).json()["items"][0]["support_count"] == 1
    settings.PROSUMO_ANONYMOUS_CACHE_SECONDS = 0
    assert visitor.get(url).json()["items"][0]["support_count"] == 1
