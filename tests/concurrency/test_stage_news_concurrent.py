"""Two workers fanning out one idea's stage changes at the same instant mail each contributor once (PostgreSQL).

Real parts: PostgreSQL, worker processes with their own connections running the
`fan_out` task released together, and a real SMTP server (aiosmtpd) that the mail goes to.
Within the collapse window the two moves make one email per contributor; without it, one
email per move and contributor, however many workers run each fan-out.
"""

from __future__ import annotations

import multiprocessing
import time
from collections import Counter
from typing import Any

import pytest
from django.db import connection, connections

from prosumo.core.mail import mail_deliver
from prosumo.core.models import OutgoingMail
from prosumo.ideas.services import idea_submit, stage_change, vote_cast
from prosumo.notifications.models import Fanout, Notification
from prosumo.notifications.tasks import fan_out
from tests.browser.smtp import send_to, smtp_server

BODY = "A tent whose poles are sewn into the fabric, so that it pitches itself in a minute."
SUPPORTERS = 40


def _work(fanout_id: int, start: Any) -> None:
    """One worker process: wait for the others, then run the fan-out task."""
    start.wait(timeout=30)
    try:
        fan_out.call(fanout_id)
    finally:
        connections.close_all()


def _at_once(fanout_ids: list[int]) -> None:
    """Run the fan-outs in worker processes (forked: the test's settings and database) released together."""
    fork = multiprocessing.get_context("fork")
    start = fork.Barrier(len(fanout_ids))
    connections.close_all()  # each worker opens its own connection
    workers = [fork.Process(target=_work, args=(pk, start)) for pk in fanout_ids]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert [worker.exitcode for worker in workers] == [0] * len(workers)


@pytest.mark.postgres_only
@pytest.mark.parametrize(("window", "emails_each"), [(2, 1), (0, 2)])
def test_two_workers_mail_each_contributor_once_per_collapse(
    transactional_db: Any,
    settings: Any,
    make_member: Any,
    make_campaign: Any,
    reviewer: Any,
    window: int,
    emails_each: int,
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip(
            f"needs PostgreSQL row locks; DATABASE_URL points at {connection.vendor} (make test-postgres runs it)"
        )
    # given an idea with its author and many supporters, and the fan-out tasks kept, not run
    settings.PROSUMO_NOTIFICATION_COLLAPSE_SECONDS = window
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": settings.TASK_QUEUES}
    }
    author = make_member()
    idea = idea_submit(actor=author, campaign_id=make_campaign().pk, title="A self-pitching tent", body=BODY)
    supporters = [make_member() for _ in range(SUPPORTERS)]
    for supporter in supporters:
        vote_cast(actor=supporter, idea_id=idea.pk, value=1)
    contributors = {author.email, *(s.email for s in supporters)}
    with smtp_server() as box:
        send_to(settings, box)
        # when a reviewer moves the idea twice in quick succession
        stage_change(actor=reviewer, idea_id=idea.pk, to_stage="under_review", message="We are looking at it now.")
        stage_change(actor=reviewer, idea_id=idea.pk, to_stage="accepted", message="We will build it next year.")
        first, second = Fanout.objects.order_by("pk").values_list("pk", flat=True)
        # and two workers run both fan-outs at the same instant, each fan-out twice
        _at_once([first, second, second, first])
        # and, once any collapse window has passed, the mail is sent
        time.sleep(window + 0.5)
        mail_deliver()
        received = box.received()
    # then every contributor has both notifications, and the emails the window allows, once each
    assert Notification.objects.filter(verb="idea.stage_changed").count() == 2 * len(contributors)
    assert Counter(str(m["To"]) for m in received) == dict.fromkeys(contributors, emails_each)
    assert OutgoingMail.objects.exclude(status="sent").count() == 0
    if window:
        # the one email says where the idea stands now
        assert {str(m["Subject"]).rsplit(": ", 1)[1] for m in received} <= {"Under review", "Accepted"}
