"""Demo data: realistic enough to browse and benchmark, and removable to the last row."""

import io

import pytest
from django.core.management import CommandError, call_command

from articles.models import Article, Byline, Correction, Section
from people.models import Organization, Person, Reporter
from tests.factories import BylineFactory, ReporterFactory


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def run(*args):
    out = io.StringIO()
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
