from django.views.generic.list import MultipleObjectMixin


class ForgivingPaginationMixin(MultipleObjectMixin):
    """A bad or too-large ``?page=`` shows the nearest real page instead of an error page.

    Readers follow old and hand-edited links; ``Paginator.get_page`` turns "abc" into the first
    page and "999" into the last, so no query string can produce a 500 or a dead end.
    """

    paginate_by = 20

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(queryset, page_size, allow_empty_first_page=True)
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()
