"""Who may manage webhooks: admins only (docs/permissions.md)."""

from __future__ import annotations

from typing import Any

from prosumo.community.models import Member, Role
from prosumo.community.permissions import require_role


def require_webhook_admin(actor: Any) -> Member:
    """The actor, when they may create, list, read the deliveries of and stop webhooks: an admin."""
    return require_role(actor, Role.ADMIN)
