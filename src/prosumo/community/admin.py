from typing import Any

from django.contrib import admin

from prosumo.community.models import (
    ApiToken,
    CustomerRecord,
    Invitation,
    Member,
    Segment,
    TermsAcceptance,
    TermsVersion,
)
from prosumo.community.terms import terms_publish


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ["email", "display_name", "role", "segment", "channel", "date_joined", "suspended_at"]
    list_filter = ["role", "segment", "channel", "locale"]
    search_fields = ["email", "display_name"]
    readonly_fields = ["date_joined", "last_login", "referral_code", "unsubscribe_token", "password"]
    exclude = ["groups", "user_permissions"]
    raw_id_fields = ["referred_by"]


@admin.register(Segment)
class SegmentAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(CustomerRecord)
class CustomerRecordAdmin(admin.ModelAdmin):
    list_display = ["customer_id", "email", "tier", "spend", "country", "member"]
    search_fields = ["customer_id", "email"]
    list_filter = ["tier", "country"]
    raw_id_fields = ["member"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "invited_by", "created_at", "accepted_at"]
    raw_id_fields = ["invited_by", "accepted_by"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "member", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["digest", "prefix"]
    raw_id_fields = ["member"]


@admin.register(TermsVersion)
class TermsVersionAdmin(admin.ModelAdmin):
    """Staff publish a version of the contribution terms here; a published version is never edited."""

    list_display = ["number", "published_at", "published_by"]
    fields = ["text"]

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return obj is None

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        published = terms_publish(actor=request.user, text=obj.text)
        obj.pk, obj.number, obj.published_at = published.pk, published.number, published.published_at


@admin.register(TermsAcceptance)
class TermsAcceptanceAdmin(admin.ModelAdmin):
    list_display = ["member", "version", "accepted_at"]
    raw_id_fields = ["member"]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False
