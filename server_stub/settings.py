"""Django settings for the city server. Every knob is an environment variable (see docs/server.md).

SQLite (WAL) under CITY_SERVER_DATA_DIR by default; PostgreSQL when CITY_SERVER_DATABASE_URL is a
``postgresql://`` URL.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path
from urllib.parse import unquote, urlparse

from server_stub import logs

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("CITY_SERVER_DATA_DIR", "var/city-server")).resolve()
os.umask(0o077)  # the data folder is private whatever the caller's umask (docs/security.md)
DATA_DIR.mkdir(parents=True, exist_ok=True)
with contextlib.suppress(PermissionError):
    DATA_DIR.chmod(0o700)


def _secret_key() -> str:
    env = os.environ.get("CITY_SERVER_SECRET_KEY")
    if env:
        return env
    path = DATA_DIR / "secret_key"
    if not path.exists():
        tmp = path.with_name(".secret_key.tmp")
        tmp.write_text(secrets.token_urlsafe(50))
        os.replace(tmp, path)
    return path.read_text().strip()


def database_from_url(url: str) -> dict[str, object]:
    """A Django DATABASES entry for ``sqlite:///path`` or ``postgresql://user:pw@host:port/db``."""
    if not url or url.startswith("sqlite"):
        path = urlparse(url).path if url else ""
        name = Path(path) if path else DATA_DIR / "city.sqlite3"
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(name),
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
            "TEST": {"NAME": str(name)},
            # persistent per thread: the server runs a fixed thread pool (serve.py)
            "CONN_MAX_AGE": 600,
            "CONN_HEALTH_CHECKS": True,
        }
    parts = urlparse(url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise ValueError(f"CITY_SERVER_DATABASE_URL: unknown scheme {parts.scheme!r} (sqlite or postgresql)")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": parts.path.lstrip("/"),
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(parts.port or ""),
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
    }


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("CITY_SERVER_DEBUG", "") == "1"
ALLOWED_HOSTS = [h for h in os.environ.get("CITY_SERVER_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver,[::1]").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CITY_SERVER_CSRF_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "server_stub.core",
    "server_stub.terminals",
    "server_stub.standins.edms",
    "server_stub.standins.bankid",
    "server_stub.contact",
    "server_stub.opendata",
    "server_stub.citymap",
    "server_stub.jobs",
]
# Part-2 instruments append themselves here (one Django app each).
INSTALLED_APPS += [a for a in os.environ.get("CITY_SERVER_EXTRA_APPS", "").split(",") if a]

MIDDLEWARE = [
    "server_stub.core.limits.BodyLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "server_stub.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "server_stub.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "server_stub.core.context.site",
            ],
        },
    },
]
ASGI_APPLICATION = "server_stub.asgi.application"
WSGI_APPLICATION = "server_stub.wsgi.application"

DATABASES = {"default": database_from_url(os.environ.get("CITY_SERVER_DATABASE_URL", ""))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AUTH_PASSWORD_VALIDATORS = [{"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"}]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

LANGUAGE_CODE = "uk"
LANGUAGES = [("uk", "Українська"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "core" / "locale"]
TIME_ZONE = os.environ.get("CITY_SERVER_TIME_ZONE", "Europe/Kyiv")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"  # `city-server run` collects the static files here; WhiteNoise serves them
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # hashed names (site.<hash>.css) served with a one-year Cache-Control by WhiteNoise
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Largest request body (uploads included): bigger ones get 413 in the error envelope (core/limits.py)
MAX_REQUEST_BODY = int(float(os.environ.get("CITY_SERVER_MAX_BODY_MB", "20")) * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_REQUEST_BODY
# files data publishers upload through the CKAN API (server_stub/opendata/upload_check.py)
OPENDATA_MAX_UPLOAD = int(float(os.environ.get("CITY_SERVER_OPENDATA_MAX_UPLOAD_MB", "10")) * 1024 * 1024)
# JSON nested deeper than this gets 422 (the deepest document of the API is about 6 levels)
MAX_JSON_DEPTH = int(os.environ.get("CITY_SERVER_MAX_JSON_DEPTH", "64"))

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"

# --- Behind a TLS reverse proxy (docs/server.md "Behind TLS"); on in packaging/config/city-server.env ---
# The proxy must set X-Forwarded-Proto itself (overwriting any the client sent).
TLS = os.environ.get("CITY_SERVER_TLS", "") == "1"
if TLS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("CITY_SERVER_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = os.environ.get("CITY_SERVER_HSTS_SUBDOMAINS", "1") == "1"
    SECURE_HSTS_PRELOAD = os.environ.get("CITY_SERVER_HSTS_PRELOAD", "1") == "1"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# --- Staff sign-in throttling (django-axes): after N failures a user name is locked for M minutes ---
AXES_FAILURE_LIMIT = int(os.environ.get("CITY_SERVER_LOGIN_FAILURES", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("CITY_SERVER_LOGIN_LOCK_MIN", "15")) / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # a user name tried too often, or an address trying too many
AXES_CLIENT_IP_CALLABLE = "server_stub.core.limits.client_ip"
# Requests from these addresses come through the reverse proxy: the client is the last X-Forwarded-For entry
PROXY_IPS = [a for a in os.environ.get("CITY_SERVER_PROXY_IPS", "127.0.0.1,::1").split(",") if a]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked.html"
AXES_VERBOSE = False  # no user names or addresses in the logs
AXES_DISABLE_ACCESS_LOG = True  # failures are counted; successful sign-ins are not recorded

NINJA_PAGINATION_MAX_LIMIT = 500

# --- Terminal API -------------------------------------------------------------------------
TERMINAL_HEARTBEAT_INTERVAL_S = int(os.environ.get("CITY_SERVER_HEARTBEAT_INTERVAL", "60"))
FLEET_UNIMPORTED_ALERT_MIN = int(os.environ.get("CITY_SERVER_UNIMPORTED_ALERT_MIN", "30"))

# --- Sign-in at a terminal with BankID on the phone (RFC 8628 device flow, server_stub/devflow) ---
INSTALLED_APPS += ["server_stub.devflow"]
DEVICE_CODE_TTL_S = int(os.environ.get("CITY_SERVER_DEVICE_CODE_TTL", "300"))  # expires_in of a code
DEVICE_POLL_INTERVAL_S = int(os.environ.get("CITY_SERVER_DEVICE_POLL_INTERVAL", "5"))  # interval, seconds
# "" = <the address the terminal reached>/device; set it when phones reach the server by another name
DEVICE_VERIFICATION_URL = os.environ.get("CITY_SERVER_DEVICE_VERIFICATION_URL", "")
# Wrong user codes typed on /device from one client address before it is locked for the minutes below
DEVICE_CODE_TRIES = int(os.environ.get("CITY_SERVER_DEVICE_CODE_TRIES", "10"))
DEVICE_CODE_LOCK_MIN = float(os.environ.get("CITY_SERVER_DEVICE_CODE_LOCK_MIN", "15"))

# --- EDMS stand-in ------------------------------------------------------------------------
EDMS_DROP_FOLDER = os.environ.get("CITY_SERVER_DROP_FOLDER", "")
EDMS_ACK_MODE = os.environ.get("CITY_SERVER_EDMS_ACK_MODE", "ack-file")  # or "remove"
EDMS_IMPORT_INTERVAL_S = float(os.environ.get("CITY_SERVER_EDMS_INTERVAL", "5"))
EDMS_PARTIAL_GRACE_S = float(os.environ.get("CITY_SERVER_EDMS_GRACE", "120"))
# The published JSON Schema of the metadata record (docs/schemas/); "" = do not validate.
EDMS_METADATA_SCHEMA = os.environ.get(
    "CITY_SERVER_EDMS_SCHEMA", str(BASE_DIR.parent / "docs" / "schemas" / "appeal-metadata.schema.json"))
# A terminal is not a channel of the classifier (resolution No 858): map it explicitly.
EDMS_TERMINAL_CHANNEL_CODE = os.environ.get("CITY_SERVER_EDMS_TERMINAL_CHANNEL", "1.2")

# --- BankID (the sign-in client; the stand-in provider lives at /bankid/) ------------------
BANKID_PROVIDER_URL = os.environ.get("CITY_SERVER_BANKID_URL", "")  # "" = this server's stand-in
BANKID_CLIENT_ID = os.environ.get("CITY_SERVER_BANKID_CLIENT_ID", "city-server")
BANKID_CLIENT_SECRET = os.environ.get("CITY_SERVER_BANKID_CLIENT_SECRET", "city-server-demo-secret")

LOGGING = logs.logging_config()  # JSON lines on stderr (server_stub/logs.py)

if os.environ.get("CITY_SERVER_FAST_PASSWORDS") == "1":  # tests only: demo users without slow hashing
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# --- Part-2 instruments (docs/server-instruments.md); city rules with the concept's defaults -------
INSTALLED_APPS += ["server_stub.petitions", "server_stub.newsletters", "server_stub.budget", "server_stub.consult",
                   "server_stub.council", "server_stub.meetings", "server_stub.cabinet", "server_stub.openbudget"]
CITY_SERVER_PUBLIC_URL = os.environ.get("CITY_SERVER_PUBLIC_URL", "http://127.0.0.1:8000")
EMAIL_HOST = os.environ.get("CITY_SERVER_SMTP_HOST", "127.0.0.1")
EMAIL_PORT = int(os.environ.get("CITY_SERVER_SMTP_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("CITY_SERVER_SMTP_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("CITY_SERVER_SMTP_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("CITY_SERVER_SMTP_STARTTLS", "") == "1"
EMAIL_TIMEOUT = 15
DEFAULT_FROM_EMAIL = os.environ.get("CITY_SERVER_MAIL_FROM", "Міська рада <noreply@city.example>")
# E-petitions (4.2): 1,000 signatures in 90 days; to the mayor no later than the next day.
PETITIONS_SIGNATURES_REQUIRED = int(os.environ.get("CITY_SERVER_PETITIONS_SIGNATURES", "1000"))
PETITIONS_PERIOD_DAYS = int(os.environ.get("CITY_SERVER_PETITIONS_PERIOD_DAYS", "90"))
PETITIONS_REVIEW_WITHIN_DAYS = int(os.environ.get("CITY_SERVER_PETITIONS_REVIEW_DAYS", "1"))
PETITIONS_EDMS_NUMBER_PREFIX = os.environ.get("CITY_SERVER_PETITIONS_NUMBER_PREFIX", "900")  # appeal-number prefix
PETITIONS_EDMS_CHANNEL_CODE = os.environ.get("CITY_SERVER_PETITIONS_EDMS_CHANNEL", "1.5")  # check the classifier
# At the threshold: an EDMS card addressed to the mayor; considered within N working days (Law "On citizens'
# appeals", art. 23-1: 10), skipping weekends and the public holidays of the `holidays` calendar named here.
PETITIONS_ADDRESSEE = os.environ.get("CITY_SERVER_PETITIONS_ADDRESSEE", "Міський голова")
PETITIONS_CONSIDERATION_WORKING_DAYS = int(os.environ.get("CITY_SERVER_PETITIONS_CONSIDERATION_DAYS", "10"))
HOLIDAYS_COUNTRY = os.environ.get("CITY_SERVER_HOLIDAYS", "UA")  # "" = weekends only
# One person, one voice (server_stub/core/identity.py): who may take part, per instrument.
COMMUNITY_LOCALITIES = os.environ.get("CITY_SERVER_COMMUNITY_LOCALITIES", "Дніпро").split(",")
RESIDENTS_ONLY = {i.strip() for i in os.environ.get("CITY_SERVER_RESIDENTS_ONLY", "petitions,budget").split(",")
                  if i.strip()}
# Participatory budget (4.1): "projects" = at most N projects per voter; "budget" = total cost within the limit.
BUDGET_VOTE_RULE = os.environ.get("CITY_SERVER_BUDGET_VOTE_RULE", "projects")
BUDGET_VOTES_PER_PERSON = int(os.environ.get("CITY_SERVER_BUDGET_VOTES_PER_PERSON", "5"))
# Online commission meetings (4.11): quorum = more than this fraction of the commission's members.
MEETINGS_QUORUM_FRACTION = float(os.environ.get("CITY_SERVER_MEETINGS_QUORUM_FRACTION", "0.5"))
MEETINGS_SIGNER = os.environ.get("CITY_SERVER_MEETINGS_SIGNER", "ed25519-test")
# Resident cabinet (4.9): reminders this many hours before an appointment.
CABINET_REMINDER_HOURS = int(os.environ.get("CITY_SERVER_CABINET_REMINDER_HOURS", "24"))
# Open map (4.5): the base map's tile source (an XYZ URL template; "/map/tiles/..." = this server's demo tiles),
# its attribution, and where the map opens.
MAP_TILES = os.environ.get("CITY_SERVER_MAP_TILES", "/map/tiles/{z}/{x}/{y}.png")
MAP_ATTRIBUTION = os.environ.get("CITY_SERVER_MAP_ATTRIBUTION",
                                 "Демонстраційна підкладка / demo base map")
MAP_CENTER = tuple(float(v) for v in os.environ.get("CITY_SERVER_MAP_CENTER", "48.4647,35.0462").split(","))
MAP_ZOOM = int(os.environ.get("CITY_SERVER_MAP_ZOOM", "14"))
MAP_MAX_ZOOM = int(os.environ.get("CITY_SERVER_MAP_MAX_ZOOM", "18"))
# Contact centre (4.7): SMS to residents about their requests. "outbox" = the stand-in (one JSON file per
# message in <data dir>/sms-outbox); an http(s) URL = the operator's gateway (docs/server.md "SMS gateway").
SMS_GATEWAY = os.environ.get("CITY_SERVER_SMS_GATEWAY", "outbox")
SMS_GATEWAY_TOKEN = os.environ.get("CITY_SERVER_SMS_TOKEN", "")

# --- Hostile input (docs/security.md): private uploads' modes; a Content-Security-Policy on every page ----
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700


def _tile_origin(template: str) -> list[str]:
    """The tile server's origin for the CSP's img-src ("{s}" subdomains become a wildcard)."""
    parts = urlparse(template.replace("{s}.", "sub."))
    if parts.scheme not in ("http", "https"):
        return []
    host = parts.netloc.replace("sub.", "*.", 1) if "{s}." in template else parts.netloc
    return [f"{parts.scheme}://{host}"]


INSTALLED_APPS += ["ninja"]  # its own Swagger UI files for /api/docs (no CDN, no inline script)
# No inline script or style anywhere: pages load site.css and nothing else; uploads are images only.
MIDDLEWARE += ["csp.middleware.CSPMiddleware"]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", *_tile_origin(MAP_TILES)],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
