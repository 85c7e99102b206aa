"""The one settings module. Everything that differs between machines comes from
the environment (see README "Configuration"); nothing secret lives in the repo.

With nothing configured the app runs embedded: SQLite, Celery on kombu's
filesystem transport and email written to files, all under ``var/``.
"""

import secrets
from pathlib import Path
from urllib.parse import urlparse

import environ
from csp.constants import NONE, SELF

from config.env import env_bool, env_int, env_list, env_str, fail

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR") or BASE_DIR / "var").resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)

_env = environ.Env()

DEBUG = env_bool("DEBUG", False)

# --- Secrets -----------------------------------------------------------------


def _debug_secret_key() -> str:
    """A key generated once into var/ so a local trial keeps its sessions."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = env_str("SECRET_KEY")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if not DEBUG:
    missing = [name for name, value in (("SECRET_KEY", SECRET_KEY), ("ALLOWED_HOSTS", ALLOWED_HOSTS)) if not value]
    if missing:
        fail(f"{' and '.join(missing)} must be set when DEBUG is off (set DEBUG=true for a local trial).")
else:
    SECRET_KEY = SECRET_KEY or _debug_secret_key()
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["localhost", "127.0.0.1", "[::1]", "testserver"]

SITE_URL = env_str("SITE_URL", "http://localhost:8000").rstrip("/")
if urlparse(SITE_URL).scheme not in ("http", "https"):
    fail(f"SITE_URL={SITE_URL!r} must start with http:// or https://.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [SITE_URL])

# --- Applications ------------------------------------------------------------

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_htmx",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_celery_beat",
    "import_export",
    "csp",
    "accounts",
    "campaign",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The public pages (/p/, /sitemap.xml) are the same for everyone: they get an
    # empty session that is never saved and an anonymous user, so nothing below
    # reads a session, sets a cookie or marks them private.
    "campaign.middleware.PublicPagesMiddleware",
    # Cache-Control: private, no-store on every signed-in response (and token
    # links); early in the list, so it also marks the redirects below it.
    "accounts.middleware.PrivateResponseMiddleware",
    # Times on every page in the signed-in user's own zone.
    "accounts.middleware.UserTimezoneMiddleware",
    # Every page needs a login unless its view is marked @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "accounts.middleware.IdleSessionMiddleware",
    # django-otp's OTPMiddleware, reading the session's device with the user.
    "accounts.middleware.OTPMiddleware",
    # After OTPMiddleware: sends signed-in users who still owe a second factor to enrol or verify.
    "accounts.middleware.RequireTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns lockouts raised by the backend into responses.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
AUTH_USER_MODEL = "accounts.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
    {
        # The staff pages' content with its long lists (config/jinja2.py).
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "config.jinja2.environment",
            "context_processors": ["django.contrib.auth.context_processors.auth"],
        },
    },
    {
        # The public pages (issue 20): templates of their own, sharing nothing with
        # the staff pages, and no context processors (no user, no CSRF token).
        "NAME": "public",
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "public"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "config.jinja2.public_environment"},
    },
]

# --- Database ----------------------------------------------------------------

SQLITE_OPTIONS = {
    # WAL lets the web process and the worker share the file; IMMEDIATE takes the
    # write lock at BEGIN so read-then-write transactions never deadlock into
    # "database is locked" (see shared/ENVIRONMENT-NOTES.md).
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
}

DATABASES = {"default": _env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = SQLITE_OPTIONS
    # A file, not :memory:, so a real worker process can share the test database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", 60, minimum=0)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Page queries are small and many: PostgreSQL's JIT compilation, which kicks
    # in on cost estimates alone, would spend more compiling than it saves.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Caches ------------------------------------------------------------------

# CACHE_URL (redis://host:port/db) gives every process one shared cache; sessions
# are then read from it before the database (cached_db), saving a query on
# every signed-in request. Without it each process keeps its own small cache,
# and sessions stay in the database alone: a per-process copy of a session
# would outlive a logout handled by another process.
CACHE_URL = env_str("CACHE_URL")
if CACHE_URL and not CACHE_URL.startswith(("redis://", "rediss://")):
    fail(f"CACHE_URL must be a redis:// URL, not {CACHE_URL!r}.")
if CACHE_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}}
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# The public pages (issue 20): how long browsers and shared caches may keep them
# (they revalidate with the ETag after that), and how long this app keeps each
# built page in the cache above (0: built on every request). A change made
# through the services is on them at once either way: the cache key carries
# the campaign's public_version.
PUBLIC_MAX_AGE = env_int("PUBLIC_MAX_AGE", 60, minimum=0)
PUBLIC_CACHE_SECONDS = env_int("PUBLIC_CACHE_SECONDS", 300, minimum=0)

# --- Accounts, sessions and login --------------------------------------------

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend, loading each request's user with whether they have an authenticator.
    "accounts.backends.UserBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        # Django's default attributes are username/first_name/last_name/email; this user model has full_name.
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ["email", "full_name"]},
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# Sessions end after this much idle time; IdleSessionMiddleware slides the expiry.
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 120, minimum=5)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Two-factor login: always for accounts that can open the admin; for all staff
# when REQUIRE_2FA is true (the default with DEBUG off).
REQUIRE_2FA = env_bool("REQUIRE_2FA", not DEBUG)
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "Campaign tracker")

# django-axes: lock out per account and, separately, per IP address.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 30, minimum=1) / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
AXES_USERNAME_FORM_FIELD = "username"
AXES_IPWARE_PROXY_COUNT = env_int("PROXY_COUNT", 0, minimum=0)

# --- Internationalisation ----------------------------------------------------

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_str("TIME_ZONE", "Europe/Zurich")
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files -----------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT") or VAR_DIR / "staticfiles")
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on every request without it
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or VAR_DIR / "media")
# No MEDIA_URL route is served: uploads go out only through the permission-checked
# download view.
MEDIA_URL = "/media-not-served/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or env_bool("PLAIN_STATIC", False)
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_MB", 25, minimum=1) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o640

# --- Email -------------------------------------------------------------------

_email_url = env_str("EMAIL_URL")
if _email_url:
    # EMAIL_BACKEND, EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_USE_TLS, ...
    globals().update(environ.Env.email_url_config(_email_url))
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")
# Seconds an SMTP command may wait for its reply. With EMAIL_BATCH_SIZE it sets a
# batch's lease (campaign.mail.outbox.batch_lease): how long rows claimed by a
# worker that died wait before another run sends them.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Campaign tracker <tracker@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# How many messages go out over one SMTP connection. Small, so a batch's lease
# (about 6 minutes at the defaults) is short.
EMAIL_BATCH_SIZE = env_int("EMAIL_BATCH_SIZE", 10, minimum=1)

# --- UN links ----------------------------------------------------------------
# Where a document symbol and a Special Procedures reference link to
# (campaign.un_links); settings, so a change of the UN's URLs needs no release.
# {symbol} and {reference} are replaced by the URL-quoted canonical form. The
# communications search has no documented by-reference URL, so its default is
# the search page itself.
UN_DOCUMENT_URL = env_str("UN_DOCUMENT_URL", "https://docs.un.org/en/{symbol}")
UN_COMMUNICATION_URL = env_str("UN_COMMUNICATION_URL", "https://spcommreports.ohchr.org/")
if not UN_DOCUMENT_URL.startswith(("https://", "http://")) or "{symbol}" not in UN_DOCUMENT_URL:
    fail(f"UN_DOCUMENT_URL={UN_DOCUMENT_URL!r} must be an http(s) URL containing {{symbol}}.")
if not UN_COMMUNICATION_URL.startswith(("https://", "http://")):
    fail(f"UN_COMMUNICATION_URL={UN_COMMUNICATION_URL!r} must be an http(s) URL.")
for _name, _template in (("UN_DOCUMENT_URL", UN_DOCUMENT_URL), ("UN_COMMUNICATION_URL", UN_COMMUNICATION_URL)):
    try:
        _template.format(symbol="", reference="")
    except (KeyError, IndexError, ValueError):
        fail(f"{_name}={_template!r} may contain only {{symbol}} or {{reference}} in braces.")

# --- Celery ------------------------------------------------------------------

CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue_dir = VAR_DIR / "celery" / "queue"
    _control_dir = VAR_DIR / "celery" / "control"
    for _dir in (_queue_dir, _control_dir):
        _dir.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "control_folder": str(_control_dir),
        "polling_interval": 0.2,
    }
else:
    # Longer than the longest task's time limit, so a slow task is not redelivered
    # (campaign/tasks.py refuses to start otherwise). A killed worker's tasks wait
    # this long: the every-minute delivery sweep is the recovery, not redelivery.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = 3
# A web request must not hang when the broker is down: the outbox sweep catches up.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 600, minimum=10)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 30
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# --- Forms and front end -----------------------------------------------------

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
MESSAGE_TAGS = {40: "danger"}  # Bootstrap's name for messages.ERROR

IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False

# --- Security headers ----------------------------------------------------------

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

# --- Logging -----------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes.apps": {"level": "WARNING"}},
}
