"""An order whose customer becomes a member later is matched when the member's id or email hash becomes known."""

from __future__ import annotations

from prosumo.activity.models import Event
from prosumo.commerce import services
from prosumo.commerce.models import Order
from prosumo.community.bootstrap import create_verified_member
from prosumo.community.models import CustomerRecord


def order(order_id: str, **customer):
    return {
        "order_id": order_id,
        "ordered_at": "2025-04-01T12:00:00Z",
        "amount_cents": 2599,
        "currency": "EUR",
        "product": "SKU-9",
        **customer,
    }


def owners() -> list[tuple[str, int | None]]:
    return sorted(Order.objects.values_list("order_id", "member_id"))


def test_a_customer_who_joins_later_gets_their_orders(admin, django_capture_on_commit_callbacks):
    # given: two orders by email before the customer joined, one by someone else
    rows = [order("A1", email=" Ana@Example.org"), order("A2", email="ana@example.org"), order("B1", email="b@x.org")]
    services.orders_record(actor=admin, rows=rows, source="api")
    assert owners() == [("A1", None), ("A2", None), ("B1", None)]
    # when: she joins (the reaction runs from the outbox after commit, then the task)
    with django_capture_on_commit_callbacks(execute=True):
        ana = create_verified_member(email="ana@example.org", password="correct horse 12")
    # then
    assert owners() == [("A1", ana.pk), ("A2", ana.pk), ("B1", None)]
    event = Event.objects.get(verb="orders.matched")
    assert (event.value, event.details) == (2, {"matched": 2, "members": 1, "member_id": ana.pk})
    # and running the task again matches nothing more and writes nothing
    assert services.orders_match(member_id=ana.pk) == 0
    assert Event.objects.filter(verb="orders.matched").count() == 1
    assert owners() == [("A1", ana.pk), ("A2", ana.pk), ("B1", None)]


def test_a_customer_record_that_names_a_member_matches_their_orders(admin, member):
    # given: orders by customer id, before the customer data named the member
    services.orders_record(
        actor=admin, rows=[order("C1", customer_id="C-7"), order("C2", customer_id="C-8")], source="api"
    )
    CustomerRecord.objects.create(customer_id="C-7", email="someone@example.org", member=member)
    CustomerRecord.objects.create(customer_id="C-8", email="nobody@example.org")
    # when
    matched = services.orders_match()
    # then: only the record with a member matches, once
    assert matched == 1
    assert owners() == [("C1", member.pk), ("C2", None)]
    assert services.orders_match() == 0
    assert services.orders_match(member_id=member.pk) == 0
    assert Event.objects.filter(verb="orders.matched").count() == 1
    # an order already matched to a member is never moved to another
    other = create_verified_member(email="someone@example.org", password="correct horse 12")
    assert services.orders_match(member_id=other.pk) == 0
    assert owners() == [("C1", member.pk), ("C2", None)]
