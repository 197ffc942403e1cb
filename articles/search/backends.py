"""The index table in each database's dialect: FTS5 on SQLite, tsvector + GIN on PostgreSQL.

Both back ends answer the same three calls: :meth:`Backend.candidates` (the SQL that finds and
ranks stories), :meth:`Backend.write` and :meth:`Backend.delete` (keeping rows in step). Any other
database has no back end (:func:`backend_for` returns None) and no index table.
"""

from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVectorExact,
    SearchVectorField,
)
from django.db import connections
from django.db.models.expressions import RawSQL
from django.db.models.sql import Query

from ..models import Article
from .query import is_cjk, spread_cjk

TABLE = "articles_search"
# The text of a story, as :func:`articles.search.index.documents` gives it, column by column.
COLUMNS = ("headline", "standfirst", "body", "topics", "names")


class Backend:
    """One database's way with the index table; ``key`` is its column holding the story's id."""

    key = ""

    def candidates(self, terms: list[str], visible: tuple[str, list], window: int):
        """SQL and params for at most ``window`` stories matching every term, newest (highest
        id) first, as (story_id, search_rank), higher ranks better. ``visible`` is SQL for the
        condition a story must meet, given its id as ``key``."""
        raise NotImplementedError

    def write(self, cursor, ids: list[int], docs: dict[int, dict[str, str]]) -> None:
        """Make the rows of ``ids`` hold ``docs``; an id with no document loses its row."""
        raise NotImplementedError

    def delete(self, cursor, ids: list[int]) -> None:
        cursor.executemany(f"DELETE FROM {TABLE} WHERE {self.key} = %s", [(pk,) for pk in ids])


class SQLiteBackend(Backend):
    """``articles_search(headline, standfirst, body, topics, names)``, an FTS5 table whose rowid
    is the story's id, tokenized ``porter unicode61 remove_diacritics 2``: English stemming, case
    and accent folding. Ranked by ``bm25()`` with :data:`WEIGHTS`."""

    key = f"{TABLE}.rowid"
    # bm25() weights, in the order of COLUMNS: headline, standfirst, body, tags, names.
    WEIGHTS = (10.0, 5.0, 1.0, 4.0, 4.0)

    def candidates(self, terms, visible, window):
        visible_sql, visible_params = visible
        weights = ", ".join(str(w) for w in self.WEIGHTS)
        # bm25() is lower for better matches. MATCH is FTS5's own syntax: no ORM for it.
        return (
            f"SELECT rowid AS story_id, -bm25({TABLE}, {weights}) AS search_rank FROM {TABLE} "
            f"WHERE {TABLE} MATCH %s AND {visible_sql} ORDER BY rowid DESC LIMIT {window}",
            [self.match(terms), *visible_params],
        )

    @staticmethod
    def match(terms: list[str]) -> str:
        # Every term is a quoted FTS5 string, so none of it is read as an operator; a CJK run,
        # spread into single characters, is a phrase. Terms hold only letters and digits, never
        # a quote.
        return " AND ".join('"{}"'.format(spread_cjk(t).strip().replace('"', '""')) for t in terms)

    def write(self, cursor, ids, docs):
        # FTS5 has no upsert: replace the rows.
        self.delete(cursor, ids)
        cursor.executemany(
            f"INSERT INTO {TABLE} (rowid, {', '.join(COLUMNS)}) "
            f"VALUES (%s, {', '.join(['%s'] * len(COLUMNS))})",
            [(pk, *(doc[c] for c in COLUMNS)) for pk, doc in docs.items()],
        )


class PostgreSQLBackend(Backend):
    """``articles_search(article_id bigint primary key, document tsvector)`` with a GIN index.
    The document is weighted A (headline), B (standfirst), C (tags and names) and D (body);
    English stop words ("the", "and") are not indexed, so a query of only those finds nothing."""

    key = f"{TABLE}.article_id"
    CONFIG = "english"

    def __init__(self, alias: str):
        self.alias = alias

    def tsquery(self, terms: list[str]) -> SearchQuery:
        """All the words (stemmed, stop words dropped) and each CJK run as a phrase."""
        words = " ".join(t for t in terms if not is_cjk(t))
        queries = [SearchQuery(words, config=self.CONFIG)] if words else []
        queries += [
            SearchQuery(spread_cjk(t).strip(), config=self.CONFIG, search_type="phrase")
            for t in terms
            if is_cjk(t)
        ]
        combined = queries[0]
        for query in queries[1:]:
            combined &= query
        return combined

    def candidates(self, terms, visible, window):
        visible_sql, visible_params = visible
        # Rooted in the index table, not a model, so the expressions are compiled on their own
        # and the GIN index finds the matches before any story is looked at.
        compiler = Query(Article).get_compiler(using=self.alias)
        document = RawSQL("document", [], output_field=SearchVectorField())
        query = self.tsquery(terms)
        rank, rank_params = compiler.compile(SearchRank(document, query))
        match, match_params = compiler.compile(SearchVectorExact(document, query))
        return (
            f"SELECT article_id AS story_id, {rank} AS search_rank FROM {TABLE} "
            f"WHERE {match} AND {visible_sql} ORDER BY article_id DESC LIMIT {window}",
            [*rank_params, *match_params, *visible_params],
        )

    def write(self, cursor, ids, docs):
        gone = [pk for pk in ids if pk not in docs]
        if gone:
            cursor.execute(f"DELETE FROM {TABLE} WHERE article_id = ANY(%s)", [gone])
        weighted = " || ".join(
            f"setweight(to_tsvector('{self.CONFIG}', %s), '{weight}')" for weight in "ABCD"
        )
        cursor.executemany(
            f"INSERT INTO {TABLE} (article_id, document) VALUES (%s, {weighted}) "
            "ON CONFLICT (article_id) DO UPDATE SET document = EXCLUDED.document",
            [
                (pk, d["headline"], d["standfirst"], d["topics"] + "\n" + d["names"], d["body"])
                for pk, d in docs.items()
            ],
        )


def backend_for(alias: str) -> Backend | None:
    """The back end of this database, or None if it has no index table."""
    vendor = connections[alias].vendor
    if vendor == "sqlite":
        return SQLiteBackend()
    if vendor == "postgresql":
        return PostgreSQLBackend(alias)
    return None
