"""Keeping the index table in step with the stories: what a story is found under, and the
receivers that rewrite its row whenever that changes.

Writes that bypass signals (``QuerySet.update()`` of the text fields, ``bulk_create``, raw SQL)
must call :func:`reindex` themselves; ``reindex()`` with no arguments rebuilds the whole index.
"""

import re
from collections import defaultdict
from collections.abc import Iterable

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver
from taggit.models import Tag

from core.text import one_line
from people.models import Organization, Person

from ..models import Article, TaggedArticle
from .backends import backend_for
from .query import spread_cjk

# A body longer than this is indexed up to here (PostgreSQL refuses tsvectors over 1 MB).
MAX_INDEXED_BODY = 200_000
# The names a story is found under, for each kind of thing it can mention.
MENTIONS = {
    "mentioned_people": ("name", "native_name", "aliases"),
    "mentioned_organizations": ("name", "short_name", "aliases"),
}
_MARKUP_CHARS = re.compile(r"[<>&]")


def _through(name):
    field = Article._meta.get_field(name)
    through = field.remote_field.through
    return through, field.m2m_field_name(), field.m2m_reverse_field_name()


def documents(ids: list[int], using: str) -> dict[int, dict[str, str]]:
    """The searchable text of the stories with these ids, column by column: headline,
    standfirst, body (as plain text), topics (tags) and names (of the people and organizations
    mentioned, with their native names, short names and aliases)."""
    rows = Article._base_manager.using(using).filter(pk__in=ids)
    docs = {
        pk: {
            "headline": headline,
            "standfirst": standfirst,
            "body": one_line(body)[:MAX_INDEXED_BODY],
        }
        for pk, headline, standfirst, body in rows.values_list(
            "pk", "headline", "standfirst", "body"
        )
    }
    topics, names = defaultdict(list), defaultdict(list)
    rows = TaggedArticle._base_manager.using(using).filter(content_object__in=ids)
    for pk, name in rows.values_list("content_object", "tag__name"):
        topics[pk].append(name)
    for relation, fields in MENTIONS.items():
        through, story, other = _through(relation)
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


def reindex(ids: Iterable[int] | None = None, *, using: str = DEFAULT_DB_ALIAS):
    """Bring the index rows of these stories (all stories if None) in line with the database.

    A story that no longer exists loses its row.
    """
    backend = backend_for(using)
    if backend is None:
        return
    if ids is None:
        ids = list(Article._base_manager.using(using).values_list("pk", flat=True))
    ids = sorted({pk for pk in ids if pk is not None})
    for chunk in (ids[i : i + 500] for i in range(0, len(ids), 500)):
        docs = documents(chunk, using)
        with connections[using].cursor() as cursor:
            backend.write(cursor, chunk, docs)


def unindex(ids: Iterable[int], *, using: str = DEFAULT_DB_ALIAS):
    """Remove the rows of these stories from the index."""
    backend = backend_for(using)
    ids = [pk for pk in ids if pk is not None]
    if backend is None or not ids:
        return
    with connections[using].cursor() as cursor:
        backend.delete(cursor, ids)


# --- The receivers -------------------------------------------------------------------------------


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


for _relation in MENTIONS:
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


# For each kind of thing a story can name: the fields it is found under, and how it is named.
_NAMED = {
    Person: (MENTIONS["mentioned_people"], Article.mentioned_people.through),
    Organization: (MENTIONS["mentioned_organizations"], Article.mentioned_organizations.through),
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
