from django import forms
from django.contrib import admin

from prosumo.integrations.destinations import destination_problem
from prosumo.integrations.models import Webhook, WebhookDelivery


class WebhookForm(forms.ModelForm):
    """The admin's webhook form holds the address to the rule of the API (docs/security.md, "Webhooks")."""

    url = forms.URLField(max_length=500, assume_scheme="https")

    class Meta:
        model = Webhook
        fields = ["url", "secret", "verbs", "is_active", "created_by"]

    def clean_url(self) -> str:
        url = str(self.cleaned_data["url"]).strip()
        problem = destination_problem(url)
        if problem is not None:
            raise forms.ValidationError(problem)
        return url


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    form = WebhookForm
    list_display = ["url", "verbs", "is_active", "created_at"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["webhook", "event_id", "status", "attempts", "next_attempt_at", "delivered_at"]
    list_filter = ["status"]
