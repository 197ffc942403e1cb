"""The editorial admin: every screen opens, and a story can be written and published through it."""

import datetime as dt
import re

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version
from taggit.models import Tag

from articles.models import Article, Correction, Section
from people.models import Affiliation, Organization, Person, Reporter
from tests.factories import CorrectionFactory, ReporterFactory, UserFactory

pytestmark = pytest.mark.django_db

REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label)


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def every_model_has_a_row(seed, superuser):
    """The seed fills most models; a correction and a group fill the rest."""
    CorrectionFactory(article=seed)
    Group.objects.create(name="Desk editors")


def can_add(model, user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return admin.site._registry[model].has_add_permission(request)


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_admin_screens_open(admin_client, superuser, every_model_has_a_row, model):
    """For every model in the admin, the list, the add form and an existing object's form open.

    A model whose admin refuses adding (a read-only log) must refuse the add page too.
    """
    assert admin_client.get(admin_url(model, "changelist")).status_code == 200
    add_status = 200 if can_add(model, superuser) else 403
    assert admin_client.get(admin_url(model, "add")).status_code == add_status
    obj = model._default_manager.order_by("pk").first()
    if obj is not None:
        assert admin_client.get(admin_url(model, "change", obj.pk)).status_code == 200


@pytest.mark.parametrize(
    "model",
    [
        Article,
        Correction,
        Section,
        Person,
        Organization,
        Affiliation,
        Reporter,
        Tag,
        Group,
        get_user_model(),
    ],
    ids=lambda model: model._meta.label,
)
def test_core_models_are_in_the_admin_with_a_row_to_open(every_model_has_a_row, model):
    """The foundation's models are all registered, and the test data gives each a change page."""
    assert model in admin.site._registry
    assert model._default_manager.exists()


def test_story_list_search_finds_the_seed(admin_client, seed):
    """Searching the story list for a word in the story finds it; a word that is not there does not."""
    found = admin_client.get("/admin/articles/article/", {"q": "Qianhai"})
    missing = admin_client.get("/admin/articles/article/", {"q": "Antarctica"})

    assert found.status_code == 200
    assert seed.headline in found.content.decode()
    assert missing.status_code == 200
    assert seed.headline not in missing.content.decode()


def test_story_list_status_filter(admin_client, seed):
    """Filtering by status shows published stories under Published and not under Draft."""
    published = admin_client.get("/admin/articles/article/", {"status__exact": "published"})
    drafts = admin_client.get("/admin/articles/article/", {"status__exact": "draft"})

    assert published.status_code == 200
    assert seed.headline in published.content.decode()
    assert drafts.status_code == 200
    assert seed.headline not in drafts.content.decode()


def test_people_list_search(admin_client, seed):
    """Editors find a person by name in the people list."""
    response = admin_client.get("/admin/people/person/", {"q": "Choi"})

    assert response.status_code == 200
    assert "Choi Koon-shum" in response.content.decode()
    assert "Xu Li" not in response.content.decode()


def management_form(prefix, total, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def new_story_form(seed, first, second, published_at):
    people = Person.objects.filter(slug__in=["xu-li", "deng-zhonghua"])
    organizations = Organization.objects.filter(
        slug__in=["sensetime", "qianhai-international-convention-center"]
    )
    local = timezone.localtime(published_at)
    return {
        "headline": "SenseTime opens driverless bus route in Qianhai",
        "slug": "sensetime-driverless-bus-route-qianhai",
        "standfirst": "The route is Shenzhen’s first autonomous driving bus line.",
        "body": "<p>The first autonomous bus route opened in Qianhai on Monday.</p>"
        "<p>Xu Li said the route was only a start.</p>",
        "dateline": "Shenzhen",
        "section": str(seed.section.pk),
        "status": "published",
        "published_at_0": local.strftime("%Y-%m-%d"),
        "published_at_1": local.strftime("%H:%M:%S"),
        "updated_at_0": "",
        "updated_at_1": "",
        "tags": 'Qianhai, autonomous driving, "public transport"',
        "mentioned_people": [str(p.pk) for p in people],
        "mentioned_organizations": [str(o.pk) for o in organizations],
        **management_form("bylines", 2),
        "bylines-0-reporter": str(first.pk),
        "bylines-0-order": "0",
        "bylines-1-reporter": str(second.pk),
        "bylines-1-order": "1",
        **management_form("corrections", 0),
        "_save": "Save",
    }


def form_errors(response):
    if response.context is None:
        return ""
    errors = [response.context["adminform"].form.errors]
    errors += [formset.formset.errors for formset in response.context["inline_admin_formsets"]]
    errors += [
        formset.formset.non_form_errors() for formset in response.context["inline_admin_formsets"]
    ]
    return repr(errors)


def test_write_and_publish_a_story_through_the_admin(admin_client, client, seed):
    """An editor fills in the real add form and the story is live, bylines in the order given."""
    add_form = admin_client.get("/admin/articles/article/add/").content.decode()
    for name in ["bylines-TOTAL_FORMS", "corrections-TOTAL_FORMS", "published_at_0", "tags"]:
        assert f'name="{name}"' in add_form
    zhou = ReporterFactory(name="Zhou Wen", slug="zhou-wen")
    chang = Reporter.objects.get(slug="chang-zhipeng")
    published_at = timezone.now().replace(microsecond=0) - dt.timedelta(hours=1)

    response = admin_client.post(
        "/admin/articles/article/add/", new_story_form(seed, zhou, chang, published_at)
    )

    assert response.status_code == 302, form_errors(response)
    story = Article.objects.get(slug="sensetime-driverless-bus-route-qianhai")
    assert Article.objects.published().filter(pk=story.pk).exists()
    assert story.published_at == published_at
    assert [b.reporter.name for b in story.bylines.order_by("order")] == [
        "Zhou Wen",
        "Chang Zhipeng",
    ]
    assert set(story.tags.names()) == {"Qianhai", "autonomous driving", "public transport"}
    assert story.tags.get(name="Qianhai").pk == seed.tags.get(name="Qianhai").pk
    assert set(story.mentioned_people.values_list("slug", flat=True)) == {"xu-li", "deng-zhonghua"}
    assert set(story.mentioned_organizations.values_list("slug", flat=True)) == {
        "sensetime",
        "qianhai-international-convention-center",
    }
    assert story.corrections.count() == 0

    page = client.get(story.get_absolute_url())
    html = page.content.decode()
    assert page.status_code == 200
    assert "SenseTime opens driverless bus route in Qianhai" in html
    assert html.index(">Zhou Wen</a>") < html.index(">Chang Zhipeng</a>")


def test_admin_refuses_two_bylines_in_the_same_place(admin_client, seed):
    """Two reporters given the same byline position is a form error, not a crash or a silent save."""
    zhou = ReporterFactory(name="Zhou Wen", slug="zhou-wen")
    chang = Reporter.objects.get(slug="chang-zhipeng")
    data = new_story_form(seed, zhou, chang, timezone.now() - dt.timedelta(hours=1))
    data["bylines-1-order"] = "0"

    response = admin_client.post("/admin/articles/article/add/", data)

    assert response.status_code == 200
    assert "Please correct the error" in response.content.decode()
    assert not Article.objects.filter(slug="sensetime-driverless-bus-route-qianhai").exists()


@pytest.mark.parametrize("who", ["anonymous", "non-staff"])
def test_admin_is_closed_to_readers(client, db, who):
    """Only staff reach the admin; everyone else is sent to the login page."""
    if who == "non-staff":
        client.force_login(UserFactory(is_staff=False))

    response = client.get("/admin/articles/article/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert "next=/admin/articles/article/" in response["Location"]


def test_the_admin_calls_a_story_a_story(admin_client, seed):
    """Editors read one word: the story list, its add page, its buttons and the index say
    “story” and “stories”, never “article”."""
    pages = {
        "/admin/": ["Your desk", "My drafts", "Stories", "Workflow steps"],
        "/admin/articles/article/": [
            "Stories",
            "Add story",
            "Recover deleted stories",
        ],
        "/admin/articles/article/add/": ["Add story"],
        f"/admin/articles/article/{seed.pk}/change/": ["Change story"],
        "/admin/articles/article/recover/": ["Recover deleted stories"],
        "/admin/articles/correction/add/": ["Story:"],
    }
    for url, words in pages.items():
        response = admin_client.get(url)
        assert response.status_code == 200, url
        text = visible_text(response.content.decode())
        for word in words:
            assert word in text, (url, word)
        assert not re.search(r"\barticles?\b", text, re.IGNORECASE), (url, text)


def visible_text(html):
    """The page's words as a reader sees them: no tags, scripts, styles or attribute values."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.DOTALL)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_looking_at_the_story_list_opens_no_transaction(admin_client, seed):
    """A GET of the list saves nothing, so it runs outside any transaction: on SQLite, whose
    transactions are IMMEDIATE, one would take the write lock that every save waits for
    (``ArticleAdmin.create_revision``). A bulk action, which saves, is still one revision."""
    with CaptureQueriesContext(connection) as queries:
        assert admin_client.get("/admin/articles/article/").status_code == 200
    assert not [q["sql"] for q in queries.captured_queries if "SAVEPOINT" in q["sql"].upper()]

    response = admin_client.post(
        "/admin/articles/article/",
        {"action": "unpublish", "_selected_action": [str(seed.pk)]},
    )
    assert response.status_code == 302
    assert Version.objects.get_for_object(seed).count() == 1


def test_tags_are_tags_not_taggit(editor):
    """django-taggit's pages say Tags, in the breadcrumbs and the headings, to an editor."""
    page = editor.get("/admin/taggit/tag/").content.decode()
    assert '&rsaquo; <a href="/admin/taggit/">Tags</a>' in page  # the breadcrumbs
    assert "Taggit" not in visible_text(page)
