"""Orders and channel spend through the JSON API, and the shop's signed webhook over real HTTP."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from datetime import date

import pytest

from prosumo.activity.models import Event
from prosumo.commerce import services
from prosumo.commerce.models import ChannelSpend, Order, WebhookReceipt
from prosumo.community.models import CustomerRecord

SECRET = "shop-secret-for-tests"


def order(order_id: str, **extra):
    return {
        "order_id": order_id,
        "customer_id": "C-1",
        "ordered_at": "2025-04-01T12:00:00Z",
        "amount_cents": 2599,
        "currency": "EUR",
        "product": "SKU-9",
        **extra,
    }


def test_staff_post_a_batch_of_orders(call, admin, member):
    CustomerRecord.objects.create(customer_id="C-1", email="x@example.org", member=member)
    response = call("POST", "/api/orders", {"orders": [order("W1"), order("W2", customer_id="C-2")]}, as_member=admin)
    assert response.status_code == 200, response.content
    assert response.json() == {"received": 2, "created": 2, "duplicates": 0, "matched": 1}
    assert sorted(Order.objects.values_list("order_id", "member_id", "source")) == [
        ("W1", member.pk, "api"),
        ("W2", None, "api"),
    ]
    again = call("POST", "/api/orders", {"orders": [order("W1")]}, as_member=admin)
    assert again.json() == {"received": 1, "created": 0, "duplicates": 1, "matched": 0}


def test_a_batch_with_bad_orders_names_each_and_writes_nothing(call, admin, rows_now):
    call("GET", "/api/channel-spend", as_member=admin)  # the token is made before counting
    before = rows_now()
    response = call(
        "POST",
        "/api/orders",
        {"orders": [order("X1"), order("X2", currency="euro", ordered_at="soon"), order("X3", idea_id=987654)]},
        as_member=admin,
    )
    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid",
        "message": "Nothing was imported: 3 problems in the orders.",
        "fields": {
            "orders.1.ordered_at": ["Write a date or time as 2025-03-31 or 2025-03-31T14:05:00Z."],
            "orders.1.currency": ["Write a three-letter currency code such as EUR."],
            "orders.2.idea_id": ["There is no idea 987654."],
        },
    }
    assert rows_now() == before


def test_a_member_may_not_post_orders(call, member, rows_now):
    call("GET", "/api/me", as_member=member)
    before = rows_now()
    response = call("POST", "/api/orders", {"orders": [order("Y1")]}, as_member=member)
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert rows_now() == before


def test_a_moderator_with_a_staff_token_may_not_post_orders(call, moderator, rows_now):
    call("GET", "/api/me", as_member=moderator)
    before = rows_now()
    response = call("POST", "/api/orders", {"orders": [order("Y1")]}, as_member=moderator)
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert rows_now() == before


def test_channel_spend_through_the_api(call, admin, rows_now):
    made = call(
        "POST",
        "/api/channel-spend",
        {
            "channel": "email",
            "starts_on": "2025-01-01",
            "ends_on": "2025-01-31",
            "amount_cents": 120000,
            "currency": "eur",
        },
        as_member=admin,
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert {k: body[k] for k in ("channel", "starts_on", "ends_on", "amount_cents", "currency", "source")} == {
        "channel": "email",
        "starts_on": "2025-01-01",
        "ends_on": "2025-01-31",
        "amount_cents": 120000,
        "currency": "EUR",
        "source": "api",
    }
    event = Event.objects.get(verb="spend.recorded")
    assert (event.object_id, event.channel, event.value, event.details["currency"]) == (
        body["id"],
        "email",
        120000,
        "EUR",
    )
    before = rows_now()
    overlap = call(
        "POST",
        "/api/channel-spend",
        {"channel": "email", "starts_on": "2025-01-31", "ends_on": "2025-02-27", "amount_cents": 1, "currency": "EUR"},
        as_member=admin,
    )
    assert overlap.status_code == 409
    assert overlap.json()["code"] == "overlap"
    backwards = call(
        "POST",
        "/api/channel-spend",
        {"channel": "social", "starts_on": "2025-02-02", "ends_on": "2025-02-01", "amount_cents": 1, "currency": "EUR"},
        as_member=admin,
    )
    assert backwards.status_code == 400
    assert backwards.json()["fields"] == {"ends_on": ["The period ends before it starts."]}
    assert rows_now() == before
    listed = call("GET", "/api/channel-spend?channel=email", as_member=admin).json()
    assert [(s["channel"], s["amount_cents"]) for s in listed] == [("email", 120000)]
    removed = call("DELETE", f"/api/channel-spend/{body['id']}", as_member=admin)
    assert removed.status_code == 204
    assert ChannelSpend.objects.count() == 0
    assert Event.objects.filter(verb="spend.removed", object_id=body["id"]).count() == 1


# --- the webhook --------------------------------------------------------------------------------------


def signed(body: bytes, *, secret: str = SECRET, at: int | None = None) -> dict[str, str]:
    stamp = str(at if at is not None else int(time.time()))
    return {
        "Content-Type": "application/json",
        "X-Prosumo-Timestamp": stamp,
        "X-Prosumo-Signature": services.webhook_signature(secret=secret, timestamp=stamp, body=body),
    }


def post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read())


def test_a_shop_sends_signed_orders_over_http(live_server, transactional_db, settings, make_member, rows_now):
    # given the shared secret, and a member the shop knows by email only
    settings.PROSUMO_ORDERS_WEBHOOK_SECRET = SECRET
    buyer = make_member()
    url = f"{live_server.url}/api/orders/webhook"
    body = json.dumps(
        {"orders": [order("H1", customer_id=None, email_sha256=services.email_sha256(buyer.email)), order("H2")]}
    ).encode()
    # when the request is signed correctly
    now = int(time.time())
    first = signed(body, at=now)
    status, answer = post(url, body, first)
    # then both orders are in, the member's matched, and nothing of the customer's email was sent or stored
    assert (status, answer) == (200, {"received": 2, "created": 2, "duplicates": 0, "matched": 1})
    assert sorted(Order.objects.values_list("order_id", "member_id", "source")) == [
        ("H1", buyer.pk, "webhook"),
        ("H2", None, "webhook"),
    ]
    event = Event.objects.get(verb="orders.imported")
    assert (event.actor_id, event.details["source"], event.details["created"]) == (None, "webhook", 2)

    # a replay of the same signed request is refused, and changes nothing
    before = rows_now()
    status, answer = post(url, body, first)
    assert (status, answer["code"]) == (409, "replayed")
    assert rows_now() == before

    # the shop sending the same orders again (signed anew): duplicates, counted once, no event
    status, answer = post(url, body, signed(body, at=now - 1))
    assert (status, answer) == (200, {"received": 2, "created": 0, "duplicates": 2, "matched": 0})
    assert rows_now()["orders"] == before["orders"]
    assert rows_now()["events"] == before["events"]

    # a wrong signature, a missing one and an old timestamp: 401 with a code, nothing changes
    other = json.dumps({"orders": [order("H3")]}).encode()
    before = rows_now()
    for headers, code in (
        (signed(other, secret="not-the-secret"), "signature_invalid"),
        (signed(body), "signature_invalid"),  # the signature of another body
        ({"Content-Type": "application/json"}, "signature_missing"),
        (signed(other, at=int(time.time()) - 3600), "signature_expired"),
    ):
        status, answer = post(url, other, headers)
        assert (status, answer["code"]) == (401, code)
    assert rows_now() == before
    assert not Order.objects.filter(order_id="H3").exists()


def test_the_webhook_is_off_without_a_secret(client, settings, rows_now, db):
    settings.PROSUMO_ORDERS_WEBHOOK_SECRET = ""
    body = json.dumps({"orders": [order("Z1")]}).encode()
    before = rows_now()
    response = client.post("/api/orders/webhook", body, content_type="application/json", headers=signed(body))
    assert response.status_code == 403
    assert response.json()["code"] == "webhook_off"
    assert rows_now() == before


def test_a_signed_body_with_a_bad_order_writes_nothing(client, settings, rows_now, db):
    settings.PROSUMO_ORDERS_WEBHOOK_SECRET = SECRET
    body = json.dumps({"orders": [order("Z2", amount_cents=2.5)]}).encode()
    before = rows_now()
    response = client.post("/api/orders/webhook", body, content_type="application/json", headers=signed(body))
    assert response.status_code == 400
    assert response.json()["fields"] == {
        "orders.0.amount_cents": ["Give a whole number of cents (negative for a refund)."]
    }
    assert rows_now() == before
    assert WebhookReceipt.objects.count() == 0


def test_spend_needs_an_admin(make_member):
    from prosumo.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.spend_record(
            actor=make_member("reviewer"),
            channel="email",
            starts_on=date(2025, 1, 1),
            ends_on=date(2025, 1, 31),
            amount_cents=100,
            currency="EUR",
        )
    assert ChannelSpend.objects.count() == 0


def test_refunds_through_the_api_and_the_signed_webhook(call, admin, member, client, settings, rows_now):
    # given a member's sale, through the API
    CustomerRecord.objects.create(customer_id="C-1", email="x@example.org", member=member)
    assert call("POST", "/api/orders", {"orders": [order("W1")]}, as_member=admin).status_code == 200
    # when: the API refunds part of it, naming the sale; the shop's webhook sends a negative order
    partial = {"order_id": "W1-R", "ordered_at": "2025-04-02T12:00:00Z", "amount_cents": -599, "currency": "EUR"}
    response = call("POST", "/api/orders", {"orders": [{**partial, "refund_of": "W1"}]}, as_member=admin)
    settings.PROSUMO_ORDERS_WEBHOOK_SECRET = SECRET
    body = json.dumps({"orders": [order("H-R", amount_cents=-1000)]}).encode()
    hooked = client.post("/api/orders/webhook", body, content_type="application/json", headers=signed(body))
    # then
    assert (response.status_code, hooked.status_code) == (200, 200)
    assert sorted(Order.objects.values_list("order_id", "amount_cents", "member_id", "refund_of")) == [
        ("H-R", -1000, member.pk, ""),
        ("W1", 2599, member.pk, ""),
        ("W1-R", -599, member.pk, "W1"),
    ]
    # and a refund of a sale the site never saw is refused, naming the field, and writes nothing
    before = rows_now()
    refused = call(
        "POST", "/api/orders", {"orders": [{**partial, "order_id": "X", "refund_of": "W9"}]}, as_member=admin
    )
    assert refused.status_code == 400
    assert refused.json()["fields"] == {"orders.0.refund_of": ["There is no sale W9 to refund."]}
    assert rows_now() == before
