"""Contribution terms: a member accepts the current version before contributing; each idea keeps its version and licence."""

from __future__ import annotations

import pytest

from prosumo.activity.models import Event
from prosumo.community.models import TermsAcceptance
from prosumo.community.terms import terms_accept, terms_publish
from prosumo.core.errors import InvalidInput, NotFound, PermissionDenied
from prosumo.ideas.models import Idea
from prosumo.ideas.services import campaign_update, idea_submit

TEXT = "You keep the credit for your idea. The licence you choose says what the company may do with it."


def _submit(member, campaign, **terms):
    return idea_submit(
        actor=member, campaign_id=campaign.pk, title="A lantern that charges by day", body="Solar cells " * 4, **terms
    )


def test_without_published_terms_ideas_need_neither(member, campaign):
    idea = _submit(member, campaign)
    assert (idea.terms_version, idea.licence) == (None, "")


def test_a_member_must_accept_the_current_terms_and_choose_a_licence(member, campaign, admin):
    # given published terms
    version = terms_publish(actor=admin, text=TEXT)
    assert (version.number, Event.objects.filter(verb="terms.published", value=1).count()) == (1, 1)
    # when a member submits without accepting or choosing
    with pytest.raises(InvalidInput) as refused:
        _submit(member, campaign)
    # then both are asked for, and nothing was written
    assert refused.value.fields == {
        "accept_terms": ["Read and accept the contribution terms (version 1) to contribute."],
        "licence": [
            "Choose the licence you give your idea under: Assign the rights to the company, "
            "Exclusive licence to the company, Non-exclusive licence to the company."
        ],
    }
    assert (Idea.objects.count(), TermsAcceptance.objects.count()) == (0, 0)
    # when they accept version 1 with the idea
    idea = _submit(member, campaign, accept_terms=1, licence="non_exclusive")
    # then the idea records it, and so does the acceptance and the events
    assert (idea.terms_version_id, idea.licence) == (version.pk, "non_exclusive")
    assert list(TermsAcceptance.objects.values_list("member_id", "version__number")) == [(member.pk, 1)]
    assert Event.objects.get(verb="idea.submitted").details == {
        "stage": "open",
        "language": "en",
        "tags": [],
        "terms_version": 1,
        "licence": "non_exclusive",
    }
    assert Event.objects.filter(verb="terms.accepted", actor_id=member.pk, value=1).count() == 1
    # and the next idea needs only a licence
    assert _submit(member, campaign, licence="assignment").terms_version_id == version.pk
    assert TermsAcceptance.objects.count() == 1


def test_a_new_version_asks_again_and_leaves_past_ideas_as_they_were(member, campaign, admin):
    terms_publish(actor=admin, text=TEXT)
    first = _submit(member, campaign, accept_terms=1, licence="exclusive")
    second_version = terms_publish(actor=admin, text=TEXT + " Version two.")
    # accepting the version they read earlier is not enough
    with pytest.raises(InvalidInput) as refused:
        _submit(member, campaign, accept_terms=1, licence="exclusive")
    assert refused.value.fields == {
        "accept_terms": ["The terms changed since you read them: read and accept version 2."]
    }
    assert Idea.objects.count() == 1
    # accepting version 2 works, and the first idea still carries version 1
    later = _submit(member, campaign, accept_terms=2, licence="exclusive")
    assert later.terms_version_id == second_version.pk
    first.refresh_from_db()
    assert (first.terms_version.number, first.licence) == (1, "exclusive")


def test_creative_commons_only_where_the_campaign_allows_it(member, campaign, admin):
    terms_publish(actor=admin, text=TEXT)
    with pytest.raises(InvalidInput) as refused:
        _submit(member, campaign, accept_terms=1, licence="cc_by_4_0")
    assert list(refused.value.fields) == ["licence"]
    assert refused.value.fields["licence"][0].startswith("This campaign takes ideas under one of: Assign the rights")
    campaign_update(actor=admin, campaign=campaign, allowed_licences=["cc_by_4_0", "non_exclusive"])
    assert _submit(member, campaign, accept_terms=1, licence="cc_by_4_0").licence == "cc_by_4_0"
    with pytest.raises(InvalidInput) as bad:
        campaign_update(actor=admin, campaign=campaign, allowed_licences=["everything"])
    assert list(bad.value.fields) == ["allowed_licences"]
    campaign.refresh_from_db()
    assert campaign.allowed_licences == ["cc_by_4_0", "non_exclusive"]


def test_only_admins_publish_and_members_accept_only_the_current_version(member, moderator, admin):
    with pytest.raises(PermissionDenied):
        terms_publish(actor=moderator, text=TEXT)
    with pytest.raises(InvalidInput):
        terms_publish(actor=admin, text="   ")
    first = terms_publish(actor=admin, text=TEXT)
    terms_publish(actor=admin, text=TEXT + " Two.")
    with pytest.raises(NotFound):
        terms_accept(actor=member, version_id=first.pk)
    assert TermsAcceptance.objects.count() == 0
