"""Messages earn points under the site's rules, through the rewards ledger, split by the message's credit."""

from __future__ import annotations

import pytest

from prosumo.outreach import services
from prosumo.rewards.models import Posting
from prosumo.rewards.selectors import balance
from prosumo.rewards.services.points import rule_set


@pytest.mark.django_db
def test_a_message_earns_its_writers_points_when_proposed_and_shortlisted(
    admin, member, make_member, brief, django_capture_on_commit_callbacks
):
    partner = make_member()
    rule_set(actor=admin, campaign_id=None, trigger="message_proposed", points=5)
    rule_set(actor=admin, campaign_id=None, trigger="message_shortlisted", points=10)
    # when a member proposes, credits a co-author with 40%, and staff shortlist it twice over
    with django_capture_on_commit_callbacks(execute=True):
        message = services.message_propose(actor=member, brief_id=brief.pk, text="Sleep under the stars, dry.")
    services.message_coauthor_add(actor=member, message_id=message.pk, member_id=partner.pk, share=40)
    with django_capture_on_commit_callbacks(execute=True):
        services.message_shortlist(actor=admin, message_id=message.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.message_shortlist(actor=admin, message_id=message.pk, shortlisted=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.message_shortlist(actor=admin, message_id=message.pk)
    # then the author has 5 for proposing and 6 of the 10, the co-author 4, once only
    assert (balance(member_id=member.pk), balance(member_id=partner.pk)) == (11, 4)
    assert sorted(Posting.objects.filter(object_type="message").values_list("member_id", "points", "reason")) == sorted(
        [
            (member.pk, 5, "message_proposed"),
            (member.pk, 6, "message_shortlisted"),
            (partner.pk, 4, "message_shortlisted"),
        ]
    )


@pytest.mark.django_db
def test_the_companys_messages_and_a_site_without_rules_earn_nothing(
    admin, member, brief, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.message_propose(actor=member, brief_id=brief.pk, text="Sleep under the stars, dry.")
    rule_set(actor=admin, campaign_id=None, trigger="message_proposed", points=5)
    with django_capture_on_commit_callbacks(execute=True):
        company = services.message_propose(
            actor=admin, brief_id=brief.pk, text="Our tent, your night out.", company=True
        )
        services.message_shortlist(actor=admin, message_id=company.pk)
    assert Posting.objects.filter(object_type="message").count() == 0
    assert (balance(member_id=member.pk), balance(member_id=admin.pk)) == (0, 0)
