"""The search index table (see articles/search.py): FTS5 on SQLite, tsvector + GIN on PostgreSQL.

Not a model, so the migration state is unchanged; on any other database this does nothing and
search falls back to plain matching.
"""

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


def create_index(apps, schema_editor):
    statements = CREATE.get(schema_editor.connection.vendor)
    if not statements:
        return
    for sql in statements:
        schema_editor.execute(sql)
    # Index the stories already there, with this migration's view of the models.
    from articles.search import reindex

    reindex(
        using=schema_editor.connection.alias, article_model=apps.get_model("articles", "Article")
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor in CREATE:
        schema_editor.execute("DROP TABLE IF EXISTS articles_search")


class Migration(migrations.Migration):
    dependencies = [("articles", "0003_editorial_roles")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
