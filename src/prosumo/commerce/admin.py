"""Orders and spend in the Django admin: to read. Corrections go through the staff pages and services."""

from __future__ import annotations

from django.contrib import admin

from prosumo.commerce.models import ChannelSpend, Order, Product
from prosumo.core.admin import ReadOnlyAdmin


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    list_display = ("order_id", "ordered_at", "amount_cents", "currency", "product", "member", "idea", "source")
    list_filter = ("source", "currency")
    search_fields = ("order_id", "customer_id")
    raw_id_fields = ("member", "idea", "product")


@admin.register(Product)
class ProductAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "idea")
    search_fields = ("code", "name")
    raw_id_fields = ("idea",)


@admin.register(ChannelSpend)
class ChannelSpendAdmin(ReadOnlyAdmin):
    list_display = ("channel", "starts_on", "ends_on", "amount_cents", "currency", "source", "recorded_by")
    list_filter = ("channel", "currency")
    raw_id_fields = ("recorded_by",)
