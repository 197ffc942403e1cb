"""A library picture in a story's body (issue 17) is kept like a lead image: the story's save
records it (``articles.BodyImage``, in step with the body), it cannot be deleted while any story
uses it, whatever that story's status (drafts included, as for lead images: ``PROTECT``), a
published story's body makes it editors' alone to change, and its page says where it is used.

All through the admin pages, with the roles' real permissions.
"""

import datetime as dt
import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection
from django.db.models.deletion import ProtectedError
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from reversion.models import Version

from articles import body as story_body
from articles.models import Article, BodyImage
from core.published_use import shown_publicly, uses_of
from photos.models import Image
from tests.factories import ArticleFactory, ImageFactory, ReporterFactory, SectionFactory
from tests.forms import article_form, form_fields

pytestmark = pytest.mark.django_db

ADD_STORY = "/admin/articles/article/add/"
IMAGES = "/admin/photos/image/"
REFUSED = "cannot be deleted while a story uses it"


def picture(image, caption="", size="column"):
    return (
        f'<figure class="picture" data-image="{image.pk}" data-size="{size}">'
        f"<figcaption>{caption}</figcaption></figure>"
    )


def gallery(*images):
    return '<figure class="gallery">' + "".join(picture(image) for image in images) + "</figure>"


def story_url(story):
    return f"/admin/articles/article/{story.pk}/change/"


def image_url(image, page="change"):
    return f"{IMAGES}{image.pk}/{page}/"


def recorded(story) -> set[int]:
    return set(BodyImage.objects.filter(article=story).values_list("image_id", flat=True))


def add_story(client, body, slug="harbour-pictures", byline=None):
    data = article_form(client.get(ADD_STORY))
    data.update(
        headline="Harbour pictures",
        slug=slug,
        body=body,
        section=str(SectionFactory().pk),
        status="draft",
        **{
            "bylines-0-reporter": str((byline or ReporterFactory()).pk),
            "bylines-0-order": "0",
        },
    )
    response = client.post(ADD_STORY, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    return Article.objects.get(slug=slug)


def save_body(client, story, body):
    form = article_form(client.get(story_url(story)))
    form["body"] = body
    response = client.post(story_url(story), form)
    assert response.status_code == 302, response.content.decode()[:3000]


def published(body, *, scheduled=False, **fields):
    when = dt.timedelta(days=1) if scheduled else -dt.timedelta(hours=1)
    return ArticleFactory(body=body, published_at=timezone.now() + when, **fields)


def image_form(client, image, **changes):
    """The picture's change form as the editor's browser posts it, with ``changes``."""
    data = form_fields(client.get(image_url(image)).content, "image_form")
    data.update(changes)
    return data


# --- The record follows the body ------------------------------------------------------------------


def test_saving_a_story_records_its_body_pictures_and_removing_them_unrecords(editor):
    cranes, ferry, market = ImageFactory(), ImageFactory(), ImageFactory()
    story = add_story(editor, f"<p>Dawn.</p>{picture(cranes)}{gallery(ferry, market)}")
    assert recorded(story) == {cranes.pk, ferry.pk, market.pk}
    assert list(cranes.body_of.values_list("article", flat=True)) == [story.pk]

    save_body(editor, story, f"<p>Dawn.</p>{gallery(market, ferry)}")
    assert recorded(story) == {ferry.pk, market.pk}

    save_body(editor, story, "<p>No pictures now.</p>")
    assert recorded(story) == set()
    assert BodyImage.objects.count() == 0


def test_a_reporters_own_draft_records_them_too(reporter, reporter_user):
    cranes = ImageFactory()
    story = add_story(reporter, f"<p>Dawn.</p>{picture(cranes)}", byline=reporter_user.reporter)
    assert recorded(story) == {cranes.pk}


def test_restoring_an_earlier_text_brings_its_pictures_back_into_the_record(editor):
    cranes, ferry = ImageFactory(), ImageFactory()
    story = add_story(editor, f"<p>Dawn.</p>{picture(cranes)}")
    with_cranes = Version.objects.get_for_object(story).first()
    save_body(editor, story, f"<p>Dusk.</p>{picture(ferry)}")
    assert recorded(story) == {ferry.pk}

    restore = f"/admin/articles/article/{story.pk}/history/{with_cranes.pk}/"
    assert editor.post(restore).status_code == 302
    story.refresh_from_db()
    assert story_body.image_ids(story.body) == [cranes.pk]
    assert recorded(story) == {cranes.pk}


def test_a_deleted_story_brought_back_from_its_history_records_its_pictures(editor):
    """django-reversion writes the story's row back without ``Article.save``: the record still
    follows (a receiver of that raw save)."""
    cranes = ImageFactory()
    story = add_story(editor, f"<p>Dawn.</p>{picture(cranes)}")
    version = Version.objects.get_for_object(story).first()
    response = editor.post(f"/admin/articles/article/{story.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not BodyImage.objects.exists()

    version.revision.revert()
    assert recorded(Article.objects.get(pk=story.pk)) == {cranes.pk}


def test_a_number_that_is_no_picture_is_not_recorded():
    story = ArticleFactory(body='<figure class="picture" data-image="999999"></figure>')
    assert story_body.image_ids(story.body) == [999999]
    assert recorded(story) == set()


def test_saving_a_story_without_pictures_costs_at_most_one_query_more():
    """A new story without pictures asks nothing; saving an existing one reads its record once
    (one indexed query) and writes only when its pictures changed."""
    cranes = ImageFactory()

    def record_queries(save):
        with CaptureQueriesContext(connection) as queries:
            save()
        return [q["sql"] for q in queries if BodyImage._meta.db_table in q["sql"]]

    story = ArticleFactory.build(section=SectionFactory())
    assert record_queries(story.save) == []
    [read] = record_queries(story.save)
    assert read.startswith("SELECT")
    story.headline = "A new headline"
    assert record_queries(lambda: story.save(update_fields=["headline"])) == []

    story.body += picture(cranes)
    assert len(record_queries(story.save)) == 2  # the read and the insert
    story.standfirst = "Pictures unchanged."
    [read] = record_queries(story.save)
    assert read.startswith("SELECT")
    assert recorded(story) == {cranes.pk}


def test_the_migration_records_the_stories_saved_before():
    migration = importlib.import_module("articles.migrations.0010_body_images")
    cranes, ferry, market = ImageFactory(), ImageFactory(), ImageFactory()
    bodies = [
        f"<p>a</p>{picture(cranes)}{gallery(ferry, market)}{picture(cranes)}",
        f'<p>b</p>{picture(ferry)}<figure class="picture" data-image="999999"></figure>',
        "<p>No pictures.</p>",
        '<figure class="embed" data-provider="youtube" data-id="dQw4w9WgXcQ"></figure>',
    ]
    stories = [ArticleFactory(body=body) for body in bodies]
    for body in bodies:
        assert migration.image_ids(body) == story_body.image_ids(body)
    BodyImage.objects.all().delete()

    migration.record_body_images(apps, SimpleNamespace(connection=connection))
    assert [recorded(story) for story in stories] == [
        {cranes.pk, ferry.pk, market.pk},
        {ferry.pk},
        set(),
        set(),
    ]


# --- Deleting is refused --------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["published", "draft"])
def test_a_picture_in_a_storys_body_cannot_be_deleted_from_its_page(editor, status):
    """Whatever the story's status, as for lead images: a draft would lose its picture."""
    cranes = ImageFactory(alt_text="Harbour cranes at dawn")
    story = ArticleFactory(
        headline="Harbour reopens", status=status, body=f"<p>Dawn.</p>{gallery(cranes, cranes)}"
    )
    page = editor.get(image_url(cranes, "delete"))
    assert page.status_code == 200
    response = editor.post(image_url(cranes, "delete"), {"post": "yes"})
    assert response.status_code == 200  # the refusal, not the redirect of a deletion
    html = response.content.decode()
    assert f"The picture “Harbour cranes at dawn” {REFUSED}" in html
    label = "Published" if status == "published" else "Draft"
    assert f'<a href="{story_url(story)}">Harbour reopens</a> ({label}, in the body)' in html
    assert "Yes, I’m sure" not in html
    assert Image.objects.filter(pk=cranes.pk).exists()
    with pytest.raises(ProtectedError):
        cranes.delete()


def test_the_bulk_delete_refuses_it_too_and_deletes_nothing(editor):
    cranes = ImageFactory(alt_text="Harbour cranes at dawn")
    spare = ImageFactory(alt_text="Nobody uses this one")
    lead = ImageFactory(alt_text="A lead picture")
    story = ArticleFactory(headline="Harbour reopens", body=f"<p>Dawn.</p>{picture(cranes)}")
    other = ArticleFactory(headline="Ferries return", lead_image=lead, status="review")
    response = editor.post(
        IMAGES,
        {
            "action": "delete_selected",
            "_selected_action": [cranes.pk, spare.pk, lead.pk],
            "post": "yes",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Some of the selected pictures cannot be deleted while a story uses them" in html
    assert f'<a href="{story_url(story)}">Harbour reopens</a> (Published, in the body)' in html
    assert f'<a href="{story_url(other)}">Ferries return</a> (In review, lead image)' in html
    assert "Harbour cranes at dawn" in html and "A lead picture" in html
    assert Image.objects.filter(pk__in=[cranes.pk, spare.pk, lead.pk]).count() == 3

    # Once the story no longer shows it, it goes like any other picture.
    save_body(editor, story, "<p>Dawn.</p>")
    response = editor.post(
        IMAGES, {"action": "delete_selected", "_selected_action": [cranes.pk], "post": "yes"}
    )
    assert response.status_code == 302
    assert not Image.objects.filter(pk=cranes.pk).exists()


def test_a_reporter_cannot_delete_one_a_published_story_shows_even_with_the_permission(
    reporter_user, reporter
):
    from django.contrib.auth.models import Permission

    reporter_user.user_permissions.add(Permission.objects.get(codename="delete_image"))
    cranes = ImageFactory()
    published(f"<p>Dawn.</p>{picture(cranes)}")
    assert reporter.post(image_url(cranes, "delete"), {"post": "yes"}).status_code == 403
    response = reporter.post(
        IMAGES, {"action": "delete_selected", "_selected_action": [cranes.pk], "post": "yes"}
    )
    # The list's action answers with its page saying why, rather than a 403: nothing offered.
    assert response.status_code == 200
    assert "Yes, I’m sure" not in response.content.decode()
    assert Image.objects.filter(pk=cranes.pk).exists()


# --- Who may change it ----------------------------------------------------------------------------


@pytest.mark.parametrize("scheduled", [False, True], ids=["published", "scheduled"])
def test_a_reporter_cannot_change_a_picture_a_published_storys_body_shows(
    reporter, editor, scheduled
):
    cranes = ImageFactory(caption="Cranes at dawn")
    published(f"<p>Dawn.</p>{gallery(ImageFactory(), cranes)}", scheduled=scheduled)
    assert shown_publicly(Image.objects.filter(pk=cranes.pk)).exists()

    page = reporter.get(image_url(cranes)).content.decode()
    assert 'name="caption"' not in page
    assert "in its body" in page and "only an editor can change or delete it" in page
    forged = image_form(editor, cranes, caption="A caption no editor saw")
    assert reporter.post(image_url(cranes), forged).status_code == 403
    cranes.refresh_from_db()
    assert cranes.caption == "Cranes at dawn"

    changed = image_form(editor, cranes, caption="Cranes after the storm")
    assert editor.post(image_url(cranes), changed).status_code == 302
    cranes.refresh_from_db()
    assert cranes.caption == "Cranes after the storm"


@pytest.mark.parametrize("status", ["draft", "review", "withdrawn"])
def test_a_picture_only_unpublished_bodies_show_stays_open_to_a_reporter(reporter, editor, status):
    cranes = ImageFactory(caption="Cranes at dawn")
    ArticleFactory(status=status, body=f"<p>Dawn.</p>{picture(cranes)}")
    assert not shown_publicly(Image.objects.filter(pk=cranes.pk)).exists()
    changed = image_form(editor, cranes, caption="Cranes after the storm")
    assert reporter.post(image_url(cranes), changed).status_code == 302
    cranes.refresh_from_db()
    assert cranes.caption == "Cranes after the storm"


# --- Where it is used -----------------------------------------------------------------------------


def test_the_pictures_page_lists_the_stories_using_it(editor, reporter):
    cranes = ImageFactory()
    in_body = ArticleFactory(headline="Harbour reopens", body=f"<p>a</p>{picture(cranes)}")
    as_lead = ArticleFactory(headline="Ferries <return>", status="draft", lead_image=cranes)
    both = published(f"<p>b</p>{gallery(ImageFactory(), cranes)}", scheduled=True)
    both.lead_image = cranes
    both.headline = "Cranes tomorrow"
    both.save()
    ArticleFactory(headline="Not this one")

    for client in (editor, reporter):  # a reporter sees it on the read-only page too
        html = client.get(image_url(cranes)).content.decode()
        assert "Used in" in html
        for line in (
            f'<a href="{story_url(in_body)}">Harbour reopens</a> (Published, in the body)',
            f'<a href="{story_url(as_lead)}">Ferries &lt;return&gt;</a> (Draft, lead image)',
            f'<a href="{story_url(both)}">Cranes tomorrow</a> (Scheduled, lead image and in the '
            "body)",
        ):
            assert f"<li>{line}</li>" in html
        assert "Not this one" not in html
    assert len(uses_of(cranes)) == 3


def test_a_picture_no_story_uses_says_so(editor):
    spare = ImageFactory()
    ArticleFactory(body="<p>No pictures.</p>")
    html = editor.get(image_url(spare)).content.decode()
    assert "Not used in any story." in html
    assert uses_of(spare) == []
    add_page = editor.get(f"{IMAGES}add/").content.decode()
    assert "Used in" not in add_page


def test_the_page_reads_where_it_is_used_in_one_query(editor):
    cranes = ImageFactory()
    for number in range(5):
        ArticleFactory(body=f"<p>{number}</p>{picture(cranes)}", lead_image=cranes)
    with CaptureQueriesContext(connection) as queries:
        html = editor.get(image_url(cranes)).content.decode()
    assert html.count("(Published, lead image and in the body)") == 5
    reads = [q["sql"] for q in queries if BodyImage._meta.db_table in q["sql"]]
    assert len(reads) == 1, reads
