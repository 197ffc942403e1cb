"""How readers, feed readers and search engines find stories: search, feeds, sitemaps, robots.txt."""

from django.urls import path  # noqa: F401

urlpatterns = []
