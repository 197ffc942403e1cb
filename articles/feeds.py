"""RSS 2.0 and Atom feeds of published stories: the whole site, and each section, tag and reporter.

Every item carries all of its bylines (``dc:creator`` in RSS, one ``<author>`` each in Atom), or
the agency's credit for agency copy with no staff byline, its section and tags as categories, the
standfirst as the summary, the whole body (cleaned by
``articles.html.sanitize_html``) as ``content:encoded`` / ``<content type="html">``, the
publication time, and the time of its last correction or update. In the body, pictures from the
library are plain ``<img>`` at absolute addresses with their caption and credit, and embedded
posts links to them (``articles.body.render``). The items come from
``Article.objects.published()``; the query count does not grow with the number of stories,
bylines, tags or pictures (the pictures of all the feed's stories are read in one query, none if
no story has one).
"""

import re
from urllib.parse import urljoin

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import escape
from django.utils.text import Truncator
from taggit.models import Tag

from core import keys as surrogate_keys
from core.keys import key, list_key
from core.links import SiteRequest
from core.text import one_line
from people.models import Reporter

from . import body, keys, live_views
from .html import sanitize_html
from .models import Article, Byline, Section

FEED_LENGTH = 30
DC_NS = "http://purl.org/dc/elements/1.1/"
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"

# Characters XML 1.0 does not allow: Django's XML writer refuses them with an exception, so one
# stray control character pasted into a headline would otherwise take the feed down.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_text(value) -> str:
    return _NOT_XML.sub("", str(value)) if value is not None else ""


class StoryRssFeed(Rss201rev2Feed):
    def rss_attributes(self):
        return {**super().rss_attributes(), "xmlns:dc": DC_NS, "xmlns:content": CONTENT_NS}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        # RSS's own <author> must be an e-mail address, and there is one per item at most.
        for author in item["authors"]:
            handler.addQuickElement("dc:creator", author["name"])
        handler.addQuickElement("content:encoded", item["content_html"])


class StoryAtomFeed(Atom1Feed):
    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for author in item["authors"]:
            handler.startElement("author", {})
            handler.addQuickElement("name", author["name"])
            if author["path"]:  # a live entry's author may have no page of their own
                handler.addQuickElement("uri", urljoin(self.feed["link"], author["path"]))
            if author["email"]:
                handler.addQuickElement("email", author["email"])
            handler.endElement("author")
        handler.addQuickElement("content", item["content_html"], {"type": "html"})


class StoriesFeed(Feed):
    """The latest published stories on the whole site, newest first."""

    feed_type = StoryRssFeed

    def __call__(self, request, *args, **kwargs):
        # Django's feed view makes its absolute links from the request's host: give it the site's.
        return super().__call__(SiteRequest(request), *args, **kwargs)

    @property
    def language(self):
        return settings.LANGUAGE_CODE

    def stories(self, obj):
        return Article.objects.published()

    def items(self, obj):
        stories = list(
            self.stories(obj)
            .select_related("section")
            .prefetch_related(
                Prefetch("bylines", queryset=Byline.objects.select_related("reporter")), "tags"
            )
            .order_by("-published_at", "-id")[:FEED_LENGTH]
        )
        # What the feed shows, for the page cache and the edge (core.keys).
        surrogate_keys.show(*(["stories:all"] if obj is None else [key(obj), list_key(obj)]))
        keys.show_cards(stories)
        surrogate_keys.show_objects(*(tag for story in stories for tag in story.tags.all()))
        # Each body cleaned once, and the pictures of them all read in one query. Kept on the
        # stories, not on the feed: one feed object answers every request, in every thread.
        bodies = [sanitize_html(story.body) for story in stories]
        images = body.images_for(*bodies)
        for story, cleaned in zip(stories, bodies, strict=True):
            story.feed_body = body.render(cleaned, images, absolute=True)
        return stories

    def title(self, obj):
        return xml_text(settings.SITE_NAME)

    def about(self, obj) -> str:
        """What the feed holds, as plain text (names in it are the editors' own words)."""
        return f"The latest stories from {settings.SITE_NAME}."

    def description(self, obj):
        # Feed readers show an RSS description as HTML: a name like "<script>" is escaped first,
        # as every item's summary is.
        return xml_text(escape(self.about(obj)))

    def link(self, obj):
        return reverse("fronts:home")

    # Atom needs an author for the feed when an entry has none (a story without a byline).
    def author_name(self, obj):
        return xml_text(settings.SITE_NAME)

    def item_title(self, item):
        return xml_text(item.headline)

    def item_link(self, item):
        return item.get_absolute_url()

    def item_description(self, item):
        # The summary is HTML in both formats, so the plain-text standfirst is escaped first.
        summary = item.standfirst or one_line(item.body.split("\n", 1)[0])
        return xml_text(escape(summary))

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return max(item.published_at, item.updated_at or item.published_at)

    def item_categories(self, item):
        names = [item.section.name, *(tag.name for tag in item.tags.all())]
        # A tag often repeats the section's name ("Greater Bay Area"); say it once.
        return [xml_text(name) for name in dict.fromkeys(names)]

    def item_content(self, item) -> str:
        """The body as the feed gives it, made in ``items`` for the whole feed at once."""
        if not hasattr(item, "feed_body"):  # an item that did not come from ``items``
            cleaned = sanitize_html(item.body)
            item.feed_body = body.render(cleaned, body.images_for(cleaned), absolute=True)
        return item.feed_body

    def item_authors(self, item) -> list[dict]:
        """Its staff reporters; for agency copy with none, the agency's credit as printed."""
        authors = [
            {
                "name": xml_text(byline.reporter.name),
                "path": byline.reporter.get_absolute_url(),
                "email": byline.reporter.email if byline.reporter.show_email else "",
            }
            for byline in item.bylines.all()
        ]
        if not authors and item.credit:
            authors = [{"name": xml_text(item.credit), "path": "", "email": ""}]
        return authors

    def item_extra_kwargs(self, item):
        return {
            "authors": self.item_authors(item),
            "content_html": xml_text(self.item_content(item)),
        }


class StoriesAtomFeed(StoriesFeed):
    feed_type = StoryAtomFeed

    def subtitle(self, obj):
        # An Atom subtitle is plain text by definition, so it is not escaped twice.
        return xml_text(self.about(obj))


class SectionFeed(StoriesFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Section, slug=slug)

    def stories(self, obj):
        return Article.objects.published().filter(section=obj)

    def title(self, obj):
        return xml_text(f"{obj.name} — {settings.SITE_NAME}")

    def about(self, obj):
        return f"The latest {obj.name} stories from {settings.SITE_NAME}."

    def link(self, obj):
        return obj.get_absolute_url()


class SectionAtomFeed(SectionFeed, StoriesAtomFeed):
    pass


class TagFeed(StoriesFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Tag, slug=slug)

    def stories(self, obj):
        return Article.objects.published().filter(tags=obj)

    def title(self, obj):
        return xml_text(f"{obj.name} — {settings.SITE_NAME}")

    def about(self, obj):
        return f"The latest stories about {obj.name} from {settings.SITE_NAME}."

    def link(self, obj):
        return reverse("articles:tag", kwargs={"slug": obj.slug})


class TagAtomFeed(TagFeed, StoriesAtomFeed):
    pass


class ReporterFeed(StoriesFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Reporter, slug=slug)

    def stories(self, obj):
        return Article.objects.published().filter(bylines__reporter=obj)

    def title(self, obj):
        return xml_text(f"{obj.name} — {settings.SITE_NAME}")

    def about(self, obj):
        return f"The latest stories by {obj.name} for {settings.SITE_NAME}."

    def link(self, obj):
        return obj.get_absolute_url()


class ReporterAtomFeed(ReporterFeed, StoriesAtomFeed):
    pass


class LiveEntriesFeed(StoriesFeed):
    """A live story's entries, newest first (pinned or not: a feed reader shows what is new):
    RSS at ``/stories/<slug>/live/rss/``, Atom at ``.../atom/``. Only a published live story
    has one; its items carry each entry's authors and whole body, pictures at absolute
    addresses, in a fixed number of queries however many entries (``live_views``)."""

    def get_object(self, request, slug):
        found = Article.objects.published().filter(is_live=True).select_related("section")
        return get_object_or_404(found, slug=slug)

    def items(self, obj):
        entries = live_views.entries_of(obj)
        entries.sort(key=lambda entry: (entry.posted_at, entry.pk), reverse=True)
        entries = entries[:FEED_LENGTH]
        # Every change to an entry or the coverage purges the story's key (core.keys).
        live_views.show_keys(obj, entries)
        bodies = live_views.cleaned_bodies(entries)
        live_views.render_bodies(entries, bodies, body.images_for(*bodies), absolute=True)
        for entry in entries:
            entry.feed_body = entry.shown_body
        return entries

    def title(self, obj):
        return xml_text(f"{obj.headline} — live — {settings.SITE_NAME}")

    def about(self, obj):
        return f"Every update of the live coverage of {obj.headline}, from {settings.SITE_NAME}."

    def link(self, obj):
        return obj.get_absolute_url()

    def item_title(self, item):
        return xml_text(live_views.headline(item))

    def item_description(self, item):
        return xml_text(escape(Truncator(one_line(item.body)).words(40)))

    def item_pubdate(self, item):
        return item.posted_at

    def item_updateddate(self, item):
        return max(t for t in (item.posted_at, item.corrected_at) if t)

    def item_categories(self, item):
        return ["Key event"] if item.key_event else []

    def item_extra_kwargs(self, item):
        return {
            "authors": [
                {
                    "name": xml_text(author.name),
                    "path": author.get_absolute_url() if author.has_page else "",
                    "email": author.email if author.show_email else "",
                }
                for author in item.authors.all()
            ],
            "content_html": xml_text(self.item_content(item)),
        }


class LiveEntriesAtomFeed(LiveEntriesFeed, StoriesAtomFeed):
    pass
