"""Who may do what: one test per row of the table in docs/permissions.md, run as each role.

Each test calls the real service (or page, for the staff pages) as a visitor, a
member, a suspended member, a moderator, a reviewer and an admin, and asserts the
outcome the table promises: ``yes``, or the stable error code the service raises.
A refused action must change nothing, so every refusal also checks that no event
was written. The last test reads docs/permissions.md and checks that it says
exactly what these tests enforce.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from prosumo.activity.models import Event
from prosumo.community import imports
from prosumo.community import services as community
from prosumo.community.models import STAFF_ROLES, Member, Segment
from prosumo.community.permissions import is_staff
from prosumo.community.tokens import token_create
from prosumo.core.errors import NotAuthenticated, NotFound, PermissionDenied, ProsumoError
from prosumo.ideas import services
from prosumo.ideas.models import DeclineReason
from prosumo.ideas.permissions import access_campaign, access_idea
from prosumo.integrations.services import webhook_create

ROLES = ["visitor", "member", "suspended", "moderator", "reviewer", "admin"]
DOCS = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)
CSV = b"customer_id,email,tier\nC1,someone@example.org,gold\n"

# The outcome for each role, in the order of ROLES. `yes` means allowed; any other
# word is the `code` of the error the service raises (docs/permissions.md, legend).
YES = "yes"
NAUTH = "not_authenticated"
FORBID = "forbidden"
SUSP = "suspended"
NF = "not_found"
EVERYONE = [YES] * 6
TAKE_PART = [NAUTH, YES, SUSP, YES, YES, YES]
STAFF_SEE = [NF, NF, NF, YES, YES, YES]
STAFF_WRITE = [NAUTH, FORBID, SUSP, YES, YES, YES]
AUTHOR_ONLY = [NAUTH, FORBID, SUSP, FORBID, FORBID, FORBID]
MODERATE = [NAUTH, FORBID, SUSP, YES, FORBID, YES]
DECIDE = [NAUTH, FORBID, SUSP, FORBID, YES, YES]
ADMIN_ONLY = [NAUTH, FORBID, SUSP, FORBID, FORBID, YES]
PAGE_ALL_STAFF = ["login", "404", "404", YES, YES, YES]
PAGE_MODERATORS = ["login", "404", "404", YES, "404", YES]
PAGE_ADMINS = ["login", "404", "404", "403", "403", YES]

TABLE: dict[str, list[str]] = {
    "View a public campaign": EVERYONE,
    "View a segment campaign, outside the segment": STAFF_SEE,
    "View a segment campaign, inside the segment": [NF, YES, YES, YES, YES, YES],
    "View an invitation-only campaign, not invited": STAFF_SEE,
    "View an invitation-only campaign, invited": [NF, YES, YES, YES, YES, YES],
    "View a public idea": EVERYONE,
    "View a hidden idea (someone else's)": [NF, NF, NF, YES, NF, YES],
    "View an idea waiting for approval (someone else's)": STAFF_SEE,
    "View own idea waiting for approval": [NF, YES, YES, YES, YES, YES],
    "Download a file of a public idea": EVERYONE,
    "Download a file of an idea waiting for approval (someone else's)": ["404", "404", "404", YES, YES, YES],
    "Submit an idea": TAKE_PART,
    "Revise own idea": TAKE_PART,
    "Revise someone else's idea": STAFF_WRITE,
    "Invite a co-author to own idea": TAKE_PART,
    "Invite a co-author to someone else's idea": AUTHOR_ONLY,
    "Attach a file to own idea": TAKE_PART,
    "Attach a file to someone else's idea": STAFF_WRITE,
    "Vote": TAKE_PART,
    "Comment": TAKE_PART,
    "Edit own comment": TAKE_PART,
    "Edit someone else's comment": AUTHOR_ONLY,
    "Follow an idea": TAKE_PART,
    "Flag an idea or comment": TAKE_PART,
    "Invite someone to join by email": TAKE_PART,
    "Invite someone to a campaign": STAFF_WRITE,
    "Invite members to take part": STAFF_WRITE,
    "Hide an idea or comment": MODERATE,
    "Restore an idea or comment": MODERATE,
    "Dismiss a report": MODERATE,
    "Suspend a member": MODERATE,
    "Lift a member's suspension": MODERATE,
    "Suspend staff": ADMIN_ONLY,
    "Lift a staff member's suspension": ADMIN_ONLY,
    "Move an idea to another stage": DECIDE,
    "Decline an idea": DECIDE,
    "Merge two ideas": DECIDE,
    "Say two ideas are not duplicates": DECIDE,
    "Review an idea (scorecard)": DECIDE,
    "Create a campaign": ADMIN_ONLY,
    "Update a campaign": ADMIN_ONLY,
    "Change a member's role": ADMIN_ONLY,
    "Import customer records": ADMIN_ONLY,
    "Create a webhook": ADMIN_ONLY,
    "Publish a version of the contribution terms": ADMIN_ONLY,
    "Prepare, publish or unpublish the open data": ADMIN_ONLY,
    "Open the open-data staff page": PAGE_ADMINS,
    "Download the published open data": EVERYONE,
    "Download the authorship certificate of a public idea": EVERYONE,
    "Record a dispute or prior art on an idea": STAFF_SEE,
    "Create an API token": TAKE_PART,
    "See the answer queue page": PAGE_ALL_STAFF,
    "See the duplicates page": PAGE_ALL_STAFF,
    "See the moderation page": PAGE_MODERATORS,
    "Open the campaign set-up pages": PAGE_ADMINS,
    "Follow a customer import": ["login", "404", "404", "404", "404", YES],
    "Get a copy of one's own data": [NAUTH, YES, YES, YES, YES, YES],
    "Download someone else's copy of their data": [NAUTH, NF, NF, NF, NF, NF],
    "Erase own account": [NAUTH, YES, YES, YES, YES, YES],
    "Erase someone else's account": ADMIN_ONLY,
    "Create, open or close a survey": STAFF_WRITE,
    "Answer a survey (its audience)": TAKE_PART,
    "See the surveys page": PAGE_ALL_STAFF,
    "Open a message brief": STAFF_WRITE,
    "Propose a message for a brief": TAKE_PART,
    "Shortlist a message": STAFF_WRITE,
    "See the message briefs page": PAGE_ALL_STAFF,
    "See a message experiment's results page": PAGE_ALL_STAFF,
    "Answer a pair in a pairwise campaign": TAKE_PART,
    "Cast a budget ballot": TAKE_PART,
    "Set a campaign's budget or an idea's cost": ADMIN_ONLY,
    "Propose an amendment to someone else's idea": [NAUTH, YES, SUSP, "can_revise", "can_revise", "can_revise"],
    "Decide on an amendment to own idea": TAKE_PART,
    "Decide on an amendment to someone else's idea": AUTHOR_ONLY,
}


def cases(action: str) -> Any:
    return pytest.mark.parametrize(("role", "expected"), list(zip(ROLES, TABLE[action], strict=True)), ids=ROLES)


@pytest.fixture
def actor_as(make_member: Callable[..., Any], admin: Any) -> Callable[[str], Any]:
    """The acting person for a role; a suspended member is suspended by an admin first."""

    def make(role: str) -> Any:
        if role == "visitor":
            return AnonymousUser()
        actor = make_member("member" if role == "suspended" else role)
        if role == "suspended":
            community.member_suspend(actor=admin, member=actor, reason="Repeated spam in comments")
            actor.refresh_from_db()
        return actor

    return make


@pytest.fixture
def own_idea(make_idea: Callable[..., Any], admin: Any) -> Callable[[str, Any], Any]:
    """An idea whose author is the actor (written before a suspended actor is suspended)."""

    def make(role: str, actor: Any) -> Any:
        if role == "visitor":
            return make_idea(admin)
        was_suspended = actor.suspended_at
        if was_suspended:
            community.member_unsuspend(actor=admin, member=actor)
        idea = make_idea(actor)
        if was_suspended:
            community.member_suspend(actor=admin, member=actor, reason="Repeated spam in comments")
        actor.refresh_from_db()
        return idea

    return make


def outcome(action: Callable[[], object]) -> str:
    """Run an action and name what happened: `yes`, or the error's stable code; nothing changes on refusal."""
    before = Event.objects.count()
    try:
        action()
    except (NotAuthenticated, PermissionDenied, NotFound) as exc:
        assert Event.objects.count() == before, "a refused action wrote an event"
        return exc.code
    except ProsumoError as exc:  # pragma: no cover - a validation error means the test set-up is wrong
        raise AssertionError(f"{exc.code}: {exc.message} {exc.fields}") from exc
    return YES


def page_outcome(actor: Any, url: str) -> str:
    client = Client()
    if getattr(actor, "is_authenticated", False):
        client.force_login(actor)
    response = client.get(url)
    if response.streaming:  # a file: read to the end, the test client closes it
        b"".join(response.streaming_content)
    if response.status_code == 302 and "/accounts/login/" in response["Location"]:
        return "login"
    if response.status_code == 200:
        return YES
    return str(response.status_code)


# --- seeing campaigns and ideas ----------------------------------------------------


@cases("View a public campaign")
def test_view_public_campaign(actor_as, campaign, role, expected):
    # given
    actor = actor_as(role)
    # when / then
    assert outcome(lambda: access_campaign(actor, campaign.pk)) == expected


@cases("View a segment campaign, outside the segment")
def test_view_segment_campaign_outside(actor_as, make_campaign, role, expected):
    # given
    gold = Segment.objects.create(name="Gold", slug="gold")
    campaign = make_campaign(visibility="segment", segment_id=gold.pk)
    actor = actor_as(role)
    # when / then
    assert outcome(lambda: access_campaign(actor, campaign.slug)) == expected


@cases("View a segment campaign, inside the segment")
def test_view_segment_campaign_inside(actor_as, make_campaign, role, expected):
    # given
    gold = Segment.objects.create(name="Gold", slug="gold")
    campaign = make_campaign(visibility="segment", segment_id=gold.pk)
    actor = actor_as(role)
    if role != "visitor":
        actor.segment = gold
        actor.save(update_fields=["segment"])
    # when / then
    assert outcome(lambda: access_campaign(actor, campaign.pk)) == expected


@cases("View an invitation-only campaign, not invited")
def test_view_invitation_campaign_not_invited(actor_as, make_campaign, role, expected):
    # given
    campaign = make_campaign(visibility="invitation")
    actor = actor_as(role)
    # when / then
    assert outcome(lambda: access_campaign(actor, campaign.pk)) == expected


@cases("View an invitation-only campaign, invited")
def test_view_invitation_campaign_invited(actor_as, make_campaign, role, expected):
    # given
    campaign = make_campaign(visibility="invitation")
    actor = actor_as(role)
    if role != "visitor":
        campaign.invitees.add(actor)
    # when / then
    assert outcome(lambda: access_campaign(actor, campaign.pk)) == expected


@cases("View a public idea")
def test_view_public_idea(actor_as, idea, role, expected):
    actor = actor_as(role)
    assert outcome(lambda: access_idea(actor, idea.pk)) == expected


@cases("View a hidden idea (someone else's)")
def test_view_hidden_idea(actor_as, idea, moderator, role, expected):
    # given
    services.content_hide(actor=moderator, kind="idea", object_id=idea.pk, reason="Personal data in the text")
    actor = actor_as(role)
    # when / then
    assert outcome(lambda: access_idea(actor, idea.pk)) == expected


@pytest.fixture
def waiting_idea(make_campaign: Callable[..., Any], make_idea: Callable[..., Any], admin: Any) -> Callable[[Any], Any]:
    """An idea waiting for approval in a premoderated campaign, by `author` (suspended or not), with a file."""

    def make(author: Any) -> Any:
        was_suspended = author.suspended_at
        if was_suspended:
            community.member_unsuspend(actor=admin, member=author)
        idea = make_idea(author, in_campaign=make_campaign(premoderation=True))
        services.attachment_add(actor=author, idea_id=idea.pk, upload=_png())
        if was_suspended:
            community.member_suspend(actor=admin, member=author, reason="Repeated spam in comments")
        author.refresh_from_db()
        return idea

    return make


@cases("View an idea waiting for approval (someone else's)")
def test_view_waiting_idea(actor_as, waiting_idea, make_member, role, expected):
    idea = waiting_idea(make_member())
    actor = actor_as(role)
    assert outcome(lambda: access_idea(actor, idea.pk)) == expected


@cases("View own idea waiting for approval")
def test_view_own_waiting_idea(actor_as, waiting_idea, admin, role, expected):
    actor = actor_as(role)
    idea = waiting_idea(admin if role == "visitor" else actor)
    assert outcome(lambda: access_idea(actor, idea.pk)) == expected


@cases("Download a file of a public idea")
def test_download_public_file(actor_as, idea, settings, tmp_path, role, expected):
    settings.MEDIA_ROOT = str(tmp_path)
    attachment = services.attachment_add(actor=idea.author, idea_id=idea.pk, upload=_png())
    assert page_outcome(actor_as(role), f"/ideas/{idea.pk}/attachments/{attachment.pk}/") == expected


@cases("Download a file of an idea waiting for approval (someone else's)")
def test_download_waiting_file(actor_as, waiting_idea, make_member, settings, tmp_path, role, expected):
    settings.MEDIA_ROOT = str(tmp_path)
    idea = waiting_idea(make_member())
    attachment = idea.attachments.get()
    assert page_outcome(actor_as(role), f"/ideas/{idea.pk}/attachments/{attachment.pk}/") == expected


# --- taking part --------------------------------------------------------------------


@cases("Submit an idea")
def test_submit_idea(actor_as, campaign, django_capture_on_commit_callbacks, role, expected):
    # given
    actor = actor_as(role)

    # when
    def submit() -> None:
        with django_capture_on_commit_callbacks(execute=True):
            services.idea_submit(
                actor=actor,
                campaign_id=campaign.pk,
                title="A lighter tent peg",
                body="Pegs from recycled aluminium that weigh half as much.",
            )

    # then
    assert outcome(submit) == expected


@cases("Revise own idea")
def test_revise_own_idea(actor_as, own_idea, role, expected):
    actor = actor_as(role)
    idea = own_idea(role, actor)
    revise = lambda: services.idea_revise(  # noqa: E731
        actor=actor, idea_id=idea.pk, title=idea.title, body=idea.body + " Now with a carry bag."
    )
    assert outcome(revise) == expected


@cases("Revise someone else's idea")
def test_revise_someone_elses_idea(actor_as, idea, role, expected):
    actor = actor_as(role)
    revise = lambda: services.idea_revise(  # noqa: E731
        actor=actor, idea_id=idea.pk, title=idea.title, body=idea.body + " Now with a carry bag."
    )
    assert outcome(revise) == expected


@cases("Invite a co-author to own idea")
def test_invite_coauthor_own_idea(actor_as, own_idea, make_member, role, expected):
    actor = actor_as(role)
    idea = own_idea(role, actor)
    invitee = make_member()
    assert (
        outcome(lambda: services.coauthor_invite(actor=actor, idea_id=idea.pk, member_id=invitee.pk, share=20))
        == expected
    )


@cases("Invite a co-author to someone else's idea")
def test_invite_coauthor_someone_elses_idea(actor_as, idea, make_member, role, expected):
    actor = actor_as(role)
    invitee = make_member()
    assert (
        outcome(lambda: services.coauthor_invite(actor=actor, idea_id=idea.pk, member_id=invitee.pk, share=20))
        == expected
    )


def _png() -> SimpleUploadedFile:
    return SimpleUploadedFile("sketch.png", PNG, content_type="image/png")


@cases("Attach a file to own idea")
def test_attach_own_idea(actor_as, own_idea, role, expected):
    actor = actor_as(role)
    idea = own_idea(role, actor)
    assert outcome(lambda: services.attachment_add(actor=actor, idea_id=idea.pk, upload=_png())) == expected


@cases("Attach a file to someone else's idea")
def test_attach_someone_elses_idea(actor_as, idea, role, expected):
    actor = actor_as(role)
    assert outcome(lambda: services.attachment_add(actor=actor, idea_id=idea.pk, upload=_png())) == expected


@cases("Vote")
def test_vote(actor_as, idea, role, expected):
    actor = actor_as(role)
    assert outcome(lambda: services.vote_cast(actor=actor, idea_id=idea.pk, value=1)) == expected


@cases("Comment")
def test_comment(actor_as, idea, role, expected):
    actor = actor_as(role)
    assert (
        outcome(lambda: services.comment_post(actor=actor, idea_id=idea.pk, body="Could the poles fold too?"))
        == expected
    )


@cases("Edit own comment")
def test_edit_own_comment(actor_as, idea, admin, role, expected):
    # given: the comment is written before the actor is suspended
    actor = actor_as(role)
    author = admin if role == "visitor" else actor
    if role == "suspended":
        community.member_unsuspend(actor=admin, member=actor)
    comment = services.comment_post(actor=author, idea_id=idea.pk, body="Could the poles fold too?")
    if role == "suspended":
        community.member_suspend(actor=admin, member=actor, reason="Repeated spam in comments")
        actor.refresh_from_db()
    # when / then
    assert (
        outcome(lambda: services.comment_edit(actor=actor, comment_id=comment.pk, body="Could the poles fold in half?"))
        == expected
    )


@cases("Edit someone else's comment")
def test_edit_someone_elses_comment(actor_as, idea, role, expected):
    comment = services.comment_post(actor=idea.author, idea_id=idea.pk, body="Could the poles fold too?")
    actor = actor_as(role)
    assert outcome(lambda: services.comment_edit(actor=actor, comment_id=comment.pk, body="Spam spam spam")) == expected


@cases("Follow an idea")
def test_follow(actor_as, idea, role, expected):
    actor = actor_as(role)
    assert outcome(lambda: services.idea_follow(actor=actor, idea_id=idea.pk)) == expected


@cases("Flag an idea or comment")
def test_flag(actor_as, idea, role, expected):
    actor = actor_as(role)
    assert (
        outcome(
            lambda: services.flag_create(actor=actor, kind="idea", object_id=idea.pk, reason="Looks like an advert")
        )
        == expected
    )


@cases("Invite someone to join by email")
def test_invite_to_join(actor_as, role, expected):
    actor = actor_as(role)
    assert outcome(lambda: community.invitation_create(actor=actor, email="friend@example.org")) == expected


@cases("Invite someone to a campaign")
def test_invite_to_campaign(actor_as, make_campaign, role, expected):
    campaign = make_campaign(visibility="invitation")
    actor = actor_as(role)
    invite = lambda: services.invitation_create(actor=actor, email="friend@example.org", campaign_id=campaign.pk)  # noqa: E731
    assert outcome(invite) == expected


@cases("Invite members to take part")
def test_invite_members_to_take_part(actor_as, make_member, role, expected):
    invited = make_member()
    actor = actor_as(role)
    assert outcome(lambda: services.members_invite(actor=actor, member_ids=[invited.pk])) == expected


# --- moderation -----------------------------------------------------------------------


@cases("Hide an idea or comment")
def test_hide(actor_as, idea, role, expected):
    actor = actor_as(role)
    assert (
        outcome(lambda: services.content_hide(actor=actor, kind="idea", object_id=idea.pk, reason="Advert")) == expected
    )


@cases("Restore an idea or comment")
def test_restore(actor_as, idea, moderator, role, expected):
    comment = services.comment_post(actor=idea.author, idea_id=idea.pk, body="Buy my tents at a discount")
    services.content_hide(actor=moderator, kind="comment", object_id=comment.pk, reason="Advert")
    actor = actor_as(role)
    assert outcome(lambda: services.content_restore(actor=actor, kind="comment", object_id=comment.pk)) == expected


@cases("Dismiss a report")
def test_dismiss_report(actor_as, idea, make_member, role, expected):
    flag = services.flag_create(actor=make_member(), kind="idea", object_id=idea.pk, reason="Looks like an advert")
    actor = actor_as(role)
    assert outcome(lambda: services.flag_dismiss(actor=actor, flag_id=flag.pk)) == expected


@cases("Suspend a member")
def test_suspend_member(actor_as, make_member, role, expected):
    target = make_member()
    actor = actor_as(role)
    assert outcome(lambda: community.member_suspend(actor=actor, member=target, reason="Spam")) == expected


@cases("Lift a member's suspension")
def test_lift_suspension(actor_as, make_member, admin, role, expected):
    target = make_member()
    community.member_suspend(actor=admin, member=target, reason="Spam")
    actor = actor_as(role)
    assert outcome(lambda: community.member_unsuspend(actor=actor, member=target)) == expected


@cases("Suspend staff")
def test_suspend_staff(actor_as, make_member, role, expected):
    # given: another moderator, so that no actor is suspending themselves
    target = make_member("moderator")
    actor = actor_as(role)
    # when
    result = outcome(lambda: community.member_suspend(actor=actor, member=target, reason="Abuse of power"))
    # then
    assert result == expected
    target.refresh_from_db()
    assert target.is_suspended == (expected == YES)


@cases("Lift a staff member's suspension")
def test_lift_staff_suspension(actor_as, make_member, admin, role, expected):
    # given: a moderator suspended by an admin
    target = make_member("moderator")
    community.member_suspend(actor=admin, member=target, reason="Abuse of power")
    actor = actor_as(role)
    # when
    result = outcome(lambda: community.member_unsuspend(actor=actor, member=target))
    # then
    assert result == expected
    target.refresh_from_db()
    assert target.is_suspended == (expected != YES)


# --- decisions on ideas ---------------------------------------------------------------


@cases("Move an idea to another stage")
def test_move_stage(actor_as, idea, role, expected):
    actor = actor_as(role)
    move = lambda: services.stage_change(  # noqa: E731
        actor=actor, idea_id=idea.pk, to_stage="under_review", message="Our product team is looking at it."
    )
    assert outcome(move) == expected


@cases("Decline an idea")
def test_decline(actor_as, idea, role, expected):
    reason = DeclineReason.objects.create(label="Outside our range")
    actor = actor_as(role)
    decline = lambda: services.stage_change(  # noqa: E731
        actor=actor,
        idea_id=idea.pk,
        to_stage="declined",
        message="We do not make poles ourselves.",
        reason_id=reason.pk,
    )
    assert outcome(decline) == expected


@cases("Merge two ideas")
def test_merge(actor_as, idea, make_idea, make_member, role, expected):
    duplicate = make_idea(
        make_member(), title="A tent that sets itself up", body="Poles that spring open so the tent stands by itself."
    )
    actor = actor_as(role)
    merge = lambda: services.idea_merge(  # noqa: E731
        actor=actor, source_id=duplicate.pk, target_id=idea.pk, message="Both ideas ask for a self-pitching tent."
    )
    assert outcome(merge) == expected


@cases("Say two ideas are not duplicates")
def test_duplicate_dismiss(actor_as, idea, make_idea, make_member, role, expected):
    other = make_idea(make_member(), title="A tent that sets itself up", body="Poles that spring open by themselves.")
    actor = actor_as(role)
    dismiss = lambda: services.duplicate_dismiss(actor=actor, idea_id=other.pk, other_id=idea.pk)  # noqa: E731
    assert outcome(dismiss) == expected


@cases("Review an idea (scorecard)")
def test_review(actor_as, idea, role, expected):
    actor = actor_as(role)
    scores = {"desirability": 4, "feasibility": 3, "viability": 5}
    assert outcome(lambda: services.review_submit(actor=actor, idea_id=idea.pk, scores=scores)) == expected


# --- running the platform ---------------------------------------------------------------


@cases("Create a campaign")
def test_create_campaign(actor_as, role, expected):
    actor = actor_as(role)

    def create() -> object:
        return services.campaign_create(
            actor=actor, title="Quieter stoves", brief="How could a camping stove be quieter?"
        )

    assert outcome(create) == expected


@cases("Update a campaign")
def test_update_campaign(actor_as, campaign, role, expected):
    actor = actor_as(role)
    assert (
        outcome(lambda: services.campaign_update(actor=actor, campaign=campaign, title="Better tents for families"))
        == expected
    )


@cases("Change a member's role")
def test_change_role(actor_as, make_member, role, expected):
    target = make_member()
    actor = actor_as(role)
    assert outcome(lambda: community.member_set_role(actor=actor, member=target, role="moderator")) == expected


@cases("Import customer records")
def test_import_customers(actor_as, role, expected):
    actor = actor_as(role)
    assert outcome(lambda: imports.customer_import_create(actor=actor, file_name="customers.csv", data=CSV)) == expected


@cases("Follow a customer import")
def test_customer_import_page(actor_as, admin, role, expected):
    job = imports.customer_import_create(actor=admin, file_name="customers.csv", data=CSV)
    assert page_outcome(actor_as(role), f"/staff/import/{job.pk}/") == expected


@cases("Create a webhook")
def test_create_webhook(actor_as, role, expected):
    actor = actor_as(role)
    assert (
        outcome(lambda: webhook_create(actor=actor, url="https://crm.example.org/hook", verbs=["idea.submitted"]))
        == expected
    )


@cases("Publish a version of the contribution terms")
def test_publish_terms(actor_as, role, expected):
    from prosumo.community.terms import terms_publish

    actor = actor_as(role)
    assert outcome(lambda: terms_publish(actor=actor, text="You stay the author.")) == expected


@cases("Prepare, publish or unpublish the open data")
def test_prepare_publish_unpublish_open_data(actor_as, role, expected):
    from prosumo.insights.services import open_data_request, open_data_unpublish

    actor = actor_as(role)
    assert outcome(lambda: open_data_request(actor=actor, licence="CC BY 4.0")) == expected
    assert outcome(lambda: open_data_unpublish(actor=actor)) == expected


@cases("Open the open-data staff page")
def test_open_data_staff_page(actor_as, role, expected):
    assert page_outcome(actor_as(role), "/staff/insights/open-data/") == expected


@cases("Download the published open data")
def test_download_open_data(actor_as, admin, django_capture_on_commit_callbacks, role, expected):
    from prosumo.insights.services import open_data_publish, open_data_request

    with django_capture_on_commit_callbacks(execute=True):
        release = open_data_request(actor=admin, licence="CC BY 4.0")
    open_data_publish(actor=admin, release_id=release.pk)
    assert page_outcome(actor_as(role), f"/open-data/{release.pk}/open-data.zip") == expected


@cases("Download the authorship certificate of a public idea")
def test_download_certificate(actor_as, make_idea, admin, role, expected):
    idea = make_idea(admin)
    assert page_outcome(actor_as(role), f"/ideas/{idea.pk}/certificate.json") == expected


@cases("Record a dispute or prior art on an idea")
def test_flag_dispute_or_prior_art(actor_as, make_idea, admin, role, expected):
    from prosumo.provenance.services import idea_flag

    idea = make_idea(admin)
    actor = actor_as(role)
    assert outcome(lambda: idea_flag(actor=actor, idea_id=idea.pk, kind="dispute", reason="Claimed by another")) == (
        expected
    )


@cases("Create an API token")
def test_create_api_token(actor_as, role, expected):
    actor = actor_as(role)
    assert outcome(lambda: token_create(actor=actor, name="CRM sync")) == expected


@cases("See the answer queue page")
def test_answer_queue_page(actor_as, role, expected):
    assert page_outcome(actor_as(role), "/staff/queue/") == expected


@cases("See the duplicates page")
def test_duplicates_page(actor_as, role, expected):
    assert page_outcome(actor_as(role), "/staff/duplicates/") == expected


@cases("See the moderation page")
def test_moderation_page(actor_as, role, expected):
    assert page_outcome(actor_as(role), "/staff/moderation/") == expected


@cases("Open the campaign set-up pages")
def test_campaign_setup_pages(actor_as, campaign, role, expected):
    # given
    actor = actor_as(role)
    # when
    outcomes = {
        page_outcome(actor, url)
        for url in ("/staff/campaigns/", "/staff/campaigns/new/", f"/staff/campaigns/{campaign.pk}/edit/")
    }
    # then
    assert outcomes == {expected}


# --- members' own data ------------------------------------------------------------------


@cases("Get a copy of one's own data")
def test_get_a_copy_of_own_data(actor_as, role, expected):
    from prosumo.privacy.services import member_export_request

    actor = actor_as(role)
    assert outcome(lambda: member_export_request(actor=actor)) == expected


@cases("Download someone else's copy of their data")
def test_download_someone_elses_copy(actor_as, member, role, expected):
    from prosumo.privacy.permissions import access_member_export
    from prosumo.privacy.services import member_export_request

    export = member_export_request(actor=member)
    actor = actor_as(role)
    assert outcome(lambda: access_member_export(actor, export.pk)) == expected


@cases("Erase own account")
def test_erase_own_account(actor_as, member, role, expected):
    from prosumo.privacy.services import member_erase

    actor = actor_as(role)
    target = actor if role != "visitor" else member
    assert outcome(lambda: member_erase(actor=actor, member=target, password="correct horse 12")) == expected


@cases("Erase someone else's account")
def test_erase_someone_elses_account(actor_as, member, role, expected):
    from prosumo.privacy.services import member_erase

    actor = actor_as(role)
    assert outcome(lambda: member_erase(actor=actor, member=member)) == expected


# --- surveys --------------------------------------------------------------------------


@cases("Create, open or close a survey")
def test_run_a_survey(actor_as, role, expected):
    from prosumo.surveys.services import survey_create

    actor = actor_as(role)
    closes = timezone.now() + timedelta(days=7)
    assert outcome(lambda: survey_create(actor=actor, template="lead_user", closes_at=closes)) == expected


@cases("Answer a survey (its audience)")
def test_answer_a_survey(actor_as, admin, django_capture_on_commit_callbacks, role, expected):
    from prosumo.surveys.services import survey_answer, survey_create, survey_open

    actor = actor_as(role)
    survey = survey_create(actor=admin, template="lead_user", closes_at=timezone.now() + timedelta(days=7))
    with django_capture_on_commit_callbacks(execute=True):
        survey_open(actor=admin, survey_id=survey.pk)
    scores = dict.fromkeys(survey.spec.keys, 4)
    assert outcome(lambda: survey_answer(actor=actor, survey_id=survey.pk, scores=scores)) == expected


@cases("See the surveys page")
def test_see_the_surveys_page(actor_as, role, expected):
    assert page_outcome(actor_as(role), "/staff/surveys/") == expected


# --- outreach -------------------------------------------------------------------------


def _brief(admin: Any) -> Any:
    from prosumo.outreach.services import brief_open

    deadline = timezone.now() + timedelta(days=7)
    return brief_open(
        actor=admin, title="Spring", product="Tent", deadline=deadline, channels=["email"], languages=["en"]
    )


@cases("Open a message brief")
def test_open_a_message_brief(actor_as, role, expected):
    from prosumo.outreach.services import brief_open

    actor = actor_as(role)
    deadline = timezone.now() + timedelta(days=7)
    opened = lambda: brief_open(  # noqa: E731
        actor=actor, title="Spring", product="Tent", deadline=deadline, channels=["email"], languages=["en"]
    )
    assert outcome(opened) == expected


@cases("Propose a message for a brief")
def test_propose_a_message(actor_as, admin, role, expected):
    from prosumo.outreach.services import message_propose

    brief = _brief(admin)
    actor = actor_as(role)
    assert outcome(lambda: message_propose(actor=actor, brief_id=brief.pk, text="Sleep dry.")) == expected


@cases("Shortlist a message")
def test_shortlist_a_message(actor_as, admin, member, role, expected):
    from prosumo.outreach.services import message_propose, message_shortlist

    message = message_propose(actor=member, brief_id=_brief(admin).pk, text="Sleep dry.")
    actor = actor_as(role)
    assert outcome(lambda: message_shortlist(actor=actor, message_id=message.pk)) == expected


@cases("See the message briefs page")
def test_see_the_message_briefs_page(actor_as, role, expected):
    assert page_outcome(actor_as(role), "/staff/outreach/") == expected


@cases("See a message experiment's results page")
def test_see_a_message_experiments_results_page(actor_as, admin, role, expected):
    from prosumo.outreach.services import brief_open, channel_create, experiment_create, message_propose

    actor = actor_as(role)
    deadline = timezone.now() + timedelta(days=7)
    brief = brief_open(
        actor=admin, title="Spring", product="Tent", deadline=deadline, channels=["email"], languages=["en"]
    )
    texts = ("Sleep under the stars, dry.", "Our tent, your night out.")
    ours, theirs = (message_propose(actor=admin, brief_id=brief.pk, text=t, company=True) for t in texts)
    email = channel_create(actor=admin, name="newsletter", kind="email")
    experiment = experiment_create(actor=admin, name="Spring mail", arms=[(ours.pk, email.pk), (theirs.pk, email.pk)])
    assert page_outcome(actor, f"/staff/outreach/experiments/{experiment.pk}/results/") == expected


@cases("Answer a pair in a pairwise campaign")
def test_answer_a_pair(actor_as, admin, make_member, django_capture_on_commit_callbacks, role, expected):
    from prosumo.ideas.services import campaign_create, idea_submit
    from tests.pairwise.choosing import choose as pairwise_choose

    actor = actor_as(role)
    campaign = campaign_create(actor=admin, title="Pairs", brief="Which is better?", voting_mode="pairwise")
    body = "Pre-bent poles attached to the fabric so that the tent unfolds like an umbrella."
    with django_capture_on_commit_callbacks(execute=True):
        a, b = (
            idea_submit(actor=make_member(), campaign_id=campaign.pk, title=f"A self-pitching tent {n}", body=body)
            for n in (1, 2)
        )
    choose = lambda: pairwise_choose(actor=actor, campaign_id=campaign.pk, left_id=a.pk, right_id=b.pk, outcome="left")  # noqa: E731
    assert outcome(choose) == expected


@cases("Cast a budget ballot")
def test_cast_a_budget_ballot(actor_as, admin, make_member, django_capture_on_commit_callbacks, role, expected):
    from prosumo.budgets.services import ballot_cast, budget_set, cost_set
    from prosumo.ideas.services import campaign_create, idea_submit

    actor = actor_as(role)
    campaign = campaign_create(actor=admin, title="Budget", brief="Spend it well.", voting_mode="budget")
    budget_set(actor=admin, campaign_id=campaign.pk, amount_cents=1000)
    body = "Pre-bent poles attached to the fabric so that the tent unfolds like an umbrella."
    with django_capture_on_commit_callbacks(execute=True):
        idea = idea_submit(actor=make_member(), campaign_id=campaign.pk, title="A self-pitching tent", body=body)
    cost_set(actor=admin, idea_id=idea.pk, amount_cents=500)
    assert outcome(lambda: ballot_cast(actor=actor, campaign_id=campaign.pk, idea_ids=[idea.pk])) == expected


@cases("Set a campaign's budget or an idea's cost")
def test_set_a_budget(actor_as, admin, role, expected):
    from prosumo.budgets.services import budget_set
    from prosumo.ideas.services import campaign_create

    actor = actor_as(role)
    campaign = campaign_create(actor=admin, title="Budget", brief="Spend it well.", voting_mode="budget")
    assert outcome(lambda: budget_set(actor=actor, campaign_id=campaign.pk, amount_cents=1000)) == expected


@cases("Propose an amendment to someone else's idea")
def test_propose_an_amendment(actor_as, idea, role, expected):
    actor = actor_as(role)
    propose = lambda: services.amendment_propose(  # noqa: E731
        actor=actor, idea_id=idea.pk, title=idea.title, body=idea.body + " Now with a carry bag."
    )
    assert outcome(propose) == expected


def _amendment_to(idea: Any, amender: Any) -> Any:
    return services.amendment_propose(
        actor=amender, idea_id=idea.pk, title=idea.title, body=idea.body + " Now with a carry bag."
    )


@cases("Decide on an amendment to own idea")
def test_decide_on_an_amendment_to_own_idea(actor_as, own_idea, make_member, role, expected):
    actor = actor_as(role)
    amendment = _amendment_to(own_idea(role, actor), make_member())
    assert outcome(lambda: services.amendment_accept(actor=actor, amendment_id=amendment.pk)) == expected


@cases("Decide on an amendment to someone else's idea")
def test_decide_on_an_amendment_to_someone_elses_idea(actor_as, idea, make_member, role, expected):
    actor = actor_as(role)
    amendment = _amendment_to(idea, make_member())
    assert outcome(lambda: services.amendment_reject(actor=actor, amendment_id=amendment.pk)) == expected


# --- the written table ------------------------------------------------------------------


def _documented_table() -> dict[str, list[str]]:
    rows: dict[str, list[str]] = {}
    for line in DOCS.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if (
            not line.startswith("|")
            or len(cells) != 1 + len(ROLES)
            or cells[0] in ("action", "")
            or set(cells[0]) <= {"-", ":"}
        ):
            continue
        rows[cells[0]] = [re.sub(r"[`*]", "", c) for c in cells[1:]]
    return rows


def test_docs_table_says_what_the_tests_enforce():
    # given
    documented = _documented_table()
    # then
    assert documented == TABLE


@pytest.mark.parametrize("role", ["moderator", "reviewer", "admin"])
def test_suspended_staff_lose_the_staff_pages(make_member, admin, role):
    # given: a staff member suspended by another admin
    staff = make_member(role)
    community.member_suspend(actor=admin, member=staff, reason="Shared the moderation log outside")
    staff.refresh_from_db()
    # when
    pages = [page_outcome(staff, url) for url in ("/staff/queue/", "/staff/duplicates/", "/staff/moderation/")]
    # then
    assert pages == ["404", "404", "404"]


def test_a_suspended_admin_loses_the_django_admin(make_member, admin):
    # given
    other_admin = make_member("admin")
    community.member_suspend(actor=admin, member=other_admin, reason="Account shared with a contractor")
    other_admin.refresh_from_db()
    client = Client()
    client.force_login(other_admin)
    # when
    response = client.get("/admin/community/member/")
    # then
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    assert other_admin.has_perm("community.change_member") is False


def test_staff_is_one_rule_asked_everywhere(make_member):
    # given: every role, each as an open, a closed and a suspended account, and a superuser member
    people = {}
    for role in ("member", "moderator", "reviewer", "admin"):
        people[(role, "open")] = make_member(role)
        people[(role, "closed")] = make_member(role, is_active=False)
        people[(role, "suspended")] = make_member(role, suspended_at=timezone.now())
    people[("superuser", "open")] = make_member("member", superuser=True)
    # when: the model, the permission check and the query are asked
    by_model = {key for key, m in people.items() if m.is_staff}
    by_check = {key for key, m in people.items() if is_staff(m)}
    ids = set(Member.objects.filter(Member.holding_role(*STAFF_ROLES)).values_list("pk", flat=True))
    by_query = {key for key, m in people.items() if m.pk in ids}
    # then: they name the same people, and only those
    expected = {("moderator", "open"), ("reviewer", "open"), ("admin", "open"), ("superuser", "open")}
    assert by_model == expected
    assert by_check == expected
    assert by_query == expected
    assert is_staff(None) is False
