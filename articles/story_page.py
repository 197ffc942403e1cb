"""A story page's parts: made once, then kept until something they show changes.

A story page is the site's frame (masthead, sections, footer) around the story's parts: the
head's description and sharing tags, the JSON-LD, and the story itself (headline, bylines,
picture, body, a live story's entries, corrections, topics, mentions, then related stories and
more from its section).
The parts are most of what a page costs: five queries for what the story links to, three for the
two lists under it (``articles.related``), its body cleaned, the JSON-LD built and a dozen templates
rendered. So they are kept in the cache beside the surrogate keys they showed (``core.keys``) and
each key's version, and used only while none of those keys has been purged since: a correction, a
new byline, a reporter's or a tag's new name purges a key the parts carry, and the next page made
shows it. The page cache and the edge are purged by the same keys, so a page made afresh because
its story changed makes its parts afresh too; parts saved are those of pages made again for
another reason (the sections changed, the page fell out of the cache, a second edge node asks).

The cache entry's name also carries the story's last save and a digest of the code, templates and
settings that shape the parts, so a deploy that changes any of them never serves parts made by
the old one. Previews never use or fill it.
"""

import contextlib
import functools
import hashlib
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db.models import Prefetch, prefetch_related_objects
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe

from core import keys as surrogate_keys
from core import structured_data as core_structured_data
from core.cache import cache_errors
from core.links import absolute_url
from core.templatetags.pages import json_ld

from . import body, keys, live_views, related, structured_data
from .html import sanitize_html
from .models import Byline

PARTS_KEY = "newsroom:story-parts:{release}:{pk}:{saved}"
# What the parts are made from besides the story's rows; a change to any of these starts afresh.
SHAPING_FOLDERS = ("core", "photos", "people", "articles", "templates")
SHAPING_SETTINGS = (
    "SITE_URL",
    "SITE_NAME",
    "LANGUAGE_CODE",
    "TIME_ZONE",
    "MEDIA_URL",
    "LIVE_POLL_SECONDS",
)


def prefetches() -> tuple:
    """What a story's parts show besides its row, its section and its picture."""
    return (
        Prefetch("bylines", queryset=Byline.objects.select_related("reporter")),
        "tags",
        "mentioned_people",
        "mentioned_organizations",
        "corrections",
    )


def lifetime() -> int:
    """How long parts are kept at most (0: made for every page). They never go stale: this only
    bounds how long the parts of a story nobody reads take up room."""
    return settings.STORY_PARTS_CACHE_SECONDS


def story_parts(article, *, is_preview: bool = False) -> dict:
    """``{"meta", "structured_data", "story"}`` (HTML), ``"correction_times"`` for the page's
    Last-Modified (its corrections' times, and a live story's entries'), ``"frame_sources"`` for
    its Content Security Policy, and for a live story ``"live_feeds"`` (the entries' feeds) and
    ``"live_script"`` (whether the page polls for new entries); ``article`` needs its section and
    lead image (``select_related``)."""
    seconds = lifetime()
    if is_preview or not seconds:
        return _make(article, is_preview=is_preview)
    name = PARTS_KEY.format(
        release=_release(), pk=article.pk, saved=article.modified_at.timestamp()
    )
    try:
        kept = cache.get(name)
        if kept is not None and surrogate_keys.unchanged(kept["versions"]):
            surrogate_keys.show(*kept["versions"])
            return kept["parts"]
        # Read before the rows (the page's, when it was begun: the story, its section and
        # picture are read before this): a purge committed after it may be of rows read before.
        started = surrogate_keys.started() or surrogate_keys.sequence()
    except cache_errors():
        return _make(article, is_preview=False)  # the cache server is down: made afresh
    with surrogate_keys.collecting(started) as shown:
        parts = _make(article, is_preview=False)
    surrogate_keys.show(*shown)
    with contextlib.suppress(*cache_errors()):
        versions = surrogate_keys.fresh(shown, started)
        if versions is not None:
            cache.set(name, {"versions": versions, "parts": parts}, timeout=seconds)
    return parts


def _make(article, *, is_preview: bool) -> dict:
    prefetch_related_objects([article], *prefetches())
    keys.show_story(article)
    # Under the story: what shares its people, organizations or tags, then more from its section.
    related_stories, section_stories = related.story_lists(article)
    related.show_keys(article, related_stories, section_stories)
    crumbs = [
        ("Home", reverse("fronts:home")),
        (article.section.name, article.section.get_absolute_url()),
        (article.headline, article.get_absolute_url()),
    ]
    # Cleaned again on the way out (fixtures, bulk updates and raw SQL write without Article.save),
    # then its pictures and embeds made into what readers see: one query for all the pictures,
    # a live story's entries' with the story's. A live story's entries and their authors are two
    # queries more, however many there are (articles.live_views).
    cleaned = sanitize_html(article.body)
    entries = live_views.entries_of(article) if article.is_live else []
    entry_bodies = live_views.cleaned_bodies(entries)
    images = body.images_for(cleaned, *entry_bodies)
    live = None
    if article.is_live:
        live_views.render_bodies(entries, entry_bodies, images)
        live_views.show_keys(article, entries)
        live = live_views.live_context(article, entries, is_preview=is_preview)
    context = {
        "article": article,
        "body": body.render(cleaned, images),
        "is_preview": is_preview,
        "site_name": settings.SITE_NAME,
        "canonical_url": absolute_url(article.get_absolute_url()),
        "description": structured_data.description(article),
        "sharing": structured_data.sharing(article),
        "breadcrumbs": crumbs,
        "related_stories": related_stories,
        "section_stories": section_stories,
        "live": live,
    }
    # A live story is a LiveBlogPosting: a NewsArticle's every property, and its entries.
    story_data = (
        structured_data.live_blog_posting(article, entries, images=images)
        if article.is_live
        else structured_data.news_article(article, images=images)
    )
    data = (story_data, core_structured_data.breadcrumb_list(crumbs))
    return {
        "meta": render_to_string("articles/story/meta.html", context),
        "structured_data": mark_safe("" if is_preview else "".join(map(json_ld, data))),
        "story": render_to_string("articles/story/story.html", context),
        "correction_times": [
            *(correction.created_at for correction in article.corrections.all()),
            *(entry.modified_at for entry in entries),
            article.live_closed_at,
        ],
        # The services whose frames the page may load, once the reader asks (articles.embeds).
        "frame_sources": body.frame_sources("".join([cleaned, *entry_bodies])),
        "live_feeds": live_views.feed_urls(article) if live and not is_preview else None,
        "live_script": bool(live and live["poll_url"]),
    }


@functools.cache
def _release() -> str:
    digest = hashlib.sha256()
    base = Path(settings.BASE_DIR)
    for folder in SHAPING_FOLDERS:
        for path in sorted((base / folder).rglob("*")):
            if path.suffix in (".py", ".html") and path.is_file():
                digest.update(str(path.relative_to(base)).encode())
                digest.update(path.read_bytes())
    names = sorted(n for n in dir(settings) if n in SHAPING_SETTINGS or n.startswith("PHOTO_"))
    digest.update(repr([(name, getattr(settings, name)) for name in names]).encode())
    return digest.hexdigest()[:16]
