"""What a member gets told, as they read it: opening a notification, Markdown bodies, the decline reason."""

from __future__ import annotations

from typing import Any

from django.core import mail
from django.test import Client

from prosumo.ideas.models import DeclineReason
from prosumo.ideas.services import stage_change
from prosumo.notifications.models import Notification


def _move(reviewer: Any, idea: Any, capture: Any, **fields: Any) -> None:
    with capture(execute=True):
        stage_change(actor=reviewer, idea_id=idea.pk, **fields)


def test_opening_a_notification_marks_it_read_and_goes_where_it_points(
    idea: Any, reviewer: Any, login: Any, make_member: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # given an unread notification to the author
    _move(reviewer, idea, django_capture_on_commit_callbacks, to_stage="under_review", message="We are looking at it.")
    notification = Notification.objects.get(recipient=idea.author)
    assert notification.read_at is None
    client = login(idea.author)
    page = client.get("/notifications/").content.decode()
    assert f'href="/notifications/{notification.pk}/open/"' in page
    assert 'id="unread-count">1<' in page
    # when another member tries its link, nothing happens
    assert login(make_member()).get(f"/notifications/{notification.pk}/open/").status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None
    # when the author opens it
    response = client.get(f"/notifications/{notification.pk}/open/")
    # then they land on the idea, and it is read
    assert (response.status_code, response["Location"]) == (302, f"/ideas/{idea.pk}/")
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert 'id="unread-count"' not in client.get("/notifications/").content.decode()


def test_a_notification_body_renders_markdown_safely(
    idea: Any, reviewer: Any, login: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # given a staff message written in Markdown, with a script in it
    message = "We **love** it: see [the plan](https://example.org/plan).\n\n<script>alert(1)</script>"
    _move(reviewer, idea, django_capture_on_commit_callbacks, to_stage="under_review", message=message)
    # when the author reads their notifications
    page = login(idea.author).get("/notifications/").content.decode()
    body = page[page.index('class="notification-body">') :]
    body = body[: body.index("</div>")]
    # then it is rendered, links made safe, and the script is gone
    assert "<strong>love</strong>" in body
    assert '<a href="https://example.org/plan" rel="nofollow noopener ugc">the plan</a>' in body
    assert "<script" not in body
    assert "**" not in body
    # and the email gives the words without the markup
    sent = next(m for m in mail.outbox if m.to == [idea.author.email])
    assert "We love it: see the plan." in sent.body
    assert "<script>" not in sent.body


def test_the_decline_email_gives_the_reason_in_the_readers_language(
    idea: Any, reviewer: Any, make_member: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # given an English author and a Spanish supporter who follows the idea
    from prosumo.ideas.services import idea_follow

    follower = make_member(locale="es")
    idea_follow(actor=follower, idea_id=idea.pk)
    mail.outbox.clear()
    reason = DeclineReason.objects.get(label="Not feasible now")
    # when staff decline it with a reason
    _move(
        reviewer,
        idea,
        django_capture_on_commit_callbacks,
        to_stage="declined",
        message="Thank you for it, we cannot build it.",
        reason_id=reason.pk,
    )
    # then each email carries the message and the reason
    bodies = {m.to[0]: m.body for m in mail.outbox}
    assert "Thank you for it, we cannot build it.\n\nReason: Not feasible now" in bodies[idea.author.email]
    assert "Thank you for it, we cannot build it.\n\nMotivo: Not feasible now" in bodies[follower.email]
    # and so does the notification in the app
    client = Client()
    client.force_login(idea.author)
    assert "Reason: Not feasible now" in client.get("/notifications/").content.decode()
