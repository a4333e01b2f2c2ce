"""Amendments: a member proposes a change to someone else's idea; the author accepts, rejects or asks for changes."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from prosumo.activity.models import Event
from prosumo.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from prosumo.ideas.diff import text_diff
from prosumo.ideas.models import Amendment, CoAuthor, DeclineReason, Idea, IdeaRevision, Stage
from prosumo.ideas.services import (
    amendment_accept,
    amendment_propose,
    amendment_reject,
    amendment_request_changes,
    amendment_update,
    coauthor_invite,
    idea_revise,
    stage_change,
)
from prosumo.notifications.models import Notification

NEW_BODY = "Pre-bent poles attached to the fabric.\n\nThe tent unfolds like an umbrella, in one minute."


def _propose(idea, amender, **fields):
    fields.setdefault("title", idea.title)
    fields.setdefault("body", NEW_BODY)
    fields.setdefault("note", "Shorter, in two paragraphs")
    return amendment_propose(actor=amender, idea_id=idea.pk, **fields)


def _counts():
    return (
        Amendment.objects.count(),
        IdeaRevision.objects.count(),
        CoAuthor.objects.count(),
        Event.objects.filter(verb__startswith="idea.amendment").count(),
    )


def test_propose_keeps_the_change_and_tells_the_author(idea, member, make_member, django_capture_on_commit_callbacks):
    # given
    amender = make_member()
    # when
    with django_capture_on_commit_callbacks(execute=True):
        amendment = _propose(idea, amender, base_revision=1)
    # then
    amendment.refresh_from_db()
    assert (amendment.status, amendment.base_revision, amendment.body, amendment.note) == (
        "pending",
        1,
        NEW_BODY,
        "Shorter, in two paragraphs",
    )
    idea.refresh_from_db()
    assert (idea.revision, idea.body) == (
        1,
        "Pre-bent poles attached to the fabric so that the tent unfolds like an umbrella.",
    )
    event = Event.objects.get(verb="idea.amendment_proposed")
    assert (event.actor_id, event.target_member_id, event.object_id, event.value, event.details) == (
        amender.pk,
        member.pk,
        idea.pk,
        1,
        {"amendment": amendment.pk},
    )
    note = Notification.objects.get(recipient=member, verb="idea.amendment_proposed")
    assert note.url == f"/ideas/{idea.pk}/amendments/{amendment.pk}/"
    assert note.title == f"{amender.name} proposes a change to “{idea.title}”"


def test_accept_makes_a_revision_by_the_amender_and_a_coauthor(
    idea, member, make_member, django_capture_on_commit_callbacks
):
    # given
    amender = make_member()
    amendment = _propose(idea, amender)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        amendment_accept(actor=member, amendment_id=amendment.pk, share=10)
    # then
    idea.refresh_from_db()
    revision = IdeaRevision.objects.get(idea=idea, number=2)
    assert (idea.revision, idea.body, revision.body, revision.author_id, revision.note) == (
        2,
        NEW_BODY,
        NEW_BODY,
        amender.pk,
        "Shorter, in two paragraphs",
    )
    amendment.refresh_from_db()
    assert (amendment.status, amendment.revision_id, amendment.decided_at is not None) == (
        "accepted",
        revision.pk,
        True,
    )
    coauthor = CoAuthor.objects.get(idea=idea, member=amender)
    assert (coauthor.status, coauthor.share, coauthor.invited_by_id) == ("accepted", Decimal("10.00"), member.pk)
    assert idea.follows.filter(member=amender).exists()
    assert idea.follower_count == 2
    event = Event.objects.get(verb="idea.amendment_accepted")
    assert (event.actor_id, event.target_member_id, event.value, event.details) == (
        member.pk,
        amender.pk,
        2,
        {"amendment": amendment.pk, "share": 10.0},
    )
    told = Notification.objects.get(recipient=amender, verb="idea.amendment_accepted")
    assert told.title == f"Your change to “{idea.title}” was accepted: you are now a co-author"


def test_an_amender_who_is_a_coauthor_already_keeps_their_share(idea, member, make_member):
    # given: the amender was invited with 20% and has not answered yet
    amender = make_member()
    coauthor_invite(actor=member, idea_id=idea.pk, member_id=amender.pk, share=20)
    amendment = _propose(idea, amender)
    # when
    amendment_accept(actor=member, amendment_id=amendment.pk, share=10)
    # then: accepting the change takes the offer up, at the share offered
    coauthor = CoAuthor.objects.get(idea=idea, member=amender)
    assert (coauthor.status, coauthor.share) == ("accepted", Decimal("20.00"))
    assert Event.objects.get(verb="idea.amendment_accepted").details["share"] == 20.0


def test_reject_with_a_reason_tells_the_amender(idea, member, make_member, django_capture_on_commit_callbacks):
    # given
    amender = make_member()
    amendment = _propose(idea, amender)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        amendment_reject(actor=member, amendment_id=amendment.pk, reason="The one-minute claim is not tested yet.")
    # then
    amendment.refresh_from_db()
    assert (amendment.status, amendment.answer) == ("rejected", "The one-minute claim is not tested yet.")
    assert IdeaRevision.objects.filter(idea=idea).count() == 1
    assert not CoAuthor.objects.filter(member=amender).exists()
    told = Notification.objects.get(recipient=amender, verb="idea.amendment_rejected")
    assert (told.title, told.body) == (
        f"Your proposed change to “{idea.title}” was not taken",
        "The one-minute claim is not tested yet.",
    )


def test_asking_for_changes_lets_the_amender_update_and_then_accept(idea, member, make_member):
    # given
    amender = make_member()
    amendment = _propose(idea, amender)
    amendment_request_changes(actor=member, amendment_id=amendment.pk, message="Keep the word umbrella in the title.")
    amendment.refresh_from_db()
    assert (amendment.status, amendment.answer) == ("changes_requested", "Keep the word umbrella in the title.")
    # when
    amendment_update(
        actor=amender, amendment_id=amendment.pk, title="An umbrella tent that pitches itself", body=NEW_BODY
    )
    amendment_accept(actor=member, amendment_id=amendment.pk)
    # then
    idea.refresh_from_db()
    assert (idea.title, idea.revision) == ("An umbrella tent that pitches itself", 2)
    assert CoAuthor.objects.get(member=amender).share == Decimal("5.00")  # the default share
    verbs = list(Event.objects.filter(verb__startswith="idea.amendment").order_by("pk").values_list("verb", flat=True))
    assert verbs == [
        "idea.amendment_proposed",
        "idea.amendment_changes_requested",
        "idea.amendment_updated",
        "idea.amendment_accepted",
    ]


def test_an_amendment_out_of_date_is_refused_until_updated(idea, member, make_member):
    # given: the author revised the idea after the amendment was written
    amender = make_member()
    amendment = _propose(idea, amender)
    idea_revise(actor=member, idea_id=idea.pk, title=idea.title, body=idea.body + " Now with a carry bag.")
    before = _counts()
    # when
    with pytest.raises(Conflict) as err:
        amendment_accept(actor=member, amendment_id=amendment.pk)
    # then
    assert err.value.code == "out_of_date"
    assert "ask the amender to update it" in err.value.message
    assert _counts() == before
    idea.refresh_from_db()
    assert idea.revision == 2
    # and once the amender updates it to the new text, it can be taken
    amendment_update(actor=amender, amendment_id=amendment.pk, title=idea.title, body=NEW_BODY, base_revision=2)
    amendment_accept(actor=member, amendment_id=amendment.pk)
    idea.refresh_from_db()
    assert (idea.revision, idea.body) == (3, NEW_BODY)


def test_a_proposal_written_against_an_old_revision_is_refused(idea, member, make_member):
    amender = make_member()
    idea_revise(actor=member, idea_id=idea.pk, title=idea.title, body=idea.body + " Now with a carry bag.")
    before = _counts()
    with pytest.raises(Conflict) as err:
        _propose(idea, amender, base_revision=1)
    assert (err.value.code, err.value.fields) == ("idea_changed", {"base_revision": ["idea_changed"]})
    assert "it is at revision 2, you started from 1" in err.value.message
    assert _counts() == before


def test_one_open_amendment_per_member_and_idea(idea, make_member):
    amender = make_member()
    _propose(idea, amender)
    before = _counts()
    with pytest.raises(Conflict) as err:
        _propose(idea, amender, body=NEW_BODY + " Again.")
    assert err.value.code == "amendment_open"
    assert _counts() == before
    # another member may propose their own
    _propose(idea, make_member())
    assert Amendment.objects.filter(idea=idea).count() == 2


def test_a_rejected_amendment_leaves_room_for_a_new_one(idea, member, make_member):
    amender = make_member()
    first = _propose(idea, amender)
    amendment_reject(actor=member, amendment_id=first.pk)
    second = _propose(idea, amender, body=NEW_BODY + " Better.")
    assert second.status == "pending"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": "Hi"}, "title"),
        ({"body": "too short"}, "body"),
        ({"note": "x" * 201}, "note"),
    ],
)
def test_bad_text_is_refused(idea, make_member, fields, field):
    amender = make_member()
    before = _counts()
    with pytest.raises(InvalidInput) as err:
        _propose(idea, amender, **fields)
    assert list(err.value.fields) == [field]
    assert _counts() == before


def test_an_unchanged_text_is_refused(idea, make_member):
    before = _counts()
    with pytest.raises(InvalidInput) as err:
        _propose(idea, make_member(), body=idea.body)
    assert err.value.code == "unchanged"
    assert _counts() == before


def test_authors_and_staff_revise_instead(idea, member, admin, make_member):
    before = _counts()
    for actor in (member, admin):
        with pytest.raises(PermissionDenied) as err:
            _propose(idea, actor)
        assert err.value.code == "can_revise"
    assert _counts() == before


def test_no_amendment_in_an_ended_campaign(make_campaign, make_idea, make_member, time_machine):
    # given
    now = timezone.now()
    ending = make_campaign(starts_at=now - timedelta(days=3), ends_at=now + timedelta(days=1))
    idea = make_idea(make_member(), in_campaign=ending)
    amender = make_member()
    amendment = _propose(idea, amender)
    time_machine.move_to(now + timedelta(days=2), tick=False)
    before = _counts()
    # when / then: no new amendment, and no decision that would change the idea
    with pytest.raises(InvalidInput) as err:
        _propose(idea, make_member())
    assert err.value.code == "campaign_closed"
    with pytest.raises(InvalidInput) as err:
        amendment_accept(actor=idea.author, amendment_id=amendment.pk)
    assert err.value.code == "campaign_closed"
    assert _counts() == before


def test_no_amendment_to_a_closed_idea(idea, member, reviewer, make_member):
    reason = DeclineReason.objects.filter(is_active=True).first()
    stage_change(
        actor=reviewer,
        idea_id=idea.pk,
        to_stage=Stage.DECLINED,
        message="Out of scope for this season.",
        reason_id=reason.pk,
    )
    before = _counts()
    with pytest.raises(InvalidInput) as err:
        _propose(idea, make_member())
    assert err.value.code == "idea_closed"
    assert _counts() == before


def test_only_the_author_decides(idea, member, admin, make_member):
    amender = make_member()
    amendment = _propose(idea, amender)
    before = _counts()
    for actor in (amender, admin, make_member()):
        with pytest.raises(PermissionDenied):
            amendment_accept(actor=actor, amendment_id=amendment.pk)
    with pytest.raises(PermissionDenied):
        amendment_update(actor=member, amendment_id=amendment.pk, title=idea.title, body=NEW_BODY + " Mine.")
    assert _counts() == before
    assert Amendment.objects.get(pk=amendment.pk).status == "pending"


def test_a_decided_amendment_is_not_decided_again(idea, member, make_member):
    amender = make_member()
    amendment = _propose(idea, amender)
    amendment_accept(actor=member, amendment_id=amendment.pk)
    before = _counts()
    for decide in (
        lambda: amendment_accept(actor=member, amendment_id=amendment.pk),
        lambda: amendment_reject(actor=member, amendment_id=amendment.pk),
        lambda: amendment_update(actor=amender, amendment_id=amendment.pk, title=idea.title, body=NEW_BODY + " More."),
    ):
        with pytest.raises(Conflict) as err:
            decide()
        assert err.value.code == "amendment_decided"
    assert _counts() == before


def test_asking_for_changes_needs_a_message(idea, member, make_member):
    amendment = _propose(idea, make_member())
    before = _counts()
    with pytest.raises(InvalidInput) as err:
        amendment_request_changes(actor=member, amendment_id=amendment.pk, message="   ")
    assert err.value.fields == {"answer": ["required"]}
    assert _counts() == before


def test_a_share_the_author_cannot_give_is_refused(idea, member, make_member):
    amendment = _propose(idea, make_member())
    before = _counts()
    with pytest.raises(InvalidInput) as err:
        amendment_accept(actor=member, amendment_id=amendment.pk, share=100)
    assert err.value.fields == {"share": ["range"]}
    assert _counts() == before
    assert Idea.objects.get(pk=idea.pk).revision == 1


def test_an_amendment_to_an_idea_one_cannot_see_is_missing(make_campaign, make_idea, make_member, admin):
    # given: an invitation-only campaign the outsider is not invited to
    closed = make_campaign(visibility="invitation")
    idea = make_idea(admin, in_campaign=closed)
    with pytest.raises(NotFound):
        _propose(idea, make_member())
    assert Amendment.objects.count() == 0


def test_the_diff_keeps_line_breaks_and_escapes():
    assert str(text_diff("One line.\nTwo <b>lines</b>.", "One line.\n\nTwo lines.")) == (
        "One line.<br><ins><br></ins>Two <del>&lt;b&gt;lines&lt;/b&gt;.</del> <ins>lines.</ins>"
    )


# --- pages ---------------------------------------------------------------------------


def test_the_pages_propose_show_and_accept(idea, member, make_member, login):
    # given
    amender = make_member()
    as_amender, as_author = login(amender), login(member)
    assert 'id="propose-amendment"' in as_amender.get(f"/ideas/{idea.pk}/").content.decode()
    assert 'id="propose-amendment"' not in as_author.get(f"/ideas/{idea.pk}/").content.decode()
    form = as_amender.get(f"/ideas/{idea.pk}/amend/")
    assert form.status_code == 200
    assert 'name="base_revision" value="1"' in form.content.decode()
    # when: the amender proposes
    posted = as_amender.post(
        f"/ideas/{idea.pk}/amend/", {"title": idea.title, "body": NEW_BODY, "note": "Two parts", "base_revision": 1}
    )
    amendment = Amendment.objects.get()
    assert posted.status_code == 302
    assert posted["Location"] == f"/ideas/{idea.pk}/amendments/{amendment.pk}/"
    # then: the author sees the change with its line breaks, and may accept it
    page = as_author.get(posted["Location"]).content.decode()
    assert "<del>fabric so that the</del> <ins>fabric.<br><br>The</ins> tent unfolds" in page
    assert 'id="accept-amendment"' in page
    assert 'id="accept-amendment"' not in as_amender.get(posted["Location"]).content.decode()
    accepted = as_author.post(
        f"/ideas/{idea.pk}/amendments/{amendment.pk}/decide/", {"decision": "accept", "share": "5"}
    )
    assert accepted.status_code == 302
    amendment.refresh_from_db()
    assert amendment.status == "accepted"
    idea_page = as_author.get(f"/ideas/{idea.pk}/").content.decode()
    assert f'href="/ideas/{idea.pk}/amendments/{amendment.pk}/"' in idea_page
    assert f"{amender.name}</a> (5%)" in idea_page


def test_a_refused_decision_goes_back_with_its_message(idea, member, make_member, login):
    coauthor_invite(actor=member, idea_id=idea.pk, member_id=make_member().pk, share=90)
    amendment = _propose(idea, make_member())
    as_author = login(member)
    before = _counts()
    answer = as_author.post(
        f"/ideas/{idea.pk}/amendments/{amendment.pk}/decide/", {"decision": "changes", "message": ""}, follow=True
    )
    assert "What should change: This field is required." in answer.content.decode()
    answer = as_author.post(
        f"/ideas/{idea.pk}/amendments/{amendment.pk}/decide/", {"decision": "accept", "share": "20"}, follow=True
    )
    assert "The author must keep a share: 9" in answer.content.decode()
    assert (
        as_author.post(f"/ideas/{idea.pk}/amendments/{amendment.pk}/decide/", {"decision": "merge"}).status_code == 400
    )
    assert _counts() == before


def test_an_out_of_date_amendment_says_so_and_offers_no_accept(idea, member, make_member, login):
    amender = make_member()
    amendment = _propose(idea, amender)
    idea_revise(actor=member, idea_id=idea.pk, title=idea.title, body=idea.body + " Now with a carry bag.")
    page = login(member).get(f"/ideas/{idea.pk}/amendments/{amendment.pk}/").content.decode()
    assert 'id="out-of-date"' in page
    assert "it is now at revision 2" in page
    assert 'id="accept-amendment"' not in page
    assert "out of date" in login(amender).get(f"/ideas/{idea.pk}/").content.decode()


def test_a_stale_proposal_form_is_refused_beside_its_field(idea, member, make_member, login):
    amender = make_member()
    idea_revise(actor=member, idea_id=idea.pk, title=idea.title, body=idea.body + " Now with a carry bag.")
    answer = login(amender).post(
        f"/ideas/{idea.pk}/amend/", {"title": idea.title, "body": NEW_BODY, "note": "", "base_revision": 1}
    )
    assert answer.status_code == 400
    assert "The idea changed while you were writing" in answer.content.decode()
    assert not Amendment.objects.exists()


def test_an_amendment_of_another_idea_is_missing(idea, make_idea, make_member, login):
    amendment = _propose(idea, make_member())
    other = make_idea(make_member())
    assert login(make_member()).get(f"/ideas/{other.pk}/amendments/{amendment.pk}/").status_code == 404


# --- where contributions are counted ------------------------------------------------


def test_an_accepted_amender_counts_as_a_contributor_in_the_dataset(idea, member, make_member, tmp_path):
    from prosumo.analytics.dataset import load_dataset
    from prosumo.analytics.metrics.activity import idea_credits, member_steps, tagged_events
    from prosumo.insights.export import export_dataset

    # given
    amender = make_member()
    amendment = _propose(idea, amender)
    amendment_accept(actor=member, amendment_id=amendment.pk, share=10)
    # when
    ds = load_dataset(export_dataset(tmp_path / "ds"))
    # then: the shares of the idea, the amender's credited events, and the funnel's co-authored step
    credits = idea_credits(ds).execute().sort_values("member_id")
    assert [(r.member_id, round(r.share, 6)) for r in credits.itertuples()] == [(member.pk, 0.9), (amender.pk, 0.1)]
    tagged = tagged_events(ds.events).execute()
    mine = tagged[(tagged.member_id == amender.pk) & tagged.verb.str.startswith("idea.")].sort_values("verb")
    assert list(zip(mine.verb, mine.stage, mine.weight, strict=True)) == [
        ("idea.amendment_accepted", "analyse", 8),
        ("idea.amendment_proposed", "analyse", 5),
    ]
    steps = member_steps(ds).execute().set_index("member_id")
    assert int(steps.loc[amender.pk, "coauthored"]) == 1


def test_an_added_paragraph_shows_its_line_breaks_before_the_highlighted_words():
    assert str(text_diff("One line.", "One line.\n\nA new <i>one</i>.")) == (
        "One line.<br><br><ins>A new &lt;i&gt;one&lt;/i&gt;.</ins>"
    )
