"""A member's copy of their own data: exactly what it holds, and that no one else can fetch it."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

from django.test import Client

from prosumo.activity.models import Event
from prosumo.privacy.models import MemberExport, MemberExportFile
from prosumo.provenance.proof import verify_certificate
from tests.privacy.conftest import EMAIL, NAME, NOW

AT = NOW.isoformat()


def _request(client, capture):
    with capture(execute=True):
        response = client.post("/me/data/export/")
    assert response.status_code == 302
    return MemberExport.objects.get()


def _files(response) -> dict[str, bytes]:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Cache-Control"] == "private, no-store"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    return {name: archive.read(name) for name in archive.namelist()}


def test_the_copy_holds_exactly_the_members_data(world, login, django_capture_on_commit_callbacks):
    # given Zelda, with one of each thing
    zelda, otto = world.zelda, world.other
    mine, theirs = world.own_idea.pk, world.other_idea.pk
    client = login(zelda)
    # when she asks for a copy on the "Your data" page, and downloads it
    export = _request(client, django_capture_on_commit_callbacks)
    page = client.get("/me/data/").content.decode()
    response = client.get(f"/me/data/export/{export.pk}/download/")
    # then
    assert export.state == "ready"
    assert f'href="/me/data/export/{export.pk}/download/"' in page
    assert response["Content-Disposition"] == f'attachment; filename="prosumo-data-{zelda.pk}-20261130.zip"'
    files = _files(response)
    data = {name: json.loads(body) for name, body in files.items() if name.endswith(".json")}
    assert sorted(files) == sorted(  # idea 9 sorts after idea 10 as text
        [
            "README.txt",
            "amendments.json",
            "api_tokens.json",
            "avatar/face.png",
            f"certificates/idea-{mine}.json",
            f"certificates/idea-{theirs}.json",
            "coauthorships.json",
            "comments.json",
            "events.json",
            "follows.json",
            "ideas.json",
            "invitations.json",
            "messages.json",
            "notifications.json",
            "points.json",
            "profile.json",
            "reports.json",
            "revisions.json",
            "royalties.json",
            "survey_answers.json",
            "votes.json",
        ]
    )
    assert files["avatar/face.png"] == zelda.avatar.open("rb").read()
    readme = files["README.txt"].decode()
    assert readme.startswith(
        f"Your data at Prosumo\n\nA copy of everything Prosumo keeps about you (member {zelda.pk})"
    )
    for name in data:
        assert f"\n{name.split('/')[0] + '/' if '/' in name else name}: " in readme
    # the certificates of the idea she wrote and of the one she co-authors, each one that verifies offline
    for idea_id in (mine, theirs):
        certificate = data[f"certificates/idea-{idea_id}.json"]
        assert certificate["idea"]["id"] == idea_id
        assert verify_certificate(certificate).ok
    assert data["profile.json"] == {
        "id": zelda.pk,
        "email": EMAIL,
        "display_name": NAME,
        "language": "en",
        "country": "ES",
        "about_me": "I camp every summer.",
        "interests": ["tents"],
        "email_notifications": "immediate",
        "email_from_community_team": True,
        "role": "member",
        "segment": None,
        "channel": "direct",
        "referral_code": zelda.referral_code,
        "referred_by_member_id": None,
        "joined_at": AT,
        "last_login_at": AT,
        "suspended_at": None,
        "suspended_reason": "",
        "avatar": "avatar/face.png",
        "email_addresses": [{"email": EMAIL, "verified": True, "primary": True}],
        "social_accounts": [],
        "customer_records": [
            {"customer_id": "C-77", "email": EMAIL, "tier": "gold", "spend": "120.00", "country": "ES"}
        ],
    }
    assert data["ideas.json"] == [
        {
            "id": mine,
            "url": f"http://127.0.0.1:8000/ideas/{mine}/",
            "campaign": {"id": world.own_idea.campaign_id, "title": "Better tents"},
            "title": "A tent with a porch for muddy boots",
            "body": "A small porch keeps muddy boots out of the sleeping room.",
            "language": "en",
            "tags": [],
            "stage": "open",
            "hidden": False,
            "created_at": AT,
            "updated_at": AT,
            "attachments": [],
        }
    ]
    first_body = "Pre-bent poles attached to the fabric so that the tent unfolds like an umbrella."
    assert data["revisions.json"] == [
        {
            "idea_id": mine,
            "number": 1,
            "title": "A tent with a porch for the boots",
            "body": first_body,
            "note": "",
            "created_at": AT,
        },
        {
            "idea_id": mine,
            "number": 2,
            "title": "A tent with a porch for muddy boots",
            "body": "A small porch keeps muddy boots out of the sleeping room.",
            "note": "clearer",
            "created_at": AT,
        },
    ]
    assert data["comments.json"] == [
        {
            "id": world.comment.pk,
            "idea_id": theirs,
            "reply_to_comment_id": None,
            "body": "Yes, I trip over my pegs every night.",
            "builds_on_the_idea": False,
            "hidden": False,
            "created_at": AT,
            "edited_at": AT,
            "earlier_texts": [{"body": "Yes, I trip over pegs every night.", "written_at": AT}],
        }
    ]
    assert data["votes.json"] == [{"idea_id": theirs, "value": 1, "cast_at": AT, "changed_at": AT}]
    assert data["follows.json"] == [{"idea_id": mine, "since": AT}, {"idea_id": theirs, "since": AT}]
    assert data["coauthorships.json"] == [
        {
            "idea_id": theirs,
            "idea_title": "Glow-in-the-dark tent pegs",
            "share_percent": "20.00",
            "status": "accepted",
            "invited_at": AT,
            "answered_at": AT,
        }
    ]
    assert data["invitations.json"] == [
        {"email": "friend@example.org", "campaign_id": None, "sent_at": AT, "accepted_at": None}
    ]
    assert data["notifications.json"] == [
        {
            "verb": "idea.coauthor_invited",
            "title": "Otto Brandt invites you to co-author “Glow-in-the-dark tent pegs”",
            "body": "",
            "url": f"/ideas/{theirs}/",
            "created_at": AT,
            "read_at": None,
        },
        {
            "verb": "comment.posted",
            "title": "Otto Brandt commented on “A tent with a porch for muddy boots”",
            "body": "Would it fold into the bag?",
            "url": f"/ideas/{mine}/#comment-{world.comment.pk + 1}",
            "created_at": AT,
            "read_at": None,
        },
    ]
    assert data["api_tokens.json"] == [
        {
            "name": "My script",
            "scopes": ["read", "write"],
            "created_at": AT,
            "expires_at": None,
            "last_used_at": None,
            "revoked_at": None,
            "revoked_reason": "",
        }
    ]
    assert world.token_raw not in files["api_tokens.json"].decode()
    assert data["reports.json"] == [
        {
            "idea_id": theirs,
            "comment_id": None,
            "reason": "Looks like an advert",
            "reported_at": AT,
            "resolved_at": None,
            "resolution": "",
        }
    ]
    events = [{k: v for k, v in e.items() if k not in ("id", "occurred_at")} for e in data["events.json"]]
    ids = [e["id"] for e in data["events.json"]]
    assert ids == sorted(ids)
    assert {e["occurred_at"] for e in data["events.json"]} == {AT}
    idea_event = {"object_type": "idea", "campaign_id": world.own_idea.campaign_id}
    assert events == [
        {"verb": "member.joined", "by_you": True, "object_type": "member", "object_id": zelda.pk, "campaign_id": None, "channel": "direct", "value": None, "details": {}},
        {"verb": "member.profile_updated", "by_you": True, "object_type": "member", "object_id": zelda.pk, "campaign_id": None, "channel": "", "value": None, "details": {}},
        {"verb": "idea.submitted", "by_you": True, **idea_event, "object_id": mine, "channel": "direct", "value": 1.0, "details": {"stage": "open", "language": "en", "tags": []}},
        {"verb": "idea.revised", "by_you": True, **idea_event, "object_id": mine, "channel": "", "value": 2.0, "details": {}},
        {"verb": "idea.supported", "by_you": True, **idea_event, "object_id": theirs, "channel": "direct", "value": 1.0, "details": {}},
        {"verb": "idea.followed", "by_you": True, **idea_event, "object_id": theirs, "channel": "", "value": None, "details": {}},
        {"verb": "comment.posted", "by_you": True, "object_type": "comment", "object_id": world.comment.pk, "campaign_id": idea_event["campaign_id"], "channel": "direct", "value": None, "details": {"idea_id": theirs, "builds_on": False, "parent_id": None}},
        {"verb": "comment.edited", "by_you": True, "object_type": "comment", "object_id": world.comment.pk, "campaign_id": idea_event["campaign_id"], "channel": "", "value": None, "details": {"idea_id": theirs}},
        # Otto's invitation and his comment on her idea: about her, without his channel or name
        {"verb": "idea.coauthor_invited", "by_you": False, **idea_event, "object_id": theirs, "channel": "", "value": 20.0, "details": {}},
        {"verb": "idea.coauthor_added", "by_you": True, **idea_event, "object_id": theirs, "channel": "", "value": 20.0, "details": {}},
        {"verb": "comment.posted", "by_you": False, "object_type": "comment", "object_id": world.comment.pk + 1, "campaign_id": idea_event["campaign_id"], "channel": "", "value": None, "details": {"idea_id": mine, "builds_on": False, "parent_id": None}},
        {"verb": "member.invited", "by_you": True, "object_type": "invitation", "object_id": events[11]["object_id"], "campaign_id": None, "channel": "invite", "value": None, "details": {}},
        {"verb": "moderation.flagged", "by_you": True, **idea_event, "object_id": theirs, "channel": "", "value": None, "details": {"reason": "Looks like an advert"}},
        {"verb": "member.visited", "by_you": True, "object_type": "", "object_id": None, "campaign_id": None, "channel": "direct", "value": None, "details": {}},
        {"verb": "member.export_requested", "by_you": True, "object_type": "member", "object_id": zelda.pk, "campaign_id": None, "channel": "", "value": None, "details": {"export_id": export.pk}},
    ]  # fmt: skip
    assert otto.email not in response.content.decode("latin-1")


def test_no_one_else_can_fetch_a_members_copy(world, login, make_member, django_capture_on_commit_callbacks):
    # given Zelda's ready copy
    export = _request(login(world.zelda), django_capture_on_commit_callbacks)
    from prosumo.community.tokens import token_create

    _, otto_token = token_create(actor=world.other, name="Otto's script")
    page = f"/me/data/export/{export.pk}/download/"
    api = f"/api/me/export/{export.pk}/download"
    # when others ask for it: another member, an admin, an anonymous visitor, another member's token
    as_otto = login(world.other).get(page)
    as_admin = login(make_member("admin")).get(page)
    anonymous = Client().get(page)
    otto_api = Client().get(api, headers={"Authorization": f"Bearer {otto_token}"})
    anonymous_api = Client().get(api)
    # then no one gets it, and a member cannot tell it from one that does not exist
    assert as_otto.status_code == 404
    assert as_admin.status_code == 404
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/")
    assert otto_api.status_code == 404
    assert otto_api.json()["code"] == "not_found"
    assert (
        Client()
        .get(f"/api/me/export/{export.pk + 1000}/download", headers={"Authorization": f"Bearer {otto_token}"})
        .json()
        == otto_api.json()
    )
    assert anonymous_api.status_code == 401
    # while Zelda gets it with her token too, and it is the same zip
    mine = Client().get(api, headers={"Authorization": f"Bearer {world.token_raw}"})
    assert mine.status_code == 200
    assert mine.content == bytes(MemberExportFile.objects.get(export=export).data)


def test_the_api_asks_for_a_copy_then_gives_its_state_and_the_zip(world, django_capture_on_commit_callbacks):
    headers = {"Authorization": f"Bearer {world.token_raw}"}
    client = Client()
    # given no copy yet
    none_yet = client.get("/api/me/export", headers=headers)
    # when she asks for one
    with django_capture_on_commit_callbacks(execute=True):
        asked = client.post("/api/me/export", headers=headers)
    state = client.get("/api/me/export", headers=headers)
    # then
    assert none_yet.status_code == 404
    assert asked.status_code == 202
    export = MemberExport.objects.get()
    assert asked.json() == {
        "id": export.pk,
        "state": "queued",
        "requested_at": "2026-11-30T12:00:00Z",
        "ready_at": None,
        "expires_at": None,
        "size_bytes": 0,
        "download_url": None,
    }
    assert state.json() == {
        "id": export.pk,
        "state": "ready",
        "requested_at": "2026-11-30T12:00:00Z",
        "ready_at": "2026-11-30T12:00:00Z",
        "expires_at": "2026-12-07T12:00:00Z",
        "size_bytes": export.size_bytes,
        "download_url": f"/api/me/export/{export.pk}/download",
    }
    zipped = client.get(state.json()["download_url"], headers=headers)
    assert set(_files(zipped)) >= {"README.txt", "profile.json", "events.json"}


def test_a_copy_being_built_is_not_given_twice_nor_downloaded(world, login):
    # given a copy asked for, whose task has not run (no commit in this test's transaction)
    client = login(world.zelda)
    client.post("/me/data/export/")
    export = MemberExport.objects.get()
    events = Event.objects.filter(verb="member.export_requested").count()
    # when she asks again, and tries to download it
    client.post("/me/data/export/")
    page = client.get(f"/me/data/export/{export.pk}/download/")
    api = Client().get(f"/api/me/export/{export.pk}/download", headers={"Authorization": f"Bearer {world.token_raw}"})
    # then it is still the one, and not downloadable yet
    assert list(MemberExport.objects.values_list("pk", "state")) == [(export.pk, "queued")]
    assert Event.objects.filter(verb="member.export_requested").count() == events == 1
    assert page.status_code == 302
    assert page["Location"] == "/me/data/"
    assert api.status_code == 409
    assert api.json()["code"] == "export_not_ready"


def test_a_copy_expires_after_a_week(world, login, time_machine, django_capture_on_commit_callbacks):
    from prosumo.privacy.tasks import expire_member_exports

    client = login(world.zelda)
    export = _request(client, django_capture_on_commit_callbacks)
    url = f"/me/data/export/{export.pk}/download/"
    # a week later, less a second: still there, and the daily task keeps it
    time_machine.move_to(NOW + timedelta(days=7) - timedelta(seconds=1), tick=False)
    assert client.get(url).status_code == 200
    assert expire_member_exports.call() == 0
    # a week later: refused at once, and the daily task deletes it with its file
    time_machine.move_to(NOW + timedelta(days=7), tick=False)
    assert client.get(url).status_code == 404
    time_machine.move_to(NOW + timedelta(days=7, seconds=1), tick=False)
    assert expire_member_exports.call() == 1
    assert MemberExport.objects.count() == MemberExportFile.objects.count() == 0


def test_the_certificates_of_the_copy_take_as_many_queries_for_three_ideas_as_for_one(
    member, make_idea, django_assert_num_queries, settings, tmp_path
):
    from prosumo.privacy.export import certificates

    settings.PROSUMO_PROVENANCE_KEY_FILE = tmp_path / "provenance.pem"
    # given a member with one idea, logged and signed by its logging task
    make_idea(member)
    with django_assert_num_queries(13):
        assert len(list(certificates(member))) == 1
    # when she has three
    make_idea(member, title="A lantern that charges by day in the sun")
    make_idea(member, title="Zips that do not wake everyone up at night")
    # then her certificates take the same queries
    with django_assert_num_queries(13):
        files = list(certificates(member))
    assert len(files) == 3
    assert all(verify_certificate(json.loads(text)).ok for _, text in files)
