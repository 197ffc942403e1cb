"""The two short lists under a story: related stories, and more from its section.

Related stories share people, organizations or tags with the story: the most shared first, then
the newest. "More in this section" is the section's newest stories not already shown. Both are
published stories only, as cards (``for_listing``), in three queries however many links the
story has and however many stories are found (``story_lists``): the story's own links come from
its prefetched relations.
"""

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from core import keys as surrogate_keys
from core.keys import list_key

from . import keys
from .models import Article, Section, TaggedArticle

RELATED_COUNT = 4
CANDIDATES_PER_LINK = 300
SECTION_COUNT = 4


def _links(story) -> list[tuple]:
    """``(through model, its story field, its subject field, the story's subject ids)`` for each
    kind of link, from the story's prefetched relations (no query)."""
    return [
        (TaggedArticle, "content_object", "tag", [tag.pk for tag in story.tags.all()]),
        (
            Article.mentioned_people.through,
            "article",
            "person",
            [person.pk for person in story.mentioned_people.all()],
        ),
        (
            Article.mentioned_organizations.through,
            "article",
            "organization",
            [org.pk for org in story.mentioned_organizations.all()],
        ),
    ]


def _shared(model, story_field: str, subject_field: str, ids):
    """How many of ``ids`` a candidate story is linked to through ``model``."""
    counted = (
        model.objects.filter(**{story_field: OuterRef("pk"), f"{subject_field}__in": ids})
        .order_by()
        .values(story_field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _related_ids(story, limit: int) -> list[int]:
    """The ids of the published stories sharing most people, organizations or tags with
    ``story``, then newest (one query; none when the story has no links)."""
    links = [link for link in _links(story) if link[3]]
    if not links:
        return []
    candidates = Q()
    score = Value(0)
    for model, story_field, subject_field, ids in links:
        # Only the latest stories linked by each kind (the highest ids: newest written) are
        # candidates: a tag on a tenth of 100,000 stories would otherwise make every story
        # sharing it a candidate to be scored, and the page slow (bench/RESULTS.md).
        linked = (
            model.objects.filter(**{f"{subject_field}__in": ids})
            .order_by(f"-{story_field}")
            .values(story_field)[:CANDIDATES_PER_LINK]
        )
        candidates |= Q(pk__in=linked)
        score = score + _shared(model, story_field, subject_field, ids)
    return list(
        Article.objects.published()
        .filter(candidates)
        .exclude(pk=story.pk)
        .annotate(shared=score)
        .order_by("-shared", "-published_at", "-id")
        .values_list("pk", flat=True)[:limit]
    )


def story_lists(
    story, *, related: int = RELATED_COUNT, in_section: int = SECTION_COUNT
) -> tuple[list, list]:
    """``(related stories, more in the section)`` for ``story`` (its tags and mentions
    prefetched): three queries, whatever the story links to and whatever is found.

    The related stories' ids first; then one query for every card, the section's newest among
    them (enough to fill the list once the related ones and the story are left out), and one
    for their bylines. The story itself is fetched with them so that the bylines' query is made
    even when both lists are empty: the page's cost does not depend on what it finds.
    """
    related_ids = _related_ids(story, related)
    newest = (
        Article.objects.published()
        .filter(section_id=story.section_id)
        .order_by("-published_at", "-id")
        .values("pk")[: in_section + len(related_ids) + 1]
    )
    cards = {
        card.pk: card
        for card in Article.objects.published()
        .filter(Q(pk=story.pk) | Q(pk__in=related_ids) | Q(pk__in=newest))
        .for_listing()
    }
    related_stories = [cards[pk] for pk in related_ids if pk in cards]
    left_out = {story.pk, *related_ids}
    section_stories = sorted(
        (
            card
            for card in cards.values()
            if card.section_id == story.section_id and card.pk not in left_out
        ),
        key=lambda card: (card.published_at, card.pk),
        reverse=True,
    )[:in_section]
    return related_stories, section_stories


def show_keys(story, related, more) -> None:
    """Say what the two lists show (``core.keys``): each card, and the lists they are drawn from.

    Not ``stories:all``, which every publication purges: a story entering or leaving the lists
    of one of this story's tags, people or organizations, or of its section (published,
    withdrawn, rescheduled, moved, given or losing a link), purges that list's key, and a card's
    own change purges its ``story:<id>``.
    """
    keys.show_cards([*related, *more])
    subjects = (
        *story.tags.all(),
        *story.mentioned_people.all(),
        *story.mentioned_organizations.all(),
    )
    surrogate_keys.show(
        list_key(Section, story.section_id), *(list_key(subject) for subject in subjects)
    )
