"""Remember where a visitor came from, and note a member's first visit of the day."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

from prosumo.activity.services import presence_record
from prosumo.community.services import clean_channel


class MemberContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        channel = clean_channel(request.GET.get("ch"))
        if channel and not request.user.is_authenticated:
            request.session["channel"] = channel
        referral = request.GET.get("ref", "")[:16]
        if referral and not request.user.is_authenticated:
            request.session["referral_code"] = referral
        user = request.user
        if user.is_authenticated:
            if user.locale and not request.path.startswith("/api/"):
                translation.activate(user.locale)
                request.LANGUAGE_CODE = translation.get_language()
            today = timezone.now().date().isoformat()
            if request.session.get("visited_on") != today:
                presence_record(member_id=user.pk, verb="member.visited", channel=user.channel)
                request.session["visited_on"] = today
        return self.get_response(request)
