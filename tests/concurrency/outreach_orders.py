"""Seeding the order-conversion race and reading back what was stored, through the ORM.

Used in-process by the PostgreSQL test and, for the SQLite test, in child processes that
point at a SQLite file (each converts its orders from threads of its own, each thread with
its own connection, so that writers from two processes contend for the file):

    python -m tests.concurrency.outreach_orders seed ORDERS          # prints {"orders": [...], "assignment": id}
    python -m tests.concurrency.outreach_orders convert ORDER_ID...  # prints the conversions each thread recorded
    python -m tests.concurrency.outreach_orders dump ASSIGNMENT_ID   # prints the assignment's conversion and events
"""

from __future__ import annotations

import json
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any


def seed(orders: int) -> tuple[list[int], int]:
    """A running experiment of two arms in a shop, one member given an arm, and `orders` orders of theirs with its code."""
    from django.utils import timezone

    from prosumo.commerce.models import Order, Product, Source
    from prosumo.community.bootstrap import create_verified_member
    from prosumo.outreach import services

    admin = create_verified_member(email="race-admin@example.org", password=None, role="admin")  # type: ignore[arg-type]
    buyer = create_verified_member(email="race-buyer@example.org", password=None)  # type: ignore[arg-type]
    brief = services.brief_open(
        actor=admin,
        title="T",
        product="P",
        deadline=timezone.now() + timedelta(days=3),
        channels=["in_store"],
        languages=["en"],
    )
    first = services.message_propose(actor=admin, brief_id=brief.pk, text="First message", company=True)
    second = services.message_propose(actor=admin, brief_id=brief.pk, text="Second message", company=True)
    shop = services.channel_create(actor=admin, name="shop", kind="in_store")
    experiment = services.experiment_create(actor=admin, name="Race", arms=[(first.pk, shop.pk), (second.pk, shop.pk)])
    services.experiment_start(actor=admin, experiment_id=experiment.pk)
    assignment = services.assignment_make(experiment_id=experiment.pk, member_id=buyer.pk)
    product = Product.objects.create(code="TENT")
    later = timezone.now() + timedelta(minutes=1)
    made = Order.objects.bulk_create(
        [
            Order(
                order_id=f"O-{n}",
                member=buyer,
                ordered_at=later,
                amount_cents=100,
                currency="EUR",
                product=product,
                code=services.arm_code(assignment.arm),
                source=Source.API,
                batch="00000000-0000-0000-0000-000000000001",
            )
            for n in range(orders)
        ]
    )
    return [o.pk for o in made], assignment.pk


def convert(order_ids: list[int]) -> list[int]:
    """Each order converted in a thread of its own, all at once: what each thread recorded."""
    from django.db import connections

    from prosumo.outreach import services

    def one(order_id: int) -> int:
        try:
            return services.order_conversions(order_ids=[order_id])
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(order_ids)) as pool:
        return list(pool.map(one, order_ids))


def dump(assignment_id: int) -> dict[str, Any]:
    """The assignment's conversion and how many conversion and exposure events were written."""
    from prosumo.activity.models import Event
    from prosumo.outreach.models import Assignment

    assignment = Assignment.objects.get(pk=assignment_id)
    return {
        "conversion": assignment.conversion,
        "converted": Event.objects.filter(verb="message.converted").count(),
        "exposed": Event.objects.filter(verb="message.exposed").count(),
    }


def main(argv: list[str]) -> None:
    import django

    django.setup()
    if argv[0] == "seed":
        orders, assignment = seed(int(argv[1]))
        print(json.dumps({"orders": orders, "assignment": assignment}))
    elif argv[0] == "convert":
        print(json.dumps(convert([int(i) for i in argv[1:]])))
    elif argv[0] == "dump":
        print(json.dumps(dump(int(argv[1]))))
    else:
        sys.exit(f"unknown command {argv[0]!r}: use seed ORDERS, convert ORDER_ID... or dump ASSIGNMENT_ID")


if __name__ == "__main__":
    main(sys.argv[1:])
