"""Live coverage for readers: what a live story (``Article.is_live``) shows under its summary, and
the small endpoint its page polls for new entries.

The story page (``articles.story_page``) shows the coverage's status (live, with the time of the
last update, or ended), its key events as links, then every entry, pinned ones first, newest
first; it is complete without JavaScript. ``static/newsroom/live.js`` then asks :func:`poll`
every ``LIVE_POLL_SECONDS`` for the status and the latest entries, made from the same templates,
and puts new ones on the page.

The poll's answer is the same for every reader (no query parameter changes it), so the page
cache and the edge keep it like a page, under the story's surrogate key: an entry saved,
corrected or deleted, or the coverage closed or reopened, purges that key, and with it the story's
page, this answer and the lists showing the story (``articles.keys``). Its ``ETag`` is a digest of
the answer, so a poll when nothing is new is answered ``304 Not Modified`` with no body, by the
app's page cache or by the edge.
"""

from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.text import Truncator
from django.views.decorators.http import require_safe

from core import keys as surrogate_keys
from core.http import conditional_response, newest
from core.structured_data import iso
from core.text import one_line
from people.models import Reporter

from . import body
from .html import sanitize_html
from .models import Article, LiveEntry

# How many entries a poll answers with: the newest (after the pinned ones). A reader whose page
# missed more than this (a laptop asleep for hours) still has the page itself to reload.
POLL_LENGTH = 20
# A browser may reuse an answer this long; it asks again with If-None-Match after that (live.js
# always does), and the edge keeps it until it is purged (Surrogate-Control, core.cache).
POLL_CACHE_CONTROL = "public, max-age=5"
# A key event's link, for an entry without a title: its opening words.
HEADLINE_WORDS = 12


def entries_queryset():
    """Entries with their authors, in the readers' order (pinned first, then newest first): two
    queries however many entries and authors. An author is linked to their page only if they
    have one (``has_page``: a published story carries their byline), as everywhere else."""
    has_page = Exists(Article.objects.published().filter(bylines__reporter=OuterRef("pk")))
    authors = Reporter.objects.annotate(has_page=has_page).order_by("name", "pk")
    return LiveEntry.objects.prefetch_related(Prefetch("authors", queryset=authors))


def entries_of(article, *, limit: int | None = None) -> list:
    """``article``'s entries (``entries_queryset``), each knowing its story without a query."""
    entries = entries_queryset().filter(article=article)
    entries = list(entries[:limit] if limit else entries)
    for entry in entries:
        entry.article = article
    return entries


def headline(entry) -> str:
    """An entry's title, or for one without, its opening words."""
    return entry.title or Truncator(one_line(entry.body)).words(HEADLINE_WORDS)


def cleaned_bodies(entries) -> list[str]:
    """Each entry's body cleaned again on the way out, as a story's is (rows written around
    ``save()``, by fixtures or bulk updates, must not reach a reader uncleaned)."""
    return [sanitize_html(entry.body) for entry in entries]


def render_bodies(entries, bodies, images, *, absolute: bool = False) -> None:
    """Give each entry ``shown_body``: its body with its figures made into what readers see
    (``articles.body.render``; ``images`` from one ``images_for`` over every body shown)."""
    for entry, cleaned in zip(entries, bodies, strict=True):
        entry.shown_body = body.render(cleaned, images, absolute=absolute)


def show_keys(article, entries) -> None:
    """What the live part of a page or a poll shows (``core.keys``): the story's key, which every
    change to an entry or to the coverage purges, and the entries' authors (a new name). The
    entries' pictures are shown by ``body.render``."""
    surrogate_keys.show(surrogate_keys.key(article))
    surrogate_keys.show_objects(*{a.pk: a for e in entries for a in e.authors.all()}.values())


def last_update(article, entries):
    """The time readers see as the last update: the newest entry or correction, or the end of the
    coverage; the story's publication before any entry."""
    times = [e.posted_at for e in entries] + [e.corrected_at for e in entries]
    return newest([*times, article.live_closed_at]) or article.published_at


def poll_url(article) -> str:
    return reverse("articles:live_poll", kwargs={"slug": article.slug})


def feed_urls(article) -> dict[str, str]:
    slug = {"slug": article.slug}
    return {
        "rss": reverse("articles:live_feed_rss", kwargs=slug),
        "atom": reverse("articles:live_feed_atom", kwargs=slug),
    }


def live_context(article, entries, *, key_events=None, is_preview: bool = False) -> dict:
    """What ``templates/articles/story/live*.html`` show; ``entries`` with ``shown_body``.
    ``key_events``: those to list, if not all of them are among ``entries`` (a poll's)."""
    if key_events is None:
        key_events = [entry for entry in entries if entry.key_event]
    # Listed in the order things happened, as a reader arriving late catches up.
    key_events = sorted(key_events, key=lambda entry: (entry.posted_at, entry.pk))
    closed = article.live_closed_at is not None
    return {
        "article": article,
        "entries": entries,
        "key_events": [(entry, headline(entry)) for entry in key_events],
        "updated": last_update(article, entries),
        "closed": closed,
        # A closed coverage, and a preview (not a page readers can poll), never ask for more.
        "poll_url": "" if closed or is_preview else poll_url(article),
        "poll_seconds": settings.LIVE_POLL_SECONDS,
    }


@require_safe
def poll(request, slug):
    """``{"closed", "closed_at", "updated", "header_html", "entries": [...]}`` for a published live
    story's page: its status and key events as the page shows them, and the latest
    ``POLL_LENGTH`` entries in the page's order, each with its HTML. 404 for any other story."""
    article = get_object_or_404(Article.objects.published().filter(is_live=True), slug=slug)
    entries = entries_of(article, limit=POLL_LENGTH)
    shown_ids = {entry.pk for entry in entries}
    # The key events not among the latest entries: one short query, for the list at the top.
    older_key_events = list(
        article.entries.filter(key_event=True)
        .exclude(pk__in=shown_ids)
        .only("pk", "article_id", "posted_at", "title", "body", "key_event")
    )
    bodies = cleaned_bodies(entries)
    render_bodies(entries, bodies, body.images_for(*bodies))
    show_keys(article, entries)
    context = live_context(
        article,
        entries,
        key_events=[entry for entry in entries if entry.key_event] + older_key_events,
    )
    data = {
        "closed": context["closed"],
        "closed_at": iso(article.live_closed_at),
        "updated": iso(context["updated"]),
        "header_html": render_to_string("articles/story/live_header.html", context),
        "entries": [
            {
                "id": entry.pk,
                "html": render_to_string("articles/story/live_entry.html", {"entry": entry}),
                "key_event": entry.key_event,
                "pinned": entry.pinned,
                "posted_at": iso(entry.posted_at),
                "modified_at": iso(entry.modified_at),
            }
            for entry in entries
        ],
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    # An ETag from the answer itself (core.http): anything a reader would see changed, it changed.
    return conditional_response(
        request, response, last_modified=None, cache_control=POLL_CACHE_CONTROL
    )
