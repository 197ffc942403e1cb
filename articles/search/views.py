"""The page: ``/search/?q=``."""

from django.core.paginator import Paginator
from django.views.generic import ListView

from core.pagination import ForgivingPaginationMixin
from core.text import one_line

from .highlight import excerpt, highlight
from .query import MAX_QUERY_LENGTH, clean_query, parse_query
from .ranking import ranked_ids, stories_in_order


class SearchView(ForgivingPaginationMixin, ListView):
    """``/search/?q=``: published stories matching the words, best first, twenty a page."""

    # Every query is a page of its own: served fresh, never kept in the page cache (any made-up
    # word would otherwise be one more entry).
    cache_query_parameters = ("q", "page")

    template_name = "articles/search.html"
    context_object_name = "articles"

    def get_queryset(self):
        self.query = clean_query(self.request.GET.get("q"))
        self.terms = parse_query(self.query)
        self.results = ranked_ids(self.terms)
        return self.results

    def paginate_queryset(self, queryset, page_size):
        # A page of ids (at most the window, so counted by len()), then that page's stories.
        paginator = Paginator(queryset, page_size, allow_empty_first_page=True)
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        page.object_list = stories_in_order(list(page.object_list))
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        results = list(context["object_list"])
        for article in results:
            article.marked_headline = highlight(article.headline, self.terms)
            article.marked_standfirst = highlight(article.standfirst, self.terms)
            # One line: the excerpt is cut at spaces.
            article.marked_excerpt = excerpt(one_line(article.body), self.terms)
        context.update(
            articles=results,
            object_list=results,
            query=self.query,
            terms=self.terms,
            max_query_length=MAX_QUERY_LENGTH,
            newest_only=self.results.more,
            max_candidates=f"{self.results.window:,}",
        )
        return context
