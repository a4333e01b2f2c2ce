"""Asking for an analytics run; the run itself is a background task."""

from __future__ import annotations

import tempfile
import traceback
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from prosumo.activity.services import event_record
from prosumo.community.models import Member, Segment
from prosumo.community.permissions import is_staff, require_member
from prosumo.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from prosumo.core.input import id_in_range, text_problem
from prosumo.ideas.models import Campaign
from prosumo.insights.filters import FILTERS, filter_key
from prosumo.insights.models import InsightRun, OpenDataRelease
from prosumo.insights.permissions import require_open_data_admin


def clean_filters(raw: dict[str, Any]) -> dict[str, Any]:
    filters = {k: str(raw[k]).strip() for k in FILTERS if raw.get(k) not in (None, "")}
    errors: dict[str, list[str]] = {}
    for name, value in filters.items():
        problem = text_problem(value)
        if problem is not None:
            errors[name] = [problem]
    if errors:
        raise InvalidInput(gettext("The filters are not valid."), fields=errors)  # before any query sees them
    if "segment" in filters and not Segment.objects.filter(name=filters["segment"]).exists():
        errors["segment"] = [gettext("No such segment.")]
    if "campaign" in filters and not (
        filters["campaign"].isascii()
        and filters["campaign"].isdigit()
        and id_in_range(int(filters["campaign"]))
        and Campaign.objects.filter(pk=int(filters["campaign"])).exists()
    ):
        errors["campaign"] = [gettext("No such campaign.")]
    for bound in ("since", "until"):
        if bound in filters:
            try:
                filters[bound] = date.fromisoformat(filters[bound]).isoformat() + "T00:00:00+00:00"
            except ValueError:
                errors[bound] = [gettext("Give a date as YYYY-MM-DD.")]
    if not errors and "since" in filters and "until" in filters and filters["since"] >= filters["until"]:
        errors["until"] = [gettext("The period must end after it starts.")]
    if errors:
        raise InvalidInput(gettext("The filters are not valid."), fields=errors)
    return filters


def insights_request(*, actor: Member | None, filters: dict[str, Any] | None = None) -> InsightRun:
    """Queue a run of the analytics for these filters, or return the one already queued."""
    if actor is not None:
        require_member(actor)
        if not is_staff(actor):
            raise PermissionDenied("Only staff can run the analytics.")
    cleaned = clean_filters(filters or {})
    key = filter_key(cleaned)
    with transaction.atomic():
        queued = InsightRun.objects.filter(
            filter_key=key, status__in=[InsightRun.Status.PENDING, InsightRun.Status.RUNNING]
        ).first()
        if queued is not None:
            return queued
        run = InsightRun.objects.create(filters=cleaned, filter_key=key, requested_by=actor)
        from prosumo.insights.tasks import compute_insights

        transaction.on_commit(lambda: compute_insights.enqueue(run.pk))
    return run


# --- publishing the open data (docs/open-data.md) ------------------------------------------

#: The longest licence name staff may give ("CC BY-SA 4.0", "ODbL 1.0", a URL of a licence).
LICENCE_MAX = 100
#: Where the zips are kept in the media storage: a folder that is not served as it is.
OPEN_DATA_FOLDER = "open-data"


def _delete_stored(names: list[str]) -> None:
    for name in names:
        if name:
            default_storage.delete(name)


def _build_under_way() -> Conflict:
    return Conflict(
        gettext("The open data is already being prepared; wait until it is ready before asking again."),
        code="open_data_building",
    )


def open_data_request(*, actor: Any, licence: str) -> OpenDataRelease:
    """Queue a build of the open-data version under ``licence``; one build at a time.

    Asking while one is queued or being built is refused (:class:`Conflict`,
    ``open_data_building``): the database holds at most one such release
    (``one_open_data_build_at_a_time``), so of two requests at the same moment one
    gets the build and the other the refusal, on SQLite and PostgreSQL alike.
    Releases neither published nor being built are deleted with their files: a site keeps
    the one it publishes and the one it is about to.
    """
    admin = require_open_data_admin(actor)
    licence = (licence or "").strip()
    problem = text_problem(licence)
    if problem is not None:
        raise InvalidInput(problem, fields={"licence": [problem]})
    if not licence:
        raise InvalidInput(
            gettext("Choose the licence the open data is published under."), fields={"licence": ["required"]}
        )
    if len(licence) > LICENCE_MAX:
        message = gettext("A licence's name has at most {count} characters.").format(count=LICENCE_MAX)
        raise InvalidInput(message, fields={"licence": [message]})
    with transaction.atomic():
        if OpenDataRelease.objects.filter(state__in=OpenDataRelease.ACTIVE).exists():
            raise _build_under_way()
        try:
            # first, so that of two requests at once the second waits here for the first and is refused
            with transaction.atomic():
                release = OpenDataRelease.objects.create(licence=licence, requested_by=admin)
        except IntegrityError:  # another request queued its build since the check above
            raise _build_under_way() from None
        old = OpenDataRelease.objects.filter(published=False).exclude(pk=release.pk)
        files = list(old.values_list("file", flat=True))
        old.delete()
        event_record(
            verb="open_data.requested",
            actor_id=admin.pk,
            object_type="open_data",
            object_id=release.pk,
            details={"licence": licence},
        )
        from prosumo.insights.tasks import build_open_data

        transaction.on_commit(lambda: _delete_stored(files))
        transaction.on_commit(lambda: build_open_data.enqueue(release.pk))
    return release


def open_data_build(*, release_id: int, retry: bool = False) -> OpenDataRelease | None:
    """Write the open-data version and zip it with its licence; None when there is nothing to build.

    A failure is stored on the release for staff to see, never raised.
    """
    from prosumo.insights.export import export_dataset

    states = [OpenDataRelease.State.QUEUED, *([OpenDataRelease.State.BUILDING] if retry else [])]
    claimed = OpenDataRelease.objects.filter(pk=release_id, state__in=states).update(
        state=OpenDataRelease.State.BUILDING
    )
    release = OpenDataRelease.objects.filter(pk=release_id).first() if claimed else None
    if release is None:
        return None
    now = timezone.now()
    try:
        with tempfile.TemporaryDirectory(prefix="prosumo-open-data-") as folder:
            path = export_dataset(Path(folder) / "open-data", public=True, licence=release.licence, now=now)
            zipped = Path(folder) / "open-data.zip"  # on disk, not in memory: a large community's data is large
            with zipfile.ZipFile(zipped, "w", zipfile.ZIP_DEFLATED) as archive:
                archive.writestr("open-data/LICENCE.txt", licence_text(release.licence, now=now))
                for item in sorted(path.rglob("*")):
                    if item.is_file():
                        archive.write(item, f"open-data/{item.relative_to(path).as_posix()}")
            size = zipped.stat().st_size
            with zipped.open("rb") as handle:
                name = default_storage.save(
                    f"{OPEN_DATA_FOLDER}/open-data-{release.pk}-{now:%Y%m%d%H%M%S}.zip", File(handle)
                )
    except Exception as exc:  # stored for staff to see; the task itself succeeds
        release.state = OpenDataRelease.State.FAILED
        release.error = "".join(traceback.format_exception_only(type(exc), exc)).strip()[:2000]
        release.save(update_fields=["state", "error"])
        return release
    with transaction.atomic():
        if not OpenDataRelease.objects.filter(pk=release.pk, state=OpenDataRelease.State.BUILDING).exists():
            transaction.on_commit(lambda: _delete_stored([name]))
            return None  # deleted meanwhile
        release.state = OpenDataRelease.State.READY
        release.ready_at = now
        release.file = name
        release.size_bytes = size
        release.save(update_fields=["state", "ready_at", "file", "size_bytes"])
    return release


def licence_text(licence: str, *, now: Any) -> str:
    """The LICENCE.txt that travels in the zip: the licence, the attribution it asks for, and what the data is."""
    return (
        f"{settings.SITE_NAME}: open data of the community, written {now:%Y-%m-%d}.\n\n"
        f"Licence: {licence}\n"
        f"Attribution: {settings.SITE_NAME} ({settings.SITE_URL})\n\n"
        "Members appear under pseudonyms; names only of members who chose to show them; no email address.\n"
        "dataset.json holds the same licence and attribution.\n"
    )


def open_data_publish(*, actor: Any, release_id: int) -> OpenDataRelease:
    """Publish a ready release on the public page, in place of the one published before."""
    admin = require_open_data_admin(actor)
    with transaction.atomic():
        release = OpenDataRelease.objects.select_for_update().filter(pk=release_id).first()
        if release is None:
            raise NotFound(gettext("No such open-data release."))
        if release.state != OpenDataRelease.State.READY:
            raise Conflict(gettext("This release is not ready to publish."), code="open_data_not_ready")
        if release.published:
            return release
        OpenDataRelease.objects.filter(published=True).update(published=False, published_at=None)
        release.published = True
        release.published_at = timezone.now()
        release.save(update_fields=["published", "published_at"])
        event_record(
            verb="open_data.published",
            actor_id=admin.pk,
            object_type="open_data",
            object_id=release.pk,
            details={"licence": release.licence, "size_bytes": release.size_bytes},
        )
    return release


def open_data_unpublish(*, actor: Any) -> OpenDataRelease | None:
    """Take the published release off the public page (it stays for staff to publish again); None if none was."""
    admin = require_open_data_admin(actor)
    with transaction.atomic():
        release = OpenDataRelease.objects.select_for_update().filter(published=True).first()
        if release is None:
            return None
        release.published = False
        release.published_at = None
        release.save(update_fields=["published", "published_at"])
        event_record(verb="open_data.unpublished", actor_id=admin.pk, object_type="open_data", object_id=release.pk)
    return release
