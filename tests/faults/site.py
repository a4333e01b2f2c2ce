"""What the fault tests do to their site through the real services, run in a child process on its SQLite file.

    python -m tests.faults.site stage-change   # an idea moved by a reviewer: its author is notified by email
    python -m tests.faults.site webhook URL    # a webhook on idea.submitted, then an idea submitted

Each prints one JSON line with what the test needs to know.
"""

from __future__ import annotations

import json
import sys


def stage_change() -> dict[str, object]:
    from prosumo.community.bootstrap import create_verified_member
    from prosumo.ideas.services import campaign_create, idea_submit, stage_change

    admin = create_verified_member(email="admin@example.org", password=None, role="admin")  # type: ignore[arg-type]
    reviewer = create_verified_member(email="reviewer@example.org", password=None, role="reviewer")  # type: ignore[arg-type]
    author = create_verified_member(email="author@example.org", password=None)  # type: ignore[arg-type]
    campaign = campaign_create(actor=admin, title="Tents for families", brief="Tell us how to make our tents better.")
    idea = idea_submit(
        actor=author,
        campaign_id=campaign.pk,
        title="A tent that pitches itself",
        body="Pre-bent poles attached to the fabric so that it unfolds like an umbrella.",
    )
    stage_change(actor=reviewer, idea_id=idea.pk, to_stage="under_review", message="Our tent team is on it.")
    return {"author": author.email, "idea": idea.pk}


def webhook(url: str) -> dict[str, object]:
    from prosumo.activity.reactions import reactions_run
    from prosumo.community.bootstrap import create_verified_member
    from prosumo.ideas.services import campaign_create, idea_submit
    from prosumo.integrations.models import WebhookDelivery
    from prosumo.integrations.services import webhook_create

    admin = create_verified_member(email="admin@example.org", password=None, role="admin")  # type: ignore[arg-type]
    author = create_verified_member(email="author@example.org", password=None)  # type: ignore[arg-type]
    hook = webhook_create(actor=admin, url=url, verbs=["idea.submitted"])
    campaign = campaign_create(actor=admin, title="Tents for families", brief="Tell us how to make our tents better.")
    idea_submit(
        actor=author,
        campaign_id=campaign.pk,
        title="A tent with a porch",
        body="A short porch keeps muddy boots out of the sleeping area.",
    )
    reactions_run()  # what the default queue's worker does next: the event's reactions queue the delivery
    return {"delivery": WebhookDelivery.objects.get().pk, "secret": hook.secret}


def main(argv: list[str]) -> None:
    import django

    django.setup()
    if argv[0] == "stage-change":
        print(json.dumps(stage_change()))
    elif argv[0] == "webhook":
        print(json.dumps(webhook(argv[1])))
    else:
        sys.exit(f"unknown command {argv[0]!r}: use stage-change or webhook URL")


if __name__ == "__main__":
    main(sys.argv[1:])
