"""Webhooks end to end: a real HTTP receiver on 127.0.0.1 checks each signature; retries follow the backoff."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import socket
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.test import Client

from prosumo.activity.tasks import reactions_sweep
from prosumo.integrations.models import WebhookDelivery
from prosumo.integrations.tasks import MAX_ATTEMPTS, NO_ANSWER, deliver_webhook, retry_webhooks

IDEA = {"title": "Tent with a porch", "body": "A short porch keeps muddy boots out of the sleeping area."}


def verify(secret: str, headers: dict[str, str], body: bytes, tolerance_s: int = 300) -> bool:
    """The receiver's check, word for word as docs/api.md gives it to integrators."""
    timestamp = headers["X-Prosumo-Timestamp"]
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    fresh = abs(time.time() - int(timestamp)) <= tolerance_s
    return fresh and hmac.compare_digest(headers["X-Prosumo-Signature"], "sha256=" + expected)


class Receiver:
    """An HTTP endpoint that answers the statuses in ``script`` in turn (then 200) and checks signatures."""

    def __init__(self) -> None:
        self.secret = ""
        self.script: list[int] = []
        self.received: list[dict[str, Any]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append(
                    {
                        "path": self.path,
                        "event": self.headers["X-Prosumo-Event"],
                        "verified": verify(receiver.secret, dict(self.headers), body),
                        "payload": json.loads(body),
                    }
                )
                status = receiver.script.pop(0) if receiver.script else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/prosumo"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    started = Receiver()
    yield started
    started.close()


def closed_port_url() -> str:
    """An address on 127.0.0.1 where nothing listens."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/hooks/prosumo"


def register(call: Any, admin: Any, url: str, verbs: list[str]) -> dict[str, Any]:
    response = call("POST", "/api/webhooks", {"url": url, "verbs": verbs}, as_member=admin)
    assert response.status_code == 201
    return response.json()


def test_idea_submitted_is_delivered_after_one_retry(
    receiver, admin, member, campaign, call, django_capture_on_commit_callbacks
):
    # given: a receiver that fails once, then accepts
    receiver.secret = register(call, admin, receiver.url, ["idea.submitted"])["secret"]
    receiver.script = [500]
    # when: the idea is submitted, the request answers before anything is sent
    with django_capture_on_commit_callbacks(execute=False) as after_commit:
        submitted = call("POST", f"/api/campaigns/{campaign.pk}/ideas", IDEA, as_member=member)
    assert submitted.status_code == 201
    assert (WebhookDelivery.objects.count(), receiver.received) == (0, [])
    # when: the transaction's after-commit work runs the event's reactions, which owe the receiver a delivery
    with django_capture_on_commit_callbacks(execute=False) as after_reactions:
        for callback in after_commit:
            callback()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, receiver.received) == ("pending", 0, [])
    # when: their after-commit work runs the first try
    for callback in after_reactions:
        callback()
    delivery.refresh_from_db()
    # then: it failed and waits 30 s
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("pending", 1, "HTTP 500")
    first_try = delivery.next_attempt_at - timedelta(seconds=30)
    # when: the retry task runs 1 s before the backoff ends, then when it ends
    early = retry_webhooks.enqueue(now=(first_try + timedelta(seconds=29)).isoformat())
    on_time = retry_webhooks.enqueue(now=(first_try + timedelta(seconds=30)).isoformat())
    # then
    assert (early.return_value, on_time.return_value) == (0, 1)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("delivered", 2, "")
    assert delivery.delivered_at == first_try + timedelta(seconds=30)
    assert delivery.next_attempt_at is None
    assert [r["verified"] for r in receiver.received] == [True, True]
    assert [r["event"] for r in receiver.received] == ["idea.submitted", "idea.submitted"]
    payload = receiver.received[1]["payload"]
    assert payload == receiver.received[0]["payload"]
    assert (payload["verb"], payload["object_type"], payload["object_id"], payload["actor_id"]) == (
        "idea.submitted",
        "idea",
        submitted.json()["id"],
        member.pk,
    )
    assert payload["idea"] == {
        "id": submitted.json()["id"],
        "title": IDEA["title"],
        "stage": "open",
        "url": f"http://127.0.0.1:8000/ideas/{submitted.json()['id']}/",
    }
    assert receiver.received[0]["path"] == "/hooks/prosumo"


def test_stage_change_is_signed_and_delivered(
    receiver, admin, reviewer, idea, call, django_capture_on_commit_callbacks
):
    # given
    receiver.secret = register(call, admin, receiver.url, ["idea.stage_changed"])["secret"]
    # when
    with django_capture_on_commit_callbacks(execute=True):
        call(
            "POST",
            f"/api/ideas/{idea.pk}/stage",
            {"to_stage": "under_review", "message": "Our tent team will look at it this month."},
            as_member=reviewer,
        )
    # then
    assert WebhookDelivery.objects.get().status == "delivered"
    assert len(receiver.received) == 1
    got = receiver.received[0]
    assert (got["verified"], got["event"]) == (True, "idea.stage_changed")
    assert got["payload"]["details"] == {
        "from": "open",
        "to": "under_review",
        "reason": None,
        "message": "Our tent team will look at it this month.",
        "answer": True,
    }


def test_wrong_secret_fails_verification(receiver, admin, member, campaign, call, django_capture_on_commit_callbacks):
    # given: the receiver holds another secret than the one Prosumo signs with
    register(call, admin, receiver.url, ["idea.submitted"])
    receiver.secret = "not-the-secret"
    # when
    with django_capture_on_commit_callbacks(execute=True):
        call("POST", f"/api/campaigns/{campaign.pk}/ideas", IDEA, as_member=member)
    # then
    assert [r["verified"] for r in receiver.received] == [False]


def test_only_subscribed_verbs_are_sent(receiver, admin, member, campaign, call, django_capture_on_commit_callbacks):
    register(call, admin, receiver.url, ["idea.stage_changed"])
    with django_capture_on_commit_callbacks(execute=True):
        call("POST", f"/api/campaigns/{campaign.pk}/ideas", IDEA, as_member=member)
    assert WebhookDelivery.objects.count() == 0
    assert receiver.received == []


def test_receiver_down_fails_after_the_maximum_attempts_with_backoff(
    admin, member, campaign, call, django_capture_on_commit_callbacks
):
    # given
    register(call, admin, closed_port_url(), ["idea.submitted"])
    with django_capture_on_commit_callbacks(execute=True):
        call("POST", f"/api/campaigns/{campaign.pk}/ideas", IDEA, as_member=member)
    delivery = WebhookDelivery.objects.get()
    schedule = [delivery.next_attempt_at]
    # when: each retry runs exactly when the previous backoff ends
    for _ in range(MAX_ATTEMPTS - 1):
        retry_webhooks.enqueue(now=delivery.next_attempt_at.isoformat())
        delivery.refresh_from_db()
        schedule.append(delivery.next_attempt_at)
    # then: waits of 30 s x 2^(n-1) between tries, then failed with the last error kept
    gaps = [(later - earlier).total_seconds() for earlier, later in itertools.pairwise(schedule[:-1])]
    assert gaps == [60, 120, 240, 480, 960, 1920]
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("failed", 8, None)
    assert delivery.last_error == NO_ANSWER
    assert retry_webhooks.enqueue(now=(schedule[-2] + timedelta(days=1)).isoformat()).return_value == 0
    delivery.refresh_from_db()
    assert delivery.attempts == 8
    listed = call("GET", f"/api/webhooks/{delivery.webhook_id}/deliveries", as_member=admin).json()
    assert [(d["verb"], d["status"], d["attempts"]) for d in listed] == [("idea.submitted", "failed", 8)]
    assert listed[0]["last_error"] == delivery.last_error


def test_deactivating_a_webhook_stops_its_retries(admin, member, campaign, call, django_capture_on_commit_callbacks):
    # given: a delivery waiting for its second try
    hook = register(call, admin, closed_port_url(), ["idea.submitted"])
    with django_capture_on_commit_callbacks(execute=True):
        call("POST", f"/api/campaigns/{campaign.pk}/ideas", IDEA, as_member=member)
    waiting = WebhookDelivery.objects.get()
    # when
    call("DELETE", f"/api/webhooks/{hook['id']}", as_member=admin)
    retried = retry_webhooks.enqueue(now=waiting.next_attempt_at.isoformat())
    # then
    waiting.refresh_from_db()
    assert retried.return_value == 0
    assert (waiting.status, waiting.attempts, waiting.last_error) == ("failed", 1, "webhook deactivated")
    with django_capture_on_commit_callbacks(execute=True):
        call("POST", f"/api/campaigns/{campaign.pk}/ideas", {**IDEA, "title": "Another porch tent"}, as_member=member)
    assert WebhookDelivery.objects.count() == 1


def test_first_try_runs_once_however_often_it_is_enqueued(
    receiver, admin, member, campaign, call, django_capture_on_commit_callbacks
):
    # given
    receiver.secret = register(call, admin, receiver.url, ["idea.submitted"])["secret"]
    with django_capture_on_commit_callbacks(execute=True):
        call("POST", f"/api/campaigns/{campaign.pk}/ideas", IDEA, as_member=member)
    delivery = WebhookDelivery.objects.get()
    # when
    again = deliver_webhook.enqueue(delivery.pk)
    # then
    assert again.return_value is False
    delivery.refresh_from_db()
    assert (delivery.attempts, len(receiver.received)) == (1, 1)


def test_retry_task_refuses_a_time_without_timezone(db):
    with pytest.raises(ValueError, match="timezone"):
        retry_webhooks.call(now="2026-11-23T12:00:00")


def test_deliveries_list_nothing_to_anonymous(db):
    assert Client().post("/api/webhooks", {}, content_type="application/json").status_code == 401


def test_a_first_try_whose_worker_died_is_retried_once_its_claim_expires(
    receiver, admin, member, campaign, call, settings, django_capture_on_commit_callbacks
):
    # given a delivery whose first try claimed it and never recorded an outcome (its worker was killed mid-POST)
    settings.PROSUMO_WEBHOOK_CLAIM_SECONDS = 60
    receiver.secret = register(call, admin, receiver.url, ["idea.submitted"])["secret"]
    with django_capture_on_commit_callbacks(execute=False):
        call("POST", f"/api/campaigns/{campaign.pk}/ideas", IDEA, as_member=member)
        reactions_sweep.enqueue()  # the event's reactions write the delivery
    delivery = WebhookDelivery.objects.get()
    claimed_until = delivery.created_at + timedelta(seconds=60)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=claimed_until)
    # when the first try runs again while the claim holds, and the retry task looks 1 s before it expires
    again = deliver_webhook.enqueue(delivery.pk)
    early = retry_webhooks.enqueue(now=(claimed_until - timedelta(seconds=1)).isoformat())
    # then neither sends anything
    assert (again.return_value, early.return_value, receiver.received) == (False, 0, [])
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("pending", 0, claimed_until)
    # when the claim has expired
    on_time = retry_webhooks.enqueue(now=claimed_until.isoformat())
    # then it is delivered, once
    assert on_time.return_value == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.delivered_at) == ("delivered", 1, claimed_until)
    assert [r["verified"] for r in receiver.received] == [True]
    assert retry_webhooks.enqueue(now=(claimed_until + timedelta(hours=1)).isoformat()).return_value == 0
    assert len(receiver.received) == 1


def test_a_delivery_whose_first_try_was_never_queued_is_sent_by_the_retry_task(
    receiver, admin, member, campaign, call, settings, django_capture_on_commit_callbacks
):
    # given a delivery whose first try was lost between the commit and the enqueue
    settings.PROSUMO_WEBHOOK_CLAIM_SECONDS = 60
    receiver.secret = register(call, admin, receiver.url, ["idea.submitted"])["secret"]
    with django_capture_on_commit_callbacks(execute=False):
        call("POST", f"/api/campaigns/{campaign.pk}/ideas", IDEA, as_member=member)
        reactions_sweep.enqueue()  # the event's reactions write the delivery
    delivery = WebhookDelivery.objects.get()
    # when the retry task runs 59 s after it was created, then 60 s after
    early = retry_webhooks.enqueue(now=(delivery.created_at + timedelta(seconds=59)).isoformat())
    on_time = retry_webhooks.enqueue(now=(delivery.created_at + timedelta(seconds=60)).isoformat())
    # then
    assert (early.return_value, on_time.return_value) == (0, 1)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 1)
    assert [r["verified"] for r in receiver.received] == [True]


def test_webhook_tasks_run_on_their_own_queue():
    assert (deliver_webhook.queue_name, retry_webhooks.queue_name) == ("webhooks", "webhooks")


def test_an_event_owes_each_webhook_one_delivery_however_often_its_reaction_runs(
    receiver, admin, member, campaign, call, django_capture_on_commit_callbacks
):
    # given an event delivered to two webhooks
    from prosumo.activity.models import Event
    from prosumo.integrations.services import event_recorded

    for _ in range(2):
        receiver.secret = register(call, admin, receiver.url, ["idea.submitted"])["secret"]
    with django_capture_on_commit_callbacks(execute=True):
        call("POST", f"/api/campaigns/{campaign.pk}/ideas", IDEA, as_member=member)
    event = Event.objects.get(verb="idea.submitted")
    assert sorted(WebhookDelivery.objects.values_list("status", "attempts")) == [("delivered", 1)] * 2
    # when the webhooks' reaction runs on it again (a retry after a crash, say)
    with django_capture_on_commit_callbacks(execute=True):
        event_recorded(event=event)
    # then there are still two deliveries, each sent once
    assert sorted(WebhookDelivery.objects.values_list("status", "attempts")) == [("delivered", 1)] * 2
    assert len(receiver.received) == 2


def test_any_verb_of_the_event_log_can_be_subscribed_to(
    receiver, admin, member, idea, call, django_capture_on_commit_callbacks
):
    # given: webhooks offer the whole vocabulary; one asks for votes and comments
    from prosumo.activity.verbs import VERBS

    assert {"idea.supported", "comment.posted", "member.segment_changed", "moderation.hidden"} <= set(VERBS)
    receiver.secret = register(call, admin, receiver.url, ["idea.supported", "comment.posted"])["secret"]
    # when
    with django_capture_on_commit_callbacks(execute=True):
        call("PUT", f"/api/ideas/{idea.pk}/vote", {"value": 1}, as_member=admin)
    with django_capture_on_commit_callbacks(execute=True):
        call("POST", f"/api/ideas/{idea.pk}/comments", {"body": "Would it fit two children?"}, as_member=admin)
    with django_capture_on_commit_callbacks(execute=True):
        call("POST", f"/api/ideas/{idea.pk}/follow", as_member=admin)
    # then
    assert [(r["event"], r["verified"]) for r in receiver.received] == [
        ("idea.supported", True),
        ("comment.posted", True),
    ]
    assert receiver.received[0]["payload"]["campaign_id"] == idea.campaign_id


def test_a_webhook_for_some_campaigns_gets_only_their_events(
    receiver, admin, member, campaign, make_campaign, call, django_capture_on_commit_callbacks
):
    # given
    other = make_campaign()
    hook = call(
        "POST",
        "/api/webhooks",
        {"url": receiver.url, "verbs": ["idea.submitted"], "campaign_ids": [other.pk]},
        as_member=admin,
    ).json()
    receiver.secret = hook["secret"]
    # when
    for target in (campaign, other):
        with django_capture_on_commit_callbacks(execute=True):
            call("POST", f"/api/campaigns/{target.pk}/ideas", IDEA, as_member=member)
    # then
    assert hook["campaign_ids"] == [other.pk]
    assert [r["payload"]["campaign_id"] for r in receiver.received] == [other.pk]


def test_unknown_verbs_or_campaigns_save_no_webhook(admin, call, unchanged):
    with unchanged():
        verbs = call(
            "POST", "/api/webhooks", {"url": "https://crm.example.com/h", "verbs": ["idea.liked"]}, as_member=admin
        )
        none = call("POST", "/api/webhooks", {"url": "https://crm.example.com/h", "verbs": []}, as_member=admin)
        campaigns = call(
            "POST",
            "/api/webhooks",
            {"url": "https://crm.example.com/h", "verbs": ["idea.submitted"], "campaign_ids": [999999]},
            as_member=admin,
        )
    assert verbs.status_code == 400
    assert "idea.liked" in verbs.json()["fields"]["verbs"][0]
    assert none.json()["fields"] == {"verbs": ["Choose at least one event verb."]}
    assert campaigns.json()["fields"] == {"campaign_ids": ["No such campaign: 999999."]}
