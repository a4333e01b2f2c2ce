"""Reads of the event log for pages."""

from __future__ import annotations

from django.db.models import Q

from prosumo.activity.models import Event

AUDIT_SHOWN = 100
# Besides every moderation.* verb, the staff actions the moderation page's audit lists.
AUDITED_VERBS = ("member.suspended", "member.unsuspended", "idea.merged", "member.role_changed")


def moderation_audit(*, limit: int = AUDIT_SHOWN) -> list[Event]:
    """The latest moderation and staff actions, newest first."""
    audited = Q(verb__startswith="moderation.") | Q(verb__in=AUDITED_VERBS)
    return list(Event.objects.filter(audited).order_by("-id")[:limit])
