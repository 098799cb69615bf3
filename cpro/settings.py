"""CPro settings: one module, read from the environment (django-environ).

With no environment at all the site runs "embedded": SQLite next to the code, Celery tasks run in-process,
e-mails printed on the console, DEBUG on. Setting ``DATABASE_URL`` switches to the production shape, where
``SECRET_KEY`` and ``ALLOWED_HOSTS`` are required and every HTTPS hardening is on.
"""

import sys
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

EMBEDDED = "DATABASE_URL" not in env
DEBUG = env.bool("DEBUG", default=EMBEDDED)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not EMBEDDED:
        raise ImproperlyConfigured("SECRET_KEY est obligatoire dès que DATABASE_URL est défini.")
    SECRET_KEY = "embedded-dev-only-not-secret-" + "x" * 40

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "axes",
    "csp",
    "dsfr",
    # Layers, from the bottom (enforced by import-linter, see pyproject.toml): a lower app never imports a higher one.
    "establishments",
    "accounts",
    "documents",
    "referentiels",
    "periods",
    "pedagogy",
    "imports",
    "transfers",
    "console",
]
# Models that exist only in the tests (learner data that the transfer and purge tests move and delete). On
# under pytest, and for the Celery worker the tests start (they pass CPRO_TEST_APPS=1); never in production.
if env.bool("CPRO_TEST_APPS", default="pytest" in sys.modules):
    INSTALLED_APPS += ["tests.testapp"]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "cpro.errors.FrenchErrorPagesMiddleware",
    "establishments.middleware.EstablishmentScopeMiddleware",
    "accounts.middleware.ForcePasswordChangeMiddleware",
    "accounts.former_learners.FormerLearnerGateMiddleware",
    "accounts.middleware.NoStoreForAuthenticatedMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cpro.urls"
# Every widget gets its DSFR class (fr-input, fr-select, fr-upload), whichever form it belongs to.
FORM_RENDERER = "cpro.forms.DsfrFormRenderer"
WSGI_APPLICATION = "cpro.wsgi.application"

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
                "establishments.context_processors.establishment",
            ],
        },
    },
]

# Database: SQLite embedded, anything django-environ understands otherwise (postgres://…).
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"].setdefault("ATOMIC_REQUESTS", False)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Accounts and authentication
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.EstablishmentLoginBackend",
]
PASSWORD_HASHERS = [
    "accounts.hashers.ConfigurableArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# argon2id's cost (accounts.hashers): ARGON2_TIME_COST passes over ARGON2_MEMORY_KIB of memory on ARGON2_PARALLELISM
# lanes. Default: OWASP's argon2id recommendation (46 MiB, 1 pass, 1 lane), ~0.1 s of one core; one lane, so a burst
# of logins leaves the other cores to the pages (README, « Banc de charge »: Django's 100 MiB × 2 × 8 lanes took
# 0.37 s of CPU on both cores). Hashes made with other parameters are re-hashed at the user's next login.
ARGON2_TIME_COST = env.int("ARGON2_TIME_COST", default=1)
ARGON2_MEMORY_KIB = env.int("ARGON2_MEMORY_KIB", default=47104)
ARGON2_PARALLELISM = env.int("ARGON2_PARALLELISM", default=1)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("login", "first_name", "last_name", "email")},
    },
    {"NAME": "accounts.password_validation.PersonalDataValidator"},
]
LOGIN_URL = "home"  # tenant pages redirect to their own establishment's login (see accounts.permissions)
# The login field is unique per establishment, not globally: our backend knows it (auth.W004).
# Lockout is keyed on establishment + login on purpose, not on the IP (axes.W006): a school's pupils share
# one public address, and an IP-keyed lockout would lock a whole school out.
SILENCED_SYSTEM_CHECKS = ["auth.W004", "axes.W006"]

# Lockout (django-axes): keyed on establishment + login, never on the IP alone (a school shares one address).
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "accounts.backends.lockout_key"
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.lockout_response"
AXES_VERBOSE = False
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False

# Sessions suited to shared school computers: 30 minutes idle, gone when the browser closes.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# The sliding idle timeout without a write of the session row on every page (cpro/sessions.py): at most one
# refresh a minute while the data stay the same.
SESSION_ENGINE = "cpro.sessions"
SESSION_REFRESH_SECONDS = env.int("SESSION_REFRESH_SECONDS", default=60)

# Internationalisation
LANGUAGE_CODE = "fr"
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# Static and media files
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "cpro.storage.CachedUrlManifestStaticFilesStorage"  # whitenoise's, url() memoised
    },
}
WHITENOISE_USE_FINDERS = DEBUG
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# E-mail: printed on the console unless EMAIL_URL says otherwise (smtp://user:pass@host:587 …).
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="CPro <ne-pas-repondre@cpro.localhost>")

# Public address of the site, used in e-mails and printed login sheets (each establishment's login page hangs
# off it). Required in production (DATABASE_URL set, DEBUG off). Otherwise it may stay unset: the address is then
# taken from the request (accounts.services.site_url), so it follows the host and port the site really runs on.
SITE_URL = env.str("SITE_URL", default="")
_UNDER_TESTS = "pytest" in sys.modules or env.bool("CPRO_TEST_APPS", default=False)  # the suite and its worker
if not SITE_URL and not EMBEDDED and not DEBUG and not _UNDER_TESTS:
    raise ImproperlyConfigured("SITE_URL est obligatoire dès que DATABASE_URL est défini "
                               "(adresse publique du site, ex. https://cpro.example.fr).")

# Celery: Redis in production, tasks run in-process when embedded.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=env.str("REDIS_URL", default="memory://"))
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=CELERY_BROKER_URL == "memory://")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * 60 * 60}
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]

# Security headers. Production (DEBUG off) turns on every HTTPS protection `check --deploy` asks for.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_COOKIE_HTTPONLY = True
# LOCAL_HTTP_BENCHMARK (manage.py bench_load only, on 127.0.0.1): the production shape over plain HTTP, without the
# HTTPS redirect, HSTS or secure cookies. `check --deploy` warns while it is set (accounts.checks, cpro.W001).
LOCAL_HTTP_BENCHMARK = env.bool("LOCAL_HTTP_BENCHMARK", default=False)
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True) and not LOCAL_HTTP_BENCHMARK
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 0 if LOCAL_HTTP_BENCHMARK else env.int("SECURE_HSTS_SECONDS", default=365 * 24 * 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = not LOCAL_HTTP_BENCHMARK
    CSRF_COOKIE_SECURE = not LOCAL_HTTP_BENCHMARK

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# One handler, on the root logger. Django's default configuration gives the "django" logger a console handler of
# its own (when DEBUG) that also propagates to the root: every line of it was printed twice. Naming the logger
# here replaces its handlers with none, so its records reach the console once, through the root.
# (Configuring "django" resets its children too: runserver's "django.server" gets its own format back here.)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "django.server": {"()": "django.utils.log.ServerFormatter", "format": "[{server_time}] {message}",
                          "style": "{"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "django.server": {"class": "logging.StreamHandler", "formatter": "django.server"},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django": {"level": "INFO", "propagate": True},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},  # not its "Step 1…7" progress lines for every PDF
    },
}
