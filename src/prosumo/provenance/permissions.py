"""Who may do what with the proof log's staff tools: one rule each."""

from __future__ import annotations

from typing import Any

from prosumo.community.permissions import require_staff_page
from prosumo.ideas.models import Idea
from prosumo.ideas.permissions import access_idea


def access_idea_to_flag(actor: Any, idea_id: int) -> Idea:
    """An idea staff may flag (a dispute, prior art): the prior-art page's rule; to others it does not exist."""
    require_staff_page(actor)
    return access_idea(actor, idea_id)
