"""Reads for the community pages and endpoints."""

from __future__ import annotations

from django.db.models import QuerySet

from prosumo.community.models import CustomerImport, Member, Role
from prosumo.community.permissions import has_role

IMPORTS_LISTED = 20


def customer_imports_for(actor: Member) -> QuerySet[CustomerImport]:
    """The latest customer imports, newest first, for an admin; none for anyone else."""
    if not has_role(actor, Role.ADMIN):
        return CustomerImport.objects.none()
    return CustomerImport.objects.select_related("requested_by")[:IMPORTS_LISTED]
