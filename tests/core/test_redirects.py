"""Addresses that last: an old slug answers 301 to the current page, forever, with no one acting."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from articles.models import Article, Section
from core.models import SlugHistory
from people.models import Organization, Person, Reporter
from tests.factories import (
    ArticleFactory,
    BylineFactory,
    OrganizationFactory,
    PersonFactory,
    ReporterFactory,
    SectionFactory,
)

pytestmark = pytest.mark.django_db


def rename(obj, slug):
    obj.slug = slug
    obj.save()
    return obj


def assert_moved(client, old_url, new_url):
    response = client.get(old_url)
    assert response.status_code == 301
    assert response["Location"] == new_url
    assert client.get(new_url).status_code == 200


def test_story_with_a_new_slug_redirects_from_the_old_one(client, seed):
    """The headline and slug change after publication: links to the old address keep working."""
    old_url = seed.get_absolute_url()
    seed.headline = "Qianhai Forum closes with 1,200 delegates"
    rename(seed, "qianhai-forum-closes")

    assert_moved(client, old_url, "/stories/qianhai-forum-closes/")


def test_every_old_slug_goes_straight_to_the_newest(client, db):
    """Renamed twice: both old addresses answer one 301 to the current page, never a chain."""
    story = ArticleFactory(slug="first")
    rename(story, "second")
    rename(story, "third")

    assert_moved(client, "/stories/first/", "/stories/third/")
    assert_moved(client, "/stories/second/", "/stories/third/")


def test_a_slug_changed_back_answers_again(client, db):
    """a → b → a: the story lives at a again, and b now points there."""
    story = ArticleFactory(slug="a")
    rename(story, "b")
    rename(story, "a")

    assert client.get("/stories/a/").status_code == 200
    assert_moved(client, "/stories/b/", "/stories/a/")
    assert not SlugHistory.objects.filter(slug="a").exists()


def test_the_query_string_is_kept(client, db):
    section = SectionFactory(slug="hong-kong")
    ArticleFactory.create_batch(21, section=section)
    rename(section, "hong-kong-macao")

    response = client.get("/sections/hong-kong/", {"page": "2"})
    assert response.status_code == 301
    assert response["Location"] == "/sections/hong-kong-macao/?page=2"


def test_redirect_is_permanent_but_not_remembered_forever_by_browsers(client, db):
    """A 301, cached for an hour only: a slug that is changed back must not loop in a browser."""
    story = ArticleFactory(slug="before")
    rename(story, "after")

    response = client.get("/stories/before/")
    assert response.status_code == 301
    assert response["Cache-Control"] == "max-age=3600"


def test_unknown_slug_is_still_not_found(client, db):
    ArticleFactory(slug="real")
    assert client.get("/stories/never-was/").status_code == 404


@pytest.mark.parametrize("status", ["draft", "review", "withdrawn"])
def test_old_slug_of_a_story_readers_cannot_see_is_not_found(client, db, status):
    """A redirect must not reveal the new address of a story that is not public."""
    story = ArticleFactory(slug="old-address")
    rename(story, "new-address")
    Article.objects.filter(pk=story.pk).update(status=status)

    assert client.get("/stories/old-address/").status_code == 404
    assert client.get("/stories/new-address/").status_code == 404


def test_a_live_story_at_an_old_slug_wins(client, db):
    """If another story now has the slug, that story answers: an old address never hides a live one."""
    first = ArticleFactory(slug="ferry-fares")
    rename(first, "ferry-fares-2025")
    second = ArticleFactory(slug="ferry-fares", headline="Ferry fares rise again")

    response = client.get("/stories/ferry-fares/")
    assert response.status_code == 200
    assert second.headline in response.content.decode()

    # And when that one moves on too, the old slug follows the story that had it last.
    rename(second, "ferry-fares-2026")
    assert_moved(client, "/stories/ferry-fares/", "/stories/ferry-fares-2026/")


def test_a_deleted_story_takes_its_old_addresses_with_it(client, db):
    story = ArticleFactory(slug="gone")
    rename(story, "gone-for-good")
    story.delete()

    assert client.get("/stories/gone/").status_code == 404
    assert not SlugHistory.objects.exists()


def test_a_failed_save_records_nothing(db):
    """A slug change that the database refuses (slug taken) leaves no old address behind."""
    from django.db import IntegrityError, transaction

    ArticleFactory(slug="taken")
    story = ArticleFactory(slug="mine")
    story.slug = "taken"
    with pytest.raises(IntegrityError), transaction.atomic():
        story.save()

    assert not SlugHistory.objects.exists()


def test_saves_that_keep_the_slug_record_nothing(db):
    story = ArticleFactory(slug="steady")
    story.headline = "A new headline, the same address"
    story.save()
    story.save(update_fields=["headline"])

    assert not SlugHistory.objects.exists()


def test_changing_the_slug_in_the_admin_keeps_the_old_address(admin_client, client, seed):
    """The editor only edits the slug field: the redirect is made without them doing anything."""
    section = Section.objects.get(slug="greater-bay-area")
    response = admin_client.post(
        reverse("admin:articles_section_change", args=[section.pk]),
        {"name": "Bay Area", "slug": "bay-area", "description": "", "order": 0},
    )
    assert response.status_code == 302, response.content.decode()[:2000]

    assert_moved(client, "/sections/greater-bay-area/", "/sections/bay-area/")


def test_reloading_the_fixture_leaves_no_history(seed):
    """Loading the seed again writes the same slugs: nothing has moved."""
    call_command("loaddata", "qianhai-forum", verbosity=0)

    assert not SlugHistory.objects.exists()


def in_a_published_story(obj):
    """People, organizations and reporters have pages once a published story carries them."""
    if isinstance(obj, Section):
        return
    story = ArticleFactory()
    if isinstance(obj, Person):
        story.mentioned_people.add(obj)
    elif isinstance(obj, Organization):
        story.mentioned_organizations.add(obj)
    else:
        BylineFactory(article=story, reporter=obj, order=0)


@pytest.mark.parametrize(
    "factory, prefix",
    [
        (SectionFactory, "/sections/"),
        (PersonFactory, "/people/"),
        (OrganizationFactory, "/organizations/"),
        (ReporterFactory, "/reporters/"),
    ],
)
def test_sections_and_people_keep_their_old_addresses(client, db, factory, prefix):
    obj = factory(slug="old-name")
    in_a_published_story(obj)
    rename(obj, "new-name")

    assert_moved(client, f"{prefix}old-name/", f"{prefix}new-name/")
    assert client.get(f"{prefix}never-was/").status_code == 404


def test_old_slugs_are_kept_per_kind(client, db):
    """A person's old slug does not send readers to an organization that once had the same one."""
    person = PersonFactory(slug="ccpit")
    in_a_published_story(person)
    rename(person, "someone-else")
    organization = OrganizationFactory(slug="china-council")
    in_a_published_story(organization)
    rename(organization, "ccpit-council")

    assert_moved(client, "/people/ccpit/", "/people/someone-else/")
    assert client.get("/organizations/ccpit/").status_code == 404
    assert SlugHistory.objects.object_id_for(Person, "ccpit") == person.pk
    assert SlugHistory.objects.object_id_for(Organization, "ccpit") is None
    assert SlugHistory.objects.object_id_for(Reporter, "ccpit") is None


def test_old_slug_history_reads_well(db):
    story = ArticleFactory(slug="x-old")
    rename(story, "x-new")

    assert str(SlugHistory.objects.get()) == f"article “x-old” → #{story.pk}"


def test_old_addresses_are_listed_in_the_admin(admin_client, seed, django_assert_max_num_queries):
    """Editors can see where an old link goes; the site writes the rows, nobody edits them."""
    rename(seed, "qianhai-forum-closes")
    rename(Person.objects.get(slug="xu-li"), "xu-li-sensetime")

    with django_assert_max_num_queries(12):
        html = admin_client.get(reverse("admin:core_slughistory_changelist")).content.decode()
    assert "qianhai-forum-draws-1200-representatives" in html
    assert f'<a href="/stories/qianhai-forum-closes/">{seed.headline}</a>' in html
    assert '<a href="/people/xu-li-sensetime/">Xu Li</a>' in html

    row = SlugHistory.objects.get(slug="xu-li")
    change = admin_client.get(reverse("admin:core_slughistory_change", args=[row.pk]))
    assert change.status_code == 200
    assert admin_client.get(reverse("admin:core_slughistory_add")).status_code == 403
