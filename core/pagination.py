from django.core.paginator import Paginator
from django.utils.functional import cached_property
from django.views.generic.list import MultipleObjectMixin

from core.cache import cached


class CachedCountPaginator(Paginator):
    """A paginator whose total is counted once per content change, not on every request.

    Counting every published story, or every story with a tag, reads the whole index: tens of
    milliseconds at 100,000 stories. The total only changes when content does, so it is kept in
    the cache under the content generation (see ``core.cache.cached``). ``count_key``
    names the listing (its address and filters); without one, the count is made every time.
    """

    def __init__(self, *args, count_key: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.count_key = count_key

    @cached_property
    def count(self):
        if self.count_key is None:
            return super().count
        return cached(f"count:{self.count_key}", lambda: Paginator.count.func(self))


def listing_key(request, *ignored: str) -> str:
    """A listing's name for its cached count: the path and every query parameter but these."""
    query = request.GET.copy()
    for name in ignored:
        query.pop(name, None)
    return f"{request.path}?{query.urlencode()}"


class ForgivingPaginationMixin(MultipleObjectMixin):
    """A bad or too-large ``?page=`` shows the nearest real page instead of an error page.

    Readers follow old and hand-edited links; ``Paginator.get_page`` turns "abc" into the first
    page and "999" into the last, so no query string can produce a 500 or a dead end. The total is
    counted once per content change (:class:`CachedCountPaginator`).
    """

    paginate_by = 20
    paginator_class = CachedCountPaginator
    # The total, when the view has already counted it (cached_count).
    known_count = None

    def count_key(self) -> str:
        # What these pages list depends on their address alone (no filters in the query string),
        # so other parameters a reader adds make no new cache entries.
        return self.request.path

    def cached_count(self, queryset) -> int:
        """How many rows ``queryset`` has, cached as the paginator would cache it."""
        return cached(f"count:{self.count_key()}", queryset.count)

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(
            queryset, page_size, allow_empty_first_page=True, count_key=self.count_key()
        )
        if self.known_count is not None:
            paginator.count = self.known_count
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()
