"""Creating and changing campaigns (admins only)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext

from prosumo.activity.services import event_record
from prosumo.community.models import Licence, Member, Role, Segment
from prosumo.community.permissions import require_role
from prosumo.core.errors import InvalidInput
from prosumo.core.uploads import IMAGE_UPLOADS, upload_check
from prosumo.ideas.models import Campaign, Stage, Visibility, VotingMode

EDITABLE = {
    "title",
    "brief",
    "starts_at",
    "ends_at",
    "visibility",
    "segment_id",
    "voting_mode",
    "support_threshold",
    "support_gates",
    "answer_days",
    "scorecard_criteria",
    "stage_labels",
    "skipped_stages",
    "premoderation",
    "is_published",
    "cover",
    "allowed_licences",
}
# Written in each language of the site (ideas/translation.py). ``title`` alone means the
# site's default language; ``title_es`` and the like name one language.
TRANSLATED = ("title", "brief", "stage_labels")
DEFAULT_LANGUAGE = settings.MODELTRANSLATION_DEFAULT_LANGUAGE
OTHER_LANGUAGES = tuple(code for code in settings.MODELTRANSLATION_LANGUAGES if code != DEFAULT_LANGUAGE)
EDITABLE |= {f"{name}_{code}" for name in TRANSLATED for code in settings.MODELTRANSLATION_LANGUAGES}
TITLE_MAX = 160
ANSWER_DAYS_MAX = 365
# Stages a campaign may not skip: the loop must be able to open, decline and merge.
UNSKIPPABLE = {Stage.SUBMITTED, Stage.OPEN, Stage.DECLINED, Stage.MERGED}


def _validate(fields: dict[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if "title" in fields and not str(fields["title"]).strip():
        errors["title"] = [gettext("A campaign needs a title.")]
    if "brief" in fields and not str(fields["brief"]).strip():
        errors["brief"] = [gettext("Write a brief so members know what you ask for.")]
    for name in ("title", *(f"title_{code}" for code in settings.MODELTRANSLATION_LANGUAGES)):
        if len(str(fields.get(name) or "")) > TITLE_MAX:
            errors[name] = [gettext("A title has at most {limit} characters.").format(limit=TITLE_MAX)]
    if fields.get("voting_mode") not in (None, *VotingMode.values):
        errors["voting_mode"] = [gettext("Choose one of {names}.").format(names=", ".join(VotingMode.values))]
    if fields.get("visibility") not in (None, *Visibility.values):
        errors["visibility"] = [gettext("Choose one of {names}.").format(names=", ".join(Visibility.values))]
    if fields.get("visibility") == Visibility.SEGMENT and not fields.get("segment_id"):
        errors["segment_id"] = [gettext("A segment-only campaign needs a segment.")]
    if fields.get("segment_id") and not Segment.objects.filter(pk=fields["segment_id"]).exists():
        errors["segment_id"] = [gettext("No such segment.")]
    starts, ends = fields.get("starts_at"), fields.get("ends_at")
    if isinstance(starts, datetime) and isinstance(ends, datetime) and ends <= starts:
        errors["ends_at"] = [gettext("The campaign must end after it starts.")]
    threshold = fields.get("support_threshold")
    if threshold is not None and (not isinstance(threshold, int) or threshold < 0):
        errors["support_threshold"] = [gettext("The threshold is a whole number of supporters, 0 for none.")]
    answer_days = fields.get("answer_days")
    if answer_days is not None and (
        isinstance(answer_days, bool) or not isinstance(answer_days, int) or not 1 <= answer_days <= ANSWER_DAYS_MAX
    ):
        errors["answer_days"] = [
            gettext("The answer deadline is a whole number of days from 1 to {limit}, or empty for none.").format(
                limit=ANSWER_DAYS_MAX
            )
        ]
    gates = fields.get("support_gates")
    if gates is not None:
        try:
            pairs = [(int(g["supporters"]), int(g["days"])) for g in gates]
        except (KeyError, TypeError, ValueError):
            errors["support_gates"] = [gettext('Each gate is {"supporters": N, "days": D}.')]
        else:
            if (
                any(s <= 0 or d <= 0 for s, d in pairs)
                or pairs != sorted(pairs)
                or len({s for s, _ in pairs}) < len(pairs)
            ):
                errors["support_gates"] = [gettext("Gates need positive numbers, rising in both supporters and days.")]
    licences = fields.get("allowed_licences")
    if licences is not None and (
        not isinstance(licences, list) or not licences or any(v not in Licence.values for v in licences)
    ):
        errors["allowed_licences"] = [
            gettext("Allow at least one licence among {names}.").format(names=", ".join(Licence.values))
        ]
    skipped = fields.get("skipped_stages")
    if skipped is not None:
        bad = [s for s in skipped if s not in Stage.values or s in UNSKIPPABLE]
        if bad:
            errors["skipped_stages"] = [
                gettext("These stages cannot be skipped: {names}.").format(names=", ".join(map(str, bad)))
            ]
    cover = fields.get("cover")
    if isinstance(cover, UploadedFile):
        try:
            upload_check(
                cover, allowed=IMAGE_UPLOADS, type_message=gettext("A cover is a PNG, JPEG, GIF or WebP image.")
            )
        except InvalidInput as exc:
            errors["cover"] = [exc.message]
    for name in ("stage_labels", *(f"stage_labels_{code}" for code in settings.MODELTRANSLATION_LANGUAGES)):
        labels = fields.get(name)
        if labels is not None and (not isinstance(labels, dict) or any(k not in Stage.values for k in labels)):
            errors[name] = [gettext("Rename stages with a mapping from a stage name to a label.")]
    return errors


def translated_fields(translations: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """``{"es": {"title": ..., "brief": ..., "stage_labels": {...}}}`` as the services' ``title_es`` and the like."""
    unknown = sorted(set(translations) - set(OTHER_LANGUAGES))
    if unknown:
        raise InvalidInput(
            gettext("No such other language: {codes}. The site's other languages: {names}.").format(
                codes=", ".join(unknown), names=", ".join(OTHER_LANGUAGES) or "-"
            ),
            fields={"translations": ["unknown_language"]},
        )
    return {
        f"{name}_{code}": value
        for code, text in translations.items()
        for name, value in text.items()
        if name in TRANSLATED
    }


def _in_default_language(fields: dict[str, Any]) -> dict[str, Any]:
    """``title``, ``brief`` and ``stage_labels`` written to the site's default language, whoever's page asks.

    Without this, django-modeltranslation would write them in the language of the request.
    """
    out = dict(fields)
    for name in TRANSLATED:
        if name in out:
            out.setdefault(f"{name}_{DEFAULT_LANGUAGE}", out[name])
            del out[name]
    return out


def campaign_create(
    *, actor: Member, title: str, brief: str, starts_at: datetime | None = None, **fields: Any
) -> Campaign:
    require_role(actor, Role.ADMIN)
    unknown = set(fields) - EDITABLE - {"slug"}
    if unknown:
        raise InvalidInput(gettext("Unknown campaign fields: {names}.").format(names=", ".join(sorted(unknown))))
    slug = slugify(fields.pop("slug", "") or title)[:70] or "campaign"
    values = {"title": title, "brief": brief, "starts_at": starts_at or timezone.now(), **fields}
    errors = _validate(values)
    if errors:
        raise InvalidInput(gettext("The campaign could not be saved."), fields=errors)
    with transaction.atomic():
        base, n = slug, 2
        while Campaign.objects.filter(slug=slug).exists():
            slug, n = f"{base}-{n}", n + 1
        campaign = Campaign.objects.create(slug=slug, created_by=actor, **_in_default_language(values))
        event_record(
            verb="campaign.created",
            actor_id=actor.pk,
            object_type="campaign",
            object_id=campaign.pk,
            campaign_id=campaign.pk,
            details={"voting_mode": campaign.voting_mode},
        )
    return campaign


def campaign_update(*, actor: Member, campaign: Campaign, **fields: Any) -> Campaign:
    require_role(actor, Role.ADMIN)
    unknown = set(fields) - EDITABLE
    if unknown:
        raise InvalidInput(gettext("Unknown campaign fields: {names}.").format(names=", ".join(sorted(unknown))))
    # Checked against what the campaign keeps: a new end against the stored start, and so on.
    stored: dict[str, datetime | int | None] = {"starts_at": campaign.starts_at, "ends_at": campaign.ends_at}
    if "visibility" in fields:
        stored["segment_id"] = campaign.segment_id
    errors = _validate({**stored, **fields})
    if errors:
        raise InvalidInput(gettext("The campaign could not be saved."), fields=errors)
    written = _in_default_language(fields)
    with transaction.atomic():
        for name, value in written.items():
            setattr(campaign, name, value)
        campaign.save(update_fields=[*written, "updated_at"])
        event_record(
            verb="campaign.updated",
            actor_id=actor.pk,
            object_type="campaign",
            object_id=campaign.pk,
            campaign_id=campaign.pk,
            details={"fields": sorted(fields)},
        )
    return campaign
