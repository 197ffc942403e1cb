"""Fixtures of the page cache tests (test_keys.py, test_keys_changes.py); ``commit`` is the
suite's (tests/conftest.py)."""

import pytest
from django.core.cache import cache


@pytest.fixture
def page_cache_on(settings):
    # A day, so that pages outlive the hour some tests travel forward.
    settings.PAGE_CACHE_SECONDS = 86400
    cache.clear()
    yield
    cache.clear()
