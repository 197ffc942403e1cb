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
