"""Django settings for Koban: one file, every value from the environment.

``.env.example`` documents each variable. With no ``DATABASE_URL`` the project runs on the managed local
PostgreSQL cluster (``koban/lib/localdb.py``), so a fresh checkout works without any configuration.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from koban.incidents.benchmark import NATIONAL_MEAN_RESPONSE_SECONDS
from koban.lib.env import env_bool, env_int, env_list, env_str
from koban.lib.localdb import default_cluster, default_data_dir

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = default_data_dir()

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not env_bool("KOBAN_DEV", True):
        raise ImproperlyConfigured("SECRET_KEY must be set when KOBAN_DEV is false")
    # Development and demo only: a key kept in the data folder, created on first use, never committed.
    _key_file = DATA_DIR / "secret_key"
    if not _key_file.exists():
        import secrets

        _key_file.parent.mkdir(parents=True, exist_ok=True)
        _key_file.write_text(secrets.token_urlsafe(50))
        _key_file.chmod(0o600)
    SECRET_KEY = _key_file.read_text().strip()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_NAME = env_str("SITE_NAME", "Koban")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    # Index expressions with operator classes (receipt numbers) and array lookups for search.
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework_gis",
    "django_filters",
    "drf_spectacular",
    "knox",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_htmx",
    "leaflet",
    "procrastinate.contrib.django",
    "koban.accounts",
    "koban.audit",
    "koban.runs",
    "koban.organization",
    "koban.geography",
    "koban.rosters",
    "koban.attachments",
    "koban.counter",
    "koban.incidents",
    "koban.lostfound",
    "koban.patrols",
    "koban.voice",
    "koban.households",
    "koban.visitcards",
    "koban.councils",
    "koban.newsletters",
    "koban.partners",
    "koban.volunteers",
    "koban.alerts",
    "koban.web",
    "koban.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy on every response (admin and API docs included); policy below.
    "csp.middleware.CSPMiddleware",
    # Static files (Leaflet, htmx, CSS) served by the app itself, so the demo and small deployments need no
    # separate web server; a reverse proxy may still serve STATIC_ROOT directly.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "koban.accounts.middleware.NoStoreMiddleware",
    "koban.accounts.middleware.IdleTimeoutMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "koban.accounts.middleware.TwoFactorRequiredMiddleware",
    "koban.lib.middleware.RefuseControlCharactersInQuery",
    # One audit row per request for the personal records a page, export or API list showed.
    "koban.audit.reads.ReadAuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: answers a locked-out sign-in with the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "koban.urls"
WSGI_APPLICATION = "koban.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "koban.web.context_processors.site",
            ],
        },
    },
]

# -- Database ---------------------------------------------------------------------------------
_database_url = env_str("DATABASE_URL")
if _database_url:
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60)}
    if DATABASES["default"]["ENGINE"] != "django.contrib.gis.db.backends.postgis":
        raise ImproperlyConfigured("DATABASE_URL must be a postgis:// URL (PostgreSQL with PostGIS)")
else:
    DATABASES = {"default": default_cluster().django_database()}  # type: ignore[dict-item]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "login"

# -- Sign-in lockout (django-axes; the API's tokens are throttled separately) -------------------------
# The axes backend comes first: it refuses a locked-out account or address before any password hash.
AUTHENTICATION_BACKENDS = [
    "koban.accounts.backends.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("KOBAN_LOGIN_FAILURE_LIMIT", 20)
# Failures are counted per account and, separately, per address; either reaching the limit locks.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# A lockout ends by itself after this many minutes without a new failure, or when an administrator lifts it.
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("KOBAN_LOGIN_LOCKOUT_MINUTES", 30))
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Lockouts are lifted on the audited lockouts page (koban.accounts.lockouts), not in axes' admin pages.
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False  # no banner on every command; lockouts are in the audit trail
AXES_DISABLE_ACCESS_LOG = True  # successful sign-ins go to the audit trail (koban.accounts.signin)
# The client address: REMOTE_ADDR, or the address the TLS proxy puts in X-Forwarded-For.
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") if env_bool("BEHIND_TLS_PROXY", False) else ("REMOTE_ADDR",)
)
AXES_IPWARE_PROXY_COUNT = 1 if env_bool("BEHIND_TLS_PROXY", False) else None

# Two-factor sign-in (TOTP, django-otp) for HQ planners and administrators: optional, or required when true.
KOBAN_TOTP_REQUIRED = env_bool("KOBAN_TOTP_REQUIRED", False)
OTP_TOTP_ISSUER = SITE_NAME
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# How long a one-time set-password link made by a chief or an administrator stays valid.
PASSWORD_RESET_TIMEOUT = env_int("KOBAN_PASSWORD_RESET_HOURS", 24) * 3600
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("KOBAN_PASSWORD_MIN_LENGTH", 12)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# -- Language, time -----------------------------------------------------------------------------
LANGUAGE_CODE = env_str("LANGUAGE_CODE", "ja")
LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "koban" / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env_str("TIME_ZONE", "Asia/Tokyo")

# -- Static files -------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(DATA_DIR / "static")))
# collectstatic writes compressed copies for WhiteNoise; before (or without) it, WhiteNoise finds the files
# in the installed apps, so a fresh checkout serves its maps and styles at once.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# -- Security (production values come from the environment) -------------------------------------
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", False)

# CSV and Excel exports of a list stop at this many rows: a larger one is refused with a message asking
# for narrower filters (a whole year of a large force would tie up a worker and fill a laptop).
KOBAN_EXPORT_MAX_ROWS = env_int("KOBAN_EXPORT_MAX_ROWS", 50_000)
if KOBAN_EXPORT_MAX_ROWS < 1:
    raise ImproperlyConfigured("KOBAN_EXPORT_MAX_ROWS must be at least 1")

# Page sessions end when the browser closes and after a time without requests (koban.accounts.middleware);
# a deployment whose terminals are shared by a box's officers shortens that time further.
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
KOBAN_SHARED_TERMINALS = env_bool("KOBAN_SHARED_TERMINALS", False)
KOBAN_SESSION_IDLE_MINUTES = (
    env_int("KOBAN_SHARED_TERMINAL_IDLE_MINUTES", 10)
    if KOBAN_SHARED_TERMINALS
    else env_int("KOBAN_SESSION_IDLE_MINUTES", 30)
)
if KOBAN_SESSION_IDLE_MINUTES < 1:
    raise ImproperlyConfigured("The session idle time must be at least 1 minute")
# A backstop behind the idle check (which signs out, audited): the server forgets a session row that has
# not been written for a day, even if the browser was never closed.
SESSION_COOKIE_AGE = 24 * 3600
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", False) else None

# -- E-mail ---------------------------------------------------------------------------------------
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "koban@localhost")
# SMTP connections give up after this many seconds, so that a dead mail server cannot hang a page.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
# The address residents reach the site at: links in e-mails to reporters start with it.
KOBAN_PUBLIC_URL = env_str("KOBAN_PUBLIC_URL", "http://127.0.0.1:8000")

# -- Residents' requests (koban.voice) ----------------------------------------------------------------
# Requests a visitor may file from one address, and with one e-mail address, on the public form.
KOBAN_VOICE_RATE_PER_IP = env_str("KOBAN_VOICE_RATE_PER_IP", "10/hour")
KOBAN_VOICE_RATE_PER_EMAIL = env_str("KOBAN_VOICE_RATE_PER_EMAIL", "5/hour")
# Open311 POST requests per API key (the key's owner is a program filing for many residents).
KOBAN_OPEN311_RATE_PER_KEY = env_str("KOBAN_OPEN311_RATE_PER_KEY", "600/hour")
# Public views show sensitive categories' places on a grid of this many metres (100-200 m blurs a home).
KOBAN_VOICE_BLUR_METRES = env_int("KOBAN_VOICE_BLUR_METRES", 150)

# -- Alerts (CAP 1.2) and their delivery ------------------------------------------------------------
# Address of this site as seen by residents: links in alert e-mails (confirm, unsubscribe, the alert page).
KOBAN_PUBLIC_URL = env_str("KOBAN_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
# CAP ``sender`` of the alerts this deployment releases (no spaces, commas, < or &).
KOBAN_ALERT_SENDER = env_str("KOBAN_ALERT_SENDER", "koban@localhost")
# An alert area larger than this (km²), or than the agency's jurisdiction times the ratio, needs a second
# confirmation: a slip of the mouse must not alert the whole country.
KOBAN_ALERT_MAX_AREA_KM2 = env_int("KOBAN_ALERT_MAX_AREA_KM2", 2000)
KOBAN_ALERT_MAX_EXTENT_RATIO = env_int("KOBAN_ALERT_MAX_EXTENT_RATIO", 2)
# Recipients per delivery task, tries per message before it fails for good, first retry delay (doubles).
KOBAN_ALERT_BATCH_SIZE = env_int("KOBAN_ALERT_BATCH_SIZE", 1000)
KOBAN_ALERT_MAX_ATTEMPTS = env_int("KOBAN_ALERT_MAX_ATTEMPTS", 5)
KOBAN_ALERT_RETRY_SECONDS = env_int("KOBAN_ALERT_RETRY_SECONDS", 60)
# A message claimed by a worker that died is sent again (same Message-ID) after this many seconds.
KOBAN_ALERT_CLAIM_SECONDS = env_int("KOBAN_ALERT_CLAIM_SECONDS", 300)
# Parallel SMTP connections per delivery task (the MTA accepts several at once).
KOBAN_ALERT_SMTP_CONNECTIONS = env_int("KOBAN_ALERT_SMTP_CONNECTIONS", 4)
KOBAN_WEBHOOK_TIMEOUT_SECONDS = env_int("KOBAN_WEBHOOK_TIMEOUT_SECONDS", 5)
KOBAN_WEBHOOK_THREADS = env_int("KOBAN_WEBHOOK_THREADS", 16)
# Largest CAP message accepted from a partner (bytes).
KOBAN_CAP_MAX_BYTES = env_int("KOBAN_CAP_MAX_BYTES", 1024 * 1024)

# -- REST API ---------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Pages' sessions (with CSRF) and API tokens; no HTTP Basic: it re-hashed the password on every call.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "koban.accounts.api_auth.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "koban.accounts.throttles.AnonymousRate",
        "koban.accounts.throttles.UserRate",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("KOBAN_API_RATE_ANONYMOUS", "60/minute"),
        "user": env_str("KOBAN_API_RATE_USER", "50000/hour"),
        # Requests with a wrong, expired or revoked token, per address (koban.accounts.api_auth).
        "bad_token": env_str("KOBAN_API_RATE_BAD_TOKEN", "20/minute"),
    },
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Bodies with control characters, bad page parameters and service ValidationErrors all answer 400.
    "DEFAULT_PARSER_CLASSES": [
        "koban.lib.parsers.CheckedJSONParser",
        "koban.lib.parsers.CheckedFormParser",
        "koban.lib.parsers.CheckedMultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "koban.lib.api.Pages",
    "EXCEPTION_HANDLER": "koban.lib.api.exception_handler",
    "PAGE_SIZE": 100,
}
# API tokens (django-rest-knox with our own model): `Authorization: Bearer <token>`.
KNOX_TOKEN_MODEL = "accounts.ApiToken"  # noqa: S105 (a model name, not a secret)
# knox's own migrations create its default token table (with a key to users) even when the model is
# swapped; that table would never be used and blocks truncating the users table in tests.
MIGRATION_MODULES = {"knox": None}
REST_KNOX = {
    "AUTH_HEADER_PREFIX": "Bearer",
    # Recognisable by secret scanners and in logs; at most 10 characters (knox).
    "TOKEN_PREFIX": "koban_",
    "TOKEN_TTL": None,  # every token gets the expiry its owner chose (koban.accounts.tokens)
}
# Longest life a new API token may be given, in days.
KOBAN_API_TOKEN_MAX_DAYS = env_int("KOBAN_API_TOKEN_MAX_DAYS", 365)

SPECTACULAR_SETTINGS = {
    "TITLE": "Koban API",
    "DESCRIPTION": "Police boxes, beats and community policing data.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Choice sets whose field name other apps use too (a counter matter's outcome), named apart.
    "ENUM_NAME_OVERRIDES": {
        "MailLanguageEnum": "koban.lostfound.models.MAIL_LANGUAGE_CHOICES",
        "VisitOutcomeEnum": "koban.households.models.Outcome",
        "VolunteerActivityTypeEnum": "koban.volunteers.models.ActivityType",
        "VolunteerObservationKindEnum": "koban.volunteers.models.ActivityObservation.Kind",
        "PartnerKindEnum": "koban.partners.models.PartnerKind",
        "AgreementKindEnum": "koban.partners.models.AgreementKind",
        "HouseholdKindEnum": "koban.households.models.Kind",
        "OutingKindEnum": "koban.rosters.models.Outing.Kind",
        "CouncilMemberKindEnum": "koban.councils.models.MemberKind",
        "CouncilMeetingStatusEnum": "koban.councils.models.Meeting.Status",
    },
    # Every operation documents its error answers (400/401/403/404/429), which come from shared code.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "koban.lib.schema.document_errors",
    ],
}

# -- Dispatch ---------------------------------------------------------------------------------------
# Average speeds (km/h) that turn a way to an incident into a travel time: officers answer from their
# box by bicycle, patrol cars by road. Whole numbers; at least 1.
KOBAN_DISPATCH_BICYCLE_KMH = max(1, env_int("KOBAN_DISPATCH_BICYCLE_KMH", 15))
KOBAN_DISPATCH_CAR_KMH = max(1, env_int("KOBAN_DISPATCH_CAR_KMH", 30))

# -- Maps ---------------------------------------------------------------------------------------------
# Pages draw vector layers only unless a tile URL is configured, so maps work with no tile server.
KOBAN_MAP_TILE_URL = env_str("KOBAN_MAP_TILE_URL")
KOBAN_MAP_TILE_ATTRIBUTION = env_str("KOBAN_MAP_TILE_ATTRIBUTION")
LEAFLET_CONFIG = {
    "TILES": (
        [("tiles", KOBAN_MAP_TILE_URL, {"attribution": KOBAN_MAP_TILE_ATTRIBUTION})]
        if KOBAN_MAP_TILE_URL
        else []
    ),
    "DEFAULT_CENTER": (35.68, 139.76),
    "DEFAULT_ZOOM": 10,
    "RESET_VIEW": False,
}


# -- Content-Security-Policy (django-csp) ----------------------------------------------------------------
# Scripts only from this site or with the per-response nonce (django-leaflet's admin widget uses it); no
# inline event handlers. Inline styles stay allowed: Leaflet, htmx, Swagger UI and ReDoc set them.
# Images may also come from the configured tile server.
def _tile_origin(url: str) -> list[str]:
    from urllib.parse import urlsplit

    parts = urlsplit(url.replace("{s}", "tiles-subdomain"))
    if not parts.scheme or not parts.netloc:
        return []
    return [f"{parts.scheme}://{parts.netloc.replace('tiles-subdomain', '*')}"]


CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:", "blob:", *_tile_origin(KOBAN_MAP_TILE_URL)],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "worker-src": [SELF, "blob:"],  # ReDoc renders in a worker
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# -- Domain configuration ----------------------------------------------------------------------------
# Box kinds and their display names differ between countries; the defaults are Japan's.
# Format: JSON list of {"code": ..., "labels": {"ja": ..., "en": ...}, "residential": bool}.
_box_kinds_raw = env_str("KOBAN_BOX_KINDS")
try:
    KOBAN_BOX_KINDS: list[dict[str, object]] = (
        json.loads(_box_kinds_raw)
        if _box_kinds_raw
        else [
            {"code": "koban", "labels": {"ja": "交番", "en": "Koban"}, "residential": False},
            {
                "code": "chuzaisho",
                "labels": {"ja": "駐在所", "en": "Chuzaisho (residential box)"},
                "residential": True,
            },
        ]
    )
except json.JSONDecodeError as exc:
    raise ImproperlyConfigured(f"KOBAN_BOX_KINDS is not valid JSON: {exc}") from exc

# 110 response-time benchmark (received → arrival): a national MEAN, compared with the mean of the
# responses (koban/incidents/benchmark.py). Japan's national mean for Jan–Nov 2021 was 8 min 16 s (NPA,
# reported by NHK); deployments abroad set their own national mean.
KOBAN_RESPONSE_BENCHMARK_SECONDS = env_int("KOBAN_RESPONSE_BENCHMARK_SECONDS", NATIONAL_MEAN_RESPONSE_SECONDS)

# Lost property clocks (koban.lostfound.rules): a JSON object overriding any of notice_months (3),
# finder_claim_months (2), reward_min_percent (5), reward_max_percent (20), bulky_disposal_days (14),
# cheap_value_limit (10000), hand_in_days (7), facility_hand_in_hours (24), claim_reminder_days (14).
# Empty = Japan's Lost Property Act. Checked when the app loads; a wrong field stops start-up.
_lost_found_raw = env_str("KOBAN_LOST_FOUND_RULES")
try:
    KOBAN_LOST_FOUND_RULES: dict[str, object] = json.loads(_lost_found_raw) if _lost_found_raw else {}
except json.JSONDecodeError as exc:
    raise ImproperlyConfigured(f"KOBAN_LOST_FOUND_RULES is not valid JSON: {exc}") from exc
# Visit policy (koban.households.policy): a JSON object of visits per year for "home" (1), "business" (2,
# businesses and public offices) and "needs_care" (4, homes flagged as needing help). Empty = those.
# Checked when the app loads; a wrong field stops start-up.
_visit_policy_raw = env_str("KOBAN_VISIT_POLICY")
try:
    KOBAN_VISIT_POLICY: dict[str, object] = json.loads(_visit_policy_raw) if _visit_policy_raw else {}
except json.JSONDecodeError as exc:
    raise ImproperlyConfigured(f"KOBAN_VISIT_POLICY is not valid JSON: {exc}") from exc
# Largest GPX file a patrol upload may have (bytes); bigger files are refused before parsing.
KOBAN_GPX_MAX_BYTES = env_int("KOBAN_GPX_MAX_BYTES", 5 * 1024 * 1024)
# Days before a blue-light certificate, patroller card or vehicle registration expires that the
# station is reminded (volunteer pages, box dashboard, daily job).
KOBAN_BLUE_LIGHT_REMINDER_DAYS = env_int("KOBAN_BLUE_LIGHT_REMINDER_DAYS", 60)

# Visit cards (巡回連絡カード): the keyring that encrypts their contents, inline JSON or the path of a key
# file, never in the database (koban/visitcards/crypto/keyring.py). Development and the demo use a key
# file in the data folder, which `koban load_demo` creates (mode 0600) when it is missing. The name
# hides it from Django's error pages (it contains "KEY").
KOBAN_CARD_MASTER_KEYS = env_str(
    "KOBAN_CARD_MASTER_KEYS", str(DATA_DIR / "card-keys.json") if env_bool("KOBAN_DEV", True) else ""
)
# A card not confirmed with its household for this many years is flagged for review and deletion.
KOBAN_CARD_RETENTION_YEARS = env_int("KOBAN_CARD_RETENTION_YEARS", 5)
if KOBAN_CARD_RETENTION_YEARS < 1:
    raise ImproperlyConfigured("KOBAN_CARD_RETENTION_YEARS must be at least 1")
# How long a station chief's recorded-reason access to one card lasts.
KOBAN_CARD_BREAK_GLASS_HOURS = env_int("KOBAN_CARD_BREAK_GLASS_HOURS", 8)

# -- Plausibility of places and dates (koban.organization.jurisdiction, koban.lib.dates) ----------
# An agency's jurisdiction is its configured extent, else the union of its stations' areas; an agency
# with neither is checked against this box (min lon, min lat, max lon, max lat; default: Japan).
try:
    KOBAN_FALLBACK_EXTENT = [
        float(v) for v in env_list("KOBAN_FALLBACK_EXTENT", ["122.5", "20.0", "154.5", "46.0"])
    ]
except ValueError:
    KOBAN_FALLBACK_EXTENT = []
if len(KOBAN_FALLBACK_EXTENT) != 4:
    raise ImproperlyConfigured("KOBAN_FALLBACK_EXTENT needs four numbers: min lon, min lat, max lon, max lat")
# A patrol track may stray this far (metres) outside the jurisdiction (a border street) before refusal.
KOBAN_TRACK_TOLERANCE_M = env_int("KOBAN_TRACK_TOLERANCE_M", 500)
# Seconds a process keeps an agency's jurisdiction before reading the station areas again.
KOBAN_JURISDICTION_CACHE_SECONDS = env_int("KOBAN_JURISDICTION_CACHE_SECONDS", 300)
# Dates people or files give must lie within this window around today: not more than this many years
# back, and not more than this many days ahead (rosters may be planned further ahead, see below).
KOBAN_DATE_WINDOW_YEARS_BACK = env_int("KOBAN_DATE_WINDOW_YEARS_BACK", 30)
KOBAN_DATE_WINDOW_DAYS_AHEAD = env_int("KOBAN_DATE_WINDOW_DAYS_AHEAD", 1)
KOBAN_ROSTER_YEARS_AHEAD = env_int("KOBAN_ROSTER_YEARS_AHEAD", 2)

# Dashboard sections to show, as comma-separated section keys (e.g. on_duty,open_incidents); the apps
# register their sections themselves (koban.lib.dashboard). Empty = every registered section.
KOBAN_DASHBOARD_SECTIONS = env_list("KOBAN_DASHBOARD_SECTIONS", [])
# How often an open dashboard fetches its live sections (new incidents, handover, tasks due), in seconds.
KOBAN_DASHBOARD_LIVE_SECONDS = env_int("KOBAN_DASHBOARD_LIVE_SECONDS", 20)

# -- Liaison councils, the box newsletter and the public box page -------------------------------------
# Whether the public box page names the officers on the beat (otherwise it says how many there are).
KOBAN_PUBLIC_OFFICER_NAMES = env_bool("KOBAN_PUBLIC_OFFICER_NAMES", False)
# Council members whose term ends within this many days are listed for renewal.
KOBAN_COUNCIL_RENEWAL_DAYS = env_int("KOBAN_COUNCIL_RENEWAL_DAYS", 60)
# Side of the grid cells (metres) that the newsletter map counts incidents in: never exact places.
KOBAN_NEWSLETTER_GRID_M = env_int("KOBAN_NEWSLETTER_GRID_M", 250)

# -- Uploads and background runs ------------------------------------------------------------------
# Uploaded import files are stored here for the worker that runs the import: on several machines this
# folder must be shared storage (NFS, a mounted volume) readable by every web server and worker.
UPLOAD_DIR = Path(env_str("KOBAN_UPLOAD_DIR", str(DATA_DIR / "uploads")))
# Built beat indexes (for bulk assignment of points to beats) are kept here, one file per set of beats,
# so that a fresh worker loads one instead of building it; losing the folder only costs a rebuild.
KOBAN_BEAT_INDEX_DIR = Path(env_str("KOBAN_BEAT_INDEX_DIR") or str(DATA_DIR / "beat-index"))
# Files larger than this are refused while the request is read, before anything is parsed or stored.
UPLOAD_MAX_BYTES = env_int("KOBAN_UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
# Photos and documents attached to incidents and found items: kept here (never under a static or media
# URL; only the checked views serve them), each up to this many bytes (and never above KOBAN_UPLOAD_MAX_BYTES,
# which refuses larger files while the request is read), photos up to this many pixels.
KOBAN_ATTACHMENT_DIR = Path(env_str("KOBAN_ATTACHMENT_DIR") or str(DATA_DIR / "attachments"))
KOBAN_ATTACHMENT_MAX_BYTES = env_int("KOBAN_ATTACHMENT_MAX_BYTES", 8 * 1024 * 1024)
KOBAN_ATTACHMENT_MAX_PIXELS = env_int("KOBAN_ATTACHMENT_MAX_PIXELS", 40_000_000)
FILE_UPLOAD_HANDLERS = [
    "koban.runs.uploads.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# Files above 2.5 MB go to a temporary file instead of memory; form fields (without files) stay small.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# -- Background jobs (Procrastinate, on the same PostgreSQL) ----------------------------------------
# Each app keeps its task functions in jobs.py; the worker imports them all.
PROCRASTINATE_AUTODISCOVER_MODULE_NAME = "jobs"
# Run when a worker starts: loads the URL configuration before the first alert e-mail needs it.
PROCRASTINATE_ON_APP_READY = "koban.alerts.jobs.on_app_ready"

# Debian 12 ships GDAL 3.6, which cannot block file and network access from spatial references; every
# imported file is read from a path the operator chose and coordinates are validated before saving.
SILENCED_SYSTEM_CHECKS = ["gis.W001"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # Procrastinate logs every task registration at INFO on start-up; keep commands quiet.
        "procrastinate": {"level": env_str("PROCRASTINATE_LOG_LEVEL", "WARNING")},
    },
}

SPECTACULAR_SETTINGS.update(
    {
        # Serve Swagger UI and ReDoc from the installed sidecar package, not a CDN.
        "SWAGGER_UI_DIST": "SIDECAR",
        "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
        "REDOC_DIST": "SIDECAR",
    }
)
INSTALLED_APPS.append("drf_spectacular_sidecar")
