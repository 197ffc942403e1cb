"""The one rule for what readers may see: Article.objects.published(), and what saving a story does."""

import datetime as dt

import pytest
import time_machine

from articles.models import Article
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 24, 12, 0, tzinfo=dt.UTC)
AN_HOUR_AGO = NOW - dt.timedelta(hours=1)


def published_ids(now=NOW):
    return set(Article.objects.published(now=now).values_list("pk", flat=True))


@pytest.mark.parametrize(
    "status",
    [Article.Status.DRAFT, Article.Status.REVIEW, Article.Status.WITHDRAWN],
    ids=["draft", "review", "withdrawn"],
)
def test_unpublished_statuses_are_excluded_even_with_a_past_time(status):
    """Only the published status puts a story in front of readers; a past time is not enough."""
    hidden = ArticleFactory(status=status, published_at=AN_HOUR_AGO)
    visible = ArticleFactory(published_at=AN_HOUR_AGO)

    assert published_ids() == {visible.pk}
    assert hidden.pk not in published_ids()


def test_published_with_future_time_is_excluded():
    """A published story with a time still to come is scheduled, not yet public."""
    ArticleFactory(published_at=NOW + dt.timedelta(seconds=1))

    assert published_ids() == set()


def test_published_in_the_past_is_included():
    """A published story whose time has passed is public."""
    story = ArticleFactory(published_at=AN_HOUR_AGO)

    assert published_ids() == {story.pk}


def test_published_exactly_now_is_included():
    """The boundary: a story due at this very instant is already public."""
    story = ArticleFactory(published_at=NOW)

    assert published_ids(now=NOW) == {story.pk}
    assert published_ids(now=NOW - dt.timedelta(microseconds=1)) == set()


def test_scheduled_story_appears_when_its_time_comes_without_any_job():
    """With no explicit `now`, the clock decides: the scheduled story appears on time by itself."""
    story = ArticleFactory(published_at=NOW + dt.timedelta(hours=2))

    with time_machine.travel(NOW, tick=False):
        assert not Article.objects.published().filter(pk=story.pk).exists()
    with time_machine.travel(NOW + dt.timedelta(hours=2), tick=False):
        assert Article.objects.published().filter(pk=story.pk).exists()


def test_publishing_without_a_time_sets_it_to_now():
    """Saving a story as published with no publication time stamps it with the current time."""
    with time_machine.travel(NOW, tick=False):
        story = ArticleFactory(published_at=None)

    story.refresh_from_db()
    assert story.published_at == NOW
    assert published_ids(now=NOW) == {story.pk}


def test_draft_without_a_time_keeps_no_time():
    """A draft has no publication time until it is published."""
    story = ArticleFactory(status=Article.Status.DRAFT, published_at=None)

    story.refresh_from_db()
    assert story.published_at is None


def test_body_is_sanitised_on_save():
    """Scripts and event handlers never reach the database; the text and paragraphs stay."""
    story = ArticleFactory(
        body='<p onclick="steal()">Delegates met in Qianhai.</p><script>alert("x")</script>'
    )

    story.refresh_from_db()
    assert "<script" not in story.body
    assert "alert" not in story.body
    assert "onclick" not in story.body
    assert "steal()" not in story.body
    assert story.body == "<p>Delegates met in Qianhai.</p>"
