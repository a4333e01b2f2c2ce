"""Reviewer scorecards against the campaign's criteria."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext

from prosumo.activity.services import event_record
from prosumo.community.models import Member, Role
from prosumo.community.permissions import require_role
from prosumo.core.errors import InvalidInput
from prosumo.ideas.models import Review
from prosumo.ideas.permissions import access_idea

DEFAULT_CRITERIA = ["desirability", "feasibility", "viability"]


def review_submit(*, actor: Member, idea_id: int, scores: dict[str, int], note: str = "") -> Review:
    """Score an idea from 1 to 5 on each of its campaign's criteria (one scorecard per reviewer)."""
    reviewer = require_role(actor, Role.REVIEWER, Role.ADMIN)
    idea = access_idea(reviewer, idea_id)
    criteria = idea.campaign.scorecard_criteria or DEFAULT_CRITERIA
    errors = {}
    for name in criteria:
        value = scores.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 5:
            errors[name] = [gettext("Score from 1 to 5.")]
    extra = set(scores) - set(criteria)
    if extra:
        errors["scores"] = [gettext("Unknown criteria: {names}.").format(names=", ".join(sorted(extra)))]
    if errors:
        raise InvalidInput(gettext("The scorecard is incomplete."), fields=errors)
    with transaction.atomic():
        review, _ = Review.objects.update_or_create(
            idea=idea, reviewer=reviewer, defaults={"scores": {k: scores[k] for k in criteria}, "note": note.strip()}
        )
        event_record(
            verb="idea.reviewed",
            actor_id=reviewer.pk,
            object_type="idea",
            object_id=idea.pk,
            target_member_id=idea.author_id,
            campaign_id=idea.campaign_id,
            value=sum(review.scores.values()) / len(review.scores),
            details={"scores": review.scores},
        )
    return review
