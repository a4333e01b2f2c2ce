"""The shell's pages: the home page, the language picker and the public media folder.

Every other page lives in the app that owns its data (``<app>/views.py``).
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language as django_set_language
from django.views.static import serve

from prosumo.community import services as community_services
from prosumo.ideas import selectors


def home(request: HttpRequest) -> HttpResponse:
    campaigns = list(selectors.campaigns_running(request.user)[:6])
    trending = selectors.idea_list(
        viewer=request.user, order="trending", per_page=6, hide_declined=True, cards=True
    ).object_list
    answered, submitted = selectors.answered_share(days=30)
    return render(
        request,
        "web/home.html",
        {"campaigns": campaigns, "trending": trending, "answered": answered, "submitted": submitted},
    )


PUBLIC_MEDIA_FOLDERS = ("avatars",)


@require_GET
def public_media(request: HttpRequest, folder: str, path: str) -> HttpResponseBase:
    """A file from a public folder of the media folder (avatars), for anyone; a front server may serve these itself."""
    return serve(request, path, document_root=str(Path(settings.MEDIA_ROOT) / folder))


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """The header's language picker; for a signed-in member it also becomes their profile language.

    A member's profile language wins over the cookie once they are signed in, so without
    this the picker would seem to do nothing for them.
    """
    response = django_set_language(request)
    language = request.POST.get("language", "")
    member = request.user
    if member.is_authenticated and language in dict(settings.LANGUAGES) and member.locale != language:
        community_services.member_update_profile(member=member, locale=language)
    return response
