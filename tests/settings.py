"""Settings for the test suite: the real settings with fast hashing and mail kept in memory."""

import os

os.environ.setdefault("PROSUMO_SECRET_KEY", "test-secret-key-with-enough-length-for-django-checks-0123456789")
os.environ.setdefault("PROSUMO_DATA_DIR", os.path.join(os.environ.get("TMPDIR", "/tmp"), "prosumo-test"))

from prosumo.settings import *  # noqa: F403

DEBUG = False
SECURE_SSL_REDIRECT = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": TASK_QUEUES}}  # noqa: F405
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
MEDIA_ROOT = os.path.join(os.environ["PROSUMO_DATA_DIR"], "media")
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# allauth's test provider: a sign-in form on the site itself that stands for an outside
# provider, so that sign-up through a social account runs allauth's whole flow.
# OpenID Connect: tests/web/test_oidc.py signs in through a real provider it starts.
INSTALLED_APPS = [
    *INSTALLED_APPS,  # noqa: F405
    "allauth.socialaccount.providers.dummy",
    "allauth.socialaccount.providers.openid_connect",
]
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
PROSUMO_ANONYMOUS_CACHE_SECONDS = 0  # tests share one process cache; the cache has its own test
PROSUMO_TOKEN_CACHE_SECONDS = 0  # tests revoke and suspend between requests; the cache has its own test
# Stage-change emails go at once; tests/notifications/test_collapse.py turns the window on for itself.
PROSUMO_NOTIFICATION_COLLAPSE_SECONDS = 0
# Similar ideas by shared words only, so that the thousands of ideas the suite creates are not
# each embedded; tests/ideas/test_similarity.py turns the default, hybrid ranking on for itself.
PROSUMO_SIMILARITY = "lexical"
if DATABASES["default"]["ENGINE"] == "prosumo.core.db.sqlite":  # noqa: F405
    # Django's default test database for SQLite, said out loud: pytest-django recognises
    # SQLite by the stock engine name only, and would otherwise name a file per process.
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}  # noqa: F405
