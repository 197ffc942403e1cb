"""Mentions found in the text: known names link, near misses do not, and removals stick."""

import pytest
from django.urls import reverse

from articles.mentions import (
    find_mentions,
    link_mentions,
    mentions_snapshot,
    record_unlinked,
)
from core.text import html_to_text
from people.models import Organization, Person
from tests.factories import ArticleFactory, OrganizationFactory, PersonFactory
from tests.forms import article_form

pytestmark = pytest.mark.django_db


def names(text, **known):
    people, organizations = find_mentions(text, **known)
    return [obj.name for obj in people + organizations]


@pytest.fixture
def xu_li(db):
    return PersonFactory(name="Xu Li", slug="xu-li")


@pytest.fixture
def xu_lingling(db):
    return PersonFactory(name="Xu Lingling", slug="xu-lingling")


# Whole words, case-sensitive, and the near misses.


def test_a_name_links_as_whole_words(xu_li):
    assert names("Xu Li, CEO of SenseTime, spoke.") == ["Xu Li"]
    assert names("“We agree,” said Xu Li.") == ["Xu Li"]
    assert names("Xu Li’s firm and Xu Li's firm.") == ["Xu Li"]
    assert names("It was (Xu Li) who spoke.") == ["Xu Li"]


def test_xu_lingling_does_not_link_xu_li(xu_li, xu_lingling):
    assert names("Xu Lingling, a researcher, disagreed.") == ["Xu Lingling"]


@pytest.mark.parametrize(
    "text",
    [
        "Xu Lingling spoke.",  # a longer name
        "Xu Lin spoke.",  # a shorter one
        "xu li spoke.",  # case
        "XU LI spoke.",
        "Xu Li-ming spoke.",  # a hyphenated given name
        "Mr Xu Lim spoke.",
        "Xu  Lisa spoke.",
        "ZXu Li spoke.",
        "Xu\nLingling spoke.",
    ],
)
def test_near_misses_do_not_link(xu_li, text):
    assert names(text) == []


def test_spacing_inside_a_name_does_not_matter(xu_li):
    assert names("Xu  Li spoke.") == ["Xu Li"]


def test_a_hyphenated_name_links_whole_and_not_in_part(db):
    PersonFactory(name="Choi Koon-shum")
    PersonFactory(name="Choi Koon")

    assert names("Choi Koon-shum, chairman, spoke.") == ["Choi Koon-shum"]


def test_aliases_short_names_and_native_names_link(db):
    PersonFactory(name="Xu Li", native_name="徐立", aliases="Li Xu\nDr Xu Li")
    OrganizationFactory(
        name="University of International Business and Economics",
        short_name="UIBE",
        aliases="Beijing trade university",
    )

    assert names("UIBE launched a report.") == [
        "University of International Business and Economics"
    ]
    assert names("Li Xu said so.") == ["Xu Li"]
    assert names("徐立表示，") == []  # no space or punctuation before 表示: not linked
    assert names("CEO 徐立，商汤科技。") == ["Xu Li"]
    assert names("The Beijing trade university said") == [
        "University of International Business and Economics"
    ]
    assert names("uibe said") == []


def test_a_name_inside_a_longer_known_name_links_only_the_longer(db):
    PersonFactory(name="Li Ming")
    OrganizationFactory(name="Li Ming Foundation")

    assert names("The Li Ming Foundation gave money.") == ["Li Ming Foundation"]
    assert sorted(names("The Li Ming Foundation gave money, and Li Ming spoke.")) == [
        "Li Ming",
        "Li Ming Foundation",
    ]


def test_a_name_two_people_share_links_neither(db):
    PersonFactory(name="Li Wei", slug="li-wei-1")
    PersonFactory(name="Li Wei", slug="li-wei-2")

    assert names("Li Wei spoke.") == []


def test_one_letter_names_never_link(db):
    PersonFactory(name="Xu Li", aliases="X")
    assert names("X marks the spot.") == []


def test_mentions_come_in_order_of_appearance(seed):
    people, organizations = find_mentions(html_to_text(seed.body))

    assert [p.name for p in people] == ["Deng Zhonghua", "Choi Koon-shum", "Xu Li"]
    assert organizations[0].name == "Qianhai International Convention Center"


# Linking a story.


def test_the_seed_story_links_exactly_the_fixtures_mentions(seed):
    expected_people = set(seed.mentioned_people.all())
    expected_organizations = set(seed.mentioned_organizations.all())
    seed.mentioned_people.clear()
    seed.mentioned_organizations.clear()

    added_people, added_organizations = link_mentions(article=seed)

    assert set(added_people) == expected_people == set(seed.mentioned_people.all())
    assert set(added_organizations) == expected_organizations
    assert set(seed.mentioned_organizations.all()) == expected_organizations


def test_linking_only_adds_and_does_not_repeat(seed):
    manual = PersonFactory(name="Someone Not In The Text")
    seed.mentioned_people.add(manual)

    assert link_mentions(article=seed) == ([], [])
    assert manual in seed.mentioned_people.all()


def test_linking_respects_the_mentions_an_editor_removed(seed):
    xu_li = Person.objects.get(slug="xu-li")
    sensetime = Organization.objects.get(slug="sensetime")
    seed.mentioned_people.remove(xu_li)
    seed.mentioned_organizations.remove(sensetime)
    seed.unlinked_people.add(xu_li)
    seed.unlinked_organizations.add(sensetime)

    assert link_mentions(article=seed) == ([], [])
    assert xu_li not in seed.mentioned_people.all()
    assert sensetime not in seed.mentioned_organizations.all()


def test_record_unlinked_remembers_removals_and_forgets_them_when_put_back(seed):
    xu_li = Person.objects.get(slug="xu-li")
    sensetime = Organization.objects.get(slug="sensetime")
    before_people, before_orgs = mentions_snapshot(seed)
    seed.mentioned_people.remove(xu_li)
    seed.mentioned_organizations.remove(sensetime)

    removed = record_unlinked(article=seed, before_people=before_people, before_orgs=before_orgs)

    assert removed == ({xu_li.pk}, {sensetime.pk})
    assert list(seed.unlinked_people.all()) == [xu_li]
    assert list(seed.unlinked_organizations.all()) == [sensetime]
    link_mentions(article=seed)
    assert xu_li not in seed.mentioned_people.all()

    # The editor changes their mind and adds Xu Li back by hand.
    before_people, before_orgs = mentions_snapshot(seed)
    seed.mentioned_people.add(xu_li)
    record_unlinked(article=seed, before_people=before_people, before_orgs=before_orgs)

    assert not seed.unlinked_people.exists()
    assert list(seed.unlinked_organizations.all()) == [sensetime]


def test_a_new_story_has_nothing_to_remember():
    assert mentions_snapshot(ArticleFactory.build()) == (set(), set())


# Through the admin, whose save (services.article_save) calls record_unlinked and link_mentions.


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def test_saving_a_story_in_the_admin_links_the_names_in_it(editor_client, seed):
    PersonFactory(name="Xu Lingling", slug="xu-lingling")
    seed.mentioned_people.clear()
    data = article_form(editor_client.get(change_url(seed)))
    data["body"] = seed.body + "\n<p>Xu Lingling, a researcher, disagreed.</p>"
    data["mentioned_people"] = []

    response = editor_client.post(change_url(seed), data)

    assert response.status_code == 302, response.content.decode()[:2000]
    assert sorted(seed.mentioned_people.values_list("name", flat=True)) == [
        "Choi Koon-shum",
        "Deng Zhonghua",
        "Xu Li",
        "Xu Lingling",
    ]


def test_a_mention_an_editor_removes_stays_removed_on_later_saves(editor_client, seed):
    xu_li = Person.objects.get(slug="xu-li")
    data = article_form(editor_client.get(change_url(seed)))
    data["mentioned_people"] = [
        str(pk) for pk in seed.mentioned_people.exclude(pk=xu_li.pk).values_list("pk", flat=True)
    ]

    assert editor_client.post(change_url(seed), data).status_code == 302
    assert xu_li not in seed.mentioned_people.all()
    assert xu_li in seed.unlinked_people.all()

    # A later save, with the name still in the body, does not bring Xu Li back.
    data = article_form(editor_client.get(change_url(seed)))
    data["standfirst"] = "A new standfirst."
    assert editor_client.post(change_url(seed), data).status_code == 302
    assert xu_li not in seed.mentioned_people.all()
    assert seed.mentioned_people.count() == 2
