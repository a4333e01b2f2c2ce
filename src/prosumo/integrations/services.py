"""API tokens and webhooks."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import threading
import time
from datetime import timedelta
from functools import cache
from typing import Any, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext

from prosumo.activity.models import Event
from prosumo.community.models import Member, Role
from prosumo.community.permissions import require_member, require_role
from prosumo.core import statements
from prosumo.core.errors import InvalidInput, NotFound
from prosumo.integrations.destinations import destination_problem
from prosumo.integrations.models import ApiToken, Webhook, WebhookDelivery, hash_token

TOKEN_LAST_USED_PRECISION = timedelta(minutes=1)
WEBHOOK_VERBS = ("idea.submitted", "idea.stage_changed")
URL_MAX = 500


def token_create(*, actor: Member, name: str) -> tuple[ApiToken, str]:
    """A new token for the actor; the raw token is returned once and never stored."""
    member = require_member(actor)
    name = name.strip()
    if not 1 <= len(name) <= 80:
        raise InvalidInput(gettext("Name the token (1 to 80 characters)."), fields={"name": ["length"]})
    raw = ApiToken.new_raw_token()
    token = ApiToken.objects.create(member=member, name=name, prefix=raw[:10], digest=hash_token(raw))
    return token, raw


def token_revoke(*, actor: Member, token_id: int) -> None:
    member = require_member(actor)
    updated = ApiToken.objects.filter(pk=token_id, member=member, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if not updated:
        raise NotFound(gettext("No such token."))
    token_cache.forget(digest=ApiToken.objects.values_list("digest", flat=True).get(pk=token_id))


class _TokenCache:
    """Recently authenticated tokens of this process, for PROSUMO_TOKEN_CACHE_SECONDS.

    An integration sends many requests with one token; looking the token and its member up
    through the ORM on each costs about a fifth of a vote's CPU. A revoked token, or a
    suspended member, is refused at once by the process that made the change and within
    the cache's lifetime by every other process.
    """

    def __init__(self, size: int = 10_000) -> None:
        self.size = size
        self.entries: dict[str, tuple[float, Member, int, Any]] = {}
        self.lock = threading.Lock()

    def get(self, digest: str) -> tuple[Member, int, Any] | None:
        with self.lock:
            entry = self.entries.get(digest)
        if entry is None or entry[0] < time.monotonic():
            return None
        return copy.copy(entry[1]), entry[2], entry[3]

    def put(self, digest: str, member: Member, token_id: int, last_used_at: Any) -> None:
        seconds = settings.PROSUMO_TOKEN_CACHE_SECONDS
        if seconds <= 0:
            return
        with self.lock:
            if len(self.entries) >= self.size:
                self.entries.clear()
            self.entries[digest] = (time.monotonic() + seconds, copy.copy(member), token_id, last_used_at)

    def forget(self, *, digest: str | None = None, member_id: int | None = None) -> None:
        with self.lock:
            for key in [k for k, v in self.entries.items() if k == digest or v[1].pk == member_id]:
                del self.entries[key]


token_cache = _TokenCache()


@cache
def _token_parts() -> tuple[statements.Part, statements.Part]:
    return (
        statements.Part(ApiToken, "t", ("id", "member", "last_used_at")),
        statements.Part(Member, "m", tuple(f.name for f in Member._meta.concrete_fields)),
    )


@cache
def _token_sql(vendor: str) -> str:
    token, member = _token_parts()
    qn = connection.ops.quote_name
    return (
        f"SELECT {token.columns()}, {member.columns()} FROM {statements.quoted_table(ApiToken)} t"  # noqa: S608 (names from model metadata, values bound)
        f" JOIN {statements.quoted_table(Member)} m ON m.{qn('id')} = t.{qn('member_id')}"
        f" WHERE t.{qn('digest')} = %s AND t.{qn('revoked_at')} IS NULL"
    )


def _token_lookup(digest: str) -> tuple[ApiToken, Member] | None:
    """The live token with this digest and its member, by a statement written once (every API call asks)."""
    found = statements.fetch(_token_sql(connection.vendor), [digest], *_token_parts())
    if not found:
        return None
    token, member = found[0]
    return cast(ApiToken, token), cast(Member, member)


def token_authenticate(raw: str) -> Member | None:
    digest = hash_token(raw)
    now = timezone.now()
    cached = token_cache.get(digest)
    if cached is not None:
        member, token_id, last_used_at = cached
    else:
        found = _token_lookup(digest)
        if found is None or not found[1].is_active:
            return None
        token, member = found
        token_id, last_used_at = token.pk, token.last_used_at
    # Written at most once a minute per token: a write on every request would serialise an
    # integration's parallel requests on the token's row and double the writes of a vote.
    if last_used_at is None or now - last_used_at >= TOKEN_LAST_USED_PRECISION:
        statements.update(ApiToken(pk=token_id, last_used_at=now), ["last_used_at"])
        last_used_at = now
    if cached is None:  # only a database check starts the trust period, never a cache hit
        token_cache.put(digest, member, token_id, last_used_at)
    return member


def webhook_create(*, actor: Member, url: str, verbs: list[str]) -> Webhook:
    admin = require_role(actor, Role.ADMIN)
    errors = {}
    url = url.strip()
    try:
        URLValidator(schemes=["http", "https"])(url)
        if len(url) > URL_MAX:
            raise ValidationError("too long")
    except ValidationError:
        errors["url"] = [
            gettext("Give an http:// or https:// address of at most {limit} characters.").format(limit=URL_MAX)
        ]
    else:
        problem = destination_problem(url)
        if problem is not None:
            errors["url"] = [problem]
    unknown = [v for v in verbs if v not in WEBHOOK_VERBS]
    if not verbs or unknown:
        errors["verbs"] = [gettext("Choose among {names}.").format(names=", ".join(WEBHOOK_VERBS))]
    if errors:
        raise InvalidInput(gettext("The webhook was not saved."), fields=errors)
    return Webhook.objects.create(url=url, verbs=list(dict.fromkeys(verbs)), created_by=admin)


def webhook_deactivate(*, actor: Member, webhook_id: int) -> Webhook:
    """Stop sending to a webhook; its pending deliveries are not tried again."""
    require_role(actor, Role.ADMIN)
    with transaction.atomic():
        hook = Webhook.objects.select_for_update().filter(pk=webhook_id).first()
        if hook is None:
            raise NotFound(gettext("No such webhook."))
        hook.is_active = False
        hook.save(update_fields=["is_active"])
        WebhookDelivery.objects.filter(webhook=hook, status=WebhookDelivery.Status.PENDING).update(
            status=WebhookDelivery.Status.FAILED, next_attempt_at=None, last_error="webhook deactivated"
        )
    return hook


def sign(secret: str, body: bytes, timestamp: str) -> str:
    """HMAC-SHA256 over "timestamp.body", hex; receivers recompute it to trust a delivery."""
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def event_payload(event: Event) -> dict[str, Any]:
    """The JSON a webhook receives: the event row, plus the idea's title and address for idea events."""
    payload: dict[str, Any] = {
        "id": event.pk,
        "verb": event.verb,
        "occurred_at": event.occurred_at.isoformat(),
        "actor_id": event.actor_id,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "campaign_id": event.campaign_id,
        "details": event.details,
    }
    if event.object_type == "idea" and event.object_id is not None:
        from prosumo.ideas.models import Idea

        idea = Idea.objects.filter(pk=event.object_id).only("pk", "title", "stage").first()
        if idea is not None:
            payload["idea"] = {
                "id": idea.pk,
                "title": idea.title,
                "stage": idea.stage,
                "url": f"{settings.SITE_URL}/ideas/{idea.pk}/",
            }
    return payload


def webhooks_enqueue_for_event(*, event: Event) -> None:
    """Queue one delivery per active webhook that wants this verb, sent after commit."""
    if event.verb not in WEBHOOK_VERBS:
        return
    hooks = [h for h in Webhook.objects.filter(is_active=True) if event.verb in h.verbs]
    if not hooks:
        return
    payload = json.loads(json.dumps(event_payload(event), default=str))
    deliveries = WebhookDelivery.objects.bulk_create(
        [WebhookDelivery(webhook=h, event_id=event.pk, payload=payload, next_attempt_at=timezone.now()) for h in hooks]
    )
    from prosumo.integrations.tasks import deliver_webhook

    ids = [d.pk for d in deliveries]
    transaction.on_commit(lambda: [deliver_webhook.enqueue(i) for i in ids])
