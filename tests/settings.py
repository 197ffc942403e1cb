"""Test settings: the real settings, with a test-only secret and a fast password hasher."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-any-deployment-0123456789")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("SITE_URL", "http://testserver")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")

from newsroom.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = BASE_DIR / ".test-media"  # noqa: F405
# Django's test client calls itself "testserver"; absolute links in the tests are made on it,
# whatever `make` exports for serving.
SITE_URL = "http://testserver"

# Each test starts from an empty cache and sees its own writes: whole-page caching, cached
# counts and login lockouts are switched on only by the tests that are about them.
PAGE_CACHE_SECONDS = 0
COUNT_CACHE_SECONDS = 0
STORY_PARTS_CACHE_SECONDS = 0
AXES_ENABLED = False
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Static files straight from the apps (no collectstatic before tests), looked up per request.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
if CACHES["default"]["BACKEND"] == "core.filecache.SharedFileCache":  # noqa: F405
    # The default shared file cache, in a folder of this run's own (nothing kept between runs).
    import atexit
    import shutil
    import tempfile

    CACHE_DIR = tempfile.mkdtemp(prefix="newsroom-test-cache-")
    CACHES = {"default": {**CACHES["default"], "LOCATION": CACHE_DIR}}  # noqa: F405
    atexit.register(shutil.rmtree, CACHE_DIR, ignore_errors=True)
# Background work runs inside the call that asks for it (renditions are made by the save, as before
# there was a queue); the tests of the queue and the worker choose the database back end themselves.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
