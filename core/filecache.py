"""The cache every process on one machine shares when there is no Redis: Django's file cache,
with an ``incr`` that two processes cannot interleave.

The page cache's content generation (``core.cache``) is moved on with ``incr`` after every
change. Django's file cache increments by reading and rewriting the file, so two workers saving at
once could both write the same number and one change would not refresh the pages; here the read
and write happen under an exclusive lock on a file beside the cache.
"""

import contextlib
import fcntl
import os

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache

CULL_CHECK_EVERY = 100


class SharedFileCache(FileBasedCache):
    @contextlib.contextmanager
    def _exclusive(self):
        self._createdir()
        with open(os.path.join(self._dir, "incr.lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def incr(self, key, delta=1, version=None):
        with self._exclusive():
            return super().incr(key, delta, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        with self._exclusive():
            return super().add(key, value, timeout, version)

    def _cull(self):
        # Django's file cache lists its whole folder on every write to see whether it is full: with
        # a page and a version entry per surrogate key (core.keys), that listing is most of what a
        # purge or a stored page costs. Looking every CULL_CHECK_EVERY writes lets the folder run
        # past MAX_ENTRIES by at most that many entries (per process) before a third is dropped.
        self._writes = getattr(self, "_writes", 0) + 1
        if self._writes % CULL_CHECK_EVERY == 1:
            super()._cull()
