"""The admin shows the ledger as it is (read only) and sets rules through the service, as the staff page does."""

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from prosumo.core.admin import ReadOnlyAdmin
from prosumo.core.errors import ProsumoError
from prosumo.ideas.models import Campaign
from prosumo.rewards.models import (
    Entry,
    ImprovementMark,
    Payout,
    Posting,
    RewardRule,
    RoyaltyPool,
    RuleVersion,
    SalesPeriod,
    Trigger,
)
from prosumo.rewards.services import rule_set


class EntryInline(admin.TabularInline):
    model = Entry
    fields = ("account", "points")
    readonly_fields = ("account", "points")
    can_delete = False
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Posting)
class PostingAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "member", "points", "reason", "campaign", "source_event_id", "rule_version"]
    list_filter = ["kind", "reason"]
    search_fields = ["member__email", "member__display_name", "reason", "note"]
    inlines = [EntryInline]


class RuleVersionForm(forms.ModelForm):
    """A new version of a campaign's (or the site's) rule, saved by `rule_set` as the staff page saves it.

    The service runs when the form is checked, so that what it refuses shows as a form error.
    """

    campaign = forms.ModelChoiceField(
        Campaign.objects.all(), required=False, help_text="Leave empty for the site's rule."
    )
    trigger = forms.ChoiceField(choices=Trigger.choices)
    actor: Any = None
    saved: RuleVersion | None = None

    class Meta:
        model = RuleVersion
        fields = ["points", "daily_cap"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        campaign = data.get("campaign")
        try:
            self.saved = rule_set(
                actor=self.actor,
                campaign_id=campaign.pk if campaign else None,
                trigger=data["trigger"],
                points=data["points"],
                daily_cap=data["daily_cap"],
            )
        except ProsumoError as exc:
            raise ValidationError(exc.text()) from exc
        return data


@admin.register(RuleVersion)
class RuleVersionAdmin(admin.ModelAdmin):
    form = RuleVersionForm
    list_display = ["rule", "number", "points", "daily_cap", "created_by", "created_at"]
    list_filter = ["rule__trigger"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form: Any = super().get_form(request, obj, change, **kwargs)
        form.actor = request.user
        return form

    def save_model(self, request: HttpRequest, obj: RuleVersion, form: Any, change: bool) -> None:
        saved = form.saved  # written by rule_set when the form was checked
        obj.pk = saved.pk
        obj.rule_id = saved.rule_id
        obj.number = saved.number
        obj._state.adding = False


@admin.register(RewardRule)
class RewardRuleAdmin(ReadOnlyAdmin):
    list_display = ["trigger", "campaign", "created_at"]


@admin.register(ImprovementMark)
class ImprovementMarkAdmin(ReadOnlyAdmin):
    list_display = ["comment", "marked_by", "created_at"]


class PayoutInline(admin.TabularInline):
    model = Payout
    fields = ("member", "period", "amount_cents", "roles", "weight")
    readonly_fields = ("member", "period", "amount_cents", "roles", "weight")
    can_delete = False
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(RoyaltyPool)
class RoyaltyPoolAdmin(ReadOnlyAdmin):
    """Pools are opened, and sales entered, on the staff pages or the API, where the rules are checked."""

    list_display = ["idea", "kind", "rate_bp", "prize_cents", "currency", "split_rule", "opened_at"]
    inlines = [PayoutInline]


@admin.register(SalesPeriod)
class SalesPeriodAdmin(ReadOnlyAdmin):
    list_display = ["pool", "starts_on", "ends_on", "net_sales_cents", "pool_cents", "source", "entered_by"]
