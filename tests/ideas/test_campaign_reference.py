"""One rule names a campaign: `CampaignQuerySet.named` says it, and the fast path of
`access_campaign` (a statement written once, for every list and idea page) gives the same
answer for every reference and every reader."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from prosumo.community.models import Segment
from prosumo.core.errors import NotFound
from prosumo.ideas.models import Campaign
from prosumo.ideas.permissions import access_campaign


def _by_rule(reader, reference):
    return Campaign.objects.visible_to(reader).named(reference).first()


def _by_fast_path(reader, reference):
    try:
        return access_campaign(reader, reference)
    except NotFound:
        return None


def test_the_fast_path_names_the_campaign_the_rule_names(make_campaign, admin, member, make_member):
    # given campaigns whose slugs are digits that are also other campaigns' ids, one of them for a segment
    gold = Segment.objects.create(name="Gold", slug="gold")
    first = make_campaign(title="Tents")
    second = make_campaign(title="Stoves")
    numeric = make_campaign(title="Next year", slug=str(first.pk))
    hidden = make_campaign(title="Gold preview", slug=str(second.pk), visibility="segment", segment_id=gold.pk)
    readers = [AnonymousUser(), member, make_member(segment_id=gold.pk), admin]
    references = [
        first.pk, second.pk, numeric.pk, hidden.pk,
        str(first.pk), str(second.pk), str(numeric.pk), str(hidden.pk),
        first.slug, numeric.slug, hidden.slug, "no-such-campaign", "99999999999999999999", "²",
    ]  # fmt: skip
    # then for every reader and reference both give the same campaign, or none
    for reader in readers:
        for reference in references:
            expected = _by_rule(reader, reference)
            assert _by_fast_path(reader, reference) == expected, (reader, reference)
    # and a digit slug wins over the id for those who may see it, while others reach the id
    assert _by_fast_path(member, str(first.pk)) == numeric
    assert _by_fast_path(member, str(second.pk)) == second
    assert _by_fast_path(readers[2], str(second.pk)) == hidden


@pytest.mark.parametrize("reference", ["", "-1", "1.5"])
def test_references_that_name_nothing_are_not_found(campaign, member, reference):
    assert _by_rule(member, reference) is None
    with pytest.raises(NotFound):
        access_campaign(member, reference)
