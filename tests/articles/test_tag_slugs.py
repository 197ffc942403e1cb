"""Every tag gets a slug that routes, whatever its name: a tag of "?" or ">" (no letters or digits)
used to get the slug "" and every page linking it answered 500."""

import importlib

import pytest
from django.apps import apps as global_apps
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from articles.models import Article
from people.models import Reporter
from tests.factories import ArticleFactory, BylineFactory
from tests.forms import article_form

mend = importlib.import_module("articles.migrations.0007_mend_empty_tag_slugs")

pytestmark = pytest.mark.django_db


@pytest.fixture
def symbol_story(seed):
    story = ArticleFactory(
        headline="Economy question marks",
        slug="economy-question-marks",
        section=seed.section,
        status=Article.Status.PUBLISHED,
        published_at=timezone.now() - timezone.timedelta(hours=1),
    )
    story.tags.add("Economy", "?", ">")  # through taggit's manager, as the admin form does
    return story


def test_symbol_tags_get_routable_distinct_slugs(symbol_story):
    slugs = {tag.name: tag.slug for tag in Tag.objects.filter(name__in=["?", ">"])}
    assert set(slugs) == {"?", ">"}
    assert all(slug.startswith("tag-") for slug in slugs.values())
    assert slugs["?"] != slugs[">"]
    for slug in slugs.values():
        reverse("articles:tag", kwargs={"slug": slug})  # no NoReverseMatch


def test_fallback_slug_is_stable(db):
    first = Tag.objects.create(name="?!")
    slug = first.slug
    first.delete()
    assert slug.startswith("tag-")
    assert Tag.objects.create(name="?!").slug == slug


@pytest.mark.parametrize(
    "create",
    [
        lambda name: Tag.objects.create(name=name),
        lambda name: Tag.objects.create(name=name, slug=""),
        lambda name: Tag.objects.get_or_create(name=name)[0],
    ],
    ids=["create", "create-empty-slug", "get_or_create"],
)
def test_every_way_of_creating_a_tag(db, create):
    assert create("<>").slug.startswith("tag-")


def test_an_emptied_slug_is_mended_on_save(db):
    tag = Tag.objects.create(name="!!")
    tag.slug = ""
    tag.save()
    tag.refresh_from_db()
    assert tag.slug.startswith("tag-")


def test_unicode_and_ordinary_names_keep_their_slugs(db):
    assert Tag.objects.create(name="前海").slug == "前海"
    assert Tag.objects.create(name="Hong Kong").slug == "hong-kong"
    assert Tag.objects.create(name="Economy?").slug == "economy"


def test_a_fallback_taken_by_another_tag_gets_a_number(db):
    taken = Tag.objects.create(name="?").slug
    assert taken.startswith("tag-")
    Tag.objects.filter(slug=taken).update(name="something else")
    clash = Tag.objects.create(name="?")
    assert clash.slug != taken
    assert clash.slug.startswith(taken)


def test_a_fixture_with_an_empty_slug_is_mended(db, tmp_path):
    fixture = tmp_path / "tags.json"
    fixture.write_text('[{"model": "taggit.tag", "fields": {"name": "?", "slug": ""}}]')
    call_command("loaddata", str(fixture), verbosity=0)
    assert Tag.objects.get(name="?").slug.startswith("tag-")


def test_editor_tags_a_story_economy_question_mark_in_the_admin(client, editor_user, seed):
    """The reported case: "Economy, ?" typed in the story form, then published."""
    story = ArticleFactory(
        headline="Tagged in the admin", slug="tagged-in-the-admin", section=seed.section
    )
    BylineFactory(article=story, reporter=Reporter.objects.get(slug="chang-zhipeng"), order=0)
    client.force_login(editor_user)
    change = f"/admin/articles/article/{story.pk}/change/"
    fields = article_form(client.get(change))
    fields.update(tags="Economy, ?", status="published", _save="Save")
    response = client.post(change, fields)
    assert response.status_code == 302, response.content.decode()[:2000]
    story.refresh_from_db()
    assert story.is_public
    assert sorted(story.tags.names()) == ["?", "Economy"]
    assert client.get(story.get_absolute_url()).status_code == 200
    assert client.get(reverse("api:stories")).status_code == 200


def test_pages_linking_symbol_tags_answer(client, symbol_story):
    pages = [
        symbol_story.get_absolute_url(),
        reverse("api:stories"),
        reverse("api:tags"),
        "/sitemap-tags.xml",
    ]
    for tag in Tag.objects.filter(name__in=["?", ">"]):
        pages.append(reverse("articles:tag", kwargs={"slug": tag.slug}))
        pages.append(reverse("api:tag", kwargs={"slug": tag.slug}))
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
    tag_page = client.get(reverse("articles:tag", kwargs={"slug": Tag.objects.get(name="?").slug}))
    assert symbol_story.headline in tag_page.content.decode()


def test_unicode_tag_page_answers(client, symbol_story):
    symbol_story.tags.add("前海")
    response = client.get(reverse("articles:tag", kwargs={"slug": "前海"}))
    assert response.status_code == 200
    assert symbol_story.headline in response.content.decode()


def test_staff_preview_with_symbol_tags(admin_client, seed):
    draft = ArticleFactory(headline="Draft with a ?", slug="draft-with-a-q", section=seed.section)
    draft.tags.add("?", ">")
    response = admin_client.get(reverse("articles:preview", kwargs={"pk": draft.pk}))
    assert response.status_code == 200


def test_migration_mends_an_empty_slug(db):
    broken = Tag.objects.create(name="?")
    Tag.objects.filter(pk=broken.pk).update(slug="")  # as the old code saved it
    fine = Tag.objects.create(name="Economy")
    mend.mend_empty_tag_slugs(global_apps, None)
    broken.refresh_from_db()
    fine.refresh_from_db()
    assert broken.slug.startswith("tag-")
    assert fine.slug == "economy"
    reverse("articles:tag", kwargs={"slug": broken.slug})
    mend.mend_empty_tag_slugs(global_apps, None)  # running again changes nothing
    assert Tag.objects.get(pk=broken.pk).slug == broken.slug
