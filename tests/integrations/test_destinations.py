"""Webhooks reach public addresses only: checked when saved, and again at delivery after resolving the name.

The receivers here listen on 127.0.0.1, which webhooks may not reach: each test says
whether the operator allows it (PROSUMO_WEBHOOK_ALLOWED_HOSTS) for that test.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from prosumo.integrations.destinations import is_public
from prosumo.integrations.models import Webhook, WebhookDelivery
from prosumo.integrations.tasks import NO_ANSWER, NOT_ALLOWED
from tests.api.conftest import error
from tests.integrations.test_webhooks import IDEA, closed_port_url

REFUSED = [
    "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
    "http://localhost:8000/api/me",
    "http://127.0.0.1:8000/api/me",
    "http://10.0.0.5/hook",
    "http://172.16.3.4/hook",
    "http://192.168.1.1/hook",
    "http://100.64.0.1/hook",
    "http://0.0.0.0:8000/",
    "http://224.0.0.1/hook",
    "http://240.0.0.1/hook",
    "http://255.255.255.255/hook",
    "http://[::1]:8000/api/me",
    "http://[::]/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://[::ffff:a9fe:a9fe]/latest/meta-data/",
    "http://[fe80::1]/hook",
    "http://[fc00::1]/hook",
    "http://[ff02::1]/hook",
    "http://[2002:7f00:1::]/hook",
    "http://[64:ff9b::a9fe:a9fe]/latest/meta-data/",
]
# Numeric forms the resolver reads as 127.0.0.1; Django's URL check refuses some of them before ours does.
NUMERIC = [
    "http://2130706433/api/me",
    "http://0177.0.0.1/api/me",
    "http://0x7f.0.0.1/api/me",
    "http://0x7f000001/",
    "http://127.1/",
    "http://LOCALHOST./api/me",
]


@pytest.fixture
def nothing_allowed(settings: Any) -> None:
    settings.PROSUMO_WEBHOOK_ALLOWED_HOSTS = []


@pytest.mark.parametrize("url", REFUSED)
def test_a_private_or_reserved_destination_is_refused_when_saved(nothing_allowed, admin, call, unchanged, url):
    with unchanged():
        body = error(
            call("POST", "/api/webhooks", {"url": url, "verbs": ["idea.submitted"]}, as_member=admin), 400, "invalid"
        )
    assert list(body["fields"]) == ["url"]
    assert "an address webhooks may not reach" in body["fields"]["url"][0]


@pytest.mark.parametrize("url", NUMERIC)
def test_decimal_octal_and_hex_hosts_are_refused_when_saved(nothing_allowed, admin, call, unchanged, url):
    with unchanged():
        body = error(
            call("POST", "/api/webhooks", {"url": url, "verbs": ["idea.submitted"]}, as_member=admin), 400, "invalid"
        )
    assert list(body["fields"]) == ["url"]


def test_a_public_address_is_saved(nothing_allowed, admin, call):
    response = call(
        "POST", "/api/webhooks", {"url": "https://93.184.215.14/hook", "verbs": ["idea.submitted"]}, as_member=admin
    )
    assert response.status_code == 201
    assert Webhook.objects.get().url == "https://93.184.215.14/hook"


def test_the_operator_allows_an_internal_receiver_by_name_address_or_network(settings, admin, call):
    settings.PROSUMO_WEBHOOK_ALLOWED_HOSTS = ["localhost", "10.0.0.0/8", "::1"]
    for url in ("http://localhost:9000/hook", "http://10.20.30.40/hook", "http://[::1]:9000/hook"):
        assert (
            call("POST", "/api/webhooks", {"url": url, "verbs": ["idea.submitted"]}, as_member=admin).status_code == 201
        )
    refused = call(
        "POST", "/api/webhooks", {"url": "http://192.168.0.9/", "verbs": ["idea.submitted"]}, as_member=admin
    )
    error(refused, 400, "invalid")
    assert Webhook.objects.count() == 3


def test_the_admin_form_holds_the_same_rule(nothing_allowed, admin, login):
    page = login(admin).post(
        "/admin/integrations/webhook/add/",
        {"url": "http://169.254.169.254/latest/", "secret": "s" * 40, "verbs": '["idea.submitted"]', "is_active": "on"},
    )
    assert page.status_code == 200
    assert "an address webhooks may not reach" in page.content.decode()
    assert Webhook.objects.count() == 0


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.215.14", True),
        ("2606:2800:21f:cb07:6820:80da:af6b:8b2c", True),
        ("2002:5db8:d70e::1", True),  # 6to4 of a public address
        ("127.0.0.1", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("198.18.0.1", False),
        ("192.0.0.1", False),
        ("239.255.255.250", False),
        ("::ffff:10.0.0.1", False),
        ("::7f00:1", False),
        ("64:ff9b::7f00:1", False),
        ("2001:db8::1", False),
    ],
)
def test_which_addresses_are_public(address, public):
    assert is_public(ipaddress.ip_address(address)) is public


class Receiver:
    """Answers ``status`` (with a Location header for a 3xx) and records each request's path and Host."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.received: list[tuple[str, str]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # where a followed redirect would arrive
                receiver.received.append((f"GET {self.path}", self.headers["Host"]))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((self.path, self.headers["Host"]))
                self.send_response(receiver.status)
                if 300 <= receiver.status < 400:
                    self.send_header("Location", f"http://127.0.0.1:{receiver.port}/elsewhere")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/hooks/prosumo"
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


def submit_idea(call: Any, member: Any, campaign: Any, capture: Any) -> WebhookDelivery:
    with capture(execute=True):
        assert call("POST", f"/api/campaigns/{campaign.pk}/ideas", IDEA, as_member=member).status_code == 201
    return WebhookDelivery.objects.get()


def test_a_saved_webhook_is_checked_again_at_delivery(
    receiver, settings, admin, member, campaign, call, django_capture_on_commit_callbacks
):
    # given: a webhook saved while its address was allowed, then the operator took it off the list
    settings.PROSUMO_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    assert (
        call("POST", "/api/webhooks", {"url": receiver.url, "verbs": ["idea.submitted"]}, as_member=admin).status_code
        == 201
    )
    settings.PROSUMO_WEBHOOK_ALLOWED_HOSTS = []
    # when
    delivery = submit_idea(call, member, campaign, django_capture_on_commit_callbacks)
    # then: nothing was sent
    assert receiver.received == []
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("pending", 1, NOT_ALLOWED)


def test_delivery_connects_to_the_address_it_checked(
    receiver, settings, monkeypatch, admin, member, campaign, call, django_capture_on_commit_callbacks
):
    # given: a name whose first answer is the allowed receiver and every later one another address (DNS rebinding)
    settings.PROSUMO_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1/32"]
    answers: list[str] = []
    real_getaddrinfo = socket.getaddrinfo

    def rebinding(host: str, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host != "hooks.rebind.test":
            return real_getaddrinfo(host, port, *args, **kwargs)
        address = "127.0.0.1" if not answers else "10.9.9.9"
        answers.append(address)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    url = f"http://hooks.rebind.test:{receiver.port}/hooks/prosumo?source=prosumo"
    Webhook.objects.create(url=url, verbs=["idea.submitted"], created_by=admin)
    # when
    delivery = submit_idea(call, member, campaign, django_capture_on_commit_callbacks)
    # then: one lookup, checked, connected to, with the webhook's own host name in the request
    assert answers == ["127.0.0.1"]
    assert receiver.received == [("/hooks/prosumo?source=prosumo", f"hooks.rebind.test:{receiver.port}")]
    assert (delivery.status, delivery.last_error) == ("delivered", "")


def test_a_name_that_resolves_to_a_private_address_is_not_sent_to(
    receiver, settings, admin, member, campaign, call, django_capture_on_commit_callbacks
):
    settings.PROSUMO_WEBHOOK_ALLOWED_HOSTS = []
    Webhook.objects.create(url=f"http://localhost:{receiver.port}/hooks", verbs=["idea.submitted"], created_by=admin)
    delivery = submit_idea(call, member, campaign, django_capture_on_commit_callbacks)
    assert (receiver.received, delivery.last_error) == ([], NOT_ALLOWED)


def test_a_redirect_is_not_followed(
    receiver, settings, admin, member, campaign, call, django_capture_on_commit_callbacks
):
    settings.PROSUMO_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    receiver.status = 302
    call("POST", "/api/webhooks", {"url": receiver.url, "verbs": ["idea.submitted"]}, as_member=admin)
    delivery = submit_idea(call, member, campaign, django_capture_on_commit_callbacks)
    assert receiver.received == [("/hooks/prosumo", f"127.0.0.1:{receiver.port}")]
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("pending", 1, "HTTP 302")


def test_closed_ports_silent_ports_and_unknown_names_fail_in_the_same_words(
    settings, admin, member, campaign, call, django_capture_on_commit_callbacks
):
    # given: a closed port, a port that takes the connection and never answers, and a name that does not resolve
    settings.PROSUMO_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1", "nowhere.invalid"]
    settings.PROSUMO_WEBHOOK_TIMEOUT_SECONDS = 0.3
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    urls = [closed_port_url(), f"http://127.0.0.1:{silent.getsockname()[1]}/hook", "http://nowhere.invalid/hook"]
    hooks = [Webhook.objects.create(url=url, verbs=["idea.submitted"], created_by=admin) for url in urls]
    # when
    try:
        with django_capture_on_commit_callbacks(execute=True):
            call("POST", f"/api/campaigns/{campaign.pk}/ideas", IDEA, as_member=member)
    finally:
        silent.close()
    # then: the deliveries list says the same of each
    listed = [call("GET", f"/api/webhooks/{hook.pk}/deliveries", as_member=admin).json() for hook in hooks]
    assert [[(d["status"], d["attempts"], d["last_error"]) for d in deliveries] for deliveries in listed] == [
        [("pending", 1, NO_ANSWER)]
    ] * 3


@pytest.mark.parametrize("host", ["2130706433", "0177.0.0.1", "0x7f.1", "127.1", "LOCALHOST.", "[::ffff:127.0.0.1]"])
def test_a_stored_address_in_any_form_is_resolved_and_checked_at_delivery(
    receiver, nothing_allowed, admin, member, campaign, call, django_capture_on_commit_callbacks, host
):
    # given: a webhook row written before the rule (or by hand), in a form the resolver reads as 127.0.0.1
    Webhook.objects.create(url=f"http://{host}:{receiver.port}/hooks", verbs=["idea.submitted"], created_by=admin)
    # when
    delivery = submit_idea(call, member, campaign, django_capture_on_commit_callbacks)
    # then
    assert (receiver.received, delivery.last_error) == ([], NOT_ALLOWED)
