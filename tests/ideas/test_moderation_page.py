"""The moderation page: reports a moderator dismisses, and an audit log people can read."""

from __future__ import annotations

import re

import pytest

from prosumo.activity.models import Event
from prosumo.community.services import member_suspend
from prosumo.core.errors import Conflict, PermissionDenied
from prosumo.ideas.models import Flag
from prosumo.ideas.services import comment_post, content_hide, flag_create, flag_dismiss, idea_merge


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_a_moderator_dismisses_a_report_and_it_leaves_the_open_reports(login, moderator, member, idea) -> None:
    # given a report on an idea
    flag = flag_create(actor=member, kind="idea", object_id=idea.pk, reason="Looks like an advert")
    client = login(moderator)
    assert f'action="/staff/moderation/reports/{flag.pk}/dismiss/"' in client.get("/staff/moderation/").content.decode()
    # when the moderator dismisses it
    response = client.post(f"/staff/moderation/reports/{flag.pk}/dismiss/", follow=True)
    # then it is closed, the idea is untouched, the log says so, and the page no longer lists it
    assert _messages(response) == ["Report dismissed: the content stays as it is."]
    flag.refresh_from_db()
    assert flag.resolution == "dismissed"
    assert flag.resolved_at is not None
    idea.refresh_from_db()
    assert idea.hidden is False
    event = Event.objects.get(verb="moderation.dismissed")
    assert (event.actor_id, event.object_type, event.object_id, event.target_member_id) == (
        moderator.pk,
        "idea",
        idea.pk,
        member.pk,
    )
    assert event.details == {"flag": flag.pk, "reason": "Looks like an advert"}
    assert list(response.context["flags"]) == []
    # and the member may report it again
    flag_create(actor=member, kind="idea", object_id=idea.pk, reason="Still an advert")


def test_only_moderators_dismiss_reports_and_only_once(login, moderator, reviewer, member, idea) -> None:
    flag = flag_create(actor=member, kind="idea", object_id=idea.pk, reason="Looks like an advert")
    with pytest.raises(PermissionDenied):
        flag_dismiss(actor=reviewer, flag_id=flag.pk)
    assert login(reviewer).post(f"/staff/moderation/reports/{flag.pk}/dismiss/").status_code == 404
    assert login(member).post(f"/staff/moderation/reports/{flag.pk}/dismiss/").status_code == 404
    assert Flag.objects.get().resolved_at is None
    assert not Event.objects.filter(verb="moderation.dismissed").exists()
    flag_dismiss(actor=moderator, flag_id=flag.pk)
    with pytest.raises(Conflict) as refused:
        flag_dismiss(actor=moderator, flag_id=flag.pk)
    assert refused.value.code == "flag_resolved"
    assert Event.objects.filter(verb="moderation.dismissed").count() == 1


def test_the_audit_log_names_people_and_ideas_with_links(
    login, admin, moderator, reviewer, member, make_idea, campaign
) -> None:
    # given a merge, a hidden comment and a suspension
    source = make_idea(member, title="A lantern for the tent roof")
    target = make_idea(member, title="A lantern that hangs from the roof")
    comment = comment_post(actor=member, idea_id=target.pk, body="Buy cheap lanterns at my shop today")
    idea_merge(actor=reviewer, source_id=source.pk, target_id=target.pk, message="The same lantern, told twice.")
    content_hide(actor=moderator, kind="comment", object_id=comment.pk, reason="Advert")
    member_suspend(actor=moderator, member=member, reason="Spam in comments")
    # when a moderator reads the audit log
    page = login(admin).get("/staff/moderation/").content.decode()
    log = page.split('<table class="data" id="audit-log">')[1].split("</table>")[0]
    rows = [
        [
            re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", cell)).strip()
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        for row in log.split("<tr>")[2:]
    ]
    # then each line says who did what to what, in words, newest first
    assert [row[1:] for row in rows] == [
        [moderator.name, f"suspended {member.name}", "Reason: Spam in comments"],
        [moderator.name, "hid a comment: “Buy cheap lanterns at my shop today”", "Reason: Advert"],
        [
            reviewer.name,
            "merged idea “A lantern for the tent roof” into idea “A lantern that hangs from the roof”",
            "supporters carried over: 0; already supporting it: 0",
        ],
    ]
    assert "{'into'" not in page
    assert f'<a href="/ideas/{target.pk}/">idea “A lantern that hangs from the roof”</a>' in log
    assert f'<a href="/ideas/{target.pk}/#comment-{comment.pk}">' in log
    assert f'<a href="/members/{member.pk}/">{member.name}</a>' in log
