"""The public story pages: story, tag and the date archive (the home and section pages are
``fronts``).

Every page lists only ``Article.objects.published()``, costs a fixed number of queries however
many stories, bylines and mentions it shows, answers conditional GETs (``core.http``) and,
where an object is found by slug, redirects the slugs it used to have (``core.slugs``). A story
killed for legal reasons (``articles.kill``) answers 410 Gone at every address it had.
"""

from itertools import groupby

from django.db.models import Count, Exists, Max, OuterRef
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.views.generic import DetailView, ListView
from django.views.generic.dates import DayArchiveView, MonthArchiveView, YearArchiveView
from taggit.models import Tag

from core import keys as surrogate_keys
from core.http import STORY_TIMES, ConditionalGetMixin, last_modified_of
from core.links import absolute_url
from core.pagination import ForgivingPaginationMixin
from core.slugs import SlugSubjectMixin, old_slug_redirect

from . import keys, share_cards, story_page
from .kill import killed_story_at
from .models import Article, Section


def story_gone(request):
    """410 Gone, for the address (current or old) of a story killed for legal reasons
    (``articles.kill``): a short notice and nothing of the story, not even its headline. Kept by
    no cache, like a 404, and not indexed."""
    response = render(request, "410.html", status=410)
    response["X-Robots-Tag"] = "noindex"
    return response


def canonical_url(request, page_obj=None) -> str:
    """This page's one address: no query string but the page number, and none for page 1."""
    url = absolute_url(request.path)
    if page_obj is not None and page_obj.number > 1:
        url = f"{url}?page={page_obj.number}"
    return url


class ListingMixin(ConditionalGetMixin, ForgivingPaginationMixin):
    """A paginated list of stories: validators from the stories shown, and its canonical address.

    Only ``?page=`` changes what it shows, and the page cache keeps a page only when it was asked
    for by its own number (``?page=2``; page 1 without one).
    """

    cache_query_parameters = ("page",)

    def list_keys(self) -> tuple[str, ...]:
        """The surrogate keys of the list shown (``core.keys``); its stories add their own."""
        return ("stories:all",)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["canonical_url"] = canonical_url(self.request, context.get("page_obj"))
        surrogate_keys.show(*self.list_keys())
        keys.show_cards(context["object_list"])
        return context

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        page = context.get("page_obj")
        response.canonical_query = f"page={page.number}" if page and page.number > 1 else ""
        return response


class LinkedStoriesMixin(SlugSubjectMixin, ListingMixin):
    """A page about one subject found by its slug (``SlugSubjectMixin``), listing the published
    stories linked to ``self.subject`` through ``story_link`` (a lookup from a
    story: "tags", "bylines__reporter", "mentioned_people"...), newest first
    (``ArticleQuerySet.linked_to``).
    """

    story_link = ""

    def list_keys(self):
        return (surrogate_keys.key(self.subject), surrogate_keys.list_key(self.subject))

    def get_subject_queryset(self):
        # A tag, reporter, person or organization has a page once a published story carries it:
        # before that its page (or an old address's redirect) would confirm the name to anyone
        # who guessed the address.
        return super().get_subject_queryset().filter(in_published(self.story_link))

    def get_queryset(self):
        stories = Article.objects.published()
        self.known_count = self.cached_count(stories.filter(**{self.story_link: self.subject}))
        return stories.linked_to(
            self.story_link, self.subject, count=self.known_count
        ).for_listing()


def in_published(lookup: str, ref: str = "pk") -> Exists:
    """For annotating people and organizations shown beside a page's subject: whether a
    published story mentions them (``lookup``, e.g. "mentioned_people"), so that a page links
    only to pages that exist for readers."""
    return Exists(Article.objects.published().filter(**{lookup: OuterRef(ref)}))


def story_page_queryset(queryset):
    """``queryset`` with everything the story page shows, in a fixed number of queries.

    Shared by the public story page and the previews so that both render exactly the same thing.
    """
    return queryset.select_related("section", "lead_image").prefetch_related(
        *story_page.prefetches()
    )


class ArticleDetailView(ConditionalGetMixin, DetailView):
    """A story. Also the base of the previews, which turn off caching and old-slug redirects."""

    template_name = "articles/article_detail.html"
    context_object_name = "article"

    @property
    def is_preview(self) -> bool:
        # The previews (articles.preview.PreviewMixin) say so in their extra_context.
        return bool((self.extra_context or {}).get("is_preview"))

    def allows_conditional_get(self) -> bool:
        # A preview shows work in progress: never kept, never answered with 304.
        return not self.is_preview

    def get_queryset(self):
        # Drafts, stories in review, withdrawn and scheduled stories are simply not found. What
        # the story links to is fetched only if its parts must be made (articles.story_page).
        return Article.objects.published().select_related("section", "lead_image")

    def get(self, request, *args, **kwargs):
        try:
            self.object = self.get_object()
        except Http404:
            if self.is_preview or "slug" not in kwargs:
                raise
            # The story's headline, and with it its slug, may have changed since the link was made.
            redirect = old_slug_redirect(request, Article.objects.published(), kwargs["slug"])
            if redirect is not None:
                return redirect
            if killed_story_at(kwargs["slug"]) is not None:
                return story_gone(request)
            raise
        context = self.get_context_data(object=self.object)
        return self.render_to_response(context)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["parts"] = story_page.story_parts(self.object, is_preview=self.is_preview)
        return context

    def get_last_modified(self, context):
        return last_modified_of([self.object], extra=context["parts"]["correction_times"])

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        if sources := context["parts"].get("frame_sources"):
            # Frames from the services the story embeds, and only on this page (django-csp).
            response._csp_update = {"frame-src": sources}
        return response


def share_card(request, slug, ratio, version):
    """A published story's share card (``articles.share_cards``), made on demand and kept by the
    page cache under the story's and its section's keys. An address whose digest is not the
    story's current one (an older headline) is sent on to the current card; drafts are not found.
    A current address always shows the same picture, so it is kept for a year (``immutable``).
    A killed story's cards are gone (410), like its page.
    """
    article = Article.objects.published().select_related("section").filter(slug=slug).first()
    if article is None:
        if killed_story_at(slug) is not None:
            return story_gone(request)
        raise Http404("No story at this address.")
    ratio = share_cards.ratio_of_slug(ratio)
    if ratio is None:
        raise Http404
    surrogate_keys.show(
        surrogate_keys.key(article), surrogate_keys.key(Section, article.section_id)
    )
    current = share_cards.card_path(article, ratio)
    if version != share_cards.version(article):
        return redirect(current)
    return share_cards.card_response(
        request, article, ratio, last_modified=last_modified_of([article])
    )


class TagView(LinkedStoriesMixin, ListView):
    template_name = "articles/tag_detail.html"
    context_object_name = "articles"
    subject_queryset = Tag.objects.all()

    story_link = "tags"

    def get_context_data(self, **kwargs):
        return super().get_context_data(tag=self.subject, **kwargs)


class ArchiveIndexView(ConditionalGetMixin, ListView):
    """/archive/: every month with published stories, newest first, with how many.

    One grouped query, in the newsroom's time zone, however many years the archive spans.
    """

    template_name = "articles/archive_index.html"
    context_object_name = "months"

    def get_queryset(self):
        return (
            Article.objects.published()
            .annotate(month=TruncMonth("published_at"))
            .values("month")
            .annotate(
                stories=Count("id"),
                # When each month's line last changed: its stories' newest save, publication, update.
                **{f"newest_{name}": Max(name) for name in STORY_TIMES},
            )
            .order_by("-month")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["canonical_url"] = canonical_url(self.request)
        surrogate_keys.show("stories:all")
        context["years"] = [
            (year, list(months))
            for year, months in groupby(context["months"], key=lambda row: row["month"].year)
        ]
        return context

    def get_last_modified(self, context):
        times = [row[f"newest_{name}"] for row in context["months"] for name in STORY_TIMES]
        return last_modified_of([], extra=times)


PERIOD_FORMATS = {"year": "Y", "month": "F Y", "day": "j F Y"}


class DateArchiveMixin(ListingMixin):
    """The stories of one year, month or day, in the newsroom's time zone, newest first.

    Django's date views do the date arithmetic (an impossible date is a 404, and so is a period
    with no stories); ``period`` names the one this view shows.
    """

    date_field = "published_at"
    month_format = "%m"
    make_object_list = True
    context_object_name = "articles"
    period = "year"

    def get_queryset(self):
        # Also used for the date list and the previous/next links, which need no bylines.
        return Article.objects.published()

    def paginate_queryset(self, queryset, page_size):
        return super().paginate_queryset(queryset.for_listing(), page_size)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        start = context[self.period]
        year, month, day = f"{start:%Y}", f"{start:%m}", f"{start:%d}"
        crumbs = [
            ("Archive", reverse("articles:archive")),
            (year, reverse("articles:archive_year", args=[year])),
        ]
        if self.period in ("month", "day"):
            crumbs.append(
                (date_format(start, "F"), reverse("articles:archive_month", args=[year, month]))
            )
        if self.period == "day":
            crumbs.append(
                (str(start.day), reverse("articles:archive_day", args=[year, month, day]))
            )
        context["breadcrumbs"] = crumbs
        context["period_name"] = date_format(start, PERIOD_FORMATS[self.period])
        return context


class ArchiveYearView(DateArchiveMixin, YearArchiveView):
    template_name = "articles/archive_year.html"
    period = "year"


class ArchiveMonthView(DateArchiveMixin, MonthArchiveView):
    template_name = "articles/archive_month.html"
    period = "month"


class ArchiveDayView(DateArchiveMixin, DayArchiveView):
    template_name = "articles/archive_day.html"
    period = "day"
