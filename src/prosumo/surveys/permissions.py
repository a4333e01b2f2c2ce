"""Who may run and answer surveys; see docs/permissions.md."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext

from prosumo.community.models import Member
from prosumo.community.permissions import is_staff, require_member
from prosumo.core.errors import NotFound, PermissionDenied
from prosumo.surveys.models import Survey
from prosumo.surveys.selectors import in_audience


def can_run_surveys(actor: Any) -> bool:
    """Staff (moderators, reviewers, admins) create, open and close surveys and see their counts."""
    return is_staff(actor)


def require_survey_staff(actor: Any) -> Member:
    member = require_member(actor)
    if not can_run_surveys(member):
        raise PermissionDenied(gettext("Only staff can run surveys."))
    return member


def staff_page(actor: Any) -> Member:
    """The surveys' staff pages do not exist for anyone else (as every staff page answers)."""
    if not can_run_surveys(actor):
        raise NotFound(gettext("Not found."))
    return actor  # type: ignore[no-any-return]


def access_survey(survey_id: int, *, for_update: bool = False) -> Survey:
    """A survey by id (locked for the caller's transaction when ``for_update``), or NotFound."""
    surveys = Survey.objects.select_for_update() if for_update else Survey.objects.select_related("segment", "campaign")
    try:
        return surveys.get(pk=survey_id)
    except Survey.DoesNotExist:
        raise NotFound(gettext("No such survey.")) from None


def access_survey_to_answer(actor: Any, survey_id: int, *, for_update: bool = False) -> tuple[Member, Survey]:
    """A signed-in member who is not suspended, and a survey whose audience holds them."""
    member = require_member(actor)
    survey = access_survey(survey_id, for_update=for_update)
    if not in_audience(survey, member):
        raise PermissionDenied(gettext("This survey asks another group of members, not you."), code="not_in_audience")
    return member, survey
