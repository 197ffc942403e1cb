"""Search over stories: ``/search/?q=`` ranked by relevance, then recency, with the words marked.

How it works
============

One index table, ``articles_search``, holds the searchable text of **every** story, whatever its
status: headline, standfirst, body (as plain text), tags, and the names of the people and
organizations it mentions (with their native names, short names and aliases). Whether a reader may
see a story is decided when searching, by ``Article.objects.published()`` like every other public
page, so a scheduled story is found from its publication time with no job running, and a
withdrawn one disappears at once.

The table is not a Django model (the migration ``0004_search`` creates it with SQL for the
database in use). The receivers at the bottom of this module keep it in step with the database:
a story saved or deleted, tags added, removed or renamed, mentions added or removed, a person or
an organization renamed or deleted. Writes that bypass signals (``QuerySet.update()`` of the text
fields, ``bulk_create``, raw SQL) must call :func:`reindex` themselves; ``reindex()`` with no
arguments rebuilds the whole index.

SQLite
------
An FTS5 virtual table, ``articles_search(headline, standfirst, body, topics, names)``, whose
``rowid`` is the story's id, with the tokenizer ``porter unicode61 remove_diacritics 2``: English
stemming ("representatives" finds "representative"), case and accent folding. Results are joined
to the published stories and ranked by ``bm25()`` with column weights (:data:`FTS5_WEIGHTS`:
headline 10, standfirst 5, tags and names 4, body 1), then newest first.

PostgreSQL
----------
A table ``articles_search(article_id bigint primary key, document tsvector)`` with a GIN index.
The document is built with ``to_tsvector('english', ...)`` and weighted A (headline), B
(standfirst), C (tags and names) and D (body); the query is made with ``plainto_tsquery`` and
``phraseto_tsquery``, ranked by ``ts_rank``, then newest first. English stop words ("the", "and")
are not indexed there, so a query made only of them finds nothing; SQLite keeps them.

Both
----
What the reader types is never passed on as query syntax: :func:`parse_query` keeps only words
(runs of letters and digits) from the first :data:`MAX_QUERY_LENGTH` characters, at most
:data:`MAX_TERMS` of them, and every one must be found (AND). ``AND``, ``OR``, ``NOT``, ``*``,
``-`` and quotes are therefore ordinary words or nothing at all, and no input can make the
database raise an error. Chinese, Japanese and Korean are written without spaces between words,
so the index and the query both get a space between each such character and a run of them is
searched as a phrase: "前海" finds "前海深港合作区".

A word found in most stories would have every one of them ranked, which takes seconds at 100,000
stories; so only the newest :data:`MAX_CANDIDATES` matching stories that readers may see (by id:
the order they were added) are ranked, and the page tells the reader when more of those matched.
Drafts and scheduled stories are left out inside the index query, before the window is counted,
so however many of them use a word they never push a published story out of it.

Any other database gets a fallback: every word must appear (``icontains``) in the headline,
standfirst or body; newest first.

The matched words are marked with ``<mark>`` in Python (:func:`highlight`), after escaping, by a
light suffix-stripping match that approximates the databases' stemming.
"""

import functools
import html
import re
from collections import defaultdict
from collections.abc import Iterable

from django.core.paginator import Paginator
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.views.generic import ListView
from taggit.models import Tag

from core.pagination import ForgivingPaginationMixin
from people.models import Organization, Person

from .models import Article, TaggedArticle

TABLE = "articles_search"
# Only this much of the query is read: enough for any real search, and a 10,000-character
# query costs no more than a short one.
MAX_QUERY_LENGTH = 200
MAX_TERMS = 12
# A word found in most stories ("council", "said") would have every one of them ranked: at 100,000
# stories that takes seconds. Only the newest this many matching published stories (by when they
# were added) are ranked; the page says so when there were more. Tests may patch it.
MAX_CANDIDATES = 1_000
# A body longer than this is indexed up to here (PostgreSQL refuses tsvectors over 1 MB).
MAX_INDEXED_BODY = 200_000
PG_CONFIG = "english"
# bm25() weights, in the order of the FTS5 table's columns.
FTS5_COLUMNS = ("headline", "standfirst", "body", "topics", "names")
FTS5_WEIGHTS = (10.0, 5.0, 1.0, 4.0, 4.0)

# Han (with extensions and compatibility ideographs), kana and Hangul syllables.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003134f"
_CJK_CHAR = re.compile(f"[{_CJK}]")
_CJK_RUN = re.compile(f"[{_CJK}]+")
# A term: a run of CJK characters, or a run of other letters and digits (no underscore).
_TERM = re.compile(rf"[{_CJK}]+|(?:(?![{_CJK}])[^\W_])+")
_WORD = re.compile(r"[^\W_]+")
_INLINE_TAG = re.compile(r"</?(?:a|b|em|i|strong)\b[^>]*>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")
_MARKUP_CHARS = re.compile(r"[<>&]")
# Not marked when the query has other words: PostgreSQL does not even index them, and a page of
# marked "the"s hides the words that matter.
_COMMON_WORDS = frozenset({
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "from", "has", "have", "he",
    "her", "his", "in", "is", "it", "its", "of", "on", "or", "she", "that", "the", "their", "they",
    "this", "to", "was", "were", "which", "who", "will", "with",
})  # fmt: skip


# --- Queries -----------------------------------------------------------------------------------


def clean_query(raw: str | None) -> str:
    """The query as it is searched and shown again: at most MAX_QUERY_LENGTH characters, with
    control characters and runs of white space made single spaces."""
    text = (raw or "")[:MAX_QUERY_LENGTH]
    return _SPACE.sub(" ", re.sub(r"[\x00-\x1f\x7f]", " ", text)).strip()


def parse_query(raw: str | None) -> list[str]:
    """The words to look for, lower-cased, each once, in order: see the module's docstring."""
    terms: list[str] = []
    for term in _TERM.findall(clean_query(raw)):
        term = term.lower()
        if term not in terms:
            terms.append(term)
    return terms[:MAX_TERMS]


def _is_cjk(term: str) -> bool:
    return bool(_CJK_CHAR.match(term))


def spread_cjk(text: str) -> str:
    """A space either side of every CJK character, so each one is a token of its own."""
    return _CJK_CHAR.sub(lambda m: f" {m.group()} ", text)


def _fts5_match(terms: list[str]) -> str:
    # Every term is a quoted FTS5 string, so none of it is read as an operator; a CJK run, spread
    # into single characters, is a phrase. Terms hold only letters and digits, never a quote.
    return " AND ".join('"{}"'.format(spread_cjk(t).strip().replace('"', '""')) for t in terms)


def _pg_tsquery(terms: list[str]) -> tuple[str, list[str]]:
    words = [t for t in terms if not _is_cjk(t)]
    parts, params = [], []
    if words:
        parts.append(f"plainto_tsquery('{PG_CONFIG}', %s)")
        params.append(" ".join(words))
    for term in terms:
        if _is_cjk(term):
            parts.append(f"phraseto_tsquery('{PG_CONFIG}', %s)")
            params.append(spread_cjk(term).strip())
    return "(" + " && ".join(parts) + ")", params


def _candidate_sql(terms: list[str], queryset) -> tuple[str, list] | None:
    """SQL for the newest MAX_CANDIDATES stories of ``queryset`` matching every term, and one
    more if there are more, as (story_id, search_rank), higher ranks better; None on a database
    without an index. Ranking inside the index scan costs milliseconds for 1,000 stories; ranking
    each story with a MATCH of its own took seconds for a common word.

    The window counts only the stories of ``queryset`` (readers' ``published()`` by default): a
    correlated ``EXISTS`` checks each match, newest first, by its key, so a thousand drafts that
    use a word can neither push a published story out of the window nor make the page say that
    "more than" a thousand stories match.
    """
    vendor = connections[queryset.db].vendor
    if vendor not in ("sqlite", "postgresql"):
        return None
    window = MAX_CANDIDATES + 1
    key = f"{TABLE}.rowid" if vendor == "sqlite" else f"{TABLE}.article_id"
    visible_sql, visible_params = (
        queryset.order_by().filter(pk=RawSQL(key, ())).values("pk").query.sql_with_params()
    )
    visible = f"EXISTS ({visible_sql})"
    if vendor == "sqlite":
        weights = ", ".join(str(w) for w in FTS5_WEIGHTS)
        # bm25() is lower for better matches.
        return (
            f"SELECT rowid AS story_id, -bm25({TABLE}, {weights}) AS search_rank FROM {TABLE} "
            f"WHERE {TABLE} MATCH %s AND {visible} ORDER BY rowid DESC LIMIT {window}",
            [_fts5_match(terms), *visible_params],
        )
    tsquery, params = _pg_tsquery(terms)
    return (
        f"SELECT article_id AS story_id, ts_rank(document, {tsquery}) AS search_rank "
        f"FROM {TABLE} WHERE document @@ {tsquery} AND {visible} "
        f"ORDER BY article_id DESC LIMIT {window}",
        [*params, *params, *visible_params],
    )


class Results(list):
    """Story ids, best first; ``more`` is True when more stories matched than were ranked."""

    more = False


def ranked_ids(terms: list[str], queryset=None) -> Results:
    """The ids of the published stories matching every term: best first, then newest first.

    ``queryset`` defaults to ``Article.objects.published()``; pass a narrower one to search
    within it. No terms, no stories. Two queries: the candidates and their ranks from the index,
    then which of them readers may see (and when they were published, for ties).
    """
    queryset = Article.objects.published() if queryset is None else queryset
    if not terms:
        return Results()
    candidate_sql = _candidate_sql(terms, queryset)
    if candidate_sql is None:
        # Any other database: every word in the headline, standfirst or body; newest first.
        for term in terms:
            queryset = queryset.filter(
                Q(headline__icontains=term)
                | Q(standfirst__icontains=term)
                | Q(body__icontains=term)
            )
        ids = list(
            queryset.order_by("-published_at", "-id").values_list("pk", flat=True)[
                : MAX_CANDIDATES + 1
            ]
        )
        results = Results(ids[:MAX_CANDIDATES])
        results.more = len(ids) > MAX_CANDIDATES
        return results
    sql, params = candidate_sql
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        candidates = dict(cursor.fetchall())
    results = Results()
    if len(candidates) > MAX_CANDIDATES:
        results.more = True
        candidates.pop(min(candidates))
    if candidates:
        # Which of them readers may see, newest first; then best first (the sort is stable, so
        # stories that rank the same stay newest first). The candidates are named by the same
        # subquery, not by a list of 1,000 ids: SQLite then looks each one up by its key rather
        # than walking every published story.
        story = f"{Article._meta.db_table}.{Article._meta.pk.column}"
        newest = queryset.extra(
            where=[f"{story} IN (SELECT story_id FROM ({sql}) AS candidates)"], params=params
        ).order_by("-published_at", "-id")
        ids = [pk for pk in newest.values_list("pk", flat=True) if pk in candidates]
        results.extend(sorted(ids, key=lambda pk: -candidates[pk]))
    return results


def search_articles(terms: list[str], queryset=None) -> list[Article]:
    """The stories of :func:`ranked_ids`, in that order, ready for a list of results."""
    ids = ranked_ids(terms, queryset)
    return stories_in_order(ids)


def stories_in_order(ids: list[int]) -> list[Article]:
    stories = Article.objects.for_listing().in_bulk(ids)
    return [stories[pk] for pk in ids if pk in stories]


# --- Marking the matched words -------------------------------------------------------------------


def _light_stem(word: str) -> str:
    """Near enough to the databases' English stemming to mark "representatives" for
    "representative" and "forums" for "forum"."""
    word = word.lower()
    for suffix, replacement in (("ies", "y"), ("ing", ""), ("ed", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)] + replacement
            break
    if word.endswith("e") and len(word) > 3:
        word = word[:-1]
    return word


@functools.lru_cache(maxsize=256)
def _stem_words(stems: frozenset[str]) -> re.Pattern:
    """Whole words that may have one of these stems: each starts with the stem less its last
    letter ("compan" for "company", to catch "companies"). Only those are stemmed, not every word
    of a story's body."""
    starts = sorted({stem[:-1] for stem in stems}, key=len, reverse=True)
    return re.compile(
        rf"(?<![^\W_])(?:{'|'.join(re.escape(start) for start in starts)})[^\W_]*", re.IGNORECASE
    )


def _match_spans(text: str, terms: list[str]) -> list[tuple[int, int]]:
    if any(t not in _COMMON_WORDS for t in terms):
        terms = [t for t in terms if t not in _COMMON_WORDS]
    spans = []
    cjk = [t for t in terms if _is_cjk(t)]
    if cjk:
        pattern = re.compile("|".join(re.escape(t) for t in sorted(cjk, key=len, reverse=True)))
        spans += [m.span() for m in pattern.finditer(text)]
    stems = {_light_stem(t) for t in terms if not _is_cjk(t)}
    if stems:
        spans += [
            m.span()
            for m in _stem_words(frozenset(stems)).finditer(text)
            if _light_stem(m.group()) in stems
        ]
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def highlight(text: str, terms: list[str]) -> SafeString:
    """``text`` escaped for HTML, with each matched word in ``<mark>``."""
    out, position = [], 0
    for start, end in _match_spans(text, terms):
        out += [escape(text[position:start]), "<mark>", escape(text[start:end]), "</mark>"]
        position = end
    out.append(escape(text[position:]))
    return mark_safe("".join(out))


def html_to_text(value: str) -> str:
    """A stored body as plain text: inline tags go, the others become spaces, entities characters."""
    text = _TAG.sub(" ", _INLINE_TAG.sub("", value or ""))
    return _SPACE.sub(" ", html.unescape(text)).strip()


def excerpt(text: str, terms: list[str], *, before: int = 80, length: int = 240) -> SafeString:
    """About ``length`` characters of ``text`` around the first match, marked; empty if none."""
    spans = _match_spans(text, terms)
    if not spans:
        return mark_safe("")
    start = max(0, spans[0][0] - before)
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < spans[0][0] else start
    end = min(len(text), start + length)
    if end < len(text):
        space = text.rfind(" ", spans[0][1], end)
        end = space if space > 0 else end
    body = highlight(text[start:end], terms)
    return mark_safe(("… " if start else "") + body + (" …" if end < len(text) else ""))


# --- The page ------------------------------------------------------------------------------------


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
        results = ranked_ids(self.terms)
        self.more_than_ranked = results.more
        return results

    def paginate_queryset(self, queryset, page_size):
        # A page of ids (at most MAX_CANDIDATES, so counted by len()), then that page's stories.
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
            article.marked_excerpt = excerpt(html_to_text(article.body), self.terms)
        context.update(
            articles=results,
            object_list=results,
            query=self.query,
            terms=self.terms,
            max_query_length=MAX_QUERY_LENGTH,
            newest_only=self.more_than_ranked,
            max_candidates=f"{MAX_CANDIDATES:,}",
        )
        return context


# --- Keeping the index in step -------------------------------------------------------------------


def _through(article_model, name):
    field = article_model._meta.get_field(name)
    through = field.remote_field.through
    return through, field.m2m_field_name(), field.m2m_reverse_field_name()


def _documents(ids: list[int], article_model, using: str) -> dict[int, dict[str, str]]:
    """The searchable text of the stories with these ids, column by column."""
    rows = article_model._base_manager.using(using).filter(pk__in=ids)
    docs = {
        pk: {
            "headline": headline,
            "standfirst": standfirst,
            "body": html_to_text(body)[:MAX_INDEXED_BODY],
        }
        for pk, headline, standfirst, body in rows.values_list(
            "pk", "headline", "standfirst", "body"
        )
    }
    topics, names = defaultdict(list), defaultdict(list)
    tagged = article_model._meta.get_field("tags").remote_field.through
    rows = tagged._base_manager.using(using).filter(content_object__in=ids)
    for pk, name in rows.values_list("content_object", "tag__name"):
        topics[pk].append(name)
    for relation, fields in (
        ("mentioned_people", ("name", "native_name", "aliases")),
        ("mentioned_organizations", ("name", "short_name", "aliases")),
    ):
        through, story, other = _through(article_model, relation)
        rows = through._base_manager.using(using).filter(**{f"{story}__in": ids})
        for pk, *values in rows.values_list(story, *(f"{other}__{f}" for f in fields)):
            names[pk] += [v for v in values if v]
    for pk, doc in docs.items():
        doc["topics"] = "\n".join(topics[pk])
        doc["names"] = "\n".join(names[pk])
        for column, text in doc.items():
            # PostgreSQL's parser would skip "<b>" or "&amp;" in plain text as markup.
            doc[column] = spread_cjk(_MARKUP_CHARS.sub(" ", text))
    return docs


def reindex(ids: Iterable[int] | None = None, *, using: str = DEFAULT_DB_ALIAS, article_model=None):
    """Bring the index rows of these stories (all stories if None) in line with the database.

    A story that no longer exists loses its row. ``article_model`` is for migrations, which pass
    their historical model.
    """
    connection = connections[using]
    if connection.vendor not in ("sqlite", "postgresql"):
        return
    article_model = article_model or Article
    if ids is None:
        ids = list(article_model._base_manager.using(using).values_list("pk", flat=True))
    ids = sorted({pk for pk in ids if pk is not None})
    for chunk in (ids[i : i + 500] for i in range(0, len(ids), 500)):
        docs = _documents(chunk, article_model, using)
        gone = [pk for pk in chunk if pk not in docs]
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                # FTS5 has no upsert: replace the row.
                cursor.executemany(f"DELETE FROM {TABLE} WHERE rowid = %s", [(pk,) for pk in chunk])
                columns = ", ".join(FTS5_COLUMNS)
                cursor.executemany(
                    f"INSERT INTO {TABLE} (rowid, {columns}) "
                    f"VALUES (%s, {', '.join(['%s'] * len(FTS5_COLUMNS))})",
                    [(pk, *(doc[c] for c in FTS5_COLUMNS)) for pk, doc in docs.items()],
                )
            else:
                if gone:
                    cursor.execute(f"DELETE FROM {TABLE} WHERE article_id = ANY(%s)", [gone])
                weighted = " || ".join(
                    f"setweight(to_tsvector('{PG_CONFIG}', %s), '{weight}')" for weight in "ABCD"
                )
                cursor.executemany(
                    f"INSERT INTO {TABLE} (article_id, document) VALUES (%s, {weighted}) "
                    "ON CONFLICT (article_id) DO UPDATE SET document = EXCLUDED.document",
                    [
                        (
                            pk,
                            doc["headline"],
                            doc["standfirst"],
                            doc["topics"] + "\n" + doc["names"],
                            doc["body"],
                        )
                        for pk, doc in docs.items()
                    ],
                )


def unindex(ids: Iterable[int], *, using: str = DEFAULT_DB_ALIAS):
    connection = connections[using]
    ids = [pk for pk in ids if pk is not None]
    if connection.vendor not in ("sqlite", "postgresql") or not ids:
        return
    column = "rowid" if connection.vendor == "sqlite" else "article_id"
    with connection.cursor() as cursor:
        cursor.executemany(f"DELETE FROM {TABLE} WHERE {column} = %s", [(pk,) for pk in ids])


@receiver(post_save, sender=Article, dispatch_uid="search_article_saved")
def _article_saved(sender, instance, using, **kwargs):
    reindex([instance.pk], using=using)


@receiver(post_delete, sender=Article, dispatch_uid="search_article_deleted")
def _article_deleted(sender, instance, using, **kwargs):
    unindex([instance.pk], using=using)


@receiver(post_save, sender=TaggedArticle, dispatch_uid="search_tagging_saved")
@receiver(post_delete, sender=TaggedArticle, dispatch_uid="search_tagging_deleted")
def _tagging_changed(sender, instance, using, **kwargs):
    # Every way of tagging (tags.add/set/remove/clear, the admin, fixtures) saves or deletes rows.
    reindex([instance.content_object_id], using=using)


def _mentions_changed(sender, instance, action, reverse, pk_set, using, **kwargs):
    if not reverse:
        if action in ("post_add", "post_remove", "post_clear"):
            reindex([instance.pk], using=using)
        return
    # person.mentioned_in.add(story) and the like: pk_set holds story ids, except on clear.
    if action == "pre_clear":
        instance._search_story_ids = _mentioning(sender, instance, using)
    elif action == "post_clear":
        reindex(instance.__dict__.pop("_search_story_ids", []), using=using)
    elif action in ("post_add", "post_remove"):
        reindex(pk_set or [], using=using)


for _relation in ("mentioned_people", "mentioned_organizations"):
    m2m_changed.connect(
        _mentions_changed,
        sender=getattr(Article, _relation).through,
        dispatch_uid=f"search_{_relation}_changed",
    )


def _mentioning(through, instance, using) -> list[int]:
    """Ids of the stories ``instance`` (a person, organization or tag) is attached to."""
    if through is TaggedArticle:
        story, other = "content_object", "tag"
    else:
        field = next(f for f in Article._meta.many_to_many if f.remote_field.through is through)
        story, other = field.m2m_field_name(), field.m2m_reverse_field_name()
    rows = through._base_manager.using(using).filter(**{other: instance.pk})
    return list(rows.values_list(f"{story}_id", flat=True))


# The names a story is found under, for each kind of thing it can name, and how it names it.
_NAMED = {
    Person: (("name", "native_name", "aliases"), Article.mentioned_people.through),
    Organization: (("name", "short_name", "aliases"), Article.mentioned_organizations.through),
    Tag: (("name",), TaggedArticle),
}


def _remember_names(sender, instance, using, **kwargs):
    fields, _ = _NAMED[sender]
    if instance.pk is not None:
        instance._search_old_names = (
            sender._base_manager.using(using).filter(pk=instance.pk).values_list(*fields).first()
        )


def _names_saved(sender, instance, created, using, **kwargs):
    fields, through = _NAMED[sender]
    old = instance.__dict__.pop("_search_old_names", None)
    if created or old is None or old == tuple(getattr(instance, f) for f in fields):
        return
    reindex(_mentioning(through, instance, using), using=using)


def _before_named_deleted(sender, instance, using, **kwargs):
    instance._search_story_ids = _mentioning(_NAMED[sender][1], instance, using)


def _named_deleted(sender, instance, using, **kwargs):
    reindex(instance.__dict__.pop("_search_story_ids", []), using=using)


for _model in _NAMED:
    _label = _model._meta.label_lower
    pre_save.connect(_remember_names, sender=_model, dispatch_uid=f"search_{_label}_pre_save")
    post_save.connect(_names_saved, sender=_model, dispatch_uid=f"search_{_label}_saved")
    pre_delete.connect(
        _before_named_deleted, sender=_model, dispatch_uid=f"search_{_label}_pre_delete"
    )
    post_delete.connect(_named_deleted, sender=_model, dispatch_uid=f"search_{_label}_deleted")
