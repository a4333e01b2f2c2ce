from allauth.account import views as allauth_views
from django.conf import settings
from django.contrib import admin
from django.urls import include, path, register_converter

from prosumo.api import api
from prosumo.community.limits import rate_limited
from prosumo.core.input import IdConverter
from prosumo.web import views as web_views

# `<id:...>` in every page's URL: before the includes below, which use it.
register_converter(IdConverter, "id")

urlpatterns = [
    path("admin/", admin.site.urls),
    # allauth's own sign-up view, under the site's sign-up limit (shared by every web process)
    path("accounts/signup/", rate_limited("signup")(allauth_views.signup), name="account_signup"),
    path("accounts/", include("allauth.urls")),
    path("api/", api.urls),
    path("i18n/setlang/", web_views.set_language, name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("staff/insights/", include("prosumo.insights.urls")),
    path("me/data/", include("prosumo.privacy.urls")),
    path("open-data/", include("prosumo.insights.open_data_urls")),
    # each app's pages, at the site's root (their paths do not overlap)
    path("", include("prosumo.ideas.urls")),
    path("", include("prosumo.community.urls")),
    path("", include("prosumo.notifications.urls")),
    path("", include("prosumo.provenance.urls")),
    path("", include("prosumo.rewards.urls")),
    path("", include("prosumo.commerce.urls")),
    path("", include("prosumo.surveys.urls")),
    path("", include("prosumo.outreach.urls")),
    path("", include("prosumo.pairwise.urls")),
    path("", include("prosumo.budgets.urls")),
    path("", include("prosumo.web.urls")),
]
# Only the public part of the media folder is served as it is (web.views.PUBLIC_MEDIA_FOLDERS:
# avatars). Attachments and campaign covers have their own views (/ideas/<id>/attachments/<id>/,
# /c/<slug>/cover/), which apply the access rule of the idea or campaign first.
if settings.DEBUG or settings.MEDIA_URL.startswith("/"):
    urlpatterns += [
        path(f"{settings.MEDIA_URL.strip('/')}/{folder}/<path:path>", web_views.public_media, {"folder": folder})
        for folder in web_views.PUBLIC_MEDIA_FOLDERS
    ]
