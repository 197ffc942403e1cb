from django.urls import path, re_path

import core.converters  # noqa: F401  (registers <tagslug:>)

from . import feeds, live_views, preview, views

app_name = "articles"

# Four-digit years and two-digit months and days: /archive/2026/11/24/.
YEAR, MONTH, DAY = r"(?P<year>[12][0-9]{3})", r"(?P<month>[0-9]{2})", r"(?P<day>[0-9]{2})"

urlpatterns = [
    path("stories/<slug:slug>/", views.ArticleDetailView.as_view(), name="article"),
    # A live story's latest entries, for its page to poll (live.js), and its entries' feeds.
    path("stories/<slug:slug>/live.json", live_views.poll, name="live_poll"),
    path("stories/<slug:slug>/live/rss/", feeds.LiveEntriesFeed(), name="live_feed_rss"),
    path("stories/<slug:slug>/live/atom/", feeds.LiveEntriesAtomFeed(), name="live_feed_atom"),
    re_path(
        r"^stories/(?P<slug>[-a-zA-Z0-9_]+)/card-(?P<ratio>16x9|4x3|1x1)-(?P<version>[0-9a-f]{12})\.png$",
        views.share_card,
        name="share_card",
    ),
    path("tags/<tagslug:slug>/", views.TagView.as_view(), name="tag"),
    path("archive/", views.ArchiveIndexView.as_view(), name="archive"),
    re_path(rf"^archive/{YEAR}/$", views.ArchiveYearView.as_view(), name="archive_year"),
    re_path(rf"^archive/{YEAR}/{MONTH}/$", views.ArchiveMonthView.as_view(), name="archive_month"),
    re_path(
        rf"^archive/{YEAR}/{MONTH}/{DAY}/$", views.ArchiveDayView.as_view(), name="archive_day"
    ),
    path("preview/stories/<int:pk>/", preview.StaffPreviewView.as_view(), name="preview"),
    path("preview/<str:token>/", preview.SignedPreviewView.as_view(), name="preview_signed"),
]
