"""Fixtures of the page cache tests (test_keys.py, test_keys_changes.py)."""

import pytest
from django.core.cache import cache

from core import keys


@pytest.fixture
def page_cache_on(settings):
    # A day, so that pages outlive the hour some tests travel forward.
    settings.PAGE_CACHE_SECONDS = 86400
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    def run(change):
        # The test's own transaction never commits: keys its set-up waited with are not this
        # change's.
        keys.discard_waiting()
        with django_capture_on_commit_callbacks(execute=True):
            return change()

    return run
