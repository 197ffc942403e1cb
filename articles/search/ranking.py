"""Which published stories match the words, best first: the candidates window and the ranking."""

from django.db import connections
from django.db.models import Q
from django.db.models.expressions import RawSQL

from ..models import Article
from .backends import backend_for

# A word found in most stories ("council", "said") would have every one of them ranked, which
# is slow at 100,000 stories (bench/RESULTS.md, "search"). Only the newest this many matching
# published stories (by id: the order they were added) are ranked; the page says so when there
# were more. Tests patch it in this module, which reads it on every search.
MAX_CANDIDATES = 1_000


class Results(list):
    """Story ids, best first; ``more`` is True when more than ``window`` stories matched and
    only the newest ``window`` of them were ranked."""

    def __init__(self, ids=(), *, more: bool = False, window: int):
        super().__init__(ids)
        self.more = more
        self.window = window


def ranked_ids(terms: list[str], queryset=None) -> Results:
    """The ids of the published stories matching every term: best first, then newest first.

    ``queryset`` defaults to ``Article.objects.published()``, applied before the window is
    counted; pass a narrower one to search within it. No terms, no stories. Two queries: the
    candidates and their ranks from the index, then which of them readers may see (and when
    they were published, for ties).
    """
    queryset = Article.objects.published() if queryset is None else queryset
    if not terms:
        return Results(window=MAX_CANDIDATES)
    backend = backend_for(queryset.db)
    if backend is None:
        return _unindexed(terms, queryset)
    # Only the stories of ``queryset`` count towards the window: a correlated EXISTS checks each
    # match, newest first, by its key, so a thousand drafts using a word can neither push a
    # published story out of it nor make the page say that "more than" a thousand match.
    visible = queryset.order_by().filter(pk=RawSQL(backend.key, ())).values("pk")
    visible_sql, visible_params = visible.query.sql_with_params()
    sql, params = backend.candidates(
        terms, (f"EXISTS ({visible_sql})", list(visible_params)), MAX_CANDIDATES + 1
    )
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        candidates = dict(cursor.fetchall())
    more = len(candidates) > MAX_CANDIDATES
    if more:
        candidates.pop(min(candidates))
    if not candidates:
        return Results(more=more, window=MAX_CANDIDATES)
    # Which of them readers may see, newest first; then best first (the sort is stable, so
    # stories that rank the same stay newest first). The candidates are named by the same
    # subquery, not by a list of 1,000 ids: SQLite then looks each one up by its key rather than
    # walking every published story.
    newest = queryset.filter(
        pk__in=RawSQL(f"SELECT story_id FROM ({sql}) AS candidates", params)
    ).order_by("-published_at", "-id")
    ids = [pk for pk in newest.values_list("pk", flat=True) if pk in candidates]
    return Results(sorted(ids, key=lambda pk: -candidates[pk]), more=more, window=MAX_CANDIDATES)


def _unindexed(terms: list[str], queryset) -> Results:
    """Any database without an index: every word in the headline, standfirst or body; newest
    first."""
    for term in terms:
        queryset = queryset.filter(
            Q(headline__icontains=term) | Q(standfirst__icontains=term) | Q(body__icontains=term)
        )
    newest = queryset.order_by("-published_at", "-id").values_list("pk", flat=True)
    ids = list(newest[: MAX_CANDIDATES + 1])
    return Results(ids[:MAX_CANDIDATES], more=len(ids) > MAX_CANDIDATES, window=MAX_CANDIDATES)


def stories_in_order(ids: list[int]) -> list[Article]:
    """The stories with these ids, in this order, ready for a list of results."""
    stories = Article.objects.for_listing().in_bulk(ids)
    return [stories[pk] for pk in ids if pk in stories]
