"""Django admin for staff: campaigns are created and configured here.

State changes that members must hear about (stages, merges, moderation) go through
the staff pages and the API, which call the services; the admin shows them read-only.
"""

from typing import Any

from django.apps import apps
from django.contrib import admin
from django.contrib.admin.widgets import AdminFileWidget
from django.urls import reverse
from modeltranslation.admin import TranslationAdmin

from prosumo.ideas.models import (
    Campaign,
    Comment,
    DeclineReason,
    Flag,
    Idea,
    IdeaLineage,
    Invitation,
    Review,
    StageChange,
    Tag,
)

# One box per language for the translated fields (ideas/translation.py); the plain admin
# where modeltranslation is left out (type checking, see settings.INSTALLED_APPS).
ContentAdmin: Any = TranslationAdmin if apps.is_installed("modeltranslation") else admin.ModelAdmin


@admin.register(Campaign)
class CampaignAdmin(ContentAdmin):
    list_display = ["title", "voting_mode", "visibility", "starts_at", "ends_at", "is_published"]
    list_filter = ["voting_mode", "visibility", "is_published"]
    search_fields = ["title"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["invitees"]
    raw_id_fields = ["created_by"]

    def get_form(self, request: Any, obj: Campaign | None = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None and "cover" in form.base_fields:
            form.base_fields["cover"].widget = CoverWidget(cover_url=reverse("campaign_cover", args=[obj.slug]))
        return form


class _ServedFile:
    """A stored file as the file widget shows it, linked to the page that serves it."""

    def __init__(self, file: Any, url: str) -> None:
        self.file, self.url = file, url

    def __str__(self) -> str:
        return str(self.file)


class CoverWidget(AdminFileWidget):
    """The cover field links to `/c/<slug>/cover/`: the media folder does not serve covers."""

    def __init__(self, *, cover_url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.cover_url = cover_url

    def format_value(self, value: Any) -> Any:
        shown = super().format_value(value)
        return _ServedFile(shown, self.cover_url) if self.is_initial(shown) else shown


@admin.register(DeclineReason)
class DeclineReasonAdmin(ContentAdmin):
    list_display = ["label", "is_active"]
    list_editable = ["is_active"]


class StageChangeInline(admin.TabularInline):
    model = StageChange
    extra = 0
    can_delete = False
    readonly_fields = ["from_stage", "to_stage", "actor", "message", "reason", "created_at"]

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Idea)
class IdeaAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "campaign",
        "author",
        "stage",
        "support_count",
        "comment_count",
        "created_at",
        "answered_at",
    ]
    list_filter = ["stage", "campaign", "hidden"]
    search_fields = ["title", "body"]
    raw_id_fields = ["author", "merged_into"]
    readonly_fields = [
        "stage",
        "stage_changed_at",
        "answered_at",
        "support_count",
        "up_count",
        "down_count",
        "score_sum",
        "score_count",
        "comment_count",
        "follower_count",
        "rank_top",
        "rank_hot",
        "rank_trending",
        "revision",
        "hidden",
        "merged_into",
        "gate_index",
        "gate_deadline",
    ]
    inlines = [StageChangeInline]
    list_select_related = ["campaign", "author"]


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["idea", "author", "created_at", "builds_on", "hidden"]
    list_filter = ["builds_on", "hidden"]
    raw_id_fields = ["idea", "author", "parent"]
    readonly_fields = ["hidden"]
    list_select_related = ["idea", "author"]


@admin.register(Flag)
class FlagAdmin(admin.ModelAdmin):
    list_display = ["reason", "idea", "comment", "reporter", "created_at", "resolved_at", "resolution"]
    raw_id_fields = ["idea", "comment", "reporter"]


admin.site.register(Tag)
admin.site.register(IdeaLineage, raw_id_fields=["source", "target", "merged_by"])
admin.site.register(Review, list_display=["idea", "reviewer", "created_at"], raw_id_fields=["idea", "reviewer"])


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Invitations to a campaign or to co-author an idea; every invitation shows in the community's list too."""

    list_display = ["email", "campaign", "idea", "invited_by", "created_at", "accepted_at"]
    raw_id_fields = ["invited_by", "accepted_by", "idea"]
