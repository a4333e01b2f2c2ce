"""Channels as records: kind, medium, and their cost from commerce's channel spend."""

from __future__ import annotations

from datetime import date

import pytest

from prosumo.activity.models import Event
from prosumo.commerce.models import ChannelSpend
from prosumo.core.errors import Conflict, InvalidInput, PermissionDenied
from prosumo.outreach import selectors, services
from prosumo.outreach.models import Channel


@pytest.mark.django_db
def test_a_channel_takes_its_medium_from_its_kind_and_its_cost_from_the_spend_records(admin, moderator):
    email = services.channel_create(actor=admin, name="Newsletter", kind="email")
    banner = services.channel_create(actor=admin, name="home-banner", kind="banner")
    store = services.channel_create(actor=admin, name="store-qr", kind="in_store", medium="personal")
    assert [(c.name, c.medium) for c in (email, banner, store)] == [
        ("newsletter", "personal"),
        ("home-banner", "mass"),
        ("store-qr", "personal"),
    ]
    services.channel_spend_record(
        actor=admin,
        channel_id=email.pk,
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 1, 31),
        amount_cents=12_000,
        currency="eur",
    )
    services.channel_spend_record(
        actor=admin,
        channel_id=email.pk,
        starts_on=date(2026, 2, 1),
        ends_on=date(2026, 2, 28),
        amount_cents=8_000,
        currency="EUR",
    )
    rows = {row.channel.name: (row.spend, row.periods) for row in selectors.channel_list()}
    assert rows == {"home-banner": ({}, 0), "newsletter": ({"EUR": 20_000}, 2), "store-qr": ({}, 0)}
    assert set(ChannelSpend.objects.values_list("channel", flat=True)) == {"newsletter"}
    # commerce's rule holds: periods of one channel never overlap, and only admins record spend
    with pytest.raises(Conflict):
        services.channel_spend_record(
            actor=admin,
            channel_id=email.pk,
            starts_on=date(2026, 1, 15),
            ends_on=date(2026, 2, 5),
            amount_cents=1,
            currency="EUR",
        )
    with pytest.raises(PermissionDenied):
        services.channel_spend_record(
            actor=moderator,
            channel_id=email.pk,
            starts_on=date(2026, 3, 1),
            ends_on=date(2026, 3, 5),
            amount_cents=1,
            currency="EUR",
        )
    assert ChannelSpend.objects.count() == 2


@pytest.mark.django_db
def test_a_bad_channel_is_refused_and_nothing_changes(admin, member):
    services.channel_create(actor=admin, name="newsletter", kind="email")
    before = (Channel.objects.count(), Event.objects.count())
    with pytest.raises(InvalidInput) as caught:
        services.channel_create(actor=admin, name="Newsletter", kind="fax", medium="radio")
    assert sorted(caught.value.fields) == ["kind", "medium", "name"]
    assert caught.value.fields["name"] == ["There is a channel of that name already."]
    with pytest.raises(PermissionDenied):
        services.channel_create(actor=member, name="sms", kind="push")
    assert (Channel.objects.count(), Event.objects.count()) == before


@pytest.mark.django_db
def test_channels_over_the_api_and_on_the_staff_page(call, admin, login):
    created = call("POST", "/api/channels", {"name": "newsletter", "kind": "email"}, as_member=admin)
    assert (created.status_code, created.json()["medium"]) == (201, "personal")
    spent = call(
        "POST",
        f"/api/channels/{created.json()['id']}/spend",
        {"starts_on": "2026-01-01", "ends_on": "2026-01-31", "amount_cents": 500, "currency": "EUR"},
        as_member=admin,
    )
    assert (spent.status_code, spent.json()["spend"], spent.json()["periods"]) == (201, {"EUR": 500}, 1)
    page = login(admin).get("/staff/outreach/channels/").content.decode()
    assert "<td>newsletter</td>" in page
    assert "500 EUR" in page
