import datetime as dt

import pytest
from django.utils import timezone

from articles.models import Article
from people.models import Reporter
from tests.conftest import make_hidden_story
from tests.factories import (
    ArticleFactory,
    BylineFactory,
    OrganizationFactory,
    PersonFactory,
    ReporterFactory,
    SectionFactory,
)

PRIVATE_EMAIL = "57589527@qq.com"


@pytest.fixture
def newsroom(seed):
    """The seed story; a second published story in another section with two bylines, a tag and a
    mention; and one hidden story of each kind, each with a reporter, person, organization and
    tag that appear nowhere else."""
    business = SectionFactory(name="Business", slug="business", order=2)
    public = ReporterFactory(
        name="Open Reporter", slug="open-reporter", email="open@example.org", show_email=True
    )
    story = ArticleFactory(
        headline="SenseTime opens a lab",
        slug="sensetime-opens-a-lab",
        section=business,
        standfirst="A new lab in Qianhai.",
        published_at=seed.published_at + dt.timedelta(hours=2),
    )
    BylineFactory(article=story, reporter=public, order=0)
    BylineFactory(article=story, reporter=Reporter.objects.get(slug="chang-zhipeng"), order=1)
    story.tags.add("Technology")
    story.mentioned_organizations.add(*seed.mentioned_organizations.filter(slug="sensetime"))

    hidden = {}
    for kind in ["draft", "review", "withdrawn", "scheduled"]:
        article = make_hidden_story(seed, kind)
        reporter = ReporterFactory(name=f"Secret {kind} reporter", slug=f"secret-{kind}-reporter")
        BylineFactory(article=article, reporter=reporter, order=1)
        article.mentioned_people.add(PersonFactory(name=f"Secret {kind}", slug=f"secret-{kind}"))
        article.mentioned_organizations.add(
            OrganizationFactory(name=f"Secret {kind} Ltd", slug=f"secret-{kind}-ltd")
        )
        article.tags.add(f"Secret {kind} topic")
        hidden[kind] = article
    return {"seed": seed, "story": story, "business": business, "hidden": hidden}


@pytest.fixture
def many_stories(seed):
    """Add ``count`` published stories to the seed's section, each with bylines, tags and
    mentions, for the query-count tests."""
    from tests.factories import add_extras

    def make(count):
        made = []
        for number in range(count):
            article = ArticleFactory(
                section=seed.section,
                published_at=timezone.now() - dt.timedelta(minutes=number + 1),
                status=Article.Status.PUBLISHED,
            )
            add_extras(article, reporters=2, tags=2, people=2, organizations=2)
            article.corrections.create(text=f"Correction {number}.")
            made.append(article)
        return made

    return make
