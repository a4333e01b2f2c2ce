"""A member's notifications in the JSON API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Router, Schema

from prosumo.community.auth import needs
from prosumo.community.http import MemberRequest
from prosumo.community.models import Scope
from prosumo.community.permissions import require_member
from prosumo.core.input import BodyIn, Id
from prosumo.core.schemas import ERRORS
from prosumo.notifications.models import Notification
from prosumo.notifications.selectors import notifications_for
from prosumo.notifications.services import notifications_mark_read

router = Router(tags=["members"])


class NotificationOut(Schema):
    """Title and body in the language of the request (Accept-Language)."""

    id: int
    verb: str
    title: str
    body: str
    url: str
    created_at: datetime
    read_at: datetime | None

    @staticmethod
    def resolve_title(obj: Notification) -> str:
        return obj.display_title

    @staticmethod
    def resolve_body(obj: Notification) -> str:
        return obj.display_body


class NotificationsOut(Schema):
    unread: int
    items: list[NotificationOut]


class ReadIn(BodyIn):
    ids: list[Id] | None = None


@router.get("/notifications", response={200: NotificationsOut, **ERRORS}, auth=needs(Scope.READ))
def notifications(request: MemberRequest) -> Any:
    return notifications_for(member=require_member(request.user))


@router.post("/notifications/read", response={200: dict, **ERRORS}, auth=needs(Scope.WRITE))
def notifications_read(request: MemberRequest, payload: ReadIn) -> Any:
    return {"marked": notifications_mark_read(member=require_member(request.user), ids=payload.ids)}
