"""Sending a private file after its access rule said yes: from Django, or handed to the front server.

A view that serves an attachment or a cover checks the object's access rule first (the
same one as the object's page), then calls `file_response`. By default the web process
streams the file (`FileResponse`); with ``PROSUMO_FILE_SENDER=nginx`` it only answers
with ``X-Accel-Redirect`` and nginx sends the bytes from an ``internal`` location, and with
``sendfile`` it names the file in ``X-Sendfile`` (Apache mod_xsendfile, lighttpd).

Every answer carries the type the upload check read from the bytes, ``nosniff`` so a
browser never guesses another, ``Content-Disposition`` (inline for images, a download for
anything else) and ``Cache-Control: private`` unless the file is public.

A file made for the asker on the fly (a copy of their data, a statement, a certificate)
is sent by `download_response`: a download that no cache keeps.
"""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import FileResponse, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.http import content_disposition_header
from django.utils.translation import gettext

from prosumo.core.errors import NotFound

# Types a browser may show in the page; every other file is offered as a download.
INLINE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
SENT_TYPES = INLINE_TYPES | {"application/pdf"}
MAX_AGE_SECONDS = 3600


def file_response(*, name: str | None, content_type: str, download_name: str, public: bool = False) -> HttpResponseBase:
    """The answer that sends stored file `name` to a reader already allowed to have it; NotFound if it is gone."""
    if not name:
        raise NotFound(gettext("No such file."))
    if content_type not in SENT_TYPES:
        content_type = "application/octet-stream"
    response: HttpResponseBase
    if settings.PROSUMO_FILE_SENDER == "nginx":
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = settings.PROSUMO_NGINX_PRIVATE_MEDIA_URL + quote(name)
    elif settings.PROSUMO_FILE_SENDER == "sendfile":
        response = HttpResponse(content_type=content_type)
        response["X-Sendfile"] = default_storage.path(name)
    else:
        try:
            handle = default_storage.open(name, "rb")
        except FileNotFoundError as exc:
            raise NotFound(gettext("No such file.")) from exc
        response = FileResponse(handle, content_type=content_type)
    disposition = content_disposition_header(content_type not in INLINE_TYPES, download_name)
    if disposition:
        response["Content-Disposition"] = disposition
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = f"{'public' if public else 'private'}, max-age={MAX_AGE_SECONDS}"
    return response


def download_response(content: bytes | str, *, content_type: str, file_name: str) -> HttpResponse:
    """`content`, made for this reader alone, as a download named `file_name` that no cache keeps."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, file_name)
    response["Cache-Control"] = "private, no-store"
    return response
