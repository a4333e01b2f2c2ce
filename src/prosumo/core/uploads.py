"""Checking an uploaded file before it is stored: its size, and its type read from its bytes.

One check for every upload (idea attachments, campaign covers, avatars): the name a
browser sends, and the type it claims, are never trusted.
"""

from __future__ import annotations

from pathlib import PurePath

import filetype
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.text import get_valid_filename
from django.utils.translation import gettext

from prosumo.core.errors import InvalidInput

IMAGE_UPLOADS = {
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/gif": "gif",
    "image/webp": "webp",
}


def upload_check(
    upload: UploadedFile[bytes],
    *,
    allowed: dict[str, str],
    type_message: str,
    limit: int | None = None,
    field: str = "file",
) -> str:
    """Check an upload's size and its type, read from the bytes; return its MIME type.

    The limit is ``limit`` bytes, by default ``settings.PROSUMO_MAX_UPLOAD_BYTES``. On
    success the upload is renamed to a safe stem with the extension of its real type.
    Otherwise ``InvalidInput`` is raised with ``fields={field: [code]}``, code one of
    ``empty``, ``too_large``, ``type``.
    """
    limit = settings.PROSUMO_MAX_UPLOAD_BYTES if limit is None else limit
    if upload.size is None or upload.size == 0:
        raise InvalidInput(gettext("The file is empty."), fields={field: ["empty"]})
    if upload.size > limit:
        raise InvalidInput(
            gettext("The file is {size:.1f} MB; the limit is {limit:.1f} MB.").format(
                size=upload.size / 1e6, limit=limit / 1e6
            ),
            fields={field: ["too_large"]},
        )
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in allowed:
        raise InvalidInput(type_message, fields={field: ["type"]})
    stem = get_valid_filename(PurePath(upload.name or "file").stem)[:80] or "file"
    upload.name = f"{stem}.{allowed[kind.mime]}"
    return str(kind.mime)
