"""Where uploaded files go: the media folder, with a failure to write told as an error people can read.

A media folder that is read-only, full or gone makes Django's storage raise ``OSError``
from inside the model's ``save()``; left alone that is a 500 on every upload. This storage
turns it into `StorageUnavailable` (503 ``storage_unavailable`` in the API, a form error
on pages) and logs the cause for the operator. The exception leaves the service's
transaction, so no row that points at the missing file is written.
"""

from __future__ import annotations

import logging
import secrets
from pathlib import PurePath
from typing import Any

from django.core.files.storage import FileSystemStorage
from django.utils.translation import gettext

from prosumo.core.errors import StorageUnavailable

logger = logging.getLogger(__name__)


class MediaStorage(FileSystemStorage):
    def _save(self, name: str, content: Any) -> str:
        try:
            return str(super()._save(name, content))  # type: ignore[misc]  # untyped in django-stubs
        except OSError as exc:
            logger.error("Could not write %s under %s: %s", name, self.location, exc)
            raise StorageUnavailable(
                gettext("The file could not be stored: the server cannot write uploads right now. Try again later.")
            ) from exc


def unguessable_name(folder: str, filename: str) -> str:
    """A storage name in `folder` that nobody can guess: 32 random characters and the upload's extension.

    Private files (attachments, campaign covers) are served only through their object's
    access rule; a random name keeps them private even from a front server that was set
    to serve the whole media folder, and says nothing of what the member called the file.
    """
    suffix = PurePath(filename).suffix.lower()
    if not (suffix[1:].isascii() and suffix[1:].isalnum() and len(suffix) <= 6):
        suffix = ""
    return f"{folder.strip('/')}/{secrets.token_urlsafe(24)}{suffix}"
