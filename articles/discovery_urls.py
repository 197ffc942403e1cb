"""How readers, feed readers and search engines find stories: search, feeds, sitemaps, robots.txt.

Included at the site root; the names are namespaced ``discovery:`` (for example
``discovery:search``, ``discovery:section_feed_rss``).
"""

from django.contrib.sitemaps import views as sitemap_views
from django.urls import path

import core.converters  # noqa: F401  (registers <tagslug:>)
from core.keys import shows
from core.links import site_request

from . import feeds
from .search import SearchView
from .sitemaps import SITEMAPS, NewsSitemap, robots_txt, sitemap_file

app_name = "discovery"

urlpatterns = [
    path("search/", SearchView.as_view(), name="search"),
    # Feeds: the whole site, and each section, tag and reporter, in RSS 2.0 and Atom.
    path("feeds/rss/", feeds.StoriesFeed(), name="feed_rss"),
    path("feeds/atom/", feeds.StoriesAtomFeed(), name="feed_atom"),
    path("feeds/sections/<slug:slug>/rss/", feeds.SectionFeed(), name="section_feed_rss"),
    path("feeds/sections/<slug:slug>/atom/", feeds.SectionAtomFeed(), name="section_feed_atom"),
    path("feeds/tags/<tagslug:slug>/rss/", feeds.TagFeed(), name="tag_feed_rss"),
    path("feeds/tags/<tagslug:slug>/atom/", feeds.TagAtomFeed(), name="tag_feed_atom"),
    path("feeds/reporters/<slug:slug>/rss/", feeds.ReporterFeed(), name="reporter_feed_rss"),
    path("feeds/reporters/<slug:slug>/atom/", feeds.ReporterAtomFeed(), name="reporter_feed_atom"),
    # Sitemaps: an index, one file (or several, past 50,000 addresses) per kind of page, and the
    # Google News sitemap of the last two days.
    path(
        "sitemap.xml",
        shows("sitemaps")(site_request(sitemap_views.index)),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "discovery:sitemap_section"},
        name="sitemap",
    ),
    path("sitemap-<slug:section>.xml", sitemap_file, name="sitemap_section"),
    path(
        "news-sitemap.xml",
        shows("sitemaps")(site_request(sitemap_views.sitemap)),
        {"sitemaps": {"news": NewsSitemap}, "template_name": "sitemaps/news.xml"},
        name="news_sitemap",
    ),
    path("robots.txt", robots_txt, name="robots_txt"),
]
