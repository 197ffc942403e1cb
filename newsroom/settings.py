"""Settings for newsroom, read from the environment.

Local development: ``DEBUG=1`` (the Makefile sets it) gives a throw-away secret key, localhost as the
host list and an SQLite file in the project folder. With DEBUG off there is no fallback: a missing
``SECRET_KEY`` or ``ALLOWED_HOSTS`` stops the site from starting to serve (newsroom/startup.py, called by
wsgi.py, asgi.py and runserver) and is an error in ``check --deploy``. Commands that serve nothing
(``makemigrations``, ``migrate``, ``collectstatic``) still run, so tools work on a bare checkout.
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


DEBUG = env_bool("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "").strip()
if not SECRET_KEY and DEBUG:
    SECRET_KEY = "django-insecure-local-development-only-never-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if not ALLOWED_HOSTS and DEBUG:
    ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]"]

CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# The site's public address (scheme and host, e.g. https://news.example.org): every absolute
# address the site hands out (canonical links, feeds, sitemaps, JSON-LD, the API, preview links)
# is made from it, never from the Host header a request happens to carry. Required with DEBUG off.
SITE_URL = os.environ.get("SITE_URL", "").strip().rstrip("/")
if not SITE_URL and DEBUG:
    SITE_URL = "http://127.0.0.1:8000"

INSTALLED_APPS = [
    "newsroom.admin_site.NewsroomAdminConfig",  # django.contrib.admin, the desk its front page
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "axes",
    "csp",
    "newsroom.apps.TagsConfig",  # django-taggit
    "reversion",
    "django_prose_editor",
    # The layers, bottom up (import-linter holds the direction: see pyproject.toml).
    "core",
    "photos",
    "people",
    "articles",
    "fronts",
    "wire",
    "api",
    "newsroom",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside the page cache, so a cached page still answers a conditional GET with 304.
    "django.middleware.http.ConditionalGetMiddleware",
    "core.cache.PublicPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "newsroom.middleware.ContentSecurityPolicyMiddleware",
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # First, so a locked-out login is refused before the password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "newsroom.urls"

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
                "newsroom.context_processors.site",
            ],
        },
    },
]

WSGI_APPLICATION = "newsroom.wsgi.application"

DATABASES = {
    # An empty DATABASE_URL counts as unset, like every other variable here.
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}

# `loaddata qianhai-forum` finds the seed story here.
FIXTURE_DIRS = [BASE_DIR / "fixtures"]

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Take the write lock when a transaction begins, so a check-then-write (the edit-conflict check
    # on a story) cannot interleave with another writer, and busy writers wait instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "en")
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True
# Dates written the newsroom's way in the admin too (newsroom/formats/en/formats.py).
FORMAT_MODULE_PATH = ["newsroom.formats"]

STORAGES = {
    "default": {
        # Media (uploaded photos): the file system by default; any Django storage backend by path,
        # e.g. MEDIA_STORAGE=storages.backends.s3.S3Storage with django-storages installed.
        "BACKEND": os.environ.get("MEDIA_STORAGE", "django.core.files.storage.FileSystemStorage")
    },
    "staticfiles": {
        # Compressed, content-hashed names served with far-future cache headers by WhiteNoise;
        # plain files while developing.
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}


# Story furniture the body editor gets from our own module (static/newsroom/admin/furniture.js):
# each extension's processor tells django-prose-editor the markup it makes (articles/html.py keeps
# the same). Processors here, not imported from an app: settings load before apps.
def _furniture(tag: str, class_name: str, attributes=(), inside=()):
    def processor(config, shared_config):
        from django_prose_editor.config import add_allowed_classes, add_tags_and_attributes

        add_tags_and_attributes(
            shared_config, [tag, *inside], {tag: set(attributes)} if attributes else None
        )
        add_allowed_classes(shared_config, {tag: [class_name]})

    return processor


from js_asset import static_lazy  # noqa: E402 - a lazy static() for the setting below

DJANGO_PROSE_EDITOR_EXTENSIONS = [
    {
        "js": [static_lazy("newsroom/admin/furniture.js")],
        "extensions": {
            "PullQuote": _furniture("blockquote", "pull-quote"),
            "FactBox": _furniture("aside", "fact-box"),
            # A library picture, a gallery of them, an embedded post (articles/body.py).
            "Picture": _furniture(
                "figure", "picture", ["data-image", "data-size"], inside=["figcaption"]
            ),
            "Gallery": _furniture("figure", "gallery"),
            "Embed": _furniture(
                "figure", "embed", ["data-provider", "data-id"], inside=["figcaption"]
            ),
        },
    }
]

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))

# The name readers see in the masthead and page titles.
SITE_NAME = os.environ.get("SITE_NAME", "Newsroom")

# The cache, shared by every process that serves or writes (gunicorn workers, manage.py commands):
# Redis when REDIS_URL is set (what production runs, and the only choice for more than one
# machine); otherwise files in CACHE_DIR, which every process on this machine shares, so a story
# withdrawn through one worker or an import disappears from the pages every worker serves.
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHE_DIR = Path(os.environ.get("CACHE_DIR") or BASE_DIR / ".cache")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    if REDIS_URL
    else {
        "BACKEND": "core.filecache.SharedFileCache",
        "LOCATION": str(CACHE_DIR),
        # Bounded: past this many entries a random third is dropped. Each page kept comes with
        # an entry per surrogate key it shows (a few, shared between pages): 50,000 entries
        # keep about 10,000 pages (bench/RESULTS.md, scale_out.py).
        "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("CACHE_MAX_ENTRIES", "50000"))},
    }
}
# Readers' pages are cached this many seconds (0 turns it off); a change refreshes every cached
# page showing it at once (core/cache.py, core/keys.py), so this only bounds memory, not staleness.
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "600"))
PAGE_CACHE_SKIP_PREFIXES = ("/admin/", "/preview/", "/healthz")
# Totals that only content changes can alter (stories in a listing, pages of a sitemap) are counted
# once per change and kept this long at most (0: counted on every request).
COUNT_CACHE_SECONDS = int(os.environ.get("COUNT_CACHE_SECONDS", "3600"))
# A story page's parts (articles/story_page.py) are kept this long at most (0: made for every page).
# They are used only while none of the surrogate keys they show was purged, so this bounds the room
# they take, not how stale they can be.
STORY_PARTS_CACHE_SECONDS = int(os.environ.get("STORY_PARTS_CACHE_SECONDS", "86400"))
# How often an open live story's page asks for new entries (articles/live_views.py, live.js). Each
# ask is answered from the page cache or the edge, mostly with a 304, until an entry purges it.
LIVE_POLL_SECONDS = int(os.environ.get("LIVE_POLL_SECONDS", "15"))

# The edge in front of the app servers (core/edge.py, deploy/README.md): a change purges the pages
# showing it there, by key, from the task worker. Varnish: its addresses, comma-separated
# (http://127.0.0.1:6081,http://10.0.0.5:6081), each accepting PURGE from the app's machines.
# Fastly: a service and an API token allowed to purge it. Neither set: nothing to purge.
EDGE_VARNISH_URLS = env_list("EDGE_VARNISH_URLS")
EDGE_FASTLY_SERVICE_ID = os.environ.get("EDGE_FASTLY_SERVICE_ID", "").strip()
EDGE_FASTLY_API_TOKEN = os.environ.get("EDGE_FASTLY_API_TOKEN", "").strip()
EDGE_FASTLY_API_URL = os.environ.get("EDGE_FASTLY_API_URL", "").strip() or "https://api.fastly.com"
# Seconds to wait for one edge's answer before the purge counts as failed (and is retried).
EDGE_PURGE_TIMEOUT = float(os.environ.get("EDGE_PURGE_TIMEOUT", "5"))

# Background work (core/tasks.py: renditions, edge purges), run by `manage.py worker`. Django's task
# framework from the django-tasks backport, so moving to a Django with django.tasks built in changes
# one import. The database back end by default: the queue is a table in the site's own database,
# so there is nothing extra to install or run to start. TASK_BACKEND=rq puts the queue on the Redis
# server at REDIS_URL (RQ; `pip install -e .[rq]`), what a newsroom with several app servers and
# busy workers runs. "immediate" does the work inside the request that asks for it (no worker).
TASK_BACKEND = os.environ.get("TASK_BACKEND", "").strip().lower() or "database"
# A task still running after this many seconds is taken for one whose worker died and is put back
# in the queue by the next worker to look (every minute); no task of ours runs nearly that long.
# With RQ it is also the jobs' timeout: RQ stops a job that runs longer.
TASK_STALLED_SECONDS = int(os.environ.get("TASK_STALLED_SECONDS", "300"))
INSTALLED_APPS += [
    "django_tasks",
    "core.task_admin.BackgroundWorkConfig",  # django_tasks_db, listed as "Background work"
]
if TASK_BACKEND not in ("database", "rq", "immediate") or (TASK_BACKEND == "rq" and not REDIS_URL):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "TASK_BACKEND is database, rq (with REDIS_URL, the Redis server's address) or immediate, "
        f"not {TASK_BACKEND!r}" + (" without REDIS_URL." if TASK_BACKEND == "rq" else ".")
    )
if TASK_BACKEND == "rq":
    INSTALLED_APPS += ["django_rq"]
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": TASK_STALLED_SECONDS}}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
elif TASK_BACKEND == "immediate":
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# The agency wire (wire/): a folder agencies deliver ninjs, NewsML-G2 or plain-text copy into,
# polled every WIRE_POLL_SECONDS by a task the worker queues; what it takes goes into the wire queue
# (README, "Agency wire"). Empty: no folder is watched (`manage.py ingest` still works).
WIRE_INBOX = os.environ.get("WIRE_INBOX", "").strip()
WIRE_POLL_SECONDS = int(os.environ.get("WIRE_POLL_SECONDS", "30"))
# The agency for items in the inbox that name none (ninjs 1.x has no provider field).
WIRE_INBOX_PROVIDER = os.environ.get("WIRE_INBOX_PROVIDER", "").strip()
# Work the worker queues on a timer ({"app.tasks.function": seconds}; core.tasks.enqueue_due).
PERIODIC_TASKS = {"wire.tasks.poll_inbox": WIRE_POLL_SECONDS} if WIRE_INBOX else {}

# Content Security Policy (django-csp): nothing inline or from elsewhere on readers' pages.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Password guessing on the admin login: after AXES_FAILURE_LIMIT failures for a user name from
# one address, that login is locked for AXES_COOLOFF_HOURS; every failure and lockout is logged.
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "1"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The client's address, for the lockout: REMOTE_ADDR, or behind TRUSTED_PROXY_HOPS proxies (1 with
# BEHIND_TLS_PROXY) the address the outermost trusted proxy put in X-Forwarded-For.
TRUSTED_PROXY_HOPS = int(
    os.environ.get("TRUSTED_PROXY_HOPS") or (1 if env_bool("BEHIND_TLS_PROXY") else 0)
)
AXES_CLIENT_IP_CALLABLE = "newsroom.client_address.client_address"

# Signed preview links handed to people without an account stop working after this many seconds.
PREVIEW_LINK_MAX_AGE = int(os.environ.get("PREVIEW_LINK_MAX_AGE", 48 * 3600))

# Taggit: tags are matched without regard to case, so "Hong Kong" and "hong kong" are one tag.
TAGGIT_CASE_INSENSITIVE = True

# Secure defaults whenever DEBUG is off; each can be loosened from the environment behind a proxy.
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    # "preload" in the header only makes the site eligible; submitting it to browsers is a manual step.
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    if env_bool("BEHIND_TLS_PROXY"):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Photos: upload limits and renditions (photos/validation.py, photos/renditions.py).
# An upload larger than this many bytes is refused before Pillow reads it.
PHOTO_MAX_UPLOAD_BYTES = int(os.environ.get("PHOTO_MAX_UPLOAD_BYTES", 25 * 1024 * 1024))
# An upload with more pixels than this (width x height, times the frames of an animation) is
# refused from its header, before any decoding: a 50-million-pixel RGB picture takes 150 MB to
# decode. Above 89 million, also raise PIL.Image.MAX_IMAGE_PIXELS, Pillow's own guard.
PHOTO_MAX_PIXELS = int(os.environ.get("PHOTO_MAX_PIXELS", 50_000_000))
# Widths of the resized copies in srcset, made in WebP and the original's format when a picture
# is saved; never wider than the picture. After changing them, run `manage.py photo_renditions`.
PHOTO_RENDITION_WIDTHS = [320, 640, 1024, 1600]
# The width shared in OpenGraph and JSON-LD (also made for every crop ratio below).
PHOTO_SHARING_WIDTH = 1200
# Crops around the focal point, for templates and the three images JSON-LD asks for.
PHOTO_CROP_RATIOS = ["1:1", "4:3", "16:9"]
