"""Factories for tests: each builds a valid object with the least a test has to say."""

import datetime as dt

import factory
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils import timezone

from articles.models import Article, Byline, Correction, Section
from people.models import Affiliation, Organization, Person, Reporter
from photos.models import Image
from tests.photos.pictures import jpeg


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.django.Password("correct horse battery staple")
    is_staff = True


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    name = factory.Sequence(lambda n: f"Section {n}")
    slug = factory.Sequence(lambda n: f"section-{n}")


class ReporterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reporter

    name = factory.Sequence(lambda n: f"Reporter {n}")
    slug = factory.Sequence(lambda n: f"reporter-{n}")
    email = factory.Sequence(lambda n: f"reporter{n}@example.org")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"Person {n}")
    slug = factory.Sequence(lambda n: f"person-{n}")


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Organization {n}")
    slug = factory.Sequence(lambda n: f"organization-{n}")


class AffiliationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Affiliation

    person = factory.SubFactory(PersonFactory)
    organization = factory.SubFactory(OrganizationFactory)
    title = "president"


class ArticleFactory(factory.django.DjangoModelFactory):
    """A published story from an hour ago unless told otherwise."""

    class Meta:
        model = Article

    headline = factory.Sequence(lambda n: f"Story number {n}")
    slug = factory.Sequence(lambda n: f"story-{n}")
    standfirst = "What the story is about."
    body = "<p>First paragraph.</p>\n<p>Second paragraph.</p>"
    dateline = "Shenzhen"
    section = factory.SubFactory(SectionFactory)
    status = Article.Status.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(hours=1))


class BylineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Byline

    article = factory.SubFactory(ArticleFactory)
    reporter = factory.SubFactory(ReporterFactory)
    order = factory.Sequence(lambda n: n)


class CorrectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Correction

    article = factory.SubFactory(ArticleFactory)
    text = "An earlier version misstated the number of delegates."


def add_extras(article, *, reporters=3, tags=5, people=4, organizations=4):
    """Pile more onto a story: bylines after the existing ones, tags and mentions.

    Used by the query-count tests: a page must cost the same number of queries however much a
    story carries. Returns the new reporters, tag names, people and organizations.
    """
    last = article.bylines.order_by("-order").first()
    start = last.order + 1 if last else 0
    new_reporters = ReporterFactory.create_batch(reporters)
    for offset, reporter in enumerate(new_reporters):
        BylineFactory(article=article, reporter=reporter, order=start + offset)
    tag_names = [f"extra topic {article.pk}-{n}" for n in range(tags)]
    article.tags.add(*tag_names)
    new_people = PersonFactory.create_batch(people, description="Someone the story quotes.")
    article.mentioned_people.add(*new_people)
    new_organizations = OrganizationFactory.create_batch(organizations)
    article.mentioned_organizations.add(*new_organizations)
    return new_reporters, tag_names, new_people, new_organizations


class ImageFactory(factory.django.DjangoModelFactory):
    """A library picture: a small JPEG, its renditions made at once (the tests' task back end)."""

    class Meta:
        model = Image

    file = factory.LazyAttribute(lambda o: ContentFile(jpeg(o.size), name="picture.jpg"))
    alt_text = factory.Sequence(lambda n: f"Demo picture {n}")
    caption = "A picture from the library."
    credit = "Test Photographer / Test Agency"

    class Params:
        size = (1200, 800)
