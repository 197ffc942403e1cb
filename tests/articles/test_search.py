"""Search: /search/?q= finds published stories by their words, tags and the names in them, best
first, with the words marked; odd queries give a normal page; the index follows every change.

Runs on the database in use: SQLite (FTS5) by default, PostgreSQL (tsvector) with DATABASE_URL.
"""

import datetime as dt
import subprocess
import sys
from html import unescape

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article
from articles.search import (
    MAX_QUERY_LENGTH,
    excerpt,
    highlight,
    parse_query,
    ranked_ids,
    reindex,
    stories_in_order,
)
from articles.search import ranking as search_module
from people.models import Person
from tests.factories import (
    ArticleFactory,
    BylineFactory,
    OrganizationFactory,
    PersonFactory,
    add_extras,
)

pytestmark = pytest.mark.django_db

SEARCH = "/search/"


def found(client, q, **params):
    """The headlines on the results page for ``q``, in order."""
    response = client.get(SEARCH, {"q": q, **params})
    assert response.status_code == 200
    return [article.headline for article in response.context["articles"]]


def found_ids(q):
    return [article.pk for article in stories_in_order(ranked_ids(parse_query(q)))]


# --- What is searched ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "q",
    [
        "Qianhai forum",  # headline
        "QIANHAI FORUM",  # any case
        "representative",  # headline, by its stem ("representatives")
        "insights development",  # standfirst
        "financial openness",  # body
        "technological innovation",  # a tag
        "Choi Koon-shum",  # a person mentioned
        "Xu Li",
        "SenseTime",  # an organization mentioned
        "UIBE",  # an organization's short name
        "Economics",  # in an organization's full name only
    ],
)
def test_finds_the_seed_story_by_any_of_its_words_and_names(client, seed, q):
    assert found(client, q) == [seed.headline]


def test_every_word_must_match(client, seed):
    assert found(client, "Qianhai forum") == [seed.headline]
    assert found(client, "Qianhai volcano") == []


def test_finds_native_names_and_chinese_text_inside_longer_words(client, seed):
    """Chinese has no spaces between words: "前海" is found inside "前海深港合作区"."""
    choi = Person.objects.get(slug="choi-koon-shum")
    choi.native_name = "蔡冠深"
    choi.save()
    story = ArticleFactory(
        headline="Cooperation zone expands", body="<p>The 前海深港合作区 grew again.</p>"
    )

    assert found(client, "蔡冠深") == [seed.headline]
    assert found(client, "前海") == [story.headline]
    assert found(client, "前海 expands") == [story.headline]
    assert found(client, "深港合作") == [story.headline]
    assert found(client, "海前") == []


def test_only_published_stories_are_found(client, hidden_story):
    """Drafts, stories in review, withdrawn and scheduled stories are never found."""
    assert found(client, "hidden story") == []
    assert found(client, "Qianhai") == [
        "Qianhai Forum draws about 1,200 representatives to discuss the area’s future"
    ]


def test_scheduled_story_is_found_at_its_time_with_no_job(client, seed):
    """The index holds every story; published() decides at query time."""
    due = timezone.now() + dt.timedelta(hours=3)
    ArticleFactory(headline="Ferry timetable changes", published_at=due)

    assert found(client, "ferry timetable") == []
    with time_machine.travel(due + dt.timedelta(seconds=1)):
        assert found(client, "ferry timetable") == ["Ferry timetable changes"]


def test_withdrawn_story_disappears_at_once(client, seed):
    seed.status = Article.Status.WITHDRAWN
    seed.save()

    assert found(client, "Qianhai") == []


# --- Ranking ------------------------------------------------------------------------------------


def test_ranked_by_relevance_then_recency(client, db):
    now = timezone.now()
    in_body_new = ArticleFactory(
        headline="Port news",
        standfirst="Shipping.",
        body="<p>Mentions a typhoon once.</p>",
        published_at=now - dt.timedelta(hours=1),
    )
    in_headline_old = ArticleFactory(
        headline="Typhoon closes the port",
        standfirst="A typhoon signal was raised.",
        body="<p>The typhoon made landfall.</p>",
        published_at=now - dt.timedelta(days=30),
    )
    twins = [
        ArticleFactory(
            headline="Typhoon warning",
            standfirst="Same words.",
            body="<p>Same body.</p>",
            published_at=now - dt.timedelta(days=days),
        )
        for days in (5, 3, 4)
    ]

    results = found_ids("typhoon")

    assert results[-1] == in_body_new.pk
    assert results.index(in_headline_old.pk) < results.index(in_body_new.pk)
    # Equally relevant stories come newest first.
    twin_order = [pk for pk in results if pk in {t.pk for t in twins}]
    assert twin_order == [twins[1].pk, twins[2].pk, twins[0].pk]


# --- Odd queries --------------------------------------------------------------------------------

ODD_QUERIES = [
    "",
    "   ",
    "x" * 10_000,
    "Qianhai " * 2_000,
    '"',
    '""',
    '"Qianhai',
    "'",
    "AND",
    "OR",
    "NOT",
    "AND OR NOT",
    "Qianhai AND",
    "NOT Qianhai",
    "OR OR OR",
    "*",
    "Qian*",
    "-",
    "-Qianhai",
    '" - * AND OR NOT',
    "NEAR(Qianhai forum)",
    "headline:Qianhai",
    "Qianhai^2",
    "(",
    ")",
    "{}[]",
    ":",
    "\\",
    "%",
    "_",
    "%_%",
    "'; DROP TABLE articles_article; --",
    "&",
    "|",
    "!",
    "<->",
    "a & b | !c",
    "前海",
    "前海深港合作区",
    "Ελληνικά",
    "русский",
    "العربية",
    "😀",
    "\x00",
    "Qianhai\x00forum",
    "\u200b",
    "the",
    "the and of",
    "é",
    "ＱＩＡＮＨＡＩ",
]


@pytest.mark.parametrize("q", ODD_QUERIES)
def test_odd_queries_give_a_normal_page(client, seed, q):
    response = client.get(SEARCH, {"q": q})

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Search</h1>" in html
    assert 'role="search"' in html
    # What was typed is shown back escaped, and cut to the length that is searched.
    assert len(response.context["query"]) <= MAX_QUERY_LENGTH


def test_operators_are_plain_words(client, seed):
    """AND, OR, NOT, quotes, stars and minus signs are not query syntax."""
    assert found(client, '"Qianhai" -forum') == [seed.headline]
    assert found(client, "Qianhai OR volcano") == []
    assert found(client, "Qian*") == []


def test_empty_query_asks_for_words(client, seed, django_assert_num_queries):
    with django_assert_num_queries(1):  # the masthead's sections; no search at all
        response = client.get(SEARCH)
    assert response.status_code == 200
    assert "Type a name, a place or a topic" in response.content.decode()
    assert list(response.context["articles"]) == []


def test_query_with_no_words_says_so(client, seed):
    html = client.get(SEARCH, {"q": '" * -'}).content.decode()
    assert "There are no words to search for in “&quot; * -”" in html


def test_no_results_says_so(client, seed):
    html = client.get(SEARCH, {"q": "volcano"}).content.decode()
    assert "No published stories match “volcano”." in html


def test_very_long_query_is_cut_and_still_searches(client, seed):
    response = client.get(SEARCH, {"q": "Qianhai " + "x" * 10_000})

    assert response.status_code == 200
    assert response.context["query"] == ("Qianhai " + "x" * 10_000)[:MAX_QUERY_LENGTH]
    assert response.context["terms"][0] == "qianhai"


def test_parse_query_keeps_only_words():
    assert parse_query(None) == []
    assert parse_query(' AND OR NOT * " - ') == ["and", "or", "not"]
    assert parse_query('"Qianhai" -Forum* qianhai') == ["qianhai", "forum"]
    assert parse_query("Koon-shum's") == ["koon", "shum", "s"]
    assert parse_query("前海Forum 深港") == ["前海", "forum", "深港"]
    assert parse_query("snake_case") == ["snake", "case"]
    assert parse_query("x " * 1000) == ["x"]
    assert len(parse_query(" ".join(f"w{n}" for n in range(100)))) == 12


# --- The results page ---------------------------------------------------------------------------


def test_results_mark_the_matched_words(client, seed):
    html = client.get(SEARCH, {"q": "qianhai representative"}).content.decode()

    assert (
        "<mark>Qianhai</mark> Forum draws about 1,200 <mark>representatives</mark> to discuss"
    ) in html
    assert "<mark>Qianhai</mark>’s development" in html
    assert 'class="search-excerpt"' in html


def test_results_escape_what_they_mark(client, db):
    ArticleFactory(
        headline="Tags like <script>alert(1)</script> & typhoon",
        standfirst='A "typhoon" <b>warning</b>.',
    )

    html = client.get(SEARCH, {"q": "typhoon script"}).content.decode()

    assert "<script>alert(1)</script>" not in html
    assert (
        "&lt;<mark>script</mark>&gt;alert(1)&lt;/<mark>script</mark>&gt; &amp; <mark>typhoon"
        in (html)
    )
    assert "&quot;<mark>typhoon</mark>&quot; &lt;b&gt;warning&lt;/b&gt;." in html


def test_query_is_shown_back_escaped(client, seed):
    html = client.get(SEARCH, {"q": '<script>alert("x")</script>'}).content.decode()

    assert '<script>alert("x")' not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_search_pages_are_not_indexed(client, seed):
    assert (
        '<meta name="robots" content="noindex">' in client.get(SEARCH, {"q": "x"}).content.decode()
    )


def test_results_are_paginated_and_keep_the_query(client, db):
    for n in range(23):
        ArticleFactory(headline=f"Typhoon update {n}")
    ArticleFactory(headline="Unrelated")

    page1 = client.get(SEARCH, {"q": "typhoon update"})
    page2 = client.get(SEARCH, {"q": "typhoon update", "page": "2"})
    bad = client.get(SEARCH, {"q": "typhoon update", "page": "999"})

    assert len(page1.context["articles"]) == 20
    assert len(page2.context["articles"]) == 3
    assert "23 stories found" in page1.content.decode()
    assert 'href="?q=typhoon%20update&amp;page=2" rel="next"' in page1.content.decode()
    assert 'href="?q=typhoon%20update&amp;page=1" rel="prev"' in page2.content.decode()
    assert bad.status_code == 200
    assert bad.context["page_obj"].number == 2
    shown = {a.pk for a in page1.context["articles"]} | {a.pk for a in page2.context["articles"]}
    assert len(shown) == 23


def test_masthead_has_a_search_form(client, seed):
    html = client.get("/").content.decode()

    assert '<form class="site-search" role="search" action="/search/" method="get">' in html
    assert '<label for="masthead-q" class="visually-hidden">Search stories</label>' in html
    assert 'name="q"' in html


def test_highlight_and_excerpt_helpers():
    assert highlight("Forums & forum, FORUMED", ["forum"]) == (
        "<mark>Forums</mark> &amp; <mark>forum</mark>, <mark>FORUMED</mark>"
    )
    assert highlight("The forum", ["the", "forum"]) == "The <mark>forum</mark>"
    assert highlight("The end", ["the"]) == "<mark>The</mark> end"
    assert highlight("在前海深港", ["前海"]) == "在<mark>前海</mark>深港"
    assert highlight("a <b>", ["b"]) == "a &lt;<mark>b</mark>&gt;"
    text = " ".join(f"word{n}" for n in range(200)) + " typhoon " + "tail " * 100
    snippet = excerpt(text, ["typhoon"])
    assert snippet.startswith("… ") and snippet.endswith(" …")
    assert "<mark>typhoon</mark>" in snippet
    assert len(unescape(snippet)) < 300
    assert excerpt("nothing here", ["typhoon"]) == ""


# --- Keeping the index in step ------------------------------------------------------------------


def test_renamed_person_is_found_under_the_new_name(client, seed):
    """Names are searched through the mentions, not only where the text prints them."""
    story = ArticleFactory(headline="Quiet day", body="<p>Nothing named here.</p>")
    wong = PersonFactory(name="Wong Ka-ming")
    story.mentioned_people.add(wong)
    assert found(client, "Wong Ka-ming") == ["Quiet day"]

    wong.name = "Huang Jiaming"
    wong.save()

    assert found(client, "Huang Jiaming") == ["Quiet day"]
    assert found(client, "Wong") == []


def test_native_names_and_aliases_are_searched(client, seed):
    story = ArticleFactory(headline="Quiet day", body="<p>Nothing named here.</p>")
    story.mentioned_people.add(Person.objects.get(slug="xu-li"))
    xu = Person.objects.get(slug="xu-li")
    xu.native_name = "徐立"
    xu.aliases = "Professor Xu\nLi Xuzhang"
    xu.save()

    assert found(client, "Xuzhang") == ["Quiet day", seed.headline]
    assert found(client, "徐立") == ["Quiet day", seed.headline]


def test_renamed_organization_is_found_under_the_new_name(client, seed):
    story = ArticleFactory(headline="Quiet day", body="<p>Nothing named here.</p>")
    board = OrganizationFactory(name="Harbour Board", short_name="HB")
    story.mentioned_organizations.add(board)
    assert found(client, "harbour board") == ["Quiet day"]

    board.name = "Port Authority"
    board.short_name = "PA"
    board.save()

    assert found(client, "port authority") == ["Quiet day"]
    assert found(client, "harbour") == []


def test_saving_a_person_without_renaming_reindexes_nothing(seed):
    xu = Person.objects.get(slug="xu-li")
    xu.description = "A professor."
    with CaptureQueriesContext(connection) as queries:
        xu.save()
    assert not [q for q in queries if "articles_search" in q["sql"]]


def test_mentions_added_and_removed_either_way(client, seed):
    story = ArticleFactory(headline="Quiet day")
    newcomer = PersonFactory(name="Wong Ka-ming")

    story.mentioned_people.add(newcomer)
    assert found(client, "Wong Ka-ming") == ["Quiet day"]
    story.mentioned_people.remove(newcomer)
    assert found(client, "Wong Ka-ming") == []
    newcomer.mentioned_in.add(story)
    assert found(client, "Wong Ka-ming") == ["Quiet day"]
    newcomer.mentioned_in.clear()
    assert found(client, "Wong Ka-ming") == []

    org = OrganizationFactory(name="Harbour Trust", short_name="HT")
    org.mentioned_in.set([story, seed])
    assert found(client, "harbour trust") == [story.headline, seed.headline]
    seed.mentioned_organizations.clear()
    assert found(client, "harbour trust") == [story.headline]


def test_deleting_a_person_removes_their_name(client, seed):
    seed.mentioned_people.add(PersonFactory(name="Wong Ka-ming"))
    assert found(client, "Wong") == [seed.headline]

    Person.objects.get(name="Wong Ka-ming").delete()

    assert found(client, "Wong") == []
    assert found(client, "Qianhai") == [seed.headline]


def test_tags_added_removed_and_renamed(client, seed):
    assert found(client, "Macao") == [seed.headline]  # also in the standfirst
    seed.tags.add("Ocean economy")
    assert found(client, "ocean economy") == [seed.headline]

    tag = seed.tags.get(name="Ocean economy")
    tag.name = "Blue economy"
    tag.save()
    assert found(client, "blue economy") == [seed.headline]
    assert found(client, "ocean") == []

    seed.tags.remove("Blue economy")
    assert found(client, "blue economy") == []
    seed.tags.add("Blue economy")
    seed.tags.clear()
    assert found(client, "blue economy") == []
    seed.tags.set(["Ocean economy"])
    assert found(client, "ocean economy") == [seed.headline]
    tag = seed.tags.get(name="Ocean economy")
    tag.delete()
    assert found(client, "ocean economy") == []


def test_edited_text_is_found_and_old_text_is_not(client, seed):
    seed.headline = "Delegates converge on Shekou"
    seed.body = "<p>The <strong>harbour</strong> district hosted the meeting.</p>"
    seed.save()

    assert found(client, "Shekou harbour") == [seed.headline]
    assert found(client, "financial openness") == []
    assert found(client, "strong") == []  # markup is not text


def test_deleted_story_leaves_the_index(seed):
    pk = seed.pk
    seed.delete()

    with connection.cursor() as cursor:
        column = "rowid" if connection.vendor == "sqlite" else "article_id"
        cursor.execute(f"SELECT COUNT(*) FROM articles_search WHERE {column} = %s", [pk])
        assert cursor.fetchone()[0] == 0


def test_reindex_rebuilds_everything(client, seed):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM articles_search")
    assert found(client, "Qianhai") == []

    reindex()

    assert found(client, "Qianhai") == [seed.headline]


def test_the_search_index_follows_saves_from_a_fresh_start():
    """Outside the test run, the receivers must be connected when Django starts (the articles
    app's ready()), not only once someone has imported the search module."""
    code = "import sys, django; django.setup(); assert 'articles.search' in sys.modules"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env={
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "PATH": "",
            "DATABASE_URL": "sqlite:///:memory:",
        },
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-2000:]


# --- Cost ---------------------------------------------------------------------------------------


# Established by running the page: the candidates from the index, which of them are published,
# the page of results, their bylines, the masthead's sections.
SEARCH_QUERIES = 5


def test_search_costs_a_fixed_number_of_queries(client, seed, django_assert_num_queries):
    with django_assert_num_queries(SEARCH_QUERIES):
        assert found(client, "Qianhai") == [seed.headline]

    add_extras(seed)
    for n in range(25):
        story = ArticleFactory(headline=f"Qianhai update {n}", section=seed.section)
        BylineFactory(article=story, order=0)
        add_extras(story, reporters=2, tags=2, people=1, organizations=1)

    with django_assert_num_queries(SEARCH_QUERIES):
        response = client.get(SEARCH, {"q": "Qianhai"})
    assert len(response.context["articles"]) == 20
    with django_assert_num_queries(SEARCH_QUERIES):
        assert len(client.get(SEARCH, {"q": "Qianhai", "page": 2}).context["articles"]) == 6


def test_a_very_common_word_ranks_only_the_newest_matches(client, db, monkeypatch):
    """At 100,000 stories a word in most of them cannot all be ranked; the reader is told."""
    monkeypatch.setattr(search_module, "MAX_CANDIDATES", 3)
    stories = [ArticleFactory(headline=f"Harbour report {n}") for n in range(5)]
    response = client.get(SEARCH, {"q": "harbour"})
    assert [a.pk for a in response.context["articles"]] == [s.pk for s in reversed(stories[2:])]
    summary = response.content.decode()
    assert "More than 3 stories match “harbour”: the newest 3 are searched" in summary
    # Narrowed to fewer matches than the window: every match, and the usual count.
    response = client.get(SEARCH, {"q": "harbour report 1"})
    assert [a.headline for a in response.context["articles"]] == ["Harbour report 1"]
    assert "1 story found for “harbour report 1”" in response.content.decode()
