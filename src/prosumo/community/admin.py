from django.contrib import admin

from prosumo.community.models import ApiToken, CustomerRecord, Invitation, Member, Segment


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
