"""Orders and channel spend in the JSON API, and the webhook a shop sends its orders to (docs/commerce.md)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema, Status

from prosumo.commerce import selectors, services
from prosumo.commerce.models import Source
from prosumo.commerce.permissions import require_commerce_admin
from prosumo.community.auth import needs
from prosumo.community.http import MemberRequest
from prosumo.community.models import Scope
from prosumo.core.input import BodyIn, Id
from prosumo.core.schemas import ERRORS, ErrorOut

router = Router(tags=["commerce"])


class OrderIn(BodyIn):
    order_id: str = Field(description="The shop's own id of the order: an order sent twice is kept once")
    customer_id: str | None = Field(None, description="The shop's customer id (as in the customer records)")
    email: str | None = Field(None, description="The customer's email: hashed on arrival, never stored")
    email_sha256: str | None = Field(None, description="SHA-256 (hex) of the email, trimmed and in lowercase")
    ordered_at: str = Field(description="ISO 8601 date or time; without an offset, UTC")
    amount_cents: int = Field(description="The order's amount in whole cents; negative for a refund")
    currency: str = Field(description="Three-letter currency code, e.g. EUR")
    product: str | None = Field(None, description="The product's code (a refund of a named sale may leave it out)")
    product_name: str | None = None
    idea_id: int | None = Field(None, description="The idea the product came from, if any")
    code: str = Field("", description="A code the customer gave with the order, such as a message experiment's")
    refund_of: str | None = Field(
        None, description="The order_id of the sale this order refunds: its amount is then taken as refunded"
    )


class OrdersIn(BodyIn):
    orders: list[OrderIn] = Field(description=f"At most {services.JSON_ORDERS_MAX} orders")


class ImportOut(Schema):
    received: int
    created: int = Field(description="Orders new to the site")
    duplicates: int = Field(description="Orders whose order_id was recorded already: left as they were")
    matched: int = Field(description="New orders whose customer is a member")


def _result(result: services.OrdersResult) -> dict[str, int]:
    return {
        "received": result.received,
        "created": result.created,
        "duplicates": result.duplicates,
        "matched": result.matched,
    }


@router.post("/orders", response={200: ImportOut, **ERRORS}, auth=needs(Scope.STAFF))
def orders_create(request: MemberRequest, payload: OrdersIn) -> Any:
    """Record a batch of orders: all of them, or none when any is wrong (each problem as `orders.N.field`)."""
    rows = [order.model_dump(exclude_none=True) for order in payload.orders]
    services.orders_rows({"orders": rows})
    return _result(services.orders_record(actor=request.user, rows=rows, source=Source.API))


@router.post(
    "/orders/webhook",
    response={200: ImportOut, **ERRORS, 413: ErrorOut},
    auth=None,
    openapi_extra={"x-token-scope": "signature"},
)
def orders_webhook(request: HttpRequest) -> Any:
    """A shop's orders, signed with HMAC-SHA256 (`X-Prosumo-Timestamp`, `X-Prosumo-Signature`), body as `POST /orders`."""
    result = services.orders_receive(
        body=request.body,
        timestamp=request.headers.get("X-Prosumo-Timestamp"),
        signature=request.headers.get("X-Prosumo-Signature"),
    )
    return _result(result)


class ChannelSpendIn(BodyIn):
    channel: str = Field(description="The acquisition channel, named as members' channels are")
    starts_on: date = Field(description="First day of the period", strict=False)
    ends_on: date = Field(description="Last day of the period (inclusive)", strict=False)
    amount_cents: int = Field(description="What the channel cost over the period, in cents")
    currency: str = Field(description="Three-letter currency code")


class SpendOut(Schema):
    id: int
    channel: str
    starts_on: date
    ends_on: date
    amount_cents: int
    currency: str
    source: str
    recorded_at: datetime


@router.get("/channel-spend", response={200: list[SpendOut], **ERRORS}, auth=needs(Scope.STAFF))
def spend_list(request: MemberRequest, channel: str | None = None) -> Any:
    """Spend per channel and period, latest first."""
    require_commerce_admin(request.user)
    return list(selectors.spends(channel=channel))


@router.post("/channel-spend", response={201: SpendOut, **ERRORS}, auth=needs(Scope.STAFF))
def spend_create(request: MemberRequest, payload: ChannelSpendIn) -> Any:
    """Record a channel's spend over a period; periods of one channel never overlap (409 `overlap`)."""
    spend = services.spend_record(actor=request.user, source=Source.API, **payload.model_dump())
    return Status(201, spend)


@router.delete("/channel-spend/{spend_id}", response={204: None, **ERRORS}, auth=needs(Scope.STAFF))
def spend_delete(request: MemberRequest, spend_id: Id) -> Any:
    """Take back spend recorded by mistake."""
    services.spend_remove(actor=request.user, spend_id=spend_id)
    return HttpResponse(status=204)
