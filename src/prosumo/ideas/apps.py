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
        from prosumo.community.selectors import invitation_part_register, profile_part_register
        from prosumo.community.services import invitation_take_up_register
        from prosumo.core.backup import rebuilt_table_register
        from prosumo.ideas.models import IdeaVector
        from prosumo.ideas.selectors import (
            idea_followers,
            idea_involved_members,
            idea_readers,
            invitation_part,
            profile_part,
        )
        from prosumo.ideas.services import invitation_take_up
        from prosumo.ideas.similarity import install_pgvector
        from prosumo.notifications.services import audience_register, idea_readers_register

        # Community's pages know nothing of ideas: a profile's ideas and what an invitation
        # offers (a campaign, an idea to co-author) are ideas' to show and to take up.
        profile_part_register(profile_part)
        invitation_part_register(invitation_part)
        invitation_take_up_register(invitation_take_up)

        # Notifications know nothing of ideas: the groups and the reading rule are ideas'.
        audience_register("idea.involved", idea_involved_members)
        audience_register("idea.followers", idea_followers)
        idea_readers_register(idea_readers)

        # pgvector's copy of the vectors is made from IdeaEmbedding: backups leave it out (they
        # restore into a server without pgvector too) and a restore makes it again where it can.
        rebuilt_table_register(IdeaVector._meta.db_table, install_pgvector, command="prosumo embed")
