"""Tag, reporter, person and organization pages list the same stories whichever plan they use."""

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from articles import models
from articles.models import Article
from tests.factories import (
    ArticleFactory,
    BylineFactory,
    OrganizationFactory,
    PersonFactory,
    ReporterFactory,
)

pytestmark = pytest.mark.django_db


def make_subject(kind):
    if kind == "tag":
        return "/tags/harbour/", lambda story: story.tags.add("harbour")
    if kind == "reporter":
        reporter = ReporterFactory()
        return reporter.get_absolute_url(), lambda story: BylineFactory(
            article=story, reporter=reporter
        )
    if kind == "person":
        person = PersonFactory()
        return person.get_absolute_url(), lambda story: story.mentioned_people.add(person)
    organization = OrganizationFactory()
    return organization.get_absolute_url(), lambda story: story.mentioned_organizations.add(
        organization
    )


def listed(client, url, page=1):
    response = client.get(url, {"page": page})
    assert response.status_code == 200
    return [story.headline for story in response.context["articles"]], response


@pytest.mark.parametrize("kind", ["tag", "reporter", "person", "organization"])
def test_a_subject_with_many_stories_lists_the_same_stories(client, monkeypatch, kind):
    url, link = make_subject(kind)
    now = timezone.now()
    for n in range(25):
        # Published out of id order, so "newest" means the publication time.
        story = ArticleFactory(
            headline=f"S{n}", published_at=now - dt.timedelta(hours=(n * 7) % 25 + 1)
        )
        link(story)
    hidden = ArticleFactory(headline="Draft", status=Article.Status.DRAFT)
    link(hidden)
    ArticleFactory(headline="Unlinked")

    monkeypatch.setattr(models, "DENSE_SUBJECT", 1_000)
    # Once unmeasured: the first page of a process also asks when the next story is scheduled
    # (core.cache's schedule, then kept), which would count against the join alone.
    listed(client, url)
    join_sql = []
    with connection.execute_wrapper(
        lambda run, sql, *args: join_sql.append(sql) or run(sql, *args)
    ):
        joined = listed(client, url)[0]
    joined += listed(client, url, 2)[0]
    monkeypatch.setattr(models, "DENSE_SUBJECT", 2)
    walk_sql = []
    with connection.execute_wrapper(
        lambda run, sql, *args: walk_sql.append(sql) or run(sql, *args)
    ):
        first, response = listed(client, url)
    walked = first + listed(client, url, 2)[0]

    assert len(walk_sql) == len(join_sql) > 0
    # The speed measure in ArticleQuerySet.linked_to: SQLite is handed the walk down the newest
    # stories for a dense subject; PostgreSQL's planner chooses the plan itself.
    if connection.vendor == "sqlite":
        assert any("EXISTS" in sql for sql in walk_sql)
    assert walked == joined
    assert len(walked) == 25 and "Draft" not in walked and "Unlinked" not in walked
    assert walked == [
        s.headline
        for s in Article.objects.published()
        .exclude(headline="Unlinked")
        .order_by("-published_at", "-id")
    ]
    assert "Page 1 of 2" in response.content.decode()
