"""The public pages for reporters, people and organizations."""

import pytest

from people.models import Organization, Person, Reporter
from tests.factories import (
    AffiliationFactory,
    ArticleFactory,
    OrganizationFactory,
    add_extras,
)

pytestmark = pytest.mark.django_db

REPORTER_URL = "/reporters/chang-zhipeng/"
PERSON_URL = "/people/choi-koon-shum/"
UIBE_URL = "/organizations/university-of-international-business-and-economics/"
SENSETIME_URL = "/organizations/sensetime/"
LISTING_URLS = [REPORTER_URL, PERSON_URL, UIBE_URL, SENSETIME_URL]


def test_reporter_page_lists_their_stories(client, seed):
    """A reporter's page names them and lists their published stories, linked."""
    response = client.get(REPORTER_URL)
    html = response.content.decode()

    assert response.status_code == 200
    assert "<h1>Chang Zhipeng</h1>" in html
    assert f'<a href="{seed.get_absolute_url()}">{seed.headline}</a>' in html


def test_reporter_email_is_private_unless_allowed(client, seed):
    """The wire email matches copy to a reporter; readers see it only when the reporter allows it."""
    assert "57589527@qq.com" not in client.get(REPORTER_URL).content.decode()

    Reporter.objects.filter(slug="chang-zhipeng").update(show_email=True)

    assert 'href="mailto:57589527@qq.com"' in client.get(REPORTER_URL).content.decode()


def test_person_page_shows_both_roles_and_the_story(client, seed):
    """Choi Koon-shum's page gives both of his chairmanships, linked, and the story mentioning him."""
    response = client.get(PERSON_URL)
    html = response.content.decode()

    assert response.status_code == 200
    assert "<h1>Choi Koon-shum</h1>" in html
    assert (
        'Chairman, <a href="/organizations/chinese-general-chamber-of-commerce-in-hong-kong/">'
        "Chinese General Chamber of Commerce in Hong Kong</a>"
    ) in html
    assert (
        'Chairman, <a href="/organizations/guangdong-hong-kong-macao-bay-area-entrepreneurs-alliance/">'
        "Guangdong-Hong Kong-Macao Bay Area Entrepreneurs Alliance</a>"
    ) in html
    assert f'<a href="{seed.get_absolute_url()}">{seed.headline}</a>' in html


def test_organization_page_shows_its_institute_and_the_story(client, seed):
    """The university's page lists the institute it launched and the story about it."""
    response = client.get(UIBE_URL)
    html = response.content.decode()

    assert response.status_code == 200
    assert "University of International Business and Economics" in html
    assert "Part of UIBE" in html
    assert (
        '<a href="/organizations/institute-of-international-trade-rules/">'
        "Institute of International Trade Rules</a>"
    ) in html
    assert f'<a href="{seed.get_absolute_url()}">{seed.headline}</a>' in html


def test_institute_page_names_its_parent(client, seed):
    """An institute's page says which university it belongs to, with a link."""
    html = client.get("/organizations/institute-of-international-trade-rules/").content.decode()

    assert (
        'Part of <a href="/organizations/university-of-international-business-and-economics/">'
        "University of International Business and Economics</a>"
    ) in html


def test_company_page_shows_its_people_and_its_centre(client, seed):
    """SenseTime's page shows its CEO and the computing centre it established."""
    response = client.get(SENSETIME_URL)
    html = response.content.decode()

    assert response.status_code == 200
    assert '<a href="/people/xu-li/">Xu Li</a>, CEO' in html
    assert (
        '<a href="/organizations/shenzhen-hong-kong-artificial-intelligence-computing-center/">'
        "Shenzhen-Hong Kong Artificial Intelligence Computing Center</a>"
    ) in html
    assert seed.headline in html


@pytest.mark.parametrize("url", LISTING_URLS)
def test_hidden_story_is_absent_from_people_listings(client, seed, hidden_story, url):
    """Drafts, stories in review, withdrawn and scheduled stories are not listed on any profile."""
    html = client.get(url).content.decode()

    assert seed.headline in html
    assert hidden_story.headline not in html
    assert hidden_story.get_absolute_url() not in html


BAD_PAGES = ["abc", "0", "-1", "99999", "1e9", ""]


@pytest.mark.parametrize("page", BAD_PAGES)
@pytest.mark.parametrize("url", LISTING_URLS)
def test_bad_page_numbers_never_fail(client, seed, url, page):
    """A hand-edited ?page= shows a real page of stories instead of an error."""
    response = client.get(url, {"page": page})

    assert response.status_code == 200
    assert seed.headline in response.content.decode()


@pytest.mark.parametrize(
    "url",
    ["/reporters/nobody/", "/people/nobody/", "/organizations/nobody/"],
)
def test_unknown_slugs_are_not_found(client, seed, url):
    """A mistyped or deleted address gives 404."""
    assert client.get(url).status_code == 404


def grow_profile_pages(seed):
    """Load the profile pages up: more stories, each heavy with bylines, tags and mentions,
    and more roles, people and child bodies on the profiles themselves."""
    choi = Person.objects.get(slug="choi-koon-shum")
    uibe = Organization.objects.get(slug="university-of-international-business-and-economics")
    sensetime = Organization.objects.get(slug="sensetime")
    reporter = Reporter.objects.get(slug="chang-zhipeng")
    headlines = [seed.headline]
    add_extras(seed)
    for n in range(4):
        story = ArticleFactory(headline=f"Profiles in the Bay Area {n}", section=seed.section)
        story.bylines.create(reporter=reporter, order=0)
        story.mentioned_people.add(choi)
        story.mentioned_organizations.add(uibe, sensetime)
        add_extras(story)
        headlines.append(story.headline)
    for n in range(3):
        AffiliationFactory(person=choi, title=f"adviser {n}", order=2 + n)
        AffiliationFactory(organization=uibe, title="professor")
        AffiliationFactory(organization=sensetime, title="engineer")
        OrganizationFactory(parent=uibe)
        OrganizationFactory(parent=sensetime)
    return headlines


# Established by running the pages; a change here means a page's cost now grows or shrinks.
@pytest.mark.parametrize(
    "url, queries",
    [(REPORTER_URL, 5), (PERSON_URL, 6), (UIBE_URL, 7), (SENSETIME_URL, 7)],
)
def test_profile_pages_cost_a_fixed_number_of_queries(
    client, seed, django_assert_num_queries, url, queries
):
    """However many stories, bylines, roles and child bodies, each page costs the same queries."""
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200

    headlines = grow_profile_pages(seed)

    with django_assert_num_queries(queries):
        response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    for headline in headlines:
        assert headline in html
    assert html.count('rel="author"') >= 5 * 4
