"""Creating and changing campaigns through the service: what it keeps and what it refuses."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from prosumo.core.errors import InvalidInput
from prosumo.ideas.models import Campaign
from prosumo.ideas.services import campaign_create, campaign_update


def test_a_campaign_may_name_its_own_address(admin: Any) -> None:
    first = campaign_create(actor=admin, title="Better tents", brief="Ideas for tents.", slug="Tents 2027")
    second = campaign_create(actor=admin, title="Better tents", brief="Ideas for tents.", slug="tents-2027")
    assert (first.slug, second.slug) == ("tents-2027", "tents-2027-2")


def test_a_new_start_or_end_is_checked_against_what_the_campaign_keeps(admin: Any, make_campaign: Any) -> None:
    # given a campaign running from now for 30 days
    now = timezone.now()
    campaign = make_campaign(starts_at=now, ends_at=now + timedelta(days=30))
    # when only its start moves past its stored end, or only its end before its stored start
    for change in ({"starts_at": now + timedelta(days=31)}, {"ends_at": now - timedelta(days=1)}):
        with pytest.raises(InvalidInput) as refused:
            campaign_update(actor=admin, campaign=Campaign.objects.get(pk=campaign.pk), **change)
        # then it is refused, naming the end, and nothing changed
        assert "ends_at" in refused.value.fields
        stored = Campaign.objects.get(pk=campaign.pk)
        assert (stored.starts_at, stored.ends_at) == (campaign.starts_at, campaign.ends_at)


def test_a_segment_campaign_keeps_its_segment_when_only_visibility_is_sent(admin: Any, make_campaign: Any) -> None:
    from prosumo.community.models import Segment

    gold = Segment.objects.create(name="gold")
    campaign = make_campaign(visibility="segment", segment_id=gold.pk)
    campaign_update(actor=admin, campaign=campaign, visibility="segment")
    assert Campaign.objects.get(pk=campaign.pk).segment_id == gold.pk
    with pytest.raises(InvalidInput):
        campaign_update(actor=admin, campaign=make_campaign(), visibility="segment")
