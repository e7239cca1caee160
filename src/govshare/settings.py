"""Settings, read from environment variables (documented in .env.example).

Every value has a default that works on a fresh machine: SQLite under var/, a SECRET_KEY
generated into var/ on first run, DEBUG off.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from pathlib import Path

import dj_database_url

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = Path(os.environ.get("GOVSHARE_HOME", PACKAGE_DIR.parent.parent)).resolve()
VAR_DIR = Path(os.environ.get("GOVSHARE_VAR_DIR", BASE_DIR / "var")).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def check_networks(name: str, entries: list[str]) -> None:
    """Stop at start-up on an entry that is no address or CIDR block, naming the variable."""
    for entry in entries:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise ValueError(f"{name}: {entry!r} is not an IP address or CIDR block") from None


def read_or_create_secret(path: Path, nbytes: int) -> str:
    """Return the secret stored at ``path``, creating it (mode 0600) on first use."""
    if path.exists():
        return path.read_text().strip()
    value = secrets.token_urlsafe(nbytes) if nbytes > 16 else secrets.token_hex(nbytes)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(value)
    return value


SECRET_KEY = os.environ.get("SECRET_KEY") or read_or_create_secret(VAR_DIR / "secret_key", 50)
# GOVSHARE_DATA_KEY: 128-bit SM4 key (32 hex digits) for secrets stored in the database.
GOVSHARE_DATA_KEY = os.environ.get("GOVSHARE_DATA_KEY") or read_or_create_secret(
    VAR_DIR / "data_key", 16
)
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

# The node this deployment is (节点): a GB/T 2260 region code and a display name.
GOVSHARE_NODE_CODE = os.environ.get("GOVSHARE_NODE_CODE", "370700")
GOVSHARE_NODE_NAME = os.environ.get("GOVSHARE_NODE_NAME", "")
# The node's SM2 signing key (core/evidence/signing.py), outside the database, private half
# SM4-encrypted.
GOVSHARE_NODE_KEY_FILE = Path(os.environ.get("GOVSHARE_NODE_KEY_FILE") or VAR_DIR / "node_key.json")
# Signed checkpoints of the audit and delivery chains (core/evidence/checkpoints.py): where and
# how often.
GOVSHARE_CHECKPOINT_DIR = Path(os.environ.get("GOVSHARE_CHECKPOINT_DIR") or VAR_DIR / "checkpoints")
GOVSHARE_CHECKPOINT_SECONDS = float(os.environ.get("GOVSHARE_CHECKPOINT_SECONDS", "300"))
# File packages (文件交换, exchange/files/): hours a package stays downloadable before the sweep
# deletes it, and where packages are kept.
GOVSHARE_PACKAGE_TTL_HOURS = float(os.environ.get("GOVSHARE_PACKAGE_TTL_HOURS", "72"))
GOVSHARE_PACKAGE_DIR = Path(os.environ.get("GOVSHARE_PACKAGE_DIR") or VAR_DIR / "packages")
# Serve the demo city's simulated upstream endpoints (health URLs) under /demo/upstream/.
# Off unless asked for (`make run` asks): one of them answers slowly on purpose.
GOVSHARE_DEMO_ENDPOINTS = env_bool("GOVSHARE_DEMO_ENDPOINTS", False)
# The node's public address (scheme, host, port; no trailing slash): the gateway names it as the
# server of the interface documents it gives, instead of trusting a request's Host header.
GOVSHARE_PUBLIC_URL = (
    os.environ.get("GOVSHARE_PUBLIC_URL") or f"http://127.0.0.1:{os.environ.get('PORT') or 8000}"
).rstrip("/")
# Redis shared by the gateway's processes for rate limits (empty: each process counts alone).
GOVSHARE_REDIS_URL = os.environ.get("GOVSHARE_REDIS_URL", "")
# Let a read run beside the request's own on a second connection (core/alongside.py: the catalog
# search counts its facets while it ranks). Off on a single core, where it cannot overlap.
GOVSHARE_QUERIES_ALONGSIDE = env_bool("GOVSHARE_QUERIES_ALONGSIDE", (os.cpu_count() or 1) > 1)

# Request bodies (issue #11 item 6, asgi.py): a body must arrive within GOVSHARE_BODY_TIMEOUT
# seconds plus one second per GOVSHARE_BODY_MIN_RATE bytes received, or it is answered 408 and
# its connection closed. A page's body (Django's paths) is read whole before a page thread takes
# it, up to GOVSHARE_MAX_BODY_BYTES (413 beyond; the largest upload, the catalog workbook, is 20
# MB); the gateway bounds its own bodies.
GOVSHARE_BODY_TIMEOUT = float(os.environ.get("GOVSHARE_BODY_TIMEOUT", "20"))
GOVSHARE_BODY_MIN_RATE = float(os.environ.get("GOVSHARE_BODY_MIN_RATE", "500"))
GOVSHARE_MAX_BODY_BYTES = int(os.environ.get("GOVSHARE_MAX_BODY_BYTES", str(32 * 1024 * 1024)))

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "govshare.core",
    "govshare.orgs",
    "govshare.identity",
    "govshare.inventory",
    "govshare.catalog",
    "govshare.sharing",
    "govshare.exchange",
    "govshare.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "govshare.core.web.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "govshare.core.web.middleware.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "govshare.orgs.middleware.ActiveDepartmentMiddleware",
]

ROOT_URLCONF = "govshare.urls"
WSGI_APPLICATION = "govshare.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "govshare.core.context_processors.navigation",
                "govshare.orgs.context_processors.node",
            ],
        },
    },
]


def database_config(url: str) -> dj_database_url.DBConfig:
    config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets readers run beside the writer; IMMEDIATE takes the write lock at BEGIN so two
        # writers queue instead of failing with "database is locked" on lock upgrade.
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    return config


DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'govshare.sqlite3'}"
DATABASES = {"default": database_config(DATABASE_URL)}
if os.environ.get("GOVSHARE_TEST_DB_NAME"):
    # scripts/test.sh creates this database itself (UTF-8 ctype) and lets the suite reuse it.
    DATABASES["default"].setdefault("TEST", {})["NAME"] = os.environ["GOVSHARE_TEST_DB_NAME"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A running leased task renews its lease every third of this; a task whose lease ran out is
# requeued by the reaper (core/leases.py). Named locks' files (SQLite) live in GOVSHARE_LOCK_DIR.
GOVSHARE_LEASE_SECONDS = float(os.environ.get("GOVSHARE_LEASE_SECONDS", "60"))
GOVSHARE_LOCK_DIR = os.environ.get("GOVSHARE_LOCK_DIR", "")
# A claimed leased task that wrote no lease at all within this is requeued (killed at once).
GOVSHARE_LEASE_GRACE_SECONDS = float(os.environ.get("GOVSHARE_LEASE_GRACE_SECONDS", "60"))
# Table sync runs (exchange/sync/tasks.py): a failed run is retried after
# GOVSHARE_SYNC_RETRY_SECONDS × 2^(attempt−1), up to GOVSHARE_SYNC_MAX_ATTEMPTS attempts; a run
# with no progress for GOVSHARE_SYNC_STALL_SECONDS is restarted by `govshare sync schedule`.
GOVSHARE_SYNC_MAX_ATTEMPTS = int(os.environ.get("GOVSHARE_SYNC_MAX_ATTEMPTS", "3"))
GOVSHARE_SYNC_RETRY_SECONDS = float(os.environ.get("GOVSHARE_SYNC_RETRY_SECONDS", "60"))
GOVSHARE_SYNC_STALL_SECONDS = float(os.environ.get("GOVSHARE_SYNC_STALL_SECONDS", "900"))
GOVSHARE_SYNC_BUSY_SECONDS = float(os.environ.get("GOVSHARE_SYNC_BUSY_SECONDS", "5"))

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "govshare.identity.validators.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "identity:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "identity:login"

# Sign-in throttle (登录锁定, issue #11 item 5; identity/throttle.py). Failures are counted per
# user name from one address (that pair is locked), per address across user names (the address
# is blocked), and per user name from everywhere (the account then asks an unknown browser for a
# second check). A count forgets failures after a quiet spell as long as its lock.
GOVSHARE_LOGIN_MAX_FAILURES = int(os.environ.get("GOVSHARE_LOGIN_MAX_FAILURES", "5"))
GOVSHARE_LOGIN_LOCK_MINUTES = int(os.environ.get("GOVSHARE_LOGIN_LOCK_MINUTES", "15"))
GOVSHARE_LOGIN_ADDRESS_MAX_FAILURES = int(
    os.environ.get("GOVSHARE_LOGIN_ADDRESS_MAX_FAILURES", "20")
)
GOVSHARE_LOGIN_ADDRESS_BLOCK_MINUTES = int(
    os.environ.get("GOVSHARE_LOGIN_ADDRESS_BLOCK_MINUTES", "30")
)
GOVSHARE_LOGIN_ACCOUNT_MAX_FAILURES = int(
    os.environ.get("GOVSHARE_LOGIN_ACCOUNT_MAX_FAILURES", "10")
)
GOVSHARE_LOGIN_ACCOUNT_CHECK_MINUTES = int(
    os.environ.get("GOVSHARE_LOGIN_ACCOUNT_CHECK_MINUTES", "60")
)
# A browser that signed in to an account stays known to it this long (its second check).
GOVSHARE_LOGIN_KNOWN_BROWSER_DAYS = int(os.environ.get("GOVSHARE_LOGIN_KNOWN_BROWSER_DAYS", "90"))
# How long a sign-in code sent by e-mail stays valid.
GOVSHARE_LOGIN_CODE_MINUTES = int(os.environ.get("GOVSHARE_LOGIN_CODE_MINUTES", "10"))
# Reverse proxies (addresses or CIDR blocks) whose X-Forwarded-For names the client
# (core/web/client_ip.py). Empty: the peer's address is the client's, whatever a header says.
GOVSHARE_TRUSTED_PROXIES = env_list("GOVSHARE_TRUSTED_PROXIES", "")
check_networks("GOVSHARE_TRUSTED_PROXIES", GOVSHARE_TRUSTED_PROXIES)

# Outgoing mail, e.g. the intranet's mail relay. Without EMAIL_HOST the node sends no mail and
# sign-in codes by e-mail are off.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "govshare@localhost")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 3600)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG

NINJA_PAGINATION_PER_PAGE = 50

LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact": {"()": "govshare.core.logging.RedactSecretsFilter"},
        "one_line_4xx": {"()": "govshare.core.logging.OneLineClientErrors"},
    },
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact"]},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django.request": {"filters": ["one_line_4xx"]},
        # httpx logs every request line, query string included (ID numbers to an upstream).
        "httpx": {"level": "WARNING"},
    },
}
