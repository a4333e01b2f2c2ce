"""Remember where a visitor came from, and note a member's first visit of the day.

A `?ch=` link is a *touch*: before joining, the visitor's touches wait in the session
and become `member.touched` events when they join (the last one is their channel);
after joining, each channel's first touch of a day is recorded at once. The analytics
credit these multi-touch journeys with the Shapley value (docs/metrics.md).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

from prosumo.activity.services import presence_record
from prosumo.community.services import channel_touch, clean_channel, touches_add


class MemberContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        channel = clean_channel(request.GET.get("ch"))
        if channel and request.user.is_authenticated:
            channel_touch(member_id=request.user.pk, channel=channel)
        elif channel:
            request.session["channel"] = channel  # the last touch before joining is the member's channel
            request.session["touches"] = touches_add(request.session.get("touches", []), channel, timezone.now())
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
