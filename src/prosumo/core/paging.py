"""One page of a list, for the API's paged lists: ``{"items", "count", "page", "pages"}`` (docs/api.md, Pagination)."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.translation import gettext

from prosumo.core.errors import NotFound

PER_PAGE_MAX = 100


def page_of(rows: QuerySet[Any], *, page: int, per_page: int) -> dict[str, Any]:
    """The page ``page`` of ``rows``; a page past the last is 404 with ``fields.page`` = ``["1 to N"]``."""
    paginator = Paginator(rows, per_page)
    if page > paginator.num_pages:
        raise NotFound(
            gettext("There is no page {page}: the list has {pages} page(s).").format(
                page=page, pages=paginator.num_pages
            ),
            fields={"page": [f"1 to {paginator.num_pages}"]},
        )
    found = paginator.page(page)
    return {"items": list(found.object_list), "count": paginator.count, "page": page, "pages": paginator.num_pages}
