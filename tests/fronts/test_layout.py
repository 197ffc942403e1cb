"""What a front shows: editors' picks in their places, the rule filling the rest, no story twice,
only what readers may see, at a fixed number of queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import Article
from fronts import layout
from fronts.models import Block, Front, Slot
from tests.factories import ArticleFactory, SectionFactory

from .conftest import arranged

pytestmark = pytest.mark.django_db


def headlines(blocks):
    return [[item.headline for item in block.items] for block in blocks]


def test_a_home_front_never_arranged_is_filled_by_the_rules(newsroom):
    blocks = layout.arrange(layout.front_for(None))
    kinds = [block.block.kind for block in blocks]
    # Ten stories fill everything above "Latest", which is left out rather than shown empty.
    assert kinds == ["lead", "top", "row", "row"]
    shown = headlines(blocks)
    assert shown[0] == ["Story 00", "Story 01", "Story 02"]  # the newest lead
    assert shown[1] == ["Story 03", "Story 04", "Story 05", "Story 06"]
    # Each section's row: its newest stories not already above.
    assert shown[2] == ["Story 08"] and blocks[2].heading == "Business"
    assert shown[3] == ["Story 07", "Story 09"] and blocks[3].heading == "Culture"
    every = [h for block in shown for h in block]
    assert len(every) == len(set(every)) == 10


def test_a_section_front_never_arranged_shows_only_its_section(newsroom):
    blocks = layout.arrange(layout.front_for(newsroom["culture"]))
    assert headlines(blocks) == [["Story 01", "Story 03", "Story 05"], ["Story 07", "Story 09"]]


def test_an_editors_pick_takes_its_place_and_the_rule_fills_around_it(newsroom):
    old = newsroom["stories"][9]
    front = arranged(None, ("lead", 1, {}), ("top", 3, {2: old}), ("latest", 10, {}))
    blocks = layout.arrange(front)
    assert headlines(blocks)[0] == ["Story 00"]
    assert headlines(blocks)[1] == ["Story 01", "Story 09", "Story 02"]
    assert [item.picked for item in blocks[1].items] == [False, True, False]
    # Not again further down.
    assert "Story 09" not in headlines(blocks)[2]


def test_a_pick_lower_down_is_not_taken_by_a_rule_above_it(newsroom):
    newest = newsroom["stories"][0]
    front = arranged(None, ("lead", 1, {}), ("latest", 5, {1: newest}))
    blocks = layout.arrange(front)
    assert headlines(blocks) == [
        ["Story 01"],
        ["Story 00", "Story 02", "Story 03", "Story 04", "Story 05"],
    ]


def test_a_row_can_follow_a_tag(newsroom):
    tagged = newsroom["stories"][6]
    tagged.tags.add("harbour")
    tag = tagged.tags.get()
    front = arranged(None, ("row", 4, {}, {"tag": tag, "title": "Harbour"}))
    blocks = layout.arrange(front)
    assert headlines(blocks) == [["Story 06"]]
    assert blocks[0].heading == "Harbour" and blocks[0].link == "/tags/harbour/"


def test_headline_and_picture_overrides_are_for_the_front_only(newsroom, library_picture):
    story = newsroom["stories"][4]
    picture = library_picture
    front = arranged(None, ("top", 2, {1: story}))
    Slot.objects.filter(article=story).update(headline="Front-only headline", image=picture)
    item = layout.arrange(front)[0].items[0]
    assert item.headline == "Front-only headline" and item.image == picture
    story.refresh_from_db()
    assert story.headline == "Story 04" and story.lead_image is None


def test_drafts_never_show_and_a_scheduled_pick_appears_at_its_time(newsroom):
    now = newsroom["now"]
    draft = ArticleFactory(headline="A draft", status=Article.Status.DRAFT, published_at=None)
    later = ArticleFactory(headline="Scheduled", published_at=now + dt.timedelta(hours=2))
    front = arranged(None, ("top", 3, {1: later, 2: draft}))
    before = headlines(layout.arrange(front, now=now + dt.timedelta(hours=2, seconds=-1)))
    assert before == [["Story 00", "Story 01", "Story 02"]]
    at_its_time = headlines(layout.arrange(front, now=now + dt.timedelta(hours=2)))
    assert at_its_time == [["Scheduled", "Story 00", "Story 01"]]


def test_a_story_put_twice_on_a_front_shows_once(newsroom):
    story = newsroom["stories"][5]
    front = arranged(None, ("top", 2, {1: story}), ("top", 2, {1: story}))
    shown = headlines(layout.arrange(front))
    assert sum(block.count("Story 05") for block in shown) == 1


def count_queries(front_of) -> int:
    with CaptureQueriesContext(connection) as queries:
        layout.arrange(front_of())
    return len(queries)


def test_query_count_is_fixed_as_stories_grow(newsroom):
    front = arranged(
        None,
        ("lead", 3, {1: newsroom["stories"][3]}),
        ("top", 4, {}),
        ("row", 4, {}, {"section": newsroom["business"]}),
        ("latest", 10, {}),
    )
    few = count_queries(lambda: Front.objects.get(pk=front.pk))
    for n in range(40):
        ArticleFactory(section=newsroom["business"] if n % 2 else SectionFactory())
    assert count_queries(lambda: Front.objects.get(pk=front.pk)) == few
    # The front, its blocks with their picks, the picks readers may see, one query per rule (every
    # section's, Business's), the cards and their bylines.
    assert few == 1 + 2 + 1 + 2 + 2


def test_query_count_of_a_default_home_front_grows_with_sections_not_stories(newsroom):
    few = count_queries(lambda: layout.front_for(None))
    for _ in range(30):
        ArticleFactory(section=newsroom["culture"])
    assert count_queries(lambda: layout.front_for(None)) == few


def test_one_front_per_page(newsroom):
    from django.db import IntegrityError, transaction

    Front.objects.create(section=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        Front.objects.create(section=None)
    Front.objects.create(section=newsroom["business"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Front.objects.create(section=newsroom["business"])
    assert Block._meta.get_field("size").default == 4
