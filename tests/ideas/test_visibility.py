"""Who may see what: every kind of reader against every kind of idea, through every door.

One world is built for the module: campaigns of each kind (public, segment, invitation,
unpublished, ended, premoderated) with one idea each in a known state, one file on each
idea, and readers of each kind. Each test asks one door (the idea page, the API, a list,
search, similar ideas, a profile, the notification fan-out, the files) as one reader,
and compares the set of ideas that came through with the table `SEES` below, written by
hand from docs/security.md ("Who may see what").
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client, override_settings
from django.utils import timezone

from prosumo.community import services as community
from prosumo.community.bootstrap import create_verified_member
from prosumo.community.models import Segment
from prosumo.core.errors import NotFound
from prosumo.core.phrases import phrase
from prosumo.ideas import search, selectors, services
from prosumo.ideas.models import Campaign, DeclineReason, Follow, Idea
from prosumo.ideas.permissions import access_idea, campaign_visible, idea_visible
from prosumo.ideas.services.votes import _lock_idea
from prosumo.notifications.models import Notification
from prosumo.notifications.services import fanout_deliver, notify

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)

READERS = ["visitor", "member", "gold", "invited", "author", "coauthor", "reviewer", "moderator", "suspended"]
EVERYONE = frozenset(READERS)
# Members of the gold segment and invited to the invitation campaign: the author, the
# co-author and the suspended member (suspension stops taking part, not reading).
INSIDERS = frozenset({"author", "coauthor", "suspended"})
STAFF = frozenset({"reviewer", "moderator"})

# kind of idea -> who may read it. "waiting", "approved" and "rejected" are ideas of a
# premoderated public campaign; the co-author accepted on "waiting" and is only invited on
# "rejected". Everything else is written in docs/security.md.
SEES: dict[str, frozenset[str]] = {
    "public": EVERYONE,
    "public_under_review": EVERYONE,
    "public_declined": EVERYONE,
    "ended": EVERYONE,
    "segment": frozenset({"gold"}) | INSIDERS | STAFF,
    "invitation": frozenset({"invited"}) | INSIDERS | STAFF,
    "unpublished": STAFF,
    "waiting": frozenset({"author", "coauthor"}) | STAFF,
    "approved": EVERYONE,
    "rejected": frozenset({"author", "coauthor"}) | STAFF,
    "hidden": frozenset({"author", "moderator"}),
}
# kind of campaign -> who may see it.
CAMPAIGN_SEES: dict[str, frozenset[str]] = {
    "public": EVERYONE,
    "ended": EVERYONE,
    "premoderated": EVERYONE,
    "segment": SEES["segment"],
    "invitation": SEES["invitation"],
    "unpublished": STAFF,
}
# A list shows only approved ideas that are not hidden (nor merged), even to those who may open them.
UNLISTED = {"waiting", "rejected", "hidden"}
# A unique word in each idea's title, for search and similar ideas.
WORD = {
    "public": "aardvark",
    "public_under_review": "bandicoot",
    "public_declined": "capybara",
    "ended": "dugong",
    "segment": "echidna",
    "invitation": "fennec",
    "unpublished": "gharial",
    "waiting": "hoatzin",
    "approved": "ibisbill",
    "rejected": "jerboa",
    "hidden": "kinkajou",
}
# The author supports these (the ones open to votes when the world was built).
VOTED = {"public", "public_under_review", "ended", "segment", "invitation", "unpublished", "approved", "hidden"}


@dataclass
class World:
    people: dict[str, Any]
    ideas: dict[str, Idea]
    campaigns: dict[str, Any]
    admin: Any
    attachments: dict[str, Any] = field(default_factory=dict)

    def reader(self, name: str) -> Any:
        return AnonymousUser() if name == "visitor" else self.people[name]

    def client(self, name: str) -> Client:
        client = Client()
        if name != "visitor":
            client.force_login(self.people[name])
        return client

    def kinds(self, ids: set[int] | list[int]) -> set[str]:
        by_id = {idea.pk: kind for kind, idea in self.ideas.items()}
        return {by_id[i] for i in ids if i in by_id}


def _person(name: str, role: str = "member", **extra: Any) -> Any:
    return create_verified_member(
        email=f"{name}@visibility.example.org", password="correct horse 12", role=role, display_name=name, **extra
    )


def _build(media: Path) -> World:
    admin = _person("admin", "admin")
    gold = Segment.objects.create(name="Gold", slug="gold")
    people = {
        "member": _person("member"),
        "gold": _person("gold", segment=gold),
        "invited": _person("invited"),
        "author": _person("author", segment=gold),
        "coauthor": _person("coauthor", segment=gold),
        "reviewer": _person("reviewer", "reviewer"),
        "moderator": _person("moderator", "moderator"),
        "suspended": _person("suspended", segment=gold),
    }
    past = timezone.now() - timedelta(days=10)

    def campaign(title: str, **fields: Any) -> Any:
        return services.campaign_create(actor=admin, title=title, brief="What should we make next?", **fields)

    campaigns = {
        "public": campaign("Open to all"),
        "ended": campaign("Ended", starts_at=past),
        "segment": campaign("Gold only", visibility="segment", segment_id=gold.pk),
        "invitation": campaign("Invited only", visibility="invitation"),
        "unpublished": campaign("Draft"),
        "premoderated": campaign("Checked first", premoderation=True),
    }
    for name in ("invited", "author", "coauthor", "suspended"):
        campaigns["invitation"].invitees.add(people[name])
    home = {
        "public": "public",
        "public_under_review": "public",
        "public_declined": "public",
        "ended": "ended",
        "segment": "segment",
        "invitation": "invitation",
        "unpublished": "unpublished",
        "waiting": "premoderated",
        "approved": "premoderated",
        "rejected": "premoderated",
        "hidden": "public",
    }
    author = people["author"]
    ideas: dict[str, Idea] = {}
    attachments: dict[str, Any] = {}
    for kind, where in home.items():
        idea = services.idea_submit(
            actor=author,
            campaign_id=campaigns[where].pk,
            title=f"A {WORD[kind]} shaped tent",
            body=f"The {WORD[kind]} would love this: a tent with room for everything.",
        )
        upload = SimpleUploadedFile(f"plan-{kind}.png", PNG, content_type="image/png")
        attachments[kind] = services.attachment_add(actor=author, idea_id=idea.pk, upload=upload)
        services.comment_post(actor=author, idea_id=idea.pk, body=f"More about the {WORD[kind]} tent.")
        ideas[kind] = idea
    reason = DeclineReason.objects.create(label="Not for us")
    moves = {
        "public_under_review": ("under_review", None),
        "public_declined": ("declined", reason.pk),
        "approved": ("open", None),
        "rejected": ("declined", reason.pk),
    }
    for kind, (stage, reason_id) in moves.items():
        services.stage_change(
            actor=admin,
            idea_id=ideas[kind].pk,
            to_stage=stage,
            message="The team has looked at it.",
            reason_id=reason_id,
        )
    for kind in VOTED:
        services.vote_cast(actor=author, idea_id=ideas[kind].pk, value=1)
    waiting, rejected = ideas["waiting"], ideas["rejected"]
    invite = services.coauthor_invite(actor=author, idea_id=waiting.pk, member_id=people["coauthor"].pk, share=30)
    services.coauthor_respond(actor=people["coauthor"], coauthor_id=invite.pk, accept=True)
    services.coauthor_invite(actor=author, idea_id=rejected.pk, member_id=people["coauthor"].pk, share=30)
    services.content_hide(actor=admin, kind="idea", object_id=ideas["hidden"].pk, reason="Personal data")
    services.campaign_update(actor=admin, campaign=campaigns["unpublished"], is_published=False)
    services.campaign_update(actor=admin, campaign=campaigns["ended"], ends_at=timezone.now() - timedelta(minutes=1))
    community.member_suspend(actor=admin, member=people["suspended"], reason="Shouting in comments")
    # Everyone follows everything, as if they had followed before the idea left their sight.
    Follow.objects.bulk_create(
        [Follow(idea=i, member=m) for i in ideas.values() for m in people.values() if m != author],
        ignore_conflicts=True,
    )
    for idea in ideas.values():
        search.index(idea.pk)  # the indexing task runs after a commit this module never makes
    people = {name: type(p).objects.get(pk=p.pk) for name, p in people.items()}
    ideas = {kind: Idea.objects.select_related("campaign").get(pk=i.pk) for kind, i in ideas.items()}
    return World(people=people, ideas=ideas, campaigns=campaigns, admin=admin, attachments=attachments)


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[World]:
    """The world, built once for the module inside a transaction that is rolled back at the end."""
    with (
        tempfile.TemporaryDirectory(prefix="prosumo-visibility-") as media,
        override_settings(MEDIA_ROOT=media),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        yield _build(Path(media))
        transaction.set_rollback(True)


def readers_of(kind: str) -> frozenset[str]:
    return SEES[kind]


def expected(reader: str, *, listed: bool = False) -> set[str]:
    return {kind for kind, who in SEES.items() if reader in who and not (listed and kind in UNLISTED)}


each_reader = pytest.mark.parametrize("reader", READERS)


# --- the rule itself -------------------------------------------------------------------------


@each_reader
def test_the_rule_in_sql_in_python_and_from_the_members_side_agree(world, db, reader):
    # given
    person = world.reader(reader)
    # when
    in_sql = world.kinds(list(Idea.objects.visible_to(person).values_list("pk", flat=True)))
    in_python = {kind for kind, idea in world.ideas.items() if idea_visible(idea, person)}
    from_members = {kind for kind, idea in world.ideas.items() if idea.readers().filter(pk=person.pk).exists()}
    # then
    assert in_sql == expected(reader)
    assert in_python == expected(reader)
    if reader != "visitor":
        assert from_members == expected(reader)


@each_reader
def test_the_vote_path_and_the_lists_apply_one_rule(world, db, reader):
    # given the rule's two forms: SQL for the lists (`visible_to`), Python for the rows the vote path
    # and access_campaign load with statements of their own (ideas/visibility.py)
    person = world.reader(reader)
    # when each decides for every campaign and every idea
    visible = set(Campaign.objects.visible_to(person).values_list("pk", flat=True))
    campaigns_in_sql = {kind for kind, c in world.campaigns.items() if c.pk in visible}
    campaigns_in_python = {kind for kind, c in world.campaigns.items() if campaign_visible(c, person)}
    with transaction.atomic():
        ideas_for_votes = {kind for kind, idea in world.ideas.items() if idea_visible(_lock_idea(idea.pk), person)}
    ideas_in_sql = world.kinds(list(Idea.objects.visible_to(person).values_list("pk", flat=True)))
    # then they agree, with each other and with the table
    assert campaigns_in_python == campaigns_in_sql == {kind for kind, who in CAMPAIGN_SEES.items() if reader in who}
    assert ideas_for_votes == ideas_in_sql == expected(reader)


@each_reader
def test_access_idea(world, db, reader):
    person = world.reader(reader)
    for kind, idea in world.ideas.items():
        if kind in expected(reader):
            assert access_idea(person, idea.pk) == idea
        else:
            with pytest.raises(NotFound):
                access_idea(person, idea.pk)


# --- pages and the API -----------------------------------------------------------------------


def _answered(world: World, reader: str, url: str, ok: int = 200) -> set[str]:
    """The kinds of idea for which `url` (formatted with the idea) answers `ok`; every other answer is 404."""
    client = world.client(reader)
    seen = set()
    for kind, idea in world.ideas.items():
        response = client.get(url.format(idea=idea.pk, attachment=world.attachments[kind].pk))
        if response.streaming:
            b"".join(response.streaming_content)  # read to the end, the test client closes the file
        assert response.status_code in (ok, 404), (kind, url, response.status_code)
        if response.status_code == ok:
            seen.add(kind)
    return seen


@each_reader
@pytest.mark.parametrize(
    "url",
    [
        "/ideas/{idea}/",
        "/ideas/{idea}/revisions/",
        "/api/ideas/{idea}",
        "/api/ideas/{idea}/comments",
        "/api/ideas/{idea}/revisions",
        "/ideas/{idea}/attachments/{attachment}/",
    ],
    ids=["page", "revisions-page", "api", "api-comments", "api-revisions", "file"],
)
def test_doors_to_one_idea(world, db, reader, url):
    assert _answered(world, reader, url) == expected(reader)


@each_reader
def test_a_hidden_idea_answers_the_api_like_a_missing_one(world, db, reader):
    # given an idea the reader may not see and an id no idea has
    unseen = [idea for kind, idea in world.ideas.items() if kind not in expected(reader)]
    client = world.client(reader)
    missing = client.get("/api/ideas/999999999").json()
    # then both answer the same 404
    for idea in unseen:
        response = client.get(f"/api/ideas/{idea.pk}")
        assert (response.status_code, response.json()) == (404, missing)


# A visitor is sent to sign in first, and a suspended member is refused before anything is read.
@pytest.mark.parametrize("reader", [r for r in READERS if r not in ("visitor", "suspended")])
def test_commenting_needs_sight_of_the_idea(world, db, reader):
    # given the ideas a signed-in reader may not see
    client = world.client(reader)
    before = Notification.objects.count(), world.ideas["waiting"].comments.count()
    for kind, idea in world.ideas.items():
        if kind in expected(reader):
            continue
        # when
        response = client.post(f"/ideas/{idea.pk}/comment/", {"body": "Let me in on this."})
        # then
        assert response.status_code == 404, kind
    assert (Notification.objects.count(), world.ideas["waiting"].comments.count()) == before


# --- lists, search, similar ideas ------------------------------------------------------------


def _listed_in_campaigns(world: World, reader: str, url: str) -> set[str]:
    client = world.client(reader)
    seen = set()
    for campaign in world.campaigns.values():
        response = client.get(url.format(slug=campaign.slug))
        assert response.status_code in (200, 404)
        if response.status_code != 200:
            continue
        text = response.content.decode()
        seen |= {kind for kind, word in WORD.items() if word in text}
    return seen


@each_reader
def test_campaign_pages_list_only_listed_ideas_the_reader_may_see(world, db, reader):
    # declined ideas have a list of their own (the stage filter), out of the default one
    default = _listed_in_campaigns(world, reader, "/c/{slug}/?order=new")
    declined = _listed_in_campaigns(world, reader, "/c/{slug}/?order=new&stage=declined")
    assert default | declined == expected(reader, listed=True)
    assert not {kind for kind in default if world.ideas[kind].stage == "declined"}


@each_reader
def test_campaign_lists_in_the_api(world, db, reader):
    assert _listed_in_campaigns(world, reader, "/api/campaigns/{slug}/ideas?order=new") == expected(reader, listed=True)


@each_reader
def test_search_finds_only_what_the_reader_may_see(world, db, reader):
    # when each idea's own word is searched for in its own campaign, in the API and on the page
    client = world.client(reader)
    api, page, site = set(), set(), set()
    for kind, idea in world.ideas.items():
        slug = idea.campaign.slug
        response = client.get(f"/api/campaigns/{slug}/ideas", {"q": WORD[kind]})
        if response.status_code == 200:
            api |= world.kinds([item["id"] for item in response.json()["items"]])
        response = client.get(f"/c/{slug}/", {"q": WORD[kind]})
        if response.status_code == 200 and idea.title in response.content.decode():  # the query itself is echoed
            page.add(kind)
        response = client.get("/search/", {"q": WORD[kind]})
        if idea.title in response.content.decode():
            site.add(kind)
    # then
    assert api == expected(reader, listed=True)
    assert page == expected(reader, listed=True)
    assert site == expected(reader, listed=True)


@each_reader
def test_a_list_across_campaigns_shows_only_what_the_reader_may_see(world, db, reader):
    page = selectors.idea_list(viewer=world.reader(reader), order="new", per_page=100)
    assert world.kinds([idea.pk for idea in page.object_list]) == expected(reader, listed=True)


@each_reader
def test_similar_ideas_in_the_api_and_beside_the_form(world, db, reader):
    client = world.client(reader)
    api: set[str] = set()
    beside_the_form: set[str] = set()
    for word in WORD.values():
        api |= world.kinds([item["id"] for item in client.get("/api/ideas/similar", {"text": word}).json()])
        page = client.get("/similar/", {"title": f"tent {word}", "body": ""}).content.decode()
        beside_the_form |= {kind for kind, w in WORD.items() if w in page}
    assert api == expected(reader, listed=True)
    assert beside_the_form == expected(reader, listed=True)


@each_reader
def test_similar_ideas_on_an_idea_page(world, db, reader):
    # given the public idea, whose page lists ideas of its own campaign that share its words
    client = world.client(reader)
    public = world.ideas["public"]
    # when
    text = client.get(f"/ideas/{public.pk}/").content.decode()
    # then only listed ideas of that campaign that the reader may see are shown
    shown = {kind for kind, word in WORD.items() if word in text} - {"public"}
    assert shown == {"public_under_review", "public_declined"}


# --- profiles ---------------------------------------------------------------------------------


@each_reader
def test_a_profile_shows_and_counts_only_what_the_reader_may_see(world, db, reader):
    # when
    activity = selectors.profile_activity(member=world.people["author"], viewer=world.reader(reader))
    page = world.client(reader).get(f"/members/{world.people['author'].pk}/").content.decode()
    # then
    visible = expected(reader)
    assert world.kinds([idea.pk for idea in activity.ideas]) == visible
    assert {kind for kind, word in WORD.items() if word in page} == visible
    assert activity.stats == {
        "ideas": len(visible),
        "answered": len(visible & {"public_under_review", "public_declined", "approved", "rejected"}),
        "comments": len(visible),
        "votes": len(visible & VOTED),
        "coauthored": 0,
    }
    assert re.search(rf"\b{len(visible)} ideas?\b", page)
    assert re.search(rf"\b{len(visible & VOTED)} votes?\b", page)


@each_reader
def test_a_co_authors_profile_counts_only_what_the_reader_may_see(world, db, reader):
    activity = selectors.profile_activity(member=world.people["coauthor"], viewer=world.reader(reader))
    assert activity.stats["coauthored"] == (1 if reader in SEES["waiting"] else 0)


# --- notifications ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(SEES))
@pytest.mark.parametrize("how", ["audience", "recipients"])
def test_news_of_an_idea_reaches_only_those_who_may_read_it(world, db, kind, how):
    # given everyone follows the idea (as if they had before it left their sight)
    idea = world.ideas[kind]
    everyone = [p.pk for p in world.people.values()]
    # when news of it fans out, to its followers or to a list of members
    if how == "audience":
        fanout = notify(
            audience=("idea.followers", idea.pk), verb="idea.revised", title=phrase("idea.revised", idea="x")
        )
    else:
        fanout = notify(
            recipient_ids=everyone, about_idea=idea.pk, verb="idea.revised", title=phrase("idea.revised", idea="x")
        )
    fanout_deliver(fanout_id=fanout.pk)
    # then
    told = {
        name for name, p in world.people.items() if Notification.objects.filter(fanout=fanout, recipient=p).exists()
    }
    assert told == set(SEES[kind]) - {"visitor"}
