"""Orders and channel spend: the company's commercial data, in integer cents with a currency (docs/commerce.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Source(models.TextChoices):
    """How a record came in."""

    CSV = "csv", _("CSV file")
    API = "api", _("API")
    WEBHOOK = "webhook", _("Shop webhook")
    FORM = "form", _("Staff page")


class Product(models.Model):
    """A product the shop sells, by its code; `idea` when it came from an idea of the community."""

    code = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=160, blank=True)
    idea = models.ForeignKey("ideas.Idea", null=True, blank=True, on_delete=models.SET_NULL, related_name="products")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.code


class Order(models.Model):
    """One order as the shop recorded it; `order_id` is the shop's own id, so a re-sent order is kept once.

    The customer is named by the shop's customer id, by the SHA-256 of their email, or
    both; a plain email is hashed on arrival and never stored. `member` is set when the
    customer is a member (matched on arrival).
    """

    order_id = models.CharField(max_length=128, unique=True)
    customer_id = models.CharField(max_length=64, blank=True, db_index=True)
    email_sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="orders"
    )
    ordered_at = models.DateTimeField(db_index=True)
    amount_cents = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="orders")
    idea = models.ForeignKey(
        "ideas.Idea",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="orders",
        help_text="the idea the product came from, given with the order or by its product",
    )
    code = models.CharField(
        max_length=32, blank=True, help_text="a code the customer gave with the order, such as an experiment's"
    )
    refund_of = models.CharField(
        max_length=128, blank=True, db_index=True, help_text="the order_id of the sale this order refunds"
    )
    source = models.CharField(max_length=16, choices=Source.choices)
    batch = models.UUIDField(db_index=True, help_text="the import that wrote it")
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-ordered_at", "-id"]
        constraints = [
            # a refund is an order with a negative amount; one that names its sale is never positive
            models.CheckConstraint(
                condition=models.Q(refund_of="") | models.Q(amount_cents__lte=0), name="order_refund_not_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.order_id


class ChannelSpend(models.Model):
    """What the company spent on one acquisition channel over a period (dates inclusive)."""

    channel = models.CharField(max_length=64, db_index=True)
    starts_on = models.DateField()
    ends_on = models.DateField()
    amount_cents = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    source = models.CharField(max_length=16, choices=Source.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_on", "channel", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount_cents__gte=0), name="spend_amount_not_negative"),
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")), name="spend_period_order"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.starts_on}–{self.ends_on}"


class WebhookReceipt(models.Model):
    """A signature the order webhook accepted, kept while its timestamp is fresh, so a replay is refused."""

    signature = models.CharField(max_length=64, unique=True)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return self.signature[:12]
