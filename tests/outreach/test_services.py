"""Briefs and messages through the services: terms, history, credit, votes, shortlist, the proof log."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from prosumo.activity.models import Event
from prosumo.community.models import Licence, Segment
from prosumo.community.terms import terms_publish
from prosumo.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from prosumo.outreach import selectors, services
from prosumo.outreach.models import Message, MessageBrief, MessageRevision, MessageVote
from prosumo.provenance.models import LogEntry
from prosumo.provenance.selectors import log_audit

TEXT = "Sleep under the stars, dry."


def _counts() -> tuple[int, ...]:
    return (
        MessageBrief.objects.count(),
        Message.objects.count(),
        MessageRevision.objects.count(),
        MessageVote.objects.count(),
        Event.objects.filter(verb__startswith="message.").count(),
    )


@pytest.mark.django_db
def test_a_brief_opens_with_its_event(admin):
    segment = Segment.objects.create(name="Gold", slug="gold")
    deadline = timezone.now() + timedelta(days=3)
    brief = services.brief_open(
        actor=admin,
        title=" Spring ",
        product="Tent",
        deadline=deadline,
        channels=["email", "email", "push"],
        languages=["es"],
        segment_id=segment.pk,
    )
    assert (brief.title, brief.channels, brief.languages, brief.segment_id) == (
        "Spring",
        ["email", "push"],
        ["es"],
        segment.pk,
    )
    event = Event.objects.get(verb="message.brief_opened")
    assert (event.actor_id, event.object_type, event.object_id) == (admin.pk, "brief", brief.pk)


@pytest.mark.django_db
def test_a_bad_brief_is_refused_with_every_problem_and_nothing_changes(admin, member):
    before = _counts()
    with pytest.raises(InvalidInput) as caught:
        services.brief_open(
            actor=admin,
            title="",
            product="",
            deadline=timezone.now() - timedelta(days=1),
            channels=["fax"],
            languages=["fr"],
            segment_id=999_999,
            length_min=50,
            length_max=10,
        )
    assert sorted(caught.value.fields) == [
        "channels",
        "deadline",
        "languages",
        "length_max",
        "product",
        "segment_id",
        "title",
    ]
    assert caught.value.fields["segment_id"] == ["No such segment."]
    with pytest.raises(PermissionDenied):
        services.brief_open(
            actor=member,
            title="T",
            product="P",
            deadline=timezone.now() + timedelta(days=1),
            channels=["email"],
            languages=["en"],
        )
    assert _counts() == before


@pytest.mark.django_db
def test_a_member_proposes_under_the_terms_and_the_proof_log_keeps_it(
    brief, member, admin, django_capture_on_commit_callbacks
):
    terms_publish(actor=admin, text="The terms.")
    before = _counts()
    with pytest.raises(InvalidInput) as caught:
        services.message_propose(actor=member, brief_id=brief.pk, text=TEXT)
    assert caught.value.fields == {
        "accept_terms": ["Read and accept the contribution terms (version 1) to contribute."],
        "licence": [
            "Choose the licence you give your message under: {}.".format(", ".join(str(v.label) for v in Licence))
        ],
    }
    assert _counts() == before
    with django_capture_on_commit_callbacks(execute=True):
        message = services.message_propose(
            actor=member, brief_id=brief.pk, text=TEXT, licence="assignment", accept_terms=1
        )
    assert (message.terms_version.number, message.licence, message.company, message.language) == (
        1,
        "assignment",
        False,
        "en",
    )
    [revision] = message.revisions.all()
    [entry] = LogEntry.objects.all()
    assert (entry.kind, entry.object_id, entry.author_id, entry.idea_id) == ("message", revision.pk, member.pk, None)
    assert (entry.subject_kind, entry.subject_id, entry.fields()["message"]) == ("message", message.pk, message.pk)
    assert "idea" not in entry.fields()
    audit = log_audit()
    assert (audit.entries, audit.problems) == (1, [])
    event = Event.objects.get(verb="message.proposed")
    assert event.details == {
        "brief": brief.pk,
        "revision": revision.pk,
        "company": False,
        "language": "en",
        "terms_version": 1,
        "licence": "assignment",
    }


@pytest.mark.django_db
def test_an_over_long_message_or_a_foreign_language_is_refused_and_nothing_changes(brief, member):
    before = _counts()
    with pytest.raises(InvalidInput) as caught:
        services.message_propose(actor=member, brief_id=brief.pk, text="x" * 121, language="fr")
    assert caught.value.fields == {
        "text": ["This brief takes messages of 10 to 120 characters; this one has 121."],
        "language": ["This brief asks for messages in: en, es."],
    }
    assert _counts() == before


@pytest.mark.django_db
def test_members_improve_a_draft_and_the_history_keeps_each_change(brief, member, make_member):
    other = make_member()
    message = services.message_propose(actor=member, brief_id=brief.pk, text=TEXT)
    services.message_revise(
        actor=other, message_id=message.pk, text="Sleep under the stars, warm and dry.", note="warmth"
    )
    view = selectors.message_read(Message.objects.get(pk=message.pk), member)
    assert [(r.revision.number, r.revision.author_id) for r in view.revisions] == [(1, member.pk), (2, other.pk)]
    assert view.revisions[1].diff == [
        ("same", "Sleep under the stars,"),
        ("added", "warm and"),
        ("same", "dry."),
    ]
    with pytest.raises(InvalidInput) as caught:
        services.message_revise(actor=other, message_id=message.pk, text="Sleep under the stars, warm and dry.")
    assert caught.value.code == "unchanged"


@pytest.mark.django_db
def test_coauthors_get_shares_and_the_author_keeps_the_rest(brief, member, make_member):
    first, second = make_member(), make_member()
    message = services.message_propose(actor=member, brief_id=brief.pk, text=TEXT)
    services.message_coauthor_add(actor=member, message_id=message.pk, member_id=first.pk, share="30")
    with pytest.raises(InvalidInput) as caught:
        services.message_coauthor_add(actor=member, message_id=message.pk, member_id=second.pk, share=Decimal(70))
    assert caught.value.fields == {"share": ["too_large"]}
    with pytest.raises(PermissionDenied):
        services.message_coauthor_add(actor=first, message_id=message.pk, member_id=second.pk, share=10)
    with pytest.raises(Conflict):
        services.message_coauthor_add(actor=member, message_id=message.pk, member_id=first.pk, share=10)
    assert selectors.credit_of(message) == {member.pk: 70.0, first.pk: 30.0}


@pytest.mark.django_db
def test_votes_count_once_and_not_for_ones_own_message(brief, member, make_member):
    voter = make_member()
    message = services.message_propose(actor=member, brief_id=brief.pk, text=TEXT)
    assert services.message_vote(actor=voter, message_id=message.pk) is True
    assert services.message_vote(actor=voter, message_id=message.pk) is False
    with pytest.raises(InvalidInput) as caught:
        services.message_vote(actor=member, message_id=message.pk)
    assert caught.value.code == "own_message"
    message.refresh_from_db()
    assert message.vote_count == 1
    assert services.message_vote(actor=voter, message_id=message.pk, vote=False) is True
    message.refresh_from_db()
    assert message.vote_count == 0
    assert list(
        Event.objects.filter(verb__in=["message.voted", "message.unvoted"])
        .values_list("verb", flat=True)
        .order_by("pk")
    ) == [
        "message.voted",
        "message.unvoted",
    ]


@pytest.mark.django_db
def test_staff_shortlist_and_edit_keeping_history_and_credit(brief, member, make_member, admin):
    other = make_member()
    message = services.message_propose(actor=member, brief_id=brief.pk, text=TEXT)
    services.message_shortlist(actor=admin, message_id=message.pk)
    with pytest.raises(PermissionDenied):
        services.message_revise(actor=other, message_id=message.pk, text="Another text entirely.")
    with pytest.raises(PermissionDenied):
        services.message_shortlist(actor=member, message_id=message.pk, shortlisted=False)
    revision = services.message_revise(actor=admin, message_id=message.pk, text="Sleep under the stars. Dry.")
    assert (revision.number, revision.by_staff) == (2, True)
    message.refresh_from_db()
    assert (message.text, message.author_id, message.shortlisted) == ("Sleep under the stars. Dry.", member.pk, True)
    assert selectors.credit_of(message) == {member.pk: 100.0}


@pytest.mark.django_db
def test_company_messages_enter_the_same_pool_marked(brief, member, admin):
    with pytest.raises(PermissionDenied):
        services.message_propose(actor=member, brief_id=brief.pk, text=TEXT, company=True)
    company = services.message_propose(actor=admin, brief_id=brief.pk, text="Our tent, your night out.", company=True)
    mine = services.message_propose(actor=member, brief_id=brief.pk, text=TEXT)
    assert [(m.pk, m.company) for m in selectors.messages_of(brief, member)] == [(company.pk, True), (mine.pk, False)]
    assert selectors.credit_of(company) == {}


@pytest.mark.django_db
def test_a_brief_for_a_segment_is_missing_to_other_members(make_brief, member, make_member):
    gold = Segment.objects.create(name="Gold", slug="gold")
    brief = make_brief(segment_id=gold.pk)
    insider = make_member()
    insider.segment = gold
    insider.save(update_fields=["segment"])
    assert [b.pk for b in selectors.brief_list(insider)] == [brief.pk]
    assert selectors.brief_list(member) == []
    with pytest.raises(NotFound):
        services.message_propose(actor=member, brief_id=brief.pk, text=TEXT)


@pytest.mark.django_db
def test_after_the_deadline_nothing_is_proposed(brief, member, time_machine):
    time_machine.move_to(brief.deadline + timedelta(seconds=1))
    before = _counts()
    with pytest.raises(InvalidInput) as caught:
        services.message_propose(actor=member, brief_id=brief.pk, text=TEXT)
    assert caught.value.code == "brief_closed"
    assert _counts() == before
