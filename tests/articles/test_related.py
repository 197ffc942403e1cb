"""Under a story: related stories (sharing people, organizations or tags) and more from its
section (articles.related)."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.db.models import prefetch_related_objects
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles import related, story_page
from articles.models import Article
from core import keys as surrogate_keys
from tests.conftest import HIDDEN_KINDS, make_hidden_story
from tests.factories import (
    ArticleFactory,
    BylineFactory,
    OrganizationFactory,
    PersonFactory,
    SectionFactory,
)

pytestmark = pytest.mark.django_db


def hours_ago(n):
    return timezone.now() - dt.timedelta(hours=n)


def story(headline, section, *, hours=1, tags=(), people=(), organizations=(), **kwargs):
    made = ArticleFactory(
        headline=headline, section=section, published_at=hours_ago(hours), **kwargs
    )
    made.tags.add(*tags)
    made.mentioned_people.add(*people)
    made.mentioned_organizations.add(*organizations)
    BylineFactory(article=made, order=0)
    return made


def lists_of(article):
    """The two lists for ``article`` as the story page makes them (its links prefetched)."""
    article = Article.objects.select_related("section").get(pk=article.pk)
    prefetch_related_objects([article], *story_page.prefetches())
    found = related.story_lists(article)
    return [s.headline for s in found[0]], [s.headline for s in found[1]]


@pytest.fixture
def world(db):
    """A story on trade in the Bay Area, and stories sharing one, two or three of its links."""
    bay, other = SectionFactory(name="Bay", slug="bay"), SectionFactory(name="Other", slug="other")
    choi, xu = PersonFactory(name="Choi"), PersonFactory(name="Xu")
    uibe = OrganizationFactory(name="UIBE")
    main = story(
        "Main", bay, hours=1, tags=["trade", "ports"], people=[choi, xu], organizations=[uibe]
    )
    return {
        "bay": bay,
        "other": other,
        "choi": choi,
        "xu": xu,
        "uibe": uibe,
        "main": main,
    }


def test_most_shared_first_then_newest_at_most_four_never_itself(world):
    w = world
    story("One tag, newest", w["other"], hours=2, tags=["trade"])
    story(
        "Three links",
        w["other"],
        hours=50,
        tags=["trade"],
        people=[w["choi"]],
        organizations=[w["uibe"]],
    )
    story("Two links", w["other"], hours=40, people=[w["choi"], w["xu"]])
    story("One tag, older", w["other"], hours=30, tags=["ports"])
    story("One organization, oldest", w["other"], hours=60, organizations=[w["uibe"]])
    story("Nothing shared", w["other"], hours=3, tags=["weather"])

    shown, _ = lists_of(w["main"])

    assert shown == ["Three links", "Two links", "One tag, newest", "One tag, older"]


def test_more_in_the_section_is_the_newest_not_already_shown(world):
    w = world
    story("Related, in the section", w["bay"], hours=2, tags=["trade"])
    for n in range(6):
        story(f"Bay {n}", w["bay"], hours=10 + n)
    story("Elsewhere", w["other"], hours=3)

    shown, more = lists_of(w["main"])

    assert shown == ["Related, in the section"]
    assert more == ["Bay 0", "Bay 1", "Bay 2", "Bay 3"]


def test_a_story_with_no_links_still_gets_its_section(world):
    w = world
    alone = story("Alone", w["bay"], hours=5)

    shown, more = lists_of(alone)

    assert shown == []
    assert more == ["Main"]


@pytest.mark.parametrize("kind", HIDDEN_KINDS)
def test_drafts_and_scheduled_stories_never_appear(seed, kind):
    hidden = make_hidden_story(seed, kind)  # in the seed's section, sharing its tags and people

    shown, more = lists_of(seed)

    assert hidden.headline not in shown + more


def test_the_page_shows_both_lists_as_cards(client, world):
    w = world
    linked = story("Linked story", w["other"], hours=2, tags=["trade"])
    story("Same section", w["bay"], hours=3)

    html = client.get(w["main"].get_absolute_url()).content.decode()

    assert '<h2 id="related-heading" class="list-heading">Related stories</h2>' in html
    assert f'class="card-headline"><a href="{linked.get_absolute_url()}">Linked story</a>' in html
    assert "More in Bay</a></h2>" in html
    assert re.search(r'class="card-headline"><a href="[^"]+">Same section</a>', html)


def queries_for(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_query_count_is_fixed_with_one_or_ten_links(client, world):
    w = world
    one = story("One link", w["bay"], hours=2, tags=["only"])
    story("Shares it", w["other"], hours=3, tags=["only"])
    ten = story(
        "Ten links",
        w["bay"],
        hours=4,
        tags=["a", "b", "c", "d"],
        people=[PersonFactory() for _ in range(3)],
        organizations=[OrganizationFactory() for _ in range(3)],
    )
    for n in range(8):
        story(f"Shares some {n}", w["other"], hours=5 + n, tags=["a", "b"][: n % 2 + 1])

    assert queries_for(client, one.get_absolute_url()) == queries_for(
        client, ten.get_absolute_url()
    )


def test_query_count_does_not_depend_on_what_is_found(client, world):
    """A story whose lists come out empty costs what one with full lists costs."""
    w = world
    lonely_section = SectionFactory(name="Lonely", slug="lonely")
    lonely = story("Lonely", lonely_section, hours=2, tags=["nobody-else"])
    busy = story("Busy", w["bay"], hours=3, tags=["trade"])

    assert queries_for(client, lonely.get_absolute_url()) == queries_for(
        client, busy.get_absolute_url()
    )


def test_the_lists_carry_the_keys_that_purge_them(world):
    """Each card's keys, and the lists of the story's tags, people, organizations and section:
    a story joining or leaving any of them purges the parts (not ``stories:all``, which every
    publication purges)."""
    w = world
    linked = story("Linked", w["other"], hours=2, tags=["trade"])
    article = Article.objects.select_related("section", "lead_image").get(pk=w["main"].pk)

    with surrogate_keys.collecting() as shown:
        story_page.story_parts(article)

    assert f"story:{linked.pk}" in shown
    assert surrogate_keys.list_key(w["bay"]) in shown
    assert surrogate_keys.list_key(w["choi"]) in shown
    assert surrogate_keys.list_key(w["uibe"]) in shown
    tag = article.tags.get(name="trade")
    assert surrogate_keys.list_key(tag) in shown


def test_only_the_latest_stories_of_each_link_are_weighed(monkeypatch):
    """A tag on a tenth of 100,000 stories must not make each of them a candidate to score: the
    latest written under each kind of link are (``CANDIDATES_PER_LINK``)."""
    monkeypatch.setattr(related, "CANDIDATES_PER_LINK", 2)
    section = SectionFactory()
    oldest = story("Written first", section, hours=1, tags=["harbour"])
    later = [story(f"Written later {n}", section, hours=5 + n, tags=["harbour"]) for n in range(2)]
    subject = story("The story", section, hours=10, tags=["harbour"])
    found, _ = lists_of(subject)
    # The story itself was written last, so with it the two candidates are it and the one
    # written just before; the others share the tag as much, but are not weighed.
    assert found == [later[-1].headline]
    assert oldest.headline not in found
