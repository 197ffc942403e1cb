"""Search over stories: ``/search/?q=`` ranked by relevance, then recency, with the words marked.

One index table, ``articles_search`` (made by the migration ``0004_search``, not a model), holds
the searchable text of every story, whatever its status. Whether a reader may see a story is
decided when searching, by ``Article.objects.published()``, so a scheduled story is found from
its publication time and a withdrawn one disappears at once.

How the parts fit:

- :mod:`.query` turns what the reader typed into terms (words, and CJK runs as phrases);
- :mod:`.ranking` finds the newest :data:`~.ranking.MAX_CANDIDATES` published stories matching
  every term and orders them best first, through
- :mod:`.backends`, the index table in SQLite's (FTS5, ``bm25()``) or PostgreSQL's (tsvector,
  ``ts_rank``) dialect; any other database gets a plain ``icontains`` match instead;
- :mod:`.highlight` marks the terms in headlines, standfirsts and excerpts;
- :mod:`.views` is the page;
- :mod:`.index` keeps the table in step: its receivers, connected when this package is imported
  (``ArticlesConfig.ready``), rewrite a story's row when the story, its tags or mentions, or the
  names of what it mentions change.
"""

from .highlight import excerpt, highlight
from .index import reindex, unindex
from .query import MAX_QUERY_LENGTH, clean_query, parse_query
from .ranking import Results, ranked_ids, stories_in_order
from .views import SearchView

__all__ = [
    "MAX_QUERY_LENGTH",
    "Results",
    "SearchView",
    "clean_query",
    "excerpt",
    "highlight",
    "parse_query",
    "ranked_ids",
    "reindex",
    "stories_in_order",
    "unindex",
]
