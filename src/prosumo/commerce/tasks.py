"""Background tasks of the commerce app. Every import writes in its own request or command, in one
transaction, so that a refused batch changes nothing (docs/commerce.md); matching orders to members
who became known later runs here."""

from __future__ import annotations

from django_tasks import task


@task()
def match_orders(member_id: int | None = None) -> int:
    """Orders recorded before their customer was known as a member get that member (idempotent)."""
    from prosumo.commerce.services import orders_match

    return orders_match(member_id=member_id)
