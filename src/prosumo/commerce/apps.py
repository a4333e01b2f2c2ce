from django.apps import AppConfig


class CommerceConfig(AppConfig):
    """The company's own commercial data: orders (revenue) and channel spend."""

    name = "prosumo.commerce"
    label = "commerce"

    def ready(self) -> None:
        from prosumo.activity.reactions import react_to
        from prosumo.commerce.services import MATCHING_VERBS, orders_match_on

        # Run from the event outbox after commit: a member who joins, or a customer import that
        # names members, may be the customer of orders recorded before (docs/commerce.md).
        react_to(orders_match_on, verbs=MATCHING_VERBS)
