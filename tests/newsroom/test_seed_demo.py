"""Demo data: realistic enough to browse and benchmark, and removable to the last row."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image as PILImage

from articles.models import Article, Byline, Correction, Section
from people.models import Organization, Person, Reporter
from photos.demo import DEMO_CAPTION, DEMO_CREDIT
from photos.models import Image
from photos.renditions import all_renditions
from tests.factories import ArticleFactory, BylineFactory, ReporterFactory
from tests.photos.pictures import jpeg, stored_files, upload


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def run(*args):
    out = io.StringIO()
    # A few pictures: each costs its renditions (seconds); how many stories share them is the same.
    if "--pictures" not in args and "--clear" not in args:
        args = (*args, "--pictures", "3")
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_seed_demo_makes_stories_that_readers_can_browse(client, seed, media):
    output = run("--stories", "120")
    assert "120 of 120 stories written" in output
    assert "Added 120 demo stories" in output
    demo = Article.objects.filter(is_demo=True)
    assert demo.count() == 120
    assert Byline.objects.filter(article__is_demo=True).count() >= 120
    assert all(story.tags.exists() for story in demo[:10])
    assert demo.filter(mentioned_people__isnull=False).distinct().count() == 120
    assert Article.objects.published().filter(is_demo=True).count() > 100
    story = Article.objects.published().filter(is_demo=True).first()
    assert client.get(story.get_absolute_url()).status_code == 200
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_clear_removes_exactly_the_demo_data(seed, media):
    before = {
        model: model.objects.count()
        for model in (Article, Section, Reporter, Person, Organization, Correction)
    }
    run("--articles", "60")
    output = run("--clear")
    assert "Removed 60 demo stories" in output
    for model, count in before.items():
        assert model.objects.count() == count, model
    assert Article.objects.filter(pk=seed.pk).exists()


@pytest.mark.django_db
def test_clear_refuses_when_real_content_uses_demo_data(seed, media):
    run("--articles", "10")
    demo_reporter = Reporter.objects.filter(is_demo=True).first()
    seed_byline = BylineFactory(article=seed, reporter=demo_reporter, order=9)
    with pytest.raises(CommandError, match="still used by real content"):
        run("--clear")
    assert Article.objects.filter(is_demo=True).count() == 10  # nothing half-removed
    seed_byline.delete()
    ReporterFactory()  # real content beside it is untouched by a successful clear
    run("--clear")
    assert not Article.objects.filter(is_demo=True).exists()


@pytest.mark.django_db(transaction=True)
def test_demo_pictures_are_drawn_described_credited_and_resized(seed, media):
    output = run("--stories", "200", "--pictures", "5")
    assert "Drew 5 demo pictures, and 24 portraits for 340 demo reporters and people." in output
    assert "resized copies of 345 demo pictures." in output

    pictures = Image.objects.filter(alt_text__startswith="Demo picture: ")
    portraits = Image.objects.filter(alt_text__startswith="Demo portrait of ")
    assert pictures.count() == 5 and portraits.count() == 340
    for image in Image.objects.all():
        assert image.credit == DEMO_CREDIT
        assert image.caption == DEMO_CAPTION
        assert image.file.name.startswith("images/demo/")
        assert not image.renditions_pending and not image.rendition_failures
        assert all(image.file.storage.exists(r.name) for r in all_renditions(image))
    alts = set(pictures.values_list("alt_text", flat=True))
    assert len(alts) == 5  # five different scenes, each said in words
    assert "Demo picture: orange circles on a blue field" in alts

    picture = pictures.first()
    with PILImage.open(picture.file.path) as drawn:
        assert drawn.size == (picture.width, picture.height) == (1600, 900)
        assert len(drawn.convert("RGB").getcolors(1 << 16) or range(99)) > 3  # not a flat fill
        corner = drawn.convert("L").crop((1500, 840, 1600, 900))
        assert corner.getextrema() == (pytest.approx(20, abs=25), pytest.approx(255, abs=25))

    for person in [*Reporter.objects.filter(is_demo=True), *Person.objects.filter(is_demo=True)]:
        assert person.photo.alt_text.startswith(f"Demo portrait of {person.name}: ")


@pytest.mark.django_db
def test_a_good_share_of_demo_stories_lead_with_a_picture_from_the_pool(client, seed, media):
    output = run("--stories", "300", "--pictures", "4")
    stories = Article.objects.filter(is_demo=True)
    illustrated = stories.filter(lead_image__isnull=False)
    assert 0.5 * 300 < illustrated.count() < 0.7 * 300
    assert f"{illustrated.count()} have a lead picture" in output
    assert illustrated.values("lead_image").distinct().count() == 4
    assert Article.objects.get(pk=seed.pk).lead_image is None  # the real story gets none

    story = Article.objects.published().filter(is_demo=True, lead_image__isnull=False).first()
    html = client.get(story.get_absolute_url()).content.decode()
    assert f'alt="{story.lead_image.alt_text}"' in html
    assert "/media/renditions/" in html  # made already: no worker needed
    reporter = story.bylines.first().reporter
    html = client.get(reporter.get_absolute_url()).content.decode()
    assert "Demo portrait of" in html


@pytest.mark.django_db(transaction=True)
def test_clear_removes_the_demo_pictures_and_their_files_only(seed, media):
    real = upload(jpeg((1200, 800)), alt_text="The forum hall", credit="Li Wei")
    ArticleFactory(lead_image=real)
    real_files = stored_files(media)
    assert real_files  # the original and its renditions

    run("--stories", "80")
    assert len(stored_files(media)) > len(real_files) + 340
    # One made by an earlier seed_demo, before demo pictures had a folder of their own.
    old_name = default_storage.save("images/2026/05/demo-19a2b3c4d5e-0.jpg", ContentFile(jpeg()))
    Image.objects.bulk_create(
        [Image(file=old_name, width=1200, height=800, alt_text="Demo", credit=DEMO_CREDIT)]
    )
    output = run("--clear")
    assert "344 demo pictures" in output

    assert list(Image.objects.all()) == [real]
    assert stored_files(media) == real_files
    assert not (media / "images" / "demo").exists()


@pytest.mark.django_db(transaction=True)
def test_clear_refuses_while_a_real_story_leads_with_a_demo_picture(seed, media):
    run("--stories", "10")
    picture = Image.objects.filter(alt_text__startswith="Demo picture: ").first()
    Article.objects.filter(pk=seed.pk).update(lead_image=picture)
    files = stored_files(media)

    with pytest.raises(CommandError, match="lead picture"):
        run("--clear")
    assert Article.objects.filter(is_demo=True).count() == 10  # nothing half-removed
    assert Image.objects.count() == 343
    assert stored_files(media) == files


@pytest.mark.django_db
def test_pictures_cost_a_few_bulk_inserts_not_a_query_each(seed, media):
    def queries(*args):
        with CaptureQueriesContext(connection) as captured:
            run(*args)
        return [q["sql"] for q in captured.captured_queries]

    run("--stories", "5", "--pictures", "1")  # the topics' tags are made once, by the first run
    few, more = (
        queries("--stories", "50", "--pictures", "2"),
        queries("--stories", "50", "--pictures", "6"),
    )
    assert len(more) == len(few)  # the number of pictures adds no query
    image_inserts = [sql for sql in more if sql.startswith('INSERT INTO "photos_image"')]
    # Bulk: 346 pictures in a few inserts (SQLite takes 999 parameters at a time, 76 rows).
    assert len(image_inserts) < 10
    assert len(few) < 300
