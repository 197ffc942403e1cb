"""The surrogate keys of stories (``core.keys``): what a story's page and a story's card show, which
lists a published story is in, and which keys each change purges.

A change to what a story shows (its headline, body, a correction, a tag's name, a live entry)
purges ``story:<id>``: its page, and every list and feed showing it, carry that key. A story
entering or leaving lists (published, withdrawn, rescheduled, moved to another section, given a
tag, a byline or a mention) also purges the keys of those lists, and nothing else.
"""

from django.utils import timezone
from taggit.models import Tag

from core import keys
from core.keys import key, list_key
from people.models import Organization, Person, Reporter

from .models import Article, Byline, Correction, LiveEntry, Section, TaggedArticle

# Lists every published story is in: the home page, and everything listing all stories (the
# archive, the site's feeds, the API's story list), and the sitemaps (which also show when each
# story last changed).
EVERY_LIST = ("front:home", "stories:all", "sitemaps")
# The section navigation, on every page made from base.html.
SECTIONS = "sections"
SITEMAPS = "sitemaps"
# What a story gaining or losing a tag, byline or mention changes besides that thing's own list:
# the lists filtered by it (the API's ?tag=, ?reporter=... lists carry stories:all) and the
# sitemaps (the thing's page may have come or gone).
LINKED = ("stories:all", SITEMAPS)
# The lists of every tag, reporter, person or organization on a published story (the API's).
KINDS = (Tag, Reporter, Person, Organization)


def all_of(model) -> str:
    """``tag:all``: the list of every ``model`` row that a published story carries."""
    return key(model, "all")


def card_keys(story) -> list[str]:
    """What a story's card in a list shows: its headline, section, bylines and picture."""
    found = [key(story), key(Section, story.section_id)]
    found += [key(byline.reporter) for byline in story.bylines.all()]
    if story.lead_image_id:
        found.append(f"image:{story.lead_image_id}")
    return found


def show_cards(stories) -> None:
    for story in stories:
        keys.show(*card_keys(story))


def show_story(story) -> None:
    """What a story's page shows (everything ``story_page_queryset`` fetched)."""
    show_cards([story])
    keys.show_objects(
        *story.tags.all(), *story.mentioned_people.all(), *story.mentioned_organizations.all()
    )


def list_keys(story_ids) -> set[str]:
    """The lists the stories ``story_ids`` are in (whether or not they are published now)."""
    story_ids = list(story_ids)
    if not story_ids:
        return set()
    found = set(EVERY_LIST)
    rows = Article.objects.filter(pk__in=story_ids)
    found |= {list_key(Section, pk) for pk in rows.values_list("section_id", flat=True)}
    mentions = {
        "person": Article.mentioned_people.through,
        "organization": Article.mentioned_organizations.through,
    }
    links = {
        Tag: TaggedArticle.objects.filter(content_object__in=story_ids).values_list("tag_id"),
        Reporter: Byline.objects.filter(article__in=story_ids).values_list("reporter_id"),
        Person: mentions["person"].objects.filter(article__in=story_ids).values_list("person_id"),
        Organization: mentions["organization"]
        .objects.filter(article__in=story_ids)
        .values_list("organization_id"),
    }
    for model, pks in links.items():
        found |= {list_key(model, pk) for (pk,) in pks}
    return found | {all_of(model) for model in KINDS}


def keys_published_between(start, end) -> set[str]:
    """The lists that the stories whose scheduled time fell between ``start`` and ``end`` enter
    (``core.cache.schedule_from``)."""
    due = Article.objects.filter(
        status=Article.Status.PUBLISHED, published_at__gte=start, published_at__lte=end
    ).values_list("pk", flat=True)
    return list_keys(due) | {key(Article, pk) for pk in due}


# What each change purges -------------------------------------------------------------------------


def _is_public(story_id) -> bool:
    return Article.objects.published().filter(pk=story_id).exists()


def _story_state(story):
    """What a story was before a save, as far as which lists it is in goes."""
    return (
        Article.objects.filter(pk=story.pk)
        .values("status", "published_at", "section_id", "slug", "updated_at")
        .first()
    )


def _was_public(state, now) -> bool:
    return bool(
        state
        and state["status"] == Article.Status.PUBLISHED
        and state["published_at"] is not None
        and state["published_at"] <= now
    )


def _to_the_second(moment):
    # The admin's form shows times to the second: saving it must not count as rescheduling.
    return moment.replace(microsecond=0) if moment else None


def story_changed(story, before) -> set[str]:
    now = timezone.now()
    public = story.pk is not None and story.is_public
    was_public = _was_public(before, now)
    found = {key(story)}  # its page, and every list and feed showing its card
    moved = before is not None and (
        _to_the_second(before["published_at"]) != _to_the_second(story.published_at)
        or before["section_id"] != story.section_id
    )
    # The sitemaps give a public story's address and its publication and update times.
    relisted = before is not None and (
        before["slug"] != story.slug
        or _to_the_second(before["updated_at"]) != _to_the_second(story.updated_at)
    )
    if (public or was_public) and (public != was_public or moved or relisted or before is None):
        found.add(SITEMAPS)
    if public != was_public or (public and moved) or (before is None and public):
        found |= list_keys([story.pk])
        if before is not None:
            found.add(list_key(Section, before["section_id"]))
    return found


def correction_changed(correction, before) -> set[str]:
    # A correction moves the story's update time (a bulk update: no signal of the story's own),
    # which the sitemaps give.
    found = {key(Article, correction.article_id)}
    return found | {SITEMAPS} if _is_public(correction.article_id) else found


def _section_state(section):
    return Section.objects.filter(pk=section.pk).values_list("name", "slug", "order").first()


def section_changed(section, before) -> set[str]:
    """Its own page and the pages naming it; the masthead of every page only when what the
    navigation shows (name, address, order) changed, not for a new description."""
    found = {key(section), list_key(section)}
    if before != (section.name, section.slug, section.order):
        found |= {SECTIONS, SITEMAPS}
    return found


def entry_changed(entry, before) -> set[str]:
    """A live entry added, changed or deleted: its story's page, the poll of that page
    (``articles.live_views``) and the lists showing the story all carry the story's key; nothing
    else shows an entry."""
    return {key(Article, entry.article_id)}


def entry_authors_changed(entry_id, reporter_ids) -> set[str]:
    story_id = LiveEntry.objects.filter(pk=entry_id).values_list("article_id", flat=True).first()
    return {key(Article, story_id)} if story_id is not None else set()


def story_deleted(story, before) -> set[str]:
    return {key(story)} | (list_keys([story.pk]) if story.is_public else set())


def _link_changed(model, field: str):
    """For a row linking a story to a reporter or a tag: the story's key, and if the story is
    public the lists of what it links to, now and before the save."""

    def keys_of(row, before):
        story_id = row.article_id if isinstance(row, Byline) else row.content_object_id
        found = {key(Article, story_id)}
        if _is_public(story_id):
            found |= {list_key(model, pk) for pk in (getattr(row, field), before) if pk}
            found |= {all_of(model), *LINKED}
        return found

    return keys_of


def _linked_before(model, field: str):
    return lambda row: model.objects.filter(pk=row.pk).values_list(field, flat=True).first()


def _mentions_changed(model):
    def keys_of(story_id, target_ids):
        found = {key(Article, story_id)}
        if _is_public(story_id):
            found |= {list_key(model, pk) for pk in target_ids} | {all_of(model), *LINKED}
        return found

    return keys_of


def watch() -> None:
    """Connect the rules above (from ``ArticlesConfig.ready``)."""
    keys.name_model(Article, "story")
    keys.watch(Article, story_changed, before_save=_story_state, deleted=story_deleted)
    keys.watch(
        Byline,
        _link_changed(Reporter, "reporter_id"),
        before_save=_linked_before(Byline, "reporter_id"),
    )
    keys.watch(
        TaggedArticle,
        _link_changed(Tag, "tag_id"),
        before_save=_linked_before(TaggedArticle, "tag_id"),
    )
    keys.watch(Correction, correction_changed)
    keys.watch(LiveEntry, entry_changed)
    keys.watch_m2m(LiveEntry.authors.through, entry_authors_changed)
    keys.watch(Section, section_changed, before_save=_section_state)
    keys.watch(Tag, lambda tag, before: {key(tag), SITEMAPS})
    for field in ("mentioned_people", "mentioned_organizations"):
        relation = getattr(Article, field)
        keys.watch_m2m(relation.through, _mentions_changed(relation.field.related_model))
