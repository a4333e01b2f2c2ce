from datetime import timedelta

from django.apps import AppConfig

from prosumo.core.periodic import Periodic


class IdeasConfig(AppConfig):
    name = "prosumo.ideas"
    label = "ideas"
    periodic = [
        Periodic("expire_support_gates", timedelta(hours=1), "prosumo.ideas.tasks.expire_support_gates"),
        Periodic("remind_answers", timedelta(hours=1), "prosumo.ideas.tasks.remind_answers"),
    ]

    def ready(self) -> None:
        from prosumo.ideas.selectors import idea_followers, idea_involved_members, idea_readers
        from prosumo.notifications.services import audience_register, idea_readers_register

        # Notifications know nothing of ideas: the groups and the reading rule are ideas'.
        audience_register("idea.involved", idea_involved_members)
        audience_register("idea.followers", idea_followers)
        idea_readers_register(idea_readers)
