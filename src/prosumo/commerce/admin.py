"""Orders and spend in the Django admin: to read. Corrections go through the staff pages and services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from prosumo.commerce.models import ChannelSpend, Order, Product


class ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Order)
class OrderAdmin(ReadOnly):
    list_display = ("order_id", "ordered_at", "amount_cents", "currency", "product", "member", "idea", "source")
    list_filter = ("source", "currency")
    search_fields = ("order_id", "customer_id")
    raw_id_fields = ("member", "idea", "product")


@admin.register(Product)
class ProductAdmin(ReadOnly):
    list_display = ("code", "name", "idea")
    search_fields = ("code", "name")
    raw_id_fields = ("idea",)


@admin.register(ChannelSpend)
class ChannelSpendAdmin(ReadOnly):
    list_display = ("channel", "starts_on", "ends_on", "amount_cents", "currency", "source", "recorded_by")
    list_filter = ("channel", "currency")
    raw_id_fields = ("recorded_by",)
