"""Tags, reporters, people and organizations have pages for readers once a published story
carries them. Before that (only drafts, stories in review, withdrawn or scheduled stories) their
addresses are 404, old addresses too, and pages that name them do not link to them."""

import json
import re

import pytest

from people.models import Organization
from tests.conftest import HIDDEN_KINDS
from tests.factories import (
    AffiliationFactory,
    ArticleFactory,
    BylineFactory,
    OrganizationFactory,
    PersonFactory,
    ReporterFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(params=HIDDEN_KINDS)
def unpublished_only(request, seed):
    """A reporter, person, organization and tag found only on one story readers cannot see."""
    from tests.conftest import make_hidden_story

    story = make_hidden_story(seed, request.param)
    reporter = ReporterFactory(name="Embargoed Reporter", slug="embargoed-reporter")
    person = PersonFactory(name="Unnamed Source", slug="unnamed-source")
    organization = OrganizationFactory(name="Secret Holdings", slug="secret-holdings")
    BylineFactory(article=story, reporter=reporter, order=1)
    story.mentioned_people.add(person)
    story.mentioned_organizations.add(organization)
    story.tags.add("Investigation Zeta")
    return story


@pytest.mark.parametrize(
    "path",
    [
        "/reporters/embargoed-reporter/",
        "/people/unnamed-source/",
        "/organizations/secret-holdings/",
        "/tags/investigation-zeta/",
    ],
)
def test_a_subject_of_unpublished_stories_only_has_no_page(client, unpublished_only, path):
    assert client.get(path).status_code == 404


def test_its_old_address_does_not_give_its_new_one_away(client, unpublished_only):
    person = unpublished_only.mentioned_people.get(slug="unnamed-source")
    person.slug = "renamed-source"
    person.save()
    response = client.get("/people/unnamed-source/")
    assert response.status_code == 404
    assert "renamed-source" not in response.get("Location", "")


def test_the_page_appears_with_the_first_published_story(client, unpublished_only):
    person = unpublished_only.mentioned_people.get(slug="unnamed-source")
    ArticleFactory().mentioned_people.add(person)
    assert client.get("/people/unnamed-source/").status_code == 200


def test_pages_name_but_do_not_link_what_has_no_page(client, seed):
    """An institute's page names its parent body and people; only those with pages are links."""
    university = OrganizationFactory(name="Quiet University", slug="quiet-university")
    institute = OrganizationFactory(name="Loud Institute", slug="loud-institute", parent=university)
    OrganizationFactory(name="Quiet Lab", slug="quiet-lab", parent=institute)
    quiet_person = PersonFactory(name="Quiet Person", slug="quiet-person")
    AffiliationFactory(person=quiet_person, organization=institute, title="director")
    story = ArticleFactory()
    story.mentioned_organizations.add(institute)

    html = client.get(institute.get_absolute_url()).content.decode()
    for name, slug in [
        ("Quiet University", "/organizations/quiet-university/"),
        ("Quiet Lab", "/organizations/quiet-lab/"),
        ("Quiet Person", "/people/quiet-person/"),
    ]:
        assert name in html
        assert slug not in html
    ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)[1])
    graph = ld if isinstance(ld, list) else [ld]
    text = json.dumps(graph)
    assert "quiet-university" not in text and "quiet-lab" not in text

    # Once a published story mentions the university, its name becomes a link.
    ArticleFactory().mentioned_organizations.add(Organization.objects.get(slug="quiet-university"))
    html = client.get(institute.get_absolute_url()).content.decode()
    assert 'href="/organizations/quiet-university/"' in html
