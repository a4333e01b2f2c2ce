"""Seeding the voting test's community and reading back what the server stored, through the ORM.

Used in-process by the PostgreSQL test (live_server) and, for the SQLite test, in
child processes that point at a SQLite file served by Granian:

    python -m tests.concurrency.site seed MEMBERS   # prints {"tokens": [...], "ideas": {id: mode}}
    python -m tests.concurrency.site dump           # prints the ideas, votes and vote events
    python -m tests.concurrency.site revoke TOKEN   # its member revokes the token (another node's change)
    python -m tests.concurrency.site session EMAIL  # prints the cookie of a new signed-in session of EMAIL
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from typing import Any

from tests.concurrency.voting import VOTE_VERBS, WITHDRAW_VERB, IdeaRow, VoteRow

MODES = ("support", "updown", "score")


def seed(members: int) -> tuple[list[str], dict[int, str]]:
    """`members` members with API tokens, and one open idea in a campaign of each voting mode."""
    from prosumo.community.bootstrap import create_verified_member
    from prosumo.community.tokens import token_create
    from prosumo.ideas.services import campaign_create, idea_submit

    admin = create_verified_member(email="load-admin@example.org", password="correct horse 12", role="admin")
    author = create_verified_member(email="load-author@example.org", password="correct horse 12")
    ideas: dict[int, str] = {}
    for mode in MODES:
        campaign = campaign_create(actor=admin, title=f"Load {mode}", brief="Vote on it.", voting_mode=mode)
        idea = idea_submit(
            actor=author,
            campaign_id=campaign.pk,
            title=f"An idea voted by {mode}",
            body="Members vote on this idea from many threads at once to prove the tallies stay exact.",
        )
        ideas[idea.pk] = mode
    tokens = []
    for n in range(members):
        # Voters sign in with their token only: no password, so no slow hashing while seeding.
        voter = create_verified_member(email=f"voter{n}@example.org", password=None)  # type: ignore[arg-type]
        tokens.append(token_create(actor=voter, name="load test", scopes=["write"])[1])
    return tokens, ideas


def rows(idea_ids: list[int]) -> tuple[list[IdeaRow], list[VoteRow], list[tuple[int, str, int, int, float, bool]]]:
    from prosumo.activity.models import Event
    from prosumo.ideas.models import Idea, Vote

    ideas = [
        IdeaRow(
            idea_id=i.pk,
            mode=i.campaign.voting_mode,
            created_at=i.created_at,
            tallies={f: getattr(i, f) for f in ("support_count", "up_count", "down_count", "score_sum", "score_count")},
            rank_top=i.rank_top,
            rank_hot=i.rank_hot,
            rank_trending=i.rank_trending,
        )
        for i in Idea.objects.filter(pk__in=idea_ids).select_related("campaign").order_by("pk")
    ]
    votes = [
        VoteRow(v.idea_id, v.member_id, v.value, v.updated_at)
        for v in Vote.objects.filter(idea_id__in=idea_ids).order_by("pk")
    ]
    events = [
        (e.pk, e.verb, e.object_id, e.actor_id, e.value, "previous" in e.details)
        for e in Event.objects.filter(
            verb__in=[*VOTE_VERBS, WITHDRAW_VERB], object_type="idea", object_id__in=idea_ids
        ).order_by("pk")
    ]
    return ideas, votes, events


def rows_to_json(found: tuple[list[IdeaRow], list[VoteRow], list[Any]]) -> str:
    ideas, votes, events = found
    return json.dumps(
        {
            "ideas": [{**i.__dict__, "created_at": i.created_at.isoformat()} for i in ideas],
            "votes": [{**v.__dict__, "updated_at": v.updated_at.isoformat()} for v in votes],
            "events": events,
        }
    )


def rows_from_json(text: str) -> tuple[list[IdeaRow], list[VoteRow], list[tuple[int, str, int, int, float, bool]]]:
    data = json.loads(text)
    ideas = [IdeaRow(**{**i, "created_at": datetime.fromisoformat(i["created_at"])}) for i in data["ideas"]]
    votes = [VoteRow(**{**v, "updated_at": datetime.fromisoformat(v["updated_at"])}) for v in data["votes"]]
    return ideas, votes, [tuple(e) for e in data["events"]]  # type: ignore[misc]


def main(argv: list[str]) -> None:
    import django

    django.setup()
    if argv[0] == "seed":
        tokens, ideas = seed(int(argv[1]))
        print(json.dumps({"tokens": tokens, "ideas": ideas}))
    elif argv[0] == "dump":
        print(rows_to_json(rows([int(i) for i in argv[1:]])))
    elif argv[0] == "revoke":
        from prosumo.community.models import ApiToken, hash_token
        from prosumo.community.tokens import token_revoke

        token = ApiToken.objects.select_related("member").get(digest=hash_token(argv[1]))
        token_revoke(actor=token.member, token_id=token.pk)
    elif argv[0] == "session":
        from django.conf import settings
        from django.contrib.auth import get_user_model
        from django.test import Client

        browser = Client()
        browser.force_login(get_user_model().objects.get(email=argv[1]))
        print(f"{settings.SESSION_COOKIE_NAME}={browser.cookies[settings.SESSION_COOKIE_NAME].value}")
    else:
        sys.exit(f"unknown command {argv[0]!r}: use seed MEMBERS, dump IDEA_ID..., revoke TOKEN or session EMAIL")


if __name__ == "__main__":
    main(sys.argv[1:])
