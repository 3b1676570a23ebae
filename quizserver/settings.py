"""Settings for quizserver, read from environment variables.

One file for every deployment. The defaults are the embedded laptop setup (SQLite, in-process
work); production sets at least ``SECRET_KEY``, ``ALLOWED_HOSTS``, ``DATABASE_URL`` and
``DJANGO_DEBUG=0``. See docs/deployment.md for the full list.
"""

import json
import os
from pathlib import Path

import dj_database_url
from csp import constants as csp

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    """Read a boolean environment variable ("1", "true", "yes", "on" are true)."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    """Read a comma-separated environment variable as a list of non-empty items."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)
# The development key is public (it is in the source): with DEBUG off the WSGI/ASGI entry points
# refuse to start on it and `check --deploy` reports it (quizserver/checks.py). Importing these
# settings never fails on it, so tests and management commands still run.
DEVELOPMENT_SECRET_KEY = "django-insecure-local-development-key-do-not-use-in-production"
SECRET_KEY = os.environ.get("SECRET_KEY") or DEVELOPMENT_SECRET_KEY
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "courses",
    "quizzes",
    "compute",
    "authoring",
    "progress",
    "live",
    "quizserver.apps.QuizserverConfig",  # deployment checks, the <id:> path converter
    "csp",  # Content-Security-Policy header (CONTENT_SECURITY_POLICY below)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "quizserver.middleware.RequestSizeLimitMiddleware",  # 413 before any body is read
    "csp.middleware.CSPMiddleware",  # CONTENT_SECURITY_POLICY below
    "quizserver.middleware.RejectNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "quizserver.middleware.DatabaseUnavailableMiddleware",  # last: 503 when the database is unreachable
]

ROOT_URLCONF = "quizserver.urls"
WSGI_APPLICATION = "quizserver.wsgi.application"

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
]

# SQLite by default: WAL lets readers and a writer work side by side, IMMEDIATE transactions take
# the write lock up front (no "database is locked" upgrade failures), the timeout waits for it.
SQLITE_OPTIONS = {
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
}
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{os.environ.get('SQLITE_PATH', BASE_DIR / 'db.sqlite3')}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
        # A persistent connection is checked before a request uses it: after a database restart the
        # site answers again by itself (during the outage: 503, quizserver.middleware).
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = SQLITE_OPTIONS
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    "default": (
        # RedisCache that keeps serving from this process's memory while Redis is down (quizserver/cache.py)
        {"BACKEND": "quizserver.cache.FallbackRedisCache", "LOCATION": os.environ["CACHE_URL"]}
        if os.environ.get("CACHE_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "quizserver"}
    )
}

# Live sessions (live/bus.py): the Redis that carries notices between the processes (web workers, the
# ASGI server holding the phones' event streams). Empty: notices stay in the process (the runserver).
QUIZSERVER_LIVE_REDIS_URL = os.environ.get("LIVE_REDIS_URL", os.environ.get("CACHE_URL", ""))

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "courses:list"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Berlin")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded files (the images of questions, quizzes.images): Django's default storage. Locally a folder,
# MEDIA_ROOT; in production any storage backend, e.g. S3 with django-storages:
# QUIZSERVER_STORAGE_BACKEND=storages.backends.s3.S3Storage
# QUIZSERVER_STORAGE_OPTIONS='{"bucket_name": "quiz-images"}'. The files are never served from
# MEDIA_URL: quizzes.views.image streams them to the course's members (docs/deployment.md).
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "media/"
# The largest image an author may upload; keep it below QUIZSERVER_MAX_REQUEST_BYTES for admin uploads.
QUIZSERVER_IMAGE_MAX_BYTES = int(os.environ.get("QUIZSERVER_IMAGE_MAX_BYTES", str(1000 * 1000)))
# The largest Moodle XML or GIFT file the admin's "Import questions" page takes; below it, too.
QUIZSERVER_IMPORT_MAX_BYTES = int(os.environ.get("QUIZSERVER_IMPORT_MAX_BYTES", str(1000 * 1000)))
STORAGES = {
    "default": {
        "BACKEND": os.environ.get("QUIZSERVER_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage"),
        "OPTIONS": json.loads(os.environ.get("QUIZSERVER_STORAGE_OPTIONS", "{}")),
    },
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST", not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Security. Production (DEBUG off) gets HTTPS-only cookies and HSTS unless told otherwise
# (e.g. INSECURE_HTTP=1 behind a TLS-terminating proxy on a private network is NOT this).
SECURE_HTTPS = env_bool("SECURE_HTTPS", not DEBUG)
SESSION_COOKIE_SECURE = SECURE_HTTPS
CSRF_COOKIE_SECURE = SECURE_HTTPS
SECURE_SSL_REDIRECT = SECURE_HTTPS and env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000" if SECURE_HTTPS else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HTTPS
SECURE_HSTS_PRELOAD = SECURE_HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY", False) else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# Content-Security-Policy (django-csp): scripts and styles only as files from our own origin, never
# inline and never eval: static/js/quiz.js, the admin's own files, and the API docs' Swagger UI
# (the sidecar's files, its start script from /api/docs/?script, the page's CSS from
# static/css/swagger.css). Rendered SVG and MathML carry attributes, never style. The Django admin
# needs no inline style (its one <style> is on change lists without actions, which we do not
# have). img-src allows data: for the icons inside the admin's and Swagger UI's CSS.
# quizserver/tests/test_content_security_policy.py scans templates/ and runs the pages in Chromium.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.SELF],
        "script-src": [csp.SELF],
        "style-src": [csp.SELF],
        "img-src": [csp.SELF, "data:"],
        "font-src": [csp.SELF],
        "connect-src": [csp.SELF],
        "object-src": [csp.NONE],
        "base-uri": [csp.SELF],
        "form-action": [csp.SELF],
        "frame-ancestors": [csp.NONE],
    }
}

# Request size limits: answers are a few bytes. RequestSizeLimitMiddleware answers 413 to any
# body above QUIZSERVER_MAX_REQUEST_BYTES (raise it for the admin's course uploads, when there are
# some); within it, Django refuses (400) more than 256 KB or 500 fields of form data, and files
# above 256 KB go to a temporary file instead of memory. The answer views refuse files at all.
QUIZSERVER_MAX_REQUEST_BYTES = int(os.environ.get("QUIZSERVER_MAX_REQUEST_BYTES", str(1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 500
FILE_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024

# E-mail, for password reset (courses/password_reset.py): SMTP from the environment in production;
# while debugging or without EMAIL_HOST, the console backend (the mail is printed to the log).
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = 10  # seconds: a slow mail server must not hold a web worker for long
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST and not DEBUG
    else "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "quizserver <noreply@localhost>")
PASSWORD_RESET_TIMEOUT = 60 * 60  # a reset link works for one hour (the mail says so)
# Reset requests per e-mail address and per client address within the window (seconds).
PASSWORD_RESET_EMAIL_LIMIT = int(os.environ.get("PASSWORD_RESET_EMAIL_LIMIT", "3"))
PASSWORD_RESET_ADDRESS_LIMIT = int(os.environ.get("PASSWORD_RESET_ADDRESS_LIMIT", "20"))
PASSWORD_RESET_WINDOW = int(os.environ.get("PASSWORD_RESET_WINDOW", "3600"))

# Health check (quizserver/health.py): the load balancer may ask over plain HTTP, so no redirect.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Login rate limit: this many failures per address and username within the window (seconds).
LOGIN_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
LOGIN_FAILURE_WINDOW = int(os.environ.get("LOGIN_FAILURE_WINDOW", "900"))

# Quiz behaviour.
QUIZSERVER_SUBMISSIONS_PER_MINUTE = int(os.environ.get("QUIZSERVER_SUBMISSIONS_PER_MINUTE", "30"))

# Abuse limits (issue 9). An author's regex may take this long per pattern and answer (longer counts
# as not matching; quizzes/kinds/short_text.py). The rate limits above and below count in the
# database (courses/rate_limits.py), shared by every worker whatever the cache. Failed logins from
# one address, any usernames (password spraying): behind one NAT (a lecture hall) raise it.
QUIZSERVER_REGEX_TIMEOUT_MS = int(os.environ.get("QUIZSERVER_REGEX_TIMEOUT_MS", "50"))
LOGIN_ADDRESS_FAILURE_LIMIT = int(os.environ.get("LOGIN_ADDRESS_FAILURE_LIMIT", "30"))  # per LOGIN_FAILURE_WINDOW
ENROL_FAILURE_LIMIT = int(os.environ.get("ENROL_FAILURE_LIMIT", "10"))  # wrong codes per user per window
ENROL_ADDRESS_FAILURE_LIMIT = int(os.environ.get("ENROL_ADDRESS_FAILURE_LIMIT", "30"))  # per address per window
ENROL_FAILURE_WINDOW = int(os.environ.get("ENROL_FAILURE_WINDOW", "3600"))
# End of the abuse limits.

# REST API (/api/v1/): session (with CSRF) or token authentication, throttled, cursor-paginated.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.UserRateThrottle",
        "rest_framework.throttling.AnonRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "user": os.environ.get("API_THROTTLE_USER", "600/minute"),
        "anon": os.environ.get("API_THROTTLE_ANON", "30/minute"),
        "export": os.environ.get("API_THROTTLE_EXPORT", "60/hour"),  # CSV downloads (api.base)
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "quizserver API",
    "DESCRIPTION": "Results and progress of quizserver courses, for grading tools and spreadsheets.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Celery: with a broker, tasks go to workers (solving variants on the "compute" queue, which GPU
# hosts serve); without one, everything runs eagerly in-process (the laptop default).
CELERY_TASK_ALWAYS_EAGER = not os.environ.get("CELERY_BROKER_URL")
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or "memory://"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True  # answers live in the database, not in a result backend
CELERY_TASK_ROUTES = {"quizzes.tasks.variants_solve": {"queue": "compute"},
                      "quizzes.tasks.submissions_grade": {"queue": "compute"},  # multi-step: live steps
                      "quizzes.tasks.quiz_precompute": {"queue": "compute"},
                      "quizzes.tasks.question_regrade": {"queue": "compute"}}  # computed questions solve again
CELERY_TASK_ACKS_LATE = True  # a worker that dies mid-task leaves it for another worker
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Periodic: re-queue variants whose solving was lost or failed (``celery -A quizserver beat``; sites
# without beat run ``manage.py variants_requeue`` from cron every minute instead).
CELERY_BEAT_SCHEDULE = {"variants-requeue": {"task": "quizzes.tasks.variants_requeue", "schedule": 60.0}}
# A generator that hangs must not hold a compute worker: past the soft limit (seconds) solving stops,
# that variant is marked error and the rest of the batch is queued again (quizzes.variants.variants_solve);
# past the hard limit the worker's child process is replaced. Time limits need the prefork pool (the
# default; not --pool solo).
QUIZSERVER_SOLVE_SOFT_TIME_LIMIT = int(os.environ.get("QUIZSERVER_SOLVE_SOFT_TIME_LIMIT", "30"))
QUIZSERVER_SOLVE_TIME_LIMIT = int(os.environ.get("QUIZSERVER_SOLVE_TIME_LIMIT", "60"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
