"""Who may publish the community's open data: admins, as they publish the contribution terms."""

from __future__ import annotations

from typing import Any

from prosumo.community.models import Member, Role
from prosumo.community.permissions import require_role


def require_open_data_admin(actor: Any) -> Member:
    """Building, publishing and unpublishing the open data is an admin's decision (docs/open-data.md)."""
    return require_role(actor, Role.ADMIN)
