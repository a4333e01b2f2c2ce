"""Other people see a member by their display name or a pseudonym: never by any part of their email address."""

from __future__ import annotations

import re

from django.core import mail
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client

from prosumo.community.bootstrap import create_verified_member
from prosumo.community.models import Member
from prosumo.community.pseudonyms import pseudonym, pseudonym_for
from prosumo.ideas.services import coauthor_invite, comment_post

LOCAL_PART = "jane.doe.1987"
PSEUDONYM = re.compile(r"^[A-Z][a-z]+ [A-Z][a-z]+ [1-9][0-9]{3}$")


def test_a_pseudonym_is_two_words_and_a_number_and_a_members_is_stable():
    assert PSEUDONYM.match(pseudonym())
    assert pseudonym_for(41) == pseudonym_for(41)
    assert PSEUDONYM.match(pseudonym_for(41))
    assert len({pseudonym_for(n) for n in range(1, 2001)}) == 2000


def test_a_member_without_a_display_name_is_never_shown_by_their_address(
    make_idea, member, login, django_capture_on_commit_callbacks
):
    # given a member who never chose a display name, with an idea, a comment and a co-author invitation
    jane = create_verified_member(email=f"{LOCAL_PART}@example.org", password="correct horse 12")
    assert jane.display_name == ""
    idea = make_idea(jane)
    comment_post(actor=jane, idea_id=idea.pk, body="I can sew the first prototype myself.")
    with django_capture_on_commit_callbacks(execute=True):
        coauthor_invite(actor=jane, idea_id=idea.pk, member_id=member.pk, share=20)
    # when other people look at her work, on the pages, in the API and in their notifications and mail
    reader = login(member)
    seen = [
        Client().get(f"/ideas/{idea.pk}/").content.decode(),
        Client().get(f"/c/{idea.campaign.slug}/").content.decode(),
        Client().get(f"/members/{jane.pk}/").content.decode(),
        Client().get(f"/ideas/{idea.pk}/revisions/").content.decode(),
        Client().get(f"/api/ideas/{idea.pk}").content.decode(),
        Client().get(f"/api/ideas/{idea.pk}/comments").content.decode(),
        Client().get(f"/api/campaigns/{idea.campaign.slug}/ideas").content.decode(),
        reader.get("/notifications/").content.decode(),
        reader.get("/api/notifications").content.decode(),
        *[m.body + m.subject for m in mail.outbox],
    ]
    # then they see her pseudonym, and nothing of her address
    assert jane.name == pseudonym_for(jane.pk)
    for text in seen:
        assert LOCAL_PART not in text
    assert all(jane.name in text for text in seen[:3])
    assert f'"name": "{jane.name}"' in seen[4]


def test_sign_up_proposes_a_pseudonym_and_keeps_the_name_chosen(db):
    # given
    client = Client()
    proposed = client.get("/accounts/signup/").context["form"].fields["display_name"].initial
    # when one visitor writes a name and another empties the field
    for email, name in (("ana@example.org", "Ana from Bilbao"), (f"{LOCAL_PART}@example.org", "")):
        response = Client().post(
            "/accounts/signup/",
            {
                "email": email,
                "display_name": name,
                "password1": "a long pass phrase 42",
                "password2": "a long pass phrase 42",
            },
        )
        assert response.status_code == 302
    # then
    assert PSEUDONYM.match(proposed)
    assert Member.objects.get(email="ana@example.org").display_name == "Ana from Bilbao"
    assert PSEUDONYM.match(Member.objects.get(email=f"{LOCAL_PART}@example.org").display_name)


def test_sign_up_refuses_a_display_name_on_two_lines(db):
    response = Client().post(
        "/accounts/signup/",
        {
            "email": "ana@example.org",
            "display_name": "Ana\r\nBcc: everyone@example.org",
            "password1": "a long pass phrase 42",
            "password2": "a long pass phrase 42",
        },
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["display_name"]
    assert not Member.objects.filter(email="ana@example.org").exists()


def test_the_analytics_export_carries_no_names_or_addresses(member, tmp_path):
    import pyarrow.parquet as pq

    from prosumo.insights.export import export_dataset

    jane = create_verified_member(email=f"{LOCAL_PART}@example.org", password="correct horse 12", display_name="Jane D")
    path = export_dataset(tmp_path / "ds")
    for table in path.glob("*.parquet"):
        text = str(pq.read_table(table).to_pylist())
        for secret in (LOCAL_PART, "example.org", "Jane D", member.display_name):
            assert secret not in text, (table.name, secret)
    assert jane.pk in [row["member_id"] for row in pq.read_table(path / "members.parquet").to_pylist()]


def test_the_migration_takes_addresses_out_of_notifications_already_written(transactional_db, member, idea):
    # given a notification written before: it named the actor by the start of her address
    from django.utils import timezone

    from prosumo.activity.services import event_record
    from prosumo.core.phrases import phrase
    from prosumo.notifications.models import Notification

    # Only the notifications go back: members keep today's columns, which the ORM writes below.
    executor = MigrationExecutor(connection)
    before = [*executor.loader.graph.leaf_nodes("community"), ("notifications", "0003_fanout_and_digest_pending")]
    executor.migrate(before)
    jane = create_verified_member(email=f"{LOCAL_PART}@example.org", password="correct horse 12")
    Member.objects.filter(pk=jane.pk).update(display_name=pseudonym_for(jane.pk))  # as every member has one now
    event = event_record(verb="comment.posted", actor_id=jane.pk, object_type="idea", object_id=idea.pk)
    old = phrase("comment.posted", name=LOCAL_PART, idea=idea.title)
    chosen = phrase("comment.posted", name="Ana", idea=idea.title)
    rows = [
        Notification.objects.create(
            recipient=member, verb="comment.posted", title=f"{name} commented", title_phrase=stored,
            event_id=event.pk, created_at=timezone.now(),
        )
        for name, stored in ((LOCAL_PART, old), ("Ana", chosen))
    ]  # fmt: skip
    # when
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    # then
    rows = [Notification.objects.get(pk=row.pk) for row in rows]
    assert rows[0].title_phrase["values"]["name"] == pseudonym_for(jane.pk)
    assert rows[0].title == f"{pseudonym_for(jane.pk)} commented on “{idea.title}”"
    assert rows[1].title_phrase == chosen
    assert rows[1].title == "Ana commented"
