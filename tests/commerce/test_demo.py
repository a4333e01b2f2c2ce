"""The demo community's orders and channel spend come in through the import paths, not as copied events."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from prosumo.activity.models import Event
from prosumo.commerce.models import ChannelSpend, Order, Source
from prosumo.demo.loader import load_demo
from prosumo.synth import generate


def test_the_demo_orders_and_spend_arrive_through_the_imports(db):
    # given
    now = timezone.now()
    community = generate(
        seed=5, members=60, start=now - timedelta(days=400), end=now - timedelta(hours=1), profile="demo"
    )
    # when
    counts = load_demo(members=60, seed=5, now=now)
    # then every generated order is an Order from the CSV import, each matched to its member
    assert counts["orders"] == len(community.outcomes) > 0
    assert Order.objects.filter(source=Source.CSV).count() == len(community.outcomes)
    assert Order.objects.filter(member__isnull=True).count() == 0
    assert sorted(Order.objects.values_list("member_id", flat=True)) == sorted(
        int(m) for m in community.outcomes["member_id"]
    )
    assert sum(Order.objects.values_list("amount_cents", flat=True)) == round(
        sum(round(float(a) * 100) for a in community.outcomes["amount"])
    )
    assert Order.objects.filter(idea__isnull=False).count() == int(community.outcomes["from_idea_id"].notna().sum())
    assert ChannelSpend.objects.filter(source=Source.CSV).count() == counts["spend_periods"] == len(community.costs)
    # and the log holds the import's events, not the generator's copied order events
    assert not Event.objects.filter(verb="order.imported").exists()
    assert Event.objects.filter(verb="orders.imported").count() == 1
    assert Event.objects.filter(verb="spend.recorded").count() == len(community.costs)
