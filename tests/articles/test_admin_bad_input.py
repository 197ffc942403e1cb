"""Whatever a browser (or someone with curl) sends to the story admin is answered as a form error,
a 400/404 or the admin's "does not exist" redirect, never a server error: ids in the autocomplete
fields and the byline inline, the date drill-down of every list, and per-object addresses."""

import pytest

from articles.models import Article, Correction
from tests.factories import (
    ArticleFactory,
    BylineFactory,
    CorrectionFactory,
    OrganizationFactory,
    PersonFactory,
    ReporterFactory,
)
from tests.forms import article_form

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/articles/article/add/"
LIST_URL = "/admin/articles/article/"

# Not an id: words, a number with a fraction, an exponent, a NUL (PostgreSQL cannot be sent one),
# a digit Python's int() refuses, and a number no database column holds.
BAD_IDS = ["abc", "1.5", "1e3", "\x00", "²", "12 OR 1=1", "99999999999999999999"]
ID_IDS = ["word", "fraction", "exponent", "nul", "superscript", "sql", "huge"]


def change_url(article):
    return f"/admin/articles/article/{article.pk}/change/"


@pytest.fixture
def story(section):
    article = ArticleFactory(section=section, headline="A story as it stands")
    BylineFactory(article=article, reporter=ReporterFactory(), order=0)
    article.mentioned_people.add(PersonFactory())
    article.mentioned_organizations.add(OrganizationFactory())
    return article


def filled_add_form(client, section):
    data = article_form(client.get(ADD_URL))
    data.update(
        headline="Bad input story",
        slug="bad-input-story",
        body="<p>Text.</p>",
        section=str(section.pk),
        status="draft",
        **{"bylines-0-reporter": str(ReporterFactory().pk), "bylines-0-order": "0"},
    )
    return data


def with_bad_value(data, field, bad):
    data = dict(data)
    if field in ("mentioned_people", "mentioned_organizations"):
        # A real id next to the bad one, as a tampered multiple select would send.
        model = PersonFactory if field == "mentioned_people" else OrganizationFactory
        data[field] = [str(model().pk), bad]
    else:
        data[field] = bad
    return data


def field_errors(response, field):
    assert response.status_code == 200, response.status_code
    if field.startswith("bylines-"):
        (formset,) = [
            inline.formset
            for inline in response.context["inline_admin_formsets"]
            if inline.formset.prefix == "bylines"
        ]
        return formset.forms[int(field.split("-")[1])].errors.get(field.split("-")[2])
    return response.context["adminform"].form.errors.get(field)


FIELDS = [
    "mentioned_people",
    "mentioned_organizations",
    "lead_image",
    "section",
    "bylines-0-reporter",
]


@pytest.mark.parametrize("bad", BAD_IDS, ids=ID_IDS)
@pytest.mark.parametrize("field", FIELDS)
def test_a_bad_id_on_the_add_form_is_the_fields_error(editor, section, field, bad):
    data = with_bad_value(filled_add_form(editor, section), field, bad)

    response = editor.post(ADD_URL, data)

    assert field_errors(response, field), field
    assert "Please correct the error" in response.content.decode()
    assert not Article.objects.filter(slug="bad-input-story").exists()


@pytest.mark.parametrize("bad", BAD_IDS, ids=ID_IDS)
@pytest.mark.parametrize("field", FIELDS)
def test_a_bad_id_on_the_change_form_is_the_fields_error(editor, story, field, bad):
    data = article_form(editor.get(change_url(story)))
    data["headline"] = "Changed headline"
    version = story.version

    response = editor.post(change_url(story), with_bad_value(data, field, bad))

    assert field_errors(response, field), field
    story.refresh_from_db()
    assert (story.headline, story.version) == ("A story as it stands", version)


# The date drill-down: a year, month or day no calendar has is the admin's "invalid filter"
# redirect (?e=1), on every list that has one.

DATE_LISTS = {
    "/admin/articles/article/": "published_at",
    "/admin/articles/correction/": "created_at",
    "/admin/articles/statuschange/": "at",
    "/admin/core/slughistory/": "created_at",
}
BAD_DATES = [
    {"year": "9" * 20},
    {"year": "9" * 20, "month": "1"},
    {"year": "2026", "month": "9" * 20},
    {"year": "2026", "month": "1", "day": "9" * 20},
    {"year": "9999"},  # the year after cannot be made
    {"year": "9999", "month": "12"},
    {"year": "9999", "month": "12", "day": "31"},
    {"year": "0"},
    {"year": "-1"},
    {"year": "\x00"},
]


@pytest.mark.parametrize(
    "bad", BAD_DATES, ids=lambda bad: "-".join(bad.values()).replace("\x00", "nul")[:30]
)
@pytest.mark.parametrize("url", DATE_LISTS)
def test_a_date_no_calendar_has_is_the_invalid_filter_redirect(client, superuser, seed, url, bad):
    CorrectionFactory(article=seed)
    client.force_login(superuser)
    field = DATE_LISTS[url]

    response = client.get(url, {f"{field}__{part}": value for part, value in bad.items()})

    assert response.status_code == 302, response.status_code
    assert response["Location"] == f"{url}?e=1"
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.parametrize("zone", ["Asia/Hong_Kong", "America/New_York"])
@pytest.mark.parametrize("year", ["1", "9999"])
def test_the_first_and_last_years_in_a_far_time_zone(client, superuser, seed, settings, zone, year):
    """Year 1 in Hong Kong begins in the year 0 in UTC, which the database cannot be asked about;
    a year that can be asked about is listed as usual."""
    settings.TIME_ZONE = zone
    client.force_login(superuser)
    response = client.get(LIST_URL, {"published_at__year": year})
    assert response.status_code in (200, 302), response.status_code
    if response.status_code == 302:
        assert response["Location"] == f"{LIST_URL}?e=1"
    response = client.get(LIST_URL, {"published_at__year": "2", "published_at__month": "1"})
    assert response.status_code == 200


def test_a_real_year_still_drills_down(editor, seed):
    year = seed.published_at.year
    response = editor.get(LIST_URL, {"published_at__year": str(year)})
    assert response.status_code == 200
    assert seed.headline in response.content.decode()


# Per-object addresses with an id that is not one.

BAD_URL_IDS = ["%00", "abc", "%C2%B2", "1%00", "99999999999999999999", "-1", "1.5"]
PER_OBJECT = ["change/", "delete/", "history/", "history/1/", ""]


@pytest.mark.parametrize("page", PER_OBJECT)
@pytest.mark.parametrize("object_id", BAD_URL_IDS)
def test_a_story_address_with_a_bad_id_is_not_found(editor, seed, object_id, page):
    response = editor.get(f"/admin/articles/article/{object_id}/{page}")

    if response.status_code == 302:  # the admin's own answer: "... doesn't exist", and the index
        assert response["Location"] in (
            "/admin/",
            LIST_URL,
            f"/admin/articles/article/{object_id}/change/",
        ), response["Location"]
        assert client_follow_ok(editor, response)
    else:
        assert response.status_code in (400, 404), response.status_code


def client_follow_ok(client, response):
    return client.get(response["Location"], follow=True).status_code == 200


@pytest.mark.parametrize("object_id", BAD_URL_IDS)
def test_a_bad_id_posted_to_a_story_address_changes_nothing(editor, seed, object_id):
    for page in ("change/", "delete/", "history/1/"):
        response = editor.post(
            f"/admin/articles/article/{object_id}/{page}", {"post": "yes", "headline": "x"}
        )
        assert response.status_code in (302, 400, 404), (page, response.status_code)
    assert Article.objects.filter(pk=seed.pk).exists()


@pytest.mark.parametrize("object_id", BAD_URL_IDS)
@pytest.mark.parametrize("model", ["correction", "statuschange", "section"])
def test_other_story_admin_addresses_with_a_bad_id(editor, seed, model, object_id):
    for page in PER_OBJECT[:3]:
        response = editor.get(f"/admin/articles/{model}/{object_id}/{page}")
        # 403: an editor may not delete these at all, whatever the id.
        assert response.status_code in (302, 400, 403, 404), (page, response.status_code)
    assert Correction.objects.count() == 0


@pytest.mark.parametrize("object_id", ["99999999999999999999", "0"])
def test_the_staff_preview_of_a_story_that_is_not_there(editor, seed, object_id):
    assert editor.get(f"/preview/stories/{object_id}/").status_code == 404


def test_the_recover_page_of_a_version_that_is_not_there(editor, seed):
    response = editor.get("/admin/articles/article/recover/99999999999999999999/")
    assert response.status_code == 404


# Any lookup the query string names, not only the list's own filters: Django applies every
# parameter on one of the model's fields. One the database cannot be asked is the "invalid filter"
# redirect too: a year no calendar has, a time beyond it in UTC, a NUL, an id no column holds.

BAD_LOOKUPS = [
    ("/admin/articles/article/", "created_at__year", "0"),
    ("/admin/articles/article/", "modified_at__year", "99999999999999999999"),
    ("/admin/articles/article/", "updated_at__iso_year", "10000"),
    ("/admin/articles/article/", "published_at__year__gte", "-1"),
    ("/admin/articles/article/", "created_at__gte", "0001-01-01T00:00:00+01:00"),
    ("/admin/articles/article/", "modified_at__lt", "9999-12-31T23:59:59-01:00"),
    ("/admin/articles/article/", "headline", "\x00"),
    ("/admin/articles/article/", "status__in", "draft,\x00"),
    ("/admin/articles/article/", "section__exact", "99999999999999999999"),
    ("/admin/articles/article/", "lead_image__in", "-99999999999999999999"),
    ("/admin/articles/article/", "id__in", "1,99999999999999999999"),
    ("/admin/articles/correction/", "article__exact", "99999999999999999999"),
    ("/admin/articles/correction/", "created_at__year", "0"),
    ("/admin/articles/statuschange/", "to_status", "\x00"),
    ("/admin/articles/section/", "order__in", "99999999999999999999"),
    ("/admin/core/slughistory/", "object_id__in", "99999999999999999999"),
    ("/admin/core/slughistory/", "slug", "\x00"),
    ("/admin/people/reporter/", "user__exact", "99999999999999999999"),
    ("/admin/people/person/", "name", "\x00"),
    ("/admin/photos/image/", "uploaded_by__in", "99999999999999999999"),
]


@pytest.mark.parametrize("zone", ["UTC", "Asia/Hong_Kong"])
@pytest.mark.parametrize(
    ("url", "lookup", "bad"),
    BAD_LOOKUPS,
    ids=[f"{url.split('/')[3]}-{lookup}" for url, lookup, _ in BAD_LOOKUPS],
)
def test_a_lookup_the_database_cannot_be_asked_is_the_invalid_filter_redirect(
    client, superuser, seed, settings, zone, url, lookup, bad
):
    settings.TIME_ZONE = zone
    CorrectionFactory(article=seed)
    client.force_login(superuser)

    response = client.get(url, {lookup: bad})

    if lookup.endswith(("__gte", "__lt")) and response.status_code == 200:
        # PostgreSQL takes a time in the year 0 in UTC (SQLite's backend cannot convert it).
        return
    assert response.status_code == 302, response.status_code
    assert response["Location"] == f"{url}?e=1"


@pytest.mark.parametrize(
    ("lookup", "value"),
    [
        ("created_at__year", "2026"),
        ("section__exact", "1"),
        ("headline__icontains", "Qianhai"),
        ("id__in", "1,2"),
        ("published_at__gte", "0001-01-01T01:00:00+01:00"),
    ],
)
def test_a_lookup_the_database_can_be_asked_still_filters(editor, seed, lookup, value):
    response = editor.get(LIST_URL, {lookup: value})
    assert response.status_code == 200, response.status_code


# The autocomplete behind the story form's relation fields searches with the term as it came.


@pytest.mark.parametrize(
    ("model", "field"),
    [
        ("article", "section"),
        ("article", "lead_image"),
        ("article", "mentioned_people"),
        ("article", "mentioned_organizations"),
        ("byline", "reporter"),
    ],
)
@pytest.mark.parametrize("term", ["\x00", "Qian\x00hai"])
def test_an_autocomplete_term_with_a_nul_finds_nothing(editor, seed, model, field, term):
    response = editor.get(
        "/admin/autocomplete/",
        {"app_label": "articles", "model_name": model, "field_name": field, "term": term},
    )

    assert response.status_code == 200, response.status_code
    assert response.json()["results"] == []


def test_an_autocomplete_term_still_finds(editor, seed):
    response = editor.get(
        "/admin/autocomplete/",
        {
            "app_label": "articles",
            "model_name": "byline",
            "field_name": "reporter",
            "term": "Chang",
        },
    )
    assert response.status_code == 200
    assert [item["text"] for item in response.json()["results"]] == ["Chang Zhipeng"]


# The byline inline: its rows are checked against each other by the form and against the table by
# the database, one row as it is written; a change that is fine once saved is never a 500 midway.


@pytest.fixture
def two_bylines(section):
    article = ArticleFactory(section=section, headline="Two bylines")
    first = BylineFactory(article=article, reporter=ReporterFactory(name="First"), order=0)
    second = BylineFactory(article=article, reporter=ReporterFactory(name="Second"), order=1)
    return article, first, second


def byline_rows(article):
    return list(article.bylines.order_by("order").values_list("reporter__name", "order"))


def test_swapping_two_bylines_places_is_saved(editor, two_bylines):
    article, _first, _second = two_bylines
    data = article_form(editor.get(change_url(article)))
    data["bylines-0-order"], data["bylines-1-order"] = "1", "0"

    response = editor.post(change_url(article), data)

    assert response.status_code == 302, response.status_code
    assert byline_rows(article) == [("Second", 0), ("First", 1)]


def test_swapping_two_bylines_reporters_is_saved(editor, two_bylines):
    article, first, second = two_bylines
    data = article_form(editor.get(change_url(article)))
    data["bylines-0-reporter"], data["bylines-1-reporter"] = (
        str(second.reporter.pk),
        str(first.reporter.pk),
    )

    response = editor.post(change_url(article), data)

    assert response.status_code == 302, response.status_code
    assert byline_rows(article) == [("Second", 0), ("First", 1)]


def test_taking_the_place_of_a_byline_deleted_below_is_saved(editor, two_bylines):
    article, _first, _second = two_bylines
    data = article_form(editor.get(change_url(article)))
    data["bylines-0-order"] = "1"
    data["bylines-1-DELETE"] = "on"

    response = editor.post(change_url(article), data)

    assert response.status_code == 302, response.status_code
    assert byline_rows(article) == [("First", 1)]


@pytest.mark.parametrize("initial", ["0", "1", "-1", "-99999999999999999999"])
def test_a_row_count_that_hides_a_byline_is_the_inlines_error(editor, two_bylines, initial):
    """A tampered count of existing rows posts them as new ones, which the table already has."""
    article, _first, _second = two_bylines
    data = article_form(editor.get(change_url(article)))
    data["bylines-INITIAL_FORMS"] = initial
    data["headline"] = "Changed headline"

    response = editor.post(change_url(article), data)

    assert response.status_code == 200, response.status_code
    (formset,) = [
        inline.formset
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.prefix == "bylines"
    ]
    assert formset.non_form_errors() or any(formset.errors)
    article.refresh_from_db()
    assert article.headline == "Two bylines"
    assert byline_rows(article) == [("First", 0), ("Second", 1)]


# The admins other apps register (tags, users, groups, login attempts) take the same lookups from
# the query string; reporters and editors list tags.

OTHER_APPS_LOOKUPS = [
    ("/admin/taggit/tag/", "name", "\x00"),
    ("/admin/taggit/tag/", "slug__in", "a,\x00"),
    ("/admin/taggit/tag/", "id__in", "99999999999999999999"),
]


@pytest.mark.parametrize(("url", "lookup", "bad"), OTHER_APPS_LOOKUPS)
def test_a_reporter_listing_tags_with_a_bad_lookup_gets_the_invalid_filter_redirect(
    reporter, seed, url, lookup, bad
):
    response = reporter.get(url, {lookup: bad})

    assert response.status_code == 302, response.status_code
    assert response["Location"] == f"{url}?e=1"
    assert reporter.get(url, {"name": "Hong Kong"}).status_code == 200


@pytest.mark.parametrize(
    ("url", "lookup", "bad"),
    [
        ("/admin/auth/user/", "username", "\x00"),
        ("/admin/auth/user/", "id__in", "99999999999999999999"),
        ("/admin/auth/group/", "name__in", "\x00"),
        ("/admin/axes/accessattempt/", "username", "\x00"),
        ("/admin/axes/accesslog/", "id__in", "-99999999999999999999"),
    ],
)
def test_the_other_apps_lists_refuse_a_bad_lookup(admin_client, url, lookup, bad):
    response = admin_client.get(url, {lookup: bad})

    assert response.status_code == 302, response.status_code
    assert response["Location"] == f"{url}?e=1"
