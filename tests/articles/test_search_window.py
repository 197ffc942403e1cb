"""The window of ranked search candidates holds only stories readers may see: drafts, stories in
review, withdrawn ones and stories scheduled for later never push a published story out of it,
and never make the page say "more than" when fewer published stories match.

Runs on the database in use: SQLite (FTS5) by default, PostgreSQL (tsvector) with DATABASE_URL.
"""

import datetime as dt

import pytest
from django.utils import timezone

from articles.models import Article
from articles.search import ranking as search_module
from articles.search import reindex
from tests.factories import ArticleFactory, SectionFactory

pytestmark = pytest.mark.django_db

SEARCH = "/search/"


def hidden_stories(count, *, section, status=Article.Status.DRAFT, published_at=None, word):
    """``count`` stories readers must not see, all newer (higher ids) than what exists, made in
    bulk and then indexed (``bulk_create`` sends no signals, so ``reindex`` does it)."""
    stories = Article.objects.bulk_create(
        Article(
            headline=f"Unpublished {word} notes {n}",
            slug=f"unpublished-{word}-{n}",
            body=f"<p>More about {word}.</p>",
            section=section,
            status=status,
            published_at=published_at,
        )
        for n in range(count)
    )
    ids = list(
        Article.objects.filter(slug__startswith=f"unpublished-{word}-").values_list("pk", flat=True)
    )
    assert len(ids) == count
    reindex(ids)
    return stories


def test_a_thousand_and_one_drafts_do_not_hide_the_published_story(client):
    section = SectionFactory()
    published = ArticleFactory(headline="Zebrafish regrow their hearts", section=section)
    hidden_stories(search_module.MAX_CANDIDATES + 1, section=section, word="zebrafish")

    response = client.get(SEARCH, {"q": "zebrafish"})
    assert response.status_code == 200
    assert [a.pk for a in response.context["articles"]] == [published.pk]
    page = response.content.decode()
    assert "1 story found for “zebrafish”" in page
    assert "More than" not in page


def test_more_than_is_said_only_when_more_published_stories_match(client, monkeypatch):
    monkeypatch.setattr(search_module, "MAX_CANDIDATES", 3)
    section = SectionFactory()
    stories = [ArticleFactory(headline=f"Axolotl survey {n}", section=section) for n in range(3)]
    # Newer than all of them: drafts, and one published story due tomorrow.
    hidden_stories(5, section=section, word="axolotl")
    scheduled = ArticleFactory(
        headline="Axolotl survey, the next instalment",
        section=section,
        published_at=timezone.now() + dt.timedelta(days=1),
    )
    assert scheduled.status == Article.Status.PUBLISHED

    response = client.get(SEARCH, {"q": "axolotl"})
    assert sorted(a.pk for a in response.context["articles"]) == sorted(s.pk for s in stories)
    page = response.content.decode()
    assert "3 stories found for “axolotl”" in page
    assert "More than" not in page

    # One more published story than the window: now the note, and the newest three.
    fourth = ArticleFactory(headline="Axolotl survey 3", section=section)
    response = client.get(SEARCH, {"q": "axolotl"})
    assert sorted(a.pk for a in response.context["articles"]) == sorted(
        [fourth.pk, stories[2].pk, stories[1].pk]
    )
    assert "More than 3 stories match “axolotl”" in response.content.decode()
