"""GridCare settings, read from the environment.

GRIDCARE_DATA_DIR  data directory (SQLite file, model files, exports); default ./var
DATABASE_URL       sqlite:////abs/path.sqlite3 or postgres://user@host:port/db
GRIDCARE_SECRET_KEY, GRIDCARE_DEBUG, GRIDCARE_ALLOWED_HOSTS, GRIDCARE_DEMO
GRIDCARE_HTTPS, GRIDCARE_HSTS_*, GRIDCARE_BEHIND_PROXY, GRIDCARE_LOGIN_*  production hardening (README)
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("GRIDCARE_DATA_DIR") or BASE_DIR / "var").resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


SECRET_KEY = os.environ.get("GRIDCARE_SECRET_KEY", "gridcare-insecure-development-key-change-me")
DEBUG = env_bool("GRIDCARE_DEBUG", False)
ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("GRIDCARE_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",")
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("GRIDCARE_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]
# Demo mode prints demo logins and shows them on the sign-in page.
DEMO_MODE = env_bool("GRIDCARE_DEMO", False)

# HTTPS. Production serves over TLS (GRIDCARE_HTTPS=1): plain http is redirected, cookies are
# Secure and browsers are told to use https only (HSTS). The default stays plain http for the
# demo on 127.0.0.1. Behind a reverse proxy that terminates TLS (GRIDCARE_BEHIND_PROXY=1) the
# proxy must set X-Forwarded-Proto (and X-Forwarded-For, used for the sign-in lockout).
HTTPS = env_bool("GRIDCARE_HTTPS", False)
BEHIND_PROXY = env_bool("GRIDCARE_BEHIND_PROXY", False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = HTTPS
# Load balancers and monitoring probe the app server directly over http.
SECURE_REDIRECT_EXEMPT = [r"^healthz/?$"]
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = int(os.environ.get("GRIDCARE_HSTS_SECONDS") or (31536000 if HTTPS else 0))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("GRIDCARE_HSTS_INCLUDE_SUBDOMAINS", True)
# Browsers' preload list is for public domains: opt in only for one (https://hstspreload.org).
SECURE_HSTS_PRELOAD = env_bool("GRIDCARE_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

# Content-Security-Policy (django-csp): everything from this origin, no inline script (page
# behaviour is in core/gridcare.js; a template that needs an inline script gives it
# nonce="{{ request.csp_nonce }}"). Styles allow 'unsafe-inline' for the templates' style=""
# attributes (chart bars, legends), htmx's indicator style and the API docs' styles.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "worker-src": [SELF, "blob:"],  # ReDoc (/api/redoc/) runs its search in a blob: worker
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "upgrade-insecure-requests": HTTPS,
    },
}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "csp",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "gridcare.core",
    "gridcare.org",
    "gridcare.grid",
    "gridcare.customers",
    "gridcare.workorders",
    "gridcare.escalation",
    "gridcare.rectification",
    "gridcare.hall",
    "gridcare.outages",
    "gridcare.applications",
    "gridcare.surveys",
    "gridcare.care",
    "gridcare.keyaccounts",
    "gridcare.proactive",
    "gridcare.dataquality",
    "gridcare.knowledge",
    "gridcare.inspections",
    "gridcare.evaluation",
    "gridcare.supervision",
    "gridcare.partners",
    "gridcare.webhooks",
    "gridcare.portal",
    "gridcare.analytics",
    "gridcare.workforce",
    "gridcare.demo",
    "gridcare.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    # A NUL character anywhere in a request answers 400 naming the field (PostgreSQL cannot
    # store NUL in text), before static files, sessions or any view look at it.
    "gridcare.core.middleware.RejectNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # A write that waited too long for the database's lock answers 503 + Retry-After, not 500.
    "gridcare.core.middleware.DatabaseBusyMiddleware",
    # Last: turns a locked-out sign-in into the lockout page (AXES_LOCKOUT_CALLABLE).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

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
                "gridcare.core.context_processors.gridcare",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'gridcare.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=int(os.environ.get("GRIDCARE_CONN_MAX_AGE", "60"))
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Server-side parameters and prepared statements: a statement run twice on a connection
    # is prepared, so PostgreSQL stops re-planning the many-join reads of every request
    # (+30 % intake throughput measured, bench/intake.py). Set GRIDCARE_PG_PREPARE=0 behind a
    # connection pooler in transaction mode that cannot keep prepared statements.
    if os.environ.get("GRIDCARE_PG_PREPARE", "1") != "0":
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            {"server_side_binding": True, "prepare_threshold": 2}
        )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-64000; "
        "PRAGMA journal_size_limit=67108864;",
    }

# Caches. "default" is per process (short-lived results of the analytics pages). "shared" is
# one for every process (gunicorn workers, the job worker, `gridcare import`): a table in the
# database itself (`gridcare migrate` creates it), so the embedded default needs no other
# service. It holds the version token of configuration each process keeps a copy of (the
# working-day calendar, gridcare.core.calendar): an edit reaches every process within
# GRIDCARE_CALENDAR_RECHECK_SECONDS.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "shared": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "gridcare_cache",
        "OPTIONS": {"MAX_ENTRIES": 10000},
    },
}
GRIDCARE_CALENDAR_RECHECK_SECONDS = float(os.environ.get("GRIDCARE_CALENDAR_RECHECK_SECONDS", "1"))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "gridcare" / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = DATA_DIR / "media"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# django-axes first: it refuses a sign-in while the username is locked out from that address.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "gridcare.org.authentication.StaffModelBackend",
]
# Sign-in lockout: after GRIDCARE_LOGIN_FAILURE_LIMIT wrong passwords for one username from one
# address, that pair is locked for GRIDCARE_LOGIN_COOLOFF_MINUTES (a call centre signs in from
# behind one NAT address, so the address alone would lock out the whole floor). Attempts live in
# the database, shared by every worker; `gridcare axes_reset_username NAME` unlocks one user.
AXES_FAILURE_LIMIT = int(os.environ.get("GRIDCARE_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("GRIDCARE_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "gridcare.org.authentication.client_ip_address"
AXES_LOCKOUT_CALLABLE = "gridcare.org.authentication.lockout_response"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "gridcare.org.authentication.StaffTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Every endpoint names the permission of each action (gridcare.core.api.permissions).
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "gridcare.core.api.permissions.ActionPermission",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "gridcare.core.api.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "gridcare.core.api.exceptions.exception_handler",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "GridCare API",
    "DESCRIPTION": "Customer-service platform of a power supply company: organisation, grid, customers, work orders.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Every operation documents its error answers (400/401/403/404/409/503) with one Error body.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "gridcare.core.api.schema.add_error_responses",
    ],
    # Several apps have fields named status/kind/channel: give each choice set its own schema name.
    "ENUM_NAME_OVERRIDES": {
        "WorkOrderStatusEnum": "gridcare.workorders.choices.Status",
        "WorkOrderChannelEnum": "gridcare.workorders.choices.Channel",
        "ClockKindEnum": "gridcare.workorders.choices.ClockKind",
        "RequestTypeEnum": "gridcare.workorders.choices.RequestType",
        "DimensionEnum": "gridcare.workorders.choices.Dimension",
        "UnitKindEnum": "gridcare.org.choices.UnitKind",
        "AreaClassEnum": "gridcare.grid.choices.AreaClass",
        "CustomerCategoryEnum": "gridcare.customers.choices.CustomerCategory",
        "AnalysisReportKindEnum": "gridcare.analytics.models.ReportKind",
        "OutageKindEnum": "gridcare.outages.choices.OutageKind",
        "OutageStatusEnum": "gridcare.outages.choices.OutageStatus",
        **{
            f"{name}Enum": f"gridcare.escalation.choices.{name}"
            for name in (
                "UrgeChannel",
                "NotificationKind",
                "CallbackKind",
                "CallbackStatus",
                "CallbackResult",
                "RecoveryKind",
                "RecoveryStatus",
                "EscalationReason",
                "FailureOrigin",
                "FailureCause",
                "FailureSource",
                "CompensationKind",
            )
        },
        **{
            f"{name}Enum": f"gridcare.keyaccounts.choices.{name}"
            for name in (
                "InspectionStatus",
                "Severity",
                "DrillStatus",
                "DrillResult",
                "PlanState",
                "PlanWarningKind",
            )
        },
        **{
            f"{name}Enum": f"gridcare.proactive.choices.{name}"
            for name in (
                "BoxCondition",
                "CareList",
                "CampaignKind",
                "CampaignStatus",
                "TargetStatus",
                "DemandSource",
                "DemandStatus",
            )
        },
        **{
            f"{name}Enum": f"gridcare.dataquality.choices.{name}"
            for name in ("CheckCode", "FindingStatus", "RunTrigger")
        },
        "RectificationStatusEnum": "gridcare.rectification.choices.RectificationStatus",
        "HallTicketStatusEnum": "gridcare.hall.choices.TicketStatus",
        "SupervisionRewardKindEnum": "gridcare.supervision.choices.RewardKind",
        "ViolationSourceEnum": "gridcare.supervision.choices.ViolationSource",
        "SupervisionPointStatusEnum": "gridcare.supervision.choices.PointStatus",
        "SupervisionRewardStatusEnum": "gridcare.supervision.choices.RewardStatus",
        "SurveyCampaignStatusEnum": "gridcare.surveys.choices.CampaignStatus",
        "InspectionKindEnum": "gridcare.inspections.choices.InspectionKind",
        "InspectionSiteKindEnum": "gridcare.inspections.choices.SiteKind",
        "InspectionStatusEnum": "gridcare.inspections.choices.InspectionStatus",
        "SafetyInspectionStatusEnum": "gridcare.keyaccounts.choices.InspectionStatus",
        "EvaluationTargetKindEnum": "gridcare.evaluation.choices.TargetKind",
        "HallPriorityClassEnum": "gridcare.hall.choices.PriorityClass",
        "PriorityEnum": "gridcare.workorders.choices.Priority",  # keeps its name beside the hall's
        **{
            f"Application{name.removeprefix('Application')}Enum": f"gridcare.applications.choices.{name}"
            for name in ("Variant", "ApplicationStatus", "StageStatus", "FollowUpKind", "TimeWindow")
        },
        "ApplicationSubtypeEnum": "gridcare.workorders.choices.ApplicationSubtype",
    },
}

TASKS = {
    "default": {
        "BACKEND": os.environ.get("GRIDCARE_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("GRIDCARE_LOG_LEVEL", "WARNING")},
    "loggers": {"gridcare": {"level": os.environ.get("GRIDCARE_LOG_LEVEL", "INFO")}},
}

# Outbound notifications (SMS/WeChat/email): the default backend records instead of sending.
# Imports (`gridcare import`, /import/): rows one file may hold after its header, and the
# largest file the web page accepts (bigger files: `gridcare import` on the server).
GRIDCARE_IMPORT_MAX_ROWS = int(os.environ.get("GRIDCARE_IMPORT_MAX_ROWS", "2000000"))
GRIDCARE_IMPORT_MAX_UPLOAD_MB = int(os.environ.get("GRIDCARE_IMPORT_MAX_UPLOAD_MB", "100"))

GRIDCARE_NOTIFY_BACKEND = os.environ.get(
    "GRIDCARE_NOTIFY_BACKEND", "gridcare.escalation.backends.RecordingBackend"
)

# E-mail: the set-password links of imported staff (`gridcare import staff`). With
# GRIDCARE_EMAIL_HOST (or GRIDCARE_EMAIL_BACKEND) set, each new account with an e-mail
# address gets its link by mail; otherwise the command prints the links.
EMAIL_HOST = os.environ.get("GRIDCARE_EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("GRIDCARE_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("GRIDCARE_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("GRIDCARE_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("GRIDCARE_EMAIL_TLS", False)
EMAIL_USE_SSL = env_bool("GRIDCARE_EMAIL_SSL", False)
DEFAULT_FROM_EMAIL = os.environ.get("GRIDCARE_EMAIL_FROM", "gridcare@localhost")
EMAIL_BACKEND = os.environ.get("GRIDCARE_EMAIL_BACKEND") or (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
GRIDCARE_SET_PASSWORD_EMAIL = bool(EMAIL_HOST or os.environ.get("GRIDCARE_EMAIL_BACKEND"))
# How long a set-password link stays valid (Django's password-reset tokens), in hours.
PASSWORD_RESET_TIMEOUT = int(os.environ.get("GRIDCARE_SET_PASSWORD_HOURS", "72")) * 3600
# The address people open GridCare at, for links that leave a request (e-mailed or printed).
GRIDCARE_BASE_URL = os.environ.get("GRIDCARE_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
