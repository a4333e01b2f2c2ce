from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from prosumo.community.permissions import (
    can_import_customers,
    can_manage_campaigns,
    can_moderate,
    can_review,
    is_staff,
)
from prosumo.notifications.selectors import unread_count
from prosumo.rewards.permissions import can_manage_rewards


def site(request: HttpRequest) -> dict[str, object]:
    user = request.user
    unread = 0
    if user.is_authenticated:
        unread = unread_count(user)
    return {
        "SITE_NAME": settings.SITE_NAME,
        "unread_count": unread,
        "is_staff_member": is_staff(user),
        "can_review": can_review(user),
        "can_moderate": can_moderate(user),
        "can_manage_campaigns": can_manage_campaigns(user),
        "can_import_customers": can_import_customers(user),
        "can_manage_rewards": can_manage_rewards(user),
    }
