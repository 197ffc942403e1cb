"""The search index table (see articles/search/): FTS5 on SQLite, tsvector + GIN on PostgreSQL.

Not a model, so the migration state is unchanged; on any other database this does nothing and
search falls back to plain matching. The stories already there are indexed with the SQL and the
text rules frozen below, as they were when this was written, so later changes to articles.search
cannot change what this migration does; ``articles.search.reindex()`` rebuilds the index with the
rules of the day.
"""

import html
import itertools
import re
from collections import defaultdict

from django.db import migrations

CREATE = {
    "sqlite": [
        "CREATE VIRTUAL TABLE articles_search USING fts5("
        "headline, standfirst, body, topics, names, "
        "tokenize = 'porter unicode61 remove_diacritics 2')",
    ],
    "postgresql": [
        "CREATE TABLE articles_search (article_id bigint PRIMARY KEY, document tsvector NOT NULL)",
        "CREATE INDEX articles_search_document_idx ON articles_search USING GIN (document)",
    ],
}
# One row a story: its id, then (headline, standfirst, body, topics, names) on SQLite, and
# (headline, standfirst, topics and names, body) weighted A to D on PostgreSQL.
INSERT = {
    "sqlite": "INSERT INTO articles_search (rowid, headline, standfirst, body, topics, names) "
    "VALUES (%s, %s, %s, %s, %s, %s)",
    "postgresql": "INSERT INTO articles_search (article_id, document) VALUES (%s, "
    "setweight(to_tsvector('english', %s), 'A') || setweight(to_tsvector('english', %s), 'B') || "
    "setweight(to_tsvector('english', %s), 'C') || setweight(to_tsvector('english', %s), 'D'))",
}
MENTIONS = {
    "mentioned_people": ("name", "native_name", "aliases"),
    "mentioned_organizations": ("name", "short_name", "aliases"),
}
MAX_BODY = 200_000
_INLINE_TAG = re.compile(r"</?(?:a|b|em|i|strong)\b[^>]*>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
_MARKUP_CHARS = re.compile(r"[<>&]")
_CJK_CHAR = re.compile(
    "[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003134f]"
)


def _plain(text):
    """No markup characters (PostgreSQL's parser skips "<b>" or "&amp;"), each CJK character a
    token of its own."""
    return _CJK_CHAR.sub(lambda m: f" {m.group()} ", _MARKUP_CHARS.sub(" ", text))


def _body(value):
    text = html.unescape(_TAG.sub(" ", _INLINE_TAG.sub("", value or "")))
    return " ".join(text.split())[:MAX_BODY]


def _rows(apps, using, vendor):
    Article = apps.get_model("articles", "Article")
    topics, names = defaultdict(list), defaultdict(list)
    tagged = Article._meta.get_field("tags").remote_field.through
    for pk, tag in tagged._base_manager.using(using).values_list("content_object", "tag__name"):
        topics[pk].append(tag)
    for relation, fields in MENTIONS.items():
        field = Article._meta.get_field(relation)
        story, other = field.m2m_field_name(), field.m2m_reverse_field_name()
        through = field.remote_field.through._base_manager.using(using)
        for pk, *values in through.values_list(story, *(f"{other}__{f}" for f in fields)):
            names[pk] += [value for value in values if value]
    stories = Article._base_manager.using(using).values_list("pk", "headline", "standfirst", "body")
    for pk, headline, standfirst, body in stories.iterator():
        text = [headline, standfirst, _body(body), "\n".join(topics[pk]), "\n".join(names[pk])]
        headline, standfirst, body, tags, people = (_plain(t) for t in text)
        if vendor == "sqlite":
            yield pk, headline, standfirst, body, tags, people
        else:
            yield pk, headline, standfirst, tags + "\n" + people, body


def create_index(apps, schema_editor):
    connection = schema_editor.connection
    statements = CREATE.get(connection.vendor)
    if not statements:
        return
    for sql in statements:
        schema_editor.execute(sql)
    # Index the stories already there, with this migration's view of the models.
    rows = _rows(apps, connection.alias, connection.vendor)
    with connection.cursor() as cursor:
        while chunk := list(itertools.islice(rows, 500)):
            cursor.executemany(INSERT[connection.vendor], chunk)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor in CREATE:
        schema_editor.execute("DROP TABLE IF EXISTS articles_search")


class Migration(migrations.Migration):
    dependencies = [("articles", "0003_editorial_roles")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
