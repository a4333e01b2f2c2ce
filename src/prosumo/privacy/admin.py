"""The Django admin's delete of a member erases the account (`member_erase`), never deletes the row.

Deleting the row would take the member's votes out of the votes table without taking
them out of the tallies, and leave the event log pointing at a member who no longer
exists (every later analytics run would fail). The member admin of `prosumo.community`
is replaced here, not changed there, because erasing needs the apps above community.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext

from prosumo.community.admin import MemberAdmin
from prosumo.community.models import Member, Role
from prosumo.privacy import services
from prosumo.privacy.models import MemberExport


class ErasingMemberAdmin(MemberAdmin):
    list_filter = [*MemberAdmin.list_filter, ("erased_at", admin.EmptyFieldListFilter)]
    delete_confirmation_template = "admin/privacy/erase_confirmation.html"
    delete_selected_confirmation_template = "admin/privacy/erase_selected_confirmation.html"

    def get_deleted_objects(
        self, objs: Iterable[Member], request: HttpRequest
    ) -> tuple[list[Any], dict[str, int], set[str], list[Any]]:
        """What "delete" will do: erase each member; one that cannot be erased is shown as protected."""
        erased, protected = [], []
        for member in objs:
            problem = self._cannot_erase(member)
            if problem:
                protected.append(f"{member}: {problem}")
            else:
                erased.append(
                    gettext("{member}: personal data erased; ideas and comments kept under “former member”").format(
                        member=member
                    )
                )
        perms_needed = set() if self.has_delete_permission(request) else {str(Member._meta.verbose_name)}
        return erased, {str(Member._meta.verbose_name_plural): len(erased)}, perms_needed, protected

    @staticmethod
    def _cannot_erase(member: Member) -> str:
        if member.erased_at is not None:
            return gettext("already erased")
        if (member.role == Role.ADMIN or member.is_superuser) and not services.another_admin(member):
            return gettext("the only admin")
        return ""

    def delete_model(self, request: HttpRequest, obj: Member) -> None:
        services.member_erase(actor=request.user, member=obj)  # type: ignore[arg-type]

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Member]) -> None:
        for member in queryset.filter(erased_at__isnull=True).order_by("pk"):
            services.member_erase(actor=request.user, member=member)  # type: ignore[arg-type]


admin.site.unregister(Member)
admin.site.register(Member, ErasingMemberAdmin)


@admin.register(MemberExport)
class MemberExportAdmin(admin.ModelAdmin):
    """Staff see that a copy was asked for and when, never its contents."""

    list_display = ["member", "state", "requested_at", "ready_at", "expires_at", "size_bytes"]
    list_filter = ["state"]
    fields = ["member", "state", "requested_at", "ready_at", "expires_at", "size_bytes"]
    readonly_fields = ["member", "state", "requested_at", "ready_at", "expires_at", "size_bytes"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
