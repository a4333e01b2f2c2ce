"""A member with one of each thing a member can have, made through the real services at a frozen time."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)
EMAIL = "zelda.quill@example.org"
NAME = "Zelda Quill"
PASSWORD = "correct horse 12"


def png() -> SimpleUploadedFile:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 40, 40)).save(out, format="PNG")
    return SimpleUploadedFile("face.png", out.getvalue(), content_type="image/png")


@dataclass
class World:
    zelda: Any
    other: Any
    own_idea: Any
    other_idea: Any
    comment: Any
    token_raw: str


@pytest.fixture
def world(time_machine, make_member, make_campaign, make_idea, django_capture_on_commit_callbacks, settings, tmp_path):
    """Zelda: a profile with a picture, an idea she revised, a vote, a follow, a comment she edited,
    a co-authorship, an invitation she sent, a report, an API token and notifications; Otto: the other member."""
    from prosumo.community.bootstrap import create_verified_member
    from prosumo.community.models import CustomerRecord
    from prosumo.community.services import invitation_create, member_update_profile
    from prosumo.community.tokens import token_create
    from prosumo.ideas.services import (
        coauthor_invite,
        coauthor_respond,
        comment_edit,
        comment_post,
        flag_create,
        idea_follow,
        idea_revise,
        vote_cast,
    )

    settings.MEDIA_ROOT = str(tmp_path / "media")
    time_machine.move_to(NOW, tick=False)
    CustomerRecord.objects.create(customer_id="C-77", email=EMAIL, tier="gold", spend=120, country="ES")
    zelda = create_verified_member(email=EMAIL, password=PASSWORD, display_name=NAME)
    other = make_member(display_name="Otto Brandt")
    member_update_profile(
        member=zelda, bio="I camp every summer.", country="ES", interests=["tents"], avatar=png(), locale="en"
    )
    campaign = make_campaign(title="Better tents")
    with django_capture_on_commit_callbacks(execute=True):
        own_idea = make_idea(zelda, in_campaign=campaign, title="A tent with a porch for the boots")
        idea_revise(
            actor=zelda,
            idea_id=own_idea.pk,
            title="A tent with a porch for muddy boots",
            body="A small porch keeps muddy boots out of the sleeping room.",
            note="clearer",
        )
        other_idea = make_idea(other, in_campaign=campaign, title="Glow-in-the-dark tent pegs")
        vote_cast(actor=zelda, idea_id=other_idea.pk)
        idea_follow(actor=zelda, idea_id=other_idea.pk)
        comment = comment_post(actor=zelda, idea_id=other_idea.pk, body="Yes, I trip over pegs every night.")
        comment_edit(actor=zelda, comment_id=comment.pk, body="Yes, I trip over my pegs every night.")
        invite = coauthor_invite(actor=other, idea_id=other_idea.pk, member_id=zelda.pk, share=20)
        coauthor_respond(actor=zelda, coauthor_id=invite.pk, accept=True)
        comment_post(actor=other, idea_id=own_idea.pk, body="Would it fold into the bag?")
        invitation_create(actor=zelda, email="friend@example.org")
        flag_create(actor=zelda, kind="idea", object_id=other_idea.pk, reason="Looks like an advert")
    _, raw = token_create(actor=zelda, name="My script", scopes=["write"])
    zelda.refresh_from_db()
    return World(zelda, other, own_idea, other_idea, comment, raw)


def tallies_equal_votes() -> list[int]:
    """Ideas whose tallies differ from their votes table, in any voting mode; empty when all agree."""
    from django.db.models import Count, Q, Sum

    from prosumo.ideas.models import Idea

    ideas = Idea.objects.select_related("campaign").annotate(
        up=Count("votes", filter=Q(votes__value__gt=0)),
        down=Count("votes", filter=Q(votes__value__lt=0)),
        total=Sum("votes__value"),
        votes_count=Count("votes"),
    )
    wrong = []
    for idea in ideas:
        expected = {
            "support": (idea.support_count, idea.up),
            "updown": ((idea.up_count, idea.down_count), (idea.up, idea.down)),
            "score": ((idea.score_sum, idea.score_count), (idea.total or 0, idea.votes_count)),
            # choices and ballots live in tables of their own: these modes take no vote
            "pairwise": (idea.votes_count, 0),
            "budget": (idea.votes_count, 0),
        }[idea.campaign.voting_mode]
        if expected[0] != expected[1]:
            wrong.append(idea.pk)
    return wrong


def where_found(*needles: str) -> set[tuple[str, str]]:
    """Every (table, column) of the database whose text holds one of the needles, whatever its case."""
    found = set()
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            try:
                columns = [c.name for c in connection.introspection.get_table_description(cursor, table)]
            except Exception:  # an FTS shadow table the introspection cannot describe
                continue
            for column in columns:
                q = connection.ops.quote_name
                for needle in needles:
                    cursor.execute(
                        f"SELECT 1 FROM {q(table)} WHERE LOWER(CAST({q(column)} AS TEXT)) LIKE %s LIMIT 1",
                        [f"%{needle.lower()}%"],
                    )
                    if cursor.fetchone():
                        found.add((table, column))
    return found
