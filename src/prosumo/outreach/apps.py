from datetime import timedelta

from django.apps import AppConfig

from prosumo.core.periodic import Periodic


class OutreachConfig(AppConfig):
    name = "prosumo.outreach"
    label = "outreach"
    periodic = [
        # The rate limit of experiment email: one batch per experiment per minute.
        Periodic("mail_experiments", timedelta(minutes=1), "prosumo.outreach.tasks.mail_experiments"),
        # Supports of ideas as conversions, found once a minute rather than at each vote's cost.
        Periodic("convert_supports", timedelta(minutes=1), "prosumo.outreach.tasks.convert_supports"),
    ]

    def ready(self) -> None:
        from prosumo.activity.reactions import react_to
        from prosumo.outreach.selectors import message_contents
        from prosumo.outreach.services import (
            CONVERSION_VERBS,
            LOGGED_VERBS,
            ORDER_VERBS,
            REWARDED_VERBS,
            conversion_event,
            event_recorded,
            message_rewarded,
            orders_event,
        )
        from prosumo.provenance.selectors import content_source_register

        # The proof log knows nothing of messages: it reads their revisions through this source,
        # and each new revision is logged by a task after its event commits.
        content_source_register("message", message_contents)
        react_to(event_recorded, verbs=LOGGED_VERBS)
        # Messages earn points under the site's rules, through rewards' own ledger.
        react_to(message_rewarded, verbs=REWARDED_VERBS)
        # A landing action by a member who opened their tracked link is a conversion in their experiments.
        react_to(conversion_event, verbs=tuple(CONVERSION_VERBS))
        # An imported order carrying an experiment's code is a conversion of its member's arm.
        react_to(orders_event, verbs=ORDER_VERBS)
