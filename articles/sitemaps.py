"""Sitemaps for search engines, the Google News sitemap, and robots.txt naming them.

``/sitemap.xml`` is an index of one sitemap per kind of page (stories, sections, tags, reporters,
people, organizations), each split into files of at most :data:`URLS_PER_FILE` addresses (stories:
:data:`STORIES_PER_FILE`, so that a file is quick to make; the sitemaps protocol's limit is 50,000),
each with ``lastmod``. The index's figures (how many files, the newest date of each) only change
when content does, so they are worked out once per change (``core.cache.cached``). Only
stories from ``Article.objects.published()`` are listed, and only the pages that list at least one
of them; a page's ``lastmod`` is the newest such story's publication time (a story's own is its
last correction or update, if later).

``/news-sitemap.xml`` is the Google News sitemap: the stories published in the last two days, at
most 1,000, newest first.
"""

import datetime as dt

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.db.models import Exists, Max, OuterRef, Subquery
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.http import http_date
from django.views.decorators.http import require_safe
from taggit.models import Tag

from core.cache import cache_query_parameters, cached
from core.keys import shows
from core.links import absolute_url, slug_urls
from core.pagination import CachedCountPaginator
from people.models import Organization, Person, Reporter

from .feeds import xml_text
from .models import Article, Section

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
URLS_PER_FILE = 50_000
# 1,000 story addresses a file (WordPress makes 2,000), so a file costs the same at any size of
# archive (bench/RESULTS.md), and 100,000 stories are 100 files.
STORIES_PER_FILE = 1_000
NEWS_WINDOW = dt.timedelta(days=2)
NEWS_LIMIT = 1_000


def w3c(value):
    """A lastmod to the second: W3C datetimes allow fractions, but crawlers need none."""
    return value.replace(microsecond=0) if value else value


def story_lastmod(story):
    """A story changes for readers when published, and again at each correction or update."""
    return w3c(max(story.published_at, story.updated_at or story.published_at))


class CachedSitemap(Sitemap):
    """A sitemap whose number of files and newest date are worked out once per content change."""

    @property
    def paginator(self):
        return CachedCountPaginator(
            self._items(), self.limit, count_key=f"sitemap:{type(self).__name__}"
        )

    def get_latest_lastmod(self):
        return cached(f"sitemap-lastmod:{type(self).__name__}", self.newest_lastmod)

    def newest_lastmod(self):
        raise NotImplementedError


class StorySitemap(CachedSitemap):
    limit = STORIES_PER_FILE

    def items(self):
        # Plain rows, not stories: a file is a thousand of them.
        return (
            Article.objects.published()
            .order_by("-published_at", "-id")
            .values_list("slug", "published_at", "updated_at", named=True)
        )

    def location(self, item):
        if not hasattr(self, "_story_url"):
            self._story_url = slug_urls("articles:article")
        return self._story_url(item.slug)

    def lastmod(self, item):
        return story_lastmod(item)

    def newest_lastmod(self):
        latest = Article.objects.published().aggregate(
            published=Max("published_at"), updated=Max("updated_at")
        )
        return w3c(max(filter(None, latest.values()), default=None))


class ListingSitemap(CachedSitemap):
    """Pages that list stories: those with at least one published story, dated by the newest."""

    limit = URLS_PER_FILE
    model = None
    # How a story points at one of these pages' objects.
    story_lookup = ""
    ordering = ("pk",)

    def items(self):
        stories = Article.objects.published().filter(**{self.story_lookup: OuterRef("pk")})
        newest = stories.order_by("-published_at").values("published_at")[:1]
        return (
            self.model._default_manager.filter(Exists(stories))
            .annotate(newest_story=Subquery(newest))
            .order_by(*self.ordering)
        )

    def lastmod(self, item):
        return w3c(item.newest_story)

    def newest_lastmod(self):
        # The newest of the pages' newest stories is simply the newest story that has such a page:
        # one query over stories instead of a subquery per person or tag.
        latest = (
            Article.objects.published()
            .filter(**{f"{self.story_lookup}__isnull": False})
            .aggregate(latest=Max("published_at"))["latest"]
        )
        return w3c(latest)


class SectionSitemap(ListingSitemap):
    model = Section
    story_lookup = "section"
    ordering = ("order", "name", "pk")


class TagSitemap(ListingSitemap):
    model = Tag
    story_lookup = "tags"
    ordering = ("name", "pk")

    def location(self, item):
        return reverse("articles:tag", kwargs={"slug": item.slug})


class ReporterSitemap(ListingSitemap):
    model = Reporter
    story_lookup = "bylines__reporter"
    ordering = ("name", "pk")


class PersonSitemap(ListingSitemap):
    model = Person
    story_lookup = "mentioned_people"
    ordering = ("sort_name", "name", "pk")


class OrganizationSitemap(ListingSitemap):
    model = Organization
    story_lookup = "mentioned_organizations"
    ordering = ("name", "pk")


SITEMAPS = {
    "stories": StorySitemap,
    "sections": SectionSitemap,
    "tags": TagSitemap,
    "reporters": ReporterSitemap,
    "people": PersonSitemap,
    "organizations": OrganizationSitemap,
}


def news_language(code: str) -> str:
    """Google News wants an ISO 639 code, except zh-cn and zh-tw for the two Chinese scripts."""
    code = code.lower().replace("_", "-")
    if code.startswith("zh"):
        return "zh-tw" if code in ("zh-tw", "zh-hk", "zh-hant", "zh-mo") else "zh-cn"
    return code.split("-")[0]


class NewsSitemap(Sitemap):
    """Rendered with templates/sitemaps/news.xml."""

    limit = NEWS_LIMIT

    def items(self):
        since = timezone.now() - NEWS_WINDOW
        return (
            Article.objects.published()
            .filter(published_at__gte=since)
            .only("slug", "headline", "published_at", "updated_at")
            .order_by("-published_at", "-id")[:NEWS_LIMIT]
        )

    def lastmod(self, item):
        return story_lastmod(item)

    def get_urls(self, page=1, site=None, protocol=None):
        urls = super().get_urls(page=page, site=site, protocol=protocol)
        name, language = xml_text(settings.SITE_NAME), news_language(settings.LANGUAGE_CODE)
        for url in urls:
            story = url["item"]
            url["news"] = {
                "name": name,
                "language": language,
                "publication_date": story.published_at.astimezone(dt.UTC)
                .replace(microsecond=0)
                .isoformat(),
                "title": xml_text(story.headline),
            }
        return urls


@cache_query_parameters("p")
@require_safe
@shows("sitemaps")
def sitemap_file(request, section):
    """One file of one kind's sitemap (``?p=`` for the next).

    A speed measure (bench/RESULTS.md; held by tests/articles/test_sitemaps.py): written directly,
    not through Django's sitemap view and template, which made a file of 1,000 stories about three
    times slower than this and over the public pages' target.
    """
    if section not in SITEMAPS:
        raise Http404(f"No sitemap of {section!r}.")
    sitemap = SITEMAPS[section]()
    try:
        page = sitemap.paginator.page(request.GET.get("p", 1))
    except (EmptyPage, PageNotAnInteger) as error:
        raise Http404(f"No page {request.GET.get('p')!r} of the {section} sitemap.") from error
    site = settings.SITE_URL
    lines = ['<?xml version="1.0" encoding="UTF-8"?>\n', f'<urlset xmlns="{SITEMAP_NS}">\n']
    newest, zone = None, timezone.get_current_timezone()
    for item in page.object_list:
        lastmod = sitemap.lastmod(item)
        line = f"<url><loc>{escape(site + sitemap.location(item))}</loc>"
        if lastmod:
            newest = max(newest, lastmod) if newest else lastmod
            line += f"<lastmod>{lastmod.astimezone(zone).isoformat()}</lastmod>"
        lines.append(line + "</url>\n")
    lines.append("</urlset>\n")
    response = HttpResponse("".join(lines), content_type="application/xml")
    response.canonical_query = f"p={page.number}" if page.number > 1 else ""
    if newest:
        response["Last-Modified"] = http_date(newest.timestamp())
    return response


@require_safe
def robots_txt(request):
    """Crawlers may read the public site; the sitemaps say where everything is."""
    lines = [
        "User-agent: *",
        f"Disallow: {reverse('admin:index')}",
        "Disallow: /preview/",
        f"Disallow: {reverse('discovery:search')}",
        "",
        f"Sitemap: {absolute_url(reverse('discovery:sitemap'))}",
        f"Sitemap: {absolute_url(reverse('discovery:news_sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
