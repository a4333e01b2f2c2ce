"""Prosumo settings, driven by environment variables.

Every setting an operator may change is read from the environment (see
docs/configuration.md). The defaults give the embedded trial: a SQLite file in
the working directory, the database-backed task queue, mail printed to the
console. ``PROSUMO_DEBUG`` is off unless asked for, and with it off the secure
defaults of ``prosumo check --deploy`` apply.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import dj_database_url
import limits
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("PROSUMO_DATA_DIR", Path.cwd() / "var")).resolve()


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# Social login providers the site does not offer: SAML needs python3-saml (xmlsec), which
# Prosumo does not install and no test covers, so naming it stops the site with a message.
SOCIAL_PROVIDERS_REFUSED = {"saml": "SAML single sign-on is not offered; use OpenID Connect (openid_connect)."}


def social_providers(names: list[str], raw: str) -> tuple[list[str], dict[str, dict[str, object]]]:
    """PROSUMO_SOCIAL_PROVIDERS and PROSUMO_SOCIALACCOUNT_PROVIDERS, checked: the provider apps and allauth's settings.

    ``raw`` is a JSON object in allauth's ``SOCIALACCOUNT_PROVIDERS`` form; each provider it
    configures is installed too, so that naming it once is enough.
    """
    try:
        providers = json.loads(raw) if raw.strip() else {}
    except json.JSONDecodeError as exc:
        raise ImproperlyConfigured(f"PROSUMO_SOCIALACCOUNT_PROVIDERS is not JSON: {exc}.") from exc
    if not isinstance(providers, dict) or not all(isinstance(v, dict) for v in providers.values()):
        raise ImproperlyConfigured(
            'PROSUMO_SOCIALACCOUNT_PROVIDERS must be a JSON object of provider: settings, e.g. {"openid_connect": {"APPS": [...]}}.'
        )
    wanted = list(dict.fromkeys([*names, *providers]))
    for name in wanted:
        if name in SOCIAL_PROVIDERS_REFUSED:
            raise ImproperlyConfigured(SOCIAL_PROVIDERS_REFUSED[name])
    return wanted, providers


SOCIAL_APPS, SOCIALACCOUNT_PROVIDERS = social_providers(
    env_list("PROSUMO_SOCIAL_PROVIDERS"), os.environ.get("PROSUMO_SOCIALACCOUNT_PROVIDERS", "")
)


def csp_extra(value: str) -> dict[str, list[str]]:
    """Parse PROSUMO_CSP_EXTRA: "directive source source; directive source" -> {directive: [sources]}."""
    from csp.utils import DEFAULT_DIRECTIVES

    extra: dict[str, list[str]] = {}
    for part in value.split(";"):
        if not part.strip():
            continue
        directive, *sources = part.split()
        if directive not in DEFAULT_DIRECTIVES or isinstance(DEFAULT_DIRECTIVES[directive], bool):
            raise ImproperlyConfigured(
                f"PROSUMO_CSP_EXTRA: {directive!r} is not a Content-Security-Policy directive that takes sources."
            )
        if not sources:
            raise ImproperlyConfigured(f"PROSUMO_CSP_EXTRA: {directive!r} needs at least one source after it.")
        extra.setdefault(directive, []).extend(sources)
    return extra


DEBUG = env_bool("PROSUMO_DEBUG", False)
SECRET_KEY = os.environ.get("PROSUMO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "PROSUMO_SECRET_KEY is not set. Set it to a long random string "
            "(python -c 'import secrets; print(secrets.token_urlsafe(50))'), "
            "or set PROSUMO_DEBUG=1 for a local trial."
        )
    SECRET_KEY = "insecure-local-trial-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("PROSUMO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("PROSUMO_CSRF_TRUSTED_ORIGINS")
SITE_URL = os.environ.get("PROSUMO_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = os.environ.get("PROSUMO_SITE_NAME", "Prosumo")

INSTALLED_APPS = [
    # Before the admin: content staff write in each language (ideas/translation.py). Left
    # out when mypy loads the settings (`make lint`): django-stubs cannot type the managers
    # it builds at run time, so the code reads the per-language columns with getattr.
    *([] if os.environ.get("PROSUMO_TYPE_CHECKING") == "1" else ["modeltranslation"]),
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sites",
    "django_htmx",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "prosumo.web",  # before allauth: its account pages use the site's layout
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    *[f"allauth.socialaccount.providers.{name}" for name in SOCIAL_APPS],
    "prosumo.core",
    "prosumo.community",
    "prosumo.activity",
    "prosumo.ideas",
    "prosumo.notifications",
    "prosumo.integrations",
    "prosumo.provenance",
    "prosumo.rewards",
    "prosumo.commerce",
    "prosumo.surveys",
    "prosumo.outreach",
    "prosumo.pairwise",
    "prosumo.budgets",
    "prosumo.privacy",  # after community: its admin takes over the member admin's delete
    "prosumo.insights",
]

MIDDLEWARE = [
    "prosumo.core.health.HealthMiddleware",  # first: load balancers call it by IP over plain HTTP
    "django.middleware.security.SecurityMiddleware",
    "prosumo.core.headers.ContentSecurityPolicyMiddleware",
    "prosumo.core.headers.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "prosumo.community.middleware.MemberContextMiddleware",
    "prosumo.web.middleware.RateLimitedPage",
    "prosumo.api.JsonMethodNotAllowed",
    "prosumo.core.replica.PrimaryAfterWrite",
]

ROOT_URLCONF = "prosumo.urls"
WSGI_APPLICATION = "prosumo.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "prosumo.web.context.site",
                "csp.context_processors.nonce",
            ],
        },
    },
]

if "DATABASE_URL" not in os.environ:
    # The embedded default keeps its SQLite file here, readable by its owner only.
    DATA_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'prosumo.sqlite3'}"),
        conn_max_age=int(os.environ.get("PROSUMO_DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions take the write lock up front, so concurrent writers queue
    # for it instead of failing half-way; WAL lets readers read while one writes. A write
    # that finds the lock taken waits up to PROSUMO_SQLITE_LOCK_WAIT_SECONDS in all (SQLite's
    # busy timeout per attempt, then again with a growing pause: prosumo.core.db.sqlite)
    # before "database is locked" reaches the caller (docs/operations.md).
    SQLITE_LOCK_WAIT_SECONDS = float(os.environ.get("PROSUMO_SQLITE_LOCK_WAIT_SECONDS", "30"))
    DATABASES["default"]["ENGINE"] = "prosumo.core.db.sqlite"
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": min(5.0, SQLITE_LOCK_WAIT_SECONDS),
        "lock_wait": SQLITE_LOCK_WAIT_SECONDS,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
    "PROSUMO_DB_PREPARED_STATEMENTS", True
):
    # Parameters bound by the server and statements prepared after their second use:
    # PostgreSQL then parses and plans a vote's statements once per connection, not on
    # every vote (bench/RESULTS.md). Turn off behind a pooler that cannot keep
    # prepared statements (PgBouncer before 1.21, or in transaction mode without
    # max_prepared_statements).
    DATABASES["default"].setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=2)

# A PostgreSQL replica for read-heavy pages (docs/scale.md): the pages marked
# `prosumo.core.replica.replica_reads` read from it, everything else (every write, every
# transaction, who is signed in) stays on the primary, and a browser that has just written
# reads from the primary for PROSUMO_REPLICA_LAG_SECONDS so that it sees its own writes.
PROSUMO_REPLICA_LAG_SECONDS = float(os.environ.get("PROSUMO_REPLICA_LAG_SECONDS", "10"))
if os.environ.get("DATABASE_REPLICA_URL", "").strip():
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"].strip(),
        conn_max_age=DATABASES["default"]["CONN_MAX_AGE"],
        conn_health_checks=True,
    )
    if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql" or (
        DATABASES["replica"]["ENGINE"] != "django.db.backends.postgresql"
    ):
        raise ImproperlyConfigured(
            "DATABASE_REPLICA_URL needs PostgreSQL: set DATABASE_URL and DATABASE_REPLICA_URL to postgres:// URLs."
        )
    DATABASES["replica"]["OPTIONS"] = dict(DATABASES["default"].get("OPTIONS", {}))
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}  # a test run reads what it wrote
    DATABASE_ROUTERS = ["prosumo.core.replica.ReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "community.Member"
SITE_ID = 1

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

# allauth: email is the login; addresses are verified before a member takes part.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = os.environ.get("PROSUMO_EMAIL_VERIFICATION", "mandatory")
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
# Confirming the address from the browser that signed up signs the new member in (allauth
# does it only in that browser's session, so a forwarded link signs nobody in).
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_ADAPTER = "prosumo.web.accounts.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "prosumo.web.accounts.SocialAccountAdapter"
ACCOUNT_FORMS = {"signup": "prosumo.web.accounts.SignupForm"}
# Sign-up, password reset and adding an address answer the same whether or not the address
# has an account (docs/security.md); sign-up can only keep that promise with mandatory
# verification, where allauth mails the owner instead of saying the address is taken.
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if not DEBUG else "http"
LOGIN_REDIRECT_URL = "/"
LOGIN_URL = "/accounts/login/"
# Social login: list allauth provider names (e.g. "google,github") in PROSUMO_SOCIAL_PROVIDERS,
# then add each provider's client id and secret in the admin (Social applications), or give
# allauth's SOCIALACCOUNT_PROVIDERS as JSON in PROSUMO_SOCIALACCOUNT_PROVIDERS (read above,
# in social_providers): e.g. an OpenID Connect provider with its APPS (docs/configuration.md).
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
# The site's own catalogue, then its wording of allauth's and Django's text (the first wins).
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_overrides"]
# Content staff write (campaign titles and briefs, renamed stages, decline reasons) is kept
# in each language; a page shows the reader's language, else the other one.
MODELTRANSLATION_DEFAULT_LANGUAGE = LANGUAGE_CODE
MODELTRANSLATION_LANGUAGES = tuple(code for code, _name in LANGUAGES)
MODELTRANSLATION_FALLBACK_LANGUAGES = {"default": MODELTRANSLATION_LANGUAGES}
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    # Vega and friends for the Insights charts, written from the pinned vl-convert-python
    "prosumo.insights.charts.VegaBundleFinder",
]
STORAGES = {
    "default": {"BACKEND": "prosumo.core.storage.MediaStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("PROSUMO_MEDIA_ROOT", DATA_DIR / "media"))
# The instance's Ed25519 key, which signs the proof log's tree heads: made on first use,
# kept outside MEDIA_ROOT and out of backups; back it up apart (docs/operations.md).
PROSUMO_PROVENANCE_KEY_FILE = Path(os.environ.get("PROSUMO_PROVENANCE_KEY_FILE", DATA_DIR / "provenance-ed25519.pem"))
# An RFC 3161 time-stamping authority for the signed tree heads (docs/ip.md); none by default.
PROSUMO_TSA_URL = os.environ.get("PROSUMO_TSA_URL", "").strip()
PROSUMO_TSA_CERTIFICATE = os.environ.get("PROSUMO_TSA_CERTIFICATE", "").strip()
# Who sends the bytes of a private file (an attachment, a campaign cover) once the site has
# checked that the reader may see it: "django" streams it from the web process; "nginx" hands
# it to nginx with X-Accel-Redirect under PROSUMO_NGINX_PRIVATE_MEDIA_URL (an `internal`
# location aliased to MEDIA_ROOT); "sendfile" names the file in X-Sendfile (Apache
# mod_xsendfile, lighttpd). docs/install.md shows the nginx set-up.
PROSUMO_FILE_SENDER = os.environ.get("PROSUMO_FILE_SENDER", "django")
if PROSUMO_FILE_SENDER not in ("django", "nginx", "sendfile"):
    raise ImproperlyConfigured(
        f"PROSUMO_FILE_SENDER is {PROSUMO_FILE_SENDER!r}; set it to django, nginx or sendfile (docs/configuration.md)."
    )
PROSUMO_NGINX_PRIVATE_MEDIA_URL = (
    "/" + os.environ.get("PROSUMO_NGINX_PRIVATE_MEDIA_URL", "/private-media/").strip("/") + "/"
)
PROSUMO_MAX_UPLOAD_BYTES = int(os.environ.get("PROSUMO_MAX_UPLOAD_BYTES", str(5 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = PROSUMO_MAX_UPLOAD_BYTES + 1024 * 1024
# Largest avatar accepted; like every upload, its type is read from its bytes (PNG, JPEG, GIF, WebP).
PROSUMO_MAX_AVATAR_BYTES = int(os.environ.get("PROSUMO_MAX_AVATAR_BYTES", str(2 * 1024 * 1024)))

# Mail: console in a trial, SMTP when PROSUMO_EMAIL_HOST is set.
DEFAULT_FROM_EMAIL = os.environ.get("PROSUMO_FROM_EMAIL", "Prosumo <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if os.environ.get("PROSUMO_EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["PROSUMO_EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("PROSUMO_EMAIL_PORT", "25"))
    EMAIL_HOST_USER = os.environ.get("PROSUMO_EMAIL_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("PROSUMO_EMAIL_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("PROSUMO_EMAIL_TLS", False)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# Seconds a socket operation with the mail server may take before the try counts as failed.
EMAIL_TIMEOUT = int(os.environ.get("PROSUMO_EMAIL_TIMEOUT", "30"))
# A worker holds the mail it is sending for this many seconds; if it dies meanwhile, the
# periodic retry sends that mail again once the hold lapses (docs/operations.md, "Mail").
PROSUMO_MAIL_CLAIM_SECONDS = int(os.environ.get("PROSUMO_MAIL_CLAIM_SECONDS", "600"))
# An email about an idea's stage waits this long, and a later move of the same idea within it
# replaces it: quick moves send one email (notifications.services, "collapse window"); 0 sends at once.
PROSUMO_NOTIFICATION_COLLAPSE_SECONDS = int(os.environ.get("PROSUMO_NOTIFICATION_COLLAPSE_SECONDS", "120"))
# Sent mail is kept this many days (staff can look a message up), then deleted; failed mail stays.
PROSUMO_MAIL_KEEP_DAYS = int(os.environ.get("PROSUMO_MAIL_KEEP_DAYS", "30"))

# Similar ideas (docs/similarity.md): "hybrid" ranks by meaning (a multilingual sentence
# encoder, run in-process) and shared words together; "lexical" by shared words alone,
# with no model loaded.
PROSUMO_SIMILARITY = os.environ.get("PROSUMO_SIMILARITY", "hybrid")
if PROSUMO_SIMILARITY not in ("hybrid", "lexical"):
    raise ImproperlyConfigured(f"PROSUMO_SIMILARITY: {PROSUMO_SIMILARITY!r} is neither 'hybrid' nor 'lexical'.")

# Background work: the database-backed queue by default; "immediate" runs a task
# as soon as it is enqueued (after the transaction commits), for trials without a worker.
# Three queues, so that one kind of work never waits behind another: "default" for short
# work (mail, notifications, indexing), "webhooks" for deliveries to other systems (a slow
# receiver must not delay mail), "bulk" for long jobs (imports, digests, insights, exports).
TASK_QUEUES = ["default", "webhooks", "bulk"]
TASKS = {
    "default": {
        "BACKEND": {
            "database": "django_tasks_db.DatabaseBackend",
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
        }[os.environ.get("PROSUMO_TASKS", "database")],
        "QUEUES": TASK_QUEUES,
    }
}

# Task workers (docs/operations.md): each writes a heartbeat every HEARTBEAT seconds; one
# silent for STALE seconds counts as dead, its running tasks go back to the queue and
# /readyz reports it. The "default" queue's worker checks the periodic schedule every
# SCHEDULE_CHECK seconds. /readyz also fails when a queue's oldest ready task waited
# longer than READY_TASK_AGE seconds (READY_BULK_TASK_AGE for the "bulk" queue).
PROSUMO_WORKER_HEARTBEAT_SECONDS = float(os.environ.get("PROSUMO_WORKER_HEARTBEAT_SECONDS", "10"))
PROSUMO_WORKER_STALE_SECONDS = float(os.environ.get("PROSUMO_WORKER_STALE_SECONDS", "60"))
PROSUMO_SCHEDULE_CHECK_SECONDS = float(os.environ.get("PROSUMO_SCHEDULE_CHECK_SECONDS", "60"))
PROSUMO_READY_TASK_AGE_SECONDS = float(os.environ.get("PROSUMO_READY_TASK_AGE_SECONDS", "300"))
PROSUMO_READY_BULK_TASK_AGE_SECONDS = float(os.environ.get("PROSUMO_READY_BULK_TASK_AGE_SECONDS", "3600"))

# A webhook try claims its delivery for this many seconds (docs/api.md); one that did not
# finish by then (its worker died) is tried again. Keep it well above the 10 s timeout of a
# try plus the time a write may wait for the database.
PROSUMO_WEBHOOK_CLAIM_SECONDS = float(os.environ.get("PROSUMO_WEBHOOK_CLAIM_SECONDS", "60"))
# A webhook try waits this long for the receiver's answer, then counts as failed and is retried later.
PROSUMO_WEBHOOK_TIMEOUT_SECONDS = float(os.environ.get("PROSUMO_WEBHOOK_TIMEOUT_SECONDS", "5"))
# Webhooks reach public addresses only (docs/security.md, "Webhooks"); these host names,
# addresses or networks (e.g. "hooks.internal,10.0.0.0/8") may be reached too, for receivers
# inside the site's own network.
PROSUMO_WEBHOOK_ALLOWED_HOSTS = env_list("PROSUMO_WEBHOOK_ALLOWED_HOSTS")


def shared_cache_url(value: str) -> str:
    """PROSUMO_CACHE_URL as Django's Redis cache takes it: redis://, rediss:// or unix://; valkey:// is the same protocol."""
    value = value.strip()
    if not value:
        return ""
    scheme, _, rest = value.partition("://")
    scheme = {"valkey": "redis", "valkeys": "rediss"}.get(scheme.lower(), scheme.lower())
    if scheme not in ("redis", "rediss", "unix") or not rest:
        raise ImproperlyConfigured(
            f"PROSUMO_CACHE_URL is {value!r}; give the URL of a Redis or Valkey server, "
            "like redis://cache:6379/0 (docs/scale.md), or leave it empty for each process's own cache."
        )
    return f"{scheme}://{rest}"


# The cache (docs/scale.md): each process's own memory by default, right for one node. On
# several nodes behind a load balancer, PROSUMO_CACHE_URL names a Redis or Valkey server that
# every node shares: the anonymous list cache, the API token cache, allauth's counts and,
# unless PROSUMO_RATE_LIMIT_STORAGE says otherwise, the rate limits are then kept there.
PROSUMO_CACHE_URL = shared_cache_url(os.environ.get("PROSUMO_CACHE_URL", ""))
if PROSUMO_CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": PROSUMO_CACHE_URL,
            "KEY_PREFIX": os.environ.get("PROSUMO_CACHE_PREFIX", "prosumo"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Rate limits (docs/security.md, "Limits"): for each action, the most a member and the most
# one client address may do, as "N/period" limits joined by ";" (period: second, minute,
# hour, day; "10/minute;100/hour" holds both). PROSUMO_RATE_LIMIT_<ACTION> replaces the
# member's limit and PROSUMO_RATE_LIMIT_<ACTION>_IP the address's; "off" lifts one.
RATE_LIMIT_DEFAULTS = {
    # action: (per member, per client address)
    "idea": ("5/minute;30/hour", "30/minute;300/hour"),
    "comment": ("10/minute;100/hour", "60/minute;1000/hour"),
    "vote": ("60/minute;1000/hour", "600/minute"),
    "flag": ("10/minute;50/hour", "60/minute"),
    "token": ("5/minute;20/hour", "30/minute"),
    "invitation": ("20/minute;200/hour", "60/minute"),
    "signup": ("off", "10/minute;50/hour"),
}


def rate_limit_setting(name: str, default: str) -> str:
    value = os.environ.get(name, default).strip().lower()
    if value in {"", "off", "0", "none"}:
        return ""
    try:
        limits.parse_many(value)
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a rate limit: write limits like 10/minute;100/hour, or off."
        ) from exc
    return value


PROSUMO_RATE_LIMITS = {
    action: (
        rate_limit_setting(f"PROSUMO_RATE_LIMIT_{action.upper()}", member),
        rate_limit_setting(f"PROSUMO_RATE_LIMIT_{action.upper()}_IP", address),
    )
    for action, (member, address) in RATE_LIMIT_DEFAULTS.items()
}
# Where the counts are kept: "database" (a table every web process shares), or a URL of
# Redis ("redis://host:6379/0") or memcached ("memcached://host:11211") for larger sites;
# with a shared cache (PROSUMO_CACHE_URL) and no choice made here, in that cache.
PROSUMO_RATE_LIMIT_STORAGE = os.environ.get("PROSUMO_RATE_LIMIT_STORAGE", "").strip() or (
    PROSUMO_CACHE_URL.replace("unix://", "redis+unix://", 1) if PROSUMO_CACHE_URL else "database"
)
# How many proxies in front of the site add themselves to X-Forwarded-For; 0 trusts none and
# counts by the address of the connection (behind a proxy, every visitor would share one).
PROSUMO_TRUSTED_PROXIES = int(os.environ.get("PROSUMO_TRUSTED_PROXIES", "0"))

NINJA_PAGINATION_PER_PAGE = 20

# Security: safe by default, relaxed only when PROSUMO_DEBUG is on.
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("PROSUMO_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("PROSUMO_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy on every response (docs/security.md, "In the browser"): scripts,
# styles, images, fonts and connections come from this site only; no inline script or
# style attribute runs, no plugin loads, no other site may frame a page. A template that
# must have an inline script gives it nonce="{{ CSP_NONCE }}" (the nonce is added to the
# header only on pages that use it). PROSUMO_CSP_EXTRA adds sources for an operator's own
# additions, e.g. "script-src https://stats.example.org; connect-src https://stats.example.org".
_csp: dict[str, list[object]] = {
    "default-src": [SELF],
    "script-src": [SELF, NONCE],
    "style-src": [SELF],
    "img-src": [SELF, "data:"],
    "font-src": [SELF],
    "connect-src": [SELF],
    "object-src": [NONE],
    "base-uri": [NONE],
    "frame-ancestors": [NONE],
    # Social login posts to this site, which redirects to the provider: browsers check
    # that redirect against form-action too.
    "form-action": [SELF, *(["https:"] if SOCIAL_APPS else [])],
}
for _directive, _sources in csp_extra(os.environ.get("PROSUMO_CSP_EXTRA", "")).items():
    _csp[_directive] = [*_csp.get(_directive, _csp["default-src"]), *_sources]
if os.environ.get("PROSUMO_CSP_REPORT_URI"):
    _csp["report-uri"] = [os.environ["PROSUMO_CSP_REPORT_URI"]]
CONTENT_SECURITY_POLICY = {"DIRECTIVES": _csp}
# Features no page of the site uses, refused to every page and to anything it embeds.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer", "autoplay", "camera", "display-capture", "geolocation", "gyroscope",
        "magnetometer", "microphone", "midi", "payment", "usb", "browsing-topics",
    )
}  # fmt: skip
# Django's SecurityMiddleware already sends these two; said here so a reader sees them.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("PROSUMO_LOG_LEVEL", "WARNING")},
}

# Ranking (docs/ranking.md): "hot" trades ten times the support for this many hours of
# recency; "trending" halves a vote's weight every half-life.
# Visitors who are not signed in may be served an idea list page up to this many seconds
# old (members and API tokens always get a fresh one); 0 turns it off.
PROSUMO_ANONYMOUS_CACHE_SECONDS = int(os.environ.get("PROSUMO_ANONYMOUS_CACHE_SECONDS", "5"))
# An API token, once checked, is trusted by the same web process for this many seconds
# (a revocation or suspension reaches every process within it); 0 checks every request.
PROSUMO_TOKEN_CACHE_SECONDS = int(os.environ.get("PROSUMO_TOKEN_CACHE_SECONDS", "10"))
PROSUMO_HOT_TIMESCALE_HOURS = float(os.environ.get("PROSUMO_HOT_TIMESCALE_HOURS", "72"))
PROSUMO_TRENDING_HALF_LIFE_HOURS = float(os.environ.get("PROSUMO_TRENDING_HALF_LIFE_HOURS", "72"))

# Customer imports (docs/operations.md, "Imports and other long jobs"): the largest file and
# the most rows one import takes, and how long a job may go without a sign of life before
# a worker takes it over (its own worker was killed).
PROSUMO_IMPORT_MAX_BYTES = int(os.environ.get("PROSUMO_IMPORT_MAX_BYTES", str(20 * 1024 * 1024)))
PROSUMO_IMPORT_MAX_ROWS = int(os.environ.get("PROSUMO_IMPORT_MAX_ROWS", "200000"))
PROSUMO_IMPORT_STALE_SECONDS = float(os.environ.get("PROSUMO_IMPORT_STALE_SECONDS", "60"))

# The company's commercial data (docs/commerce.md): the currency the analytics count money
# in (orders and spend in another currency are left out of the dataset), the secret a shop
# signs order webhooks with (empty: the receiver is off) and how old a signed request may be.
PROSUMO_CURRENCY = os.environ.get("PROSUMO_CURRENCY", "EUR").strip().upper()
if len(PROSUMO_CURRENCY) != 3 or not PROSUMO_CURRENCY.isalpha() or not PROSUMO_CURRENCY.isascii():
    raise ImproperlyConfigured(f"PROSUMO_CURRENCY: {PROSUMO_CURRENCY!r} is not a three-letter currency code (EUR).")
PROSUMO_ORDERS_WEBHOOK_SECRET = os.environ.get("PROSUMO_ORDERS_WEBHOOK_SECRET", "")
PROSUMO_ORDERS_WEBHOOK_TOLERANCE_SECONDS = int(os.environ.get("PROSUMO_ORDERS_WEBHOOK_TOLERANCE_SECONDS", "300"))
