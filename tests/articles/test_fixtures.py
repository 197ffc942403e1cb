"""The seed story: the fixture must reproduce the wire copy faithfully and load safely any number of times."""

import io
import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from taggit.models import Tag

from articles.html import sanitize_html
from articles.models import Article, Byline, Correction, Section, TaggedArticle
from people.models import Affiliation, Organization, Person, Reporter

pytestmark = pytest.mark.django_db

SOURCE = Path(__file__).resolve().parents[2] / "fixtures" / "source" / "qianhai-forum.txt"
SEED_SLUG = "qianhai-forum-draws-1200-representatives"

SEED_MODELS = [
    Article,
    Byline,
    TaggedArticle,
    Tag,
    Person,
    Organization,
    Affiliation,
    Reporter,
    Section,
    Correction,
    Article.mentioned_people.through,
    Article.mentioned_organizations.through,
]


def wire_copy():
    """The seed wire copy: dateline, reporter, email, then one paragraph a line."""
    lines = SOURCE.read_text(encoding="utf-8").splitlines()
    dateline, reporter, email, *paragraphs = lines
    return dateline, reporter, email, [p for p in paragraphs if p.strip()]


def row_counts():
    return {model._meta.label: model.objects.count() for model in SEED_MODELS}


def load_seed():
    call_command("loaddata", "qianhai-forum", verbosity=0)
    return Article.objects.get(slug=SEED_SLUG)


def test_wire_copy_has_six_paragraphs():
    """The source the fixture is checked against is the six-paragraph wire story."""
    dateline, reporter, email, paragraphs = wire_copy()
    assert (dateline, reporter, email) == ("Shenzhen", "Chang Zhipeng", "57589527@qq.com")
    assert len(paragraphs) == 6


def test_seed_loads_one_published_story_into_an_empty_database():
    """A fresh site gets exactly one story, public, filed from Shenzhen."""
    assert Article.objects.count() == 0

    article = load_seed()

    assert Article.objects.count() == 1
    assert article.status == Article.Status.PUBLISHED
    assert article.is_public
    assert list(Article.objects.published()) == [article]
    assert article.dateline == wire_copy()[0] == "Shenzhen"


def test_seed_body_is_the_wire_copy_word_for_word():
    """The body is the wire copy's paragraphs, typography (’ and —) kept, nothing added or lost."""
    article = load_seed()
    paragraphs = wire_copy()[3]

    assert article.body == "\n".join(f"<p>{p}</p>" for p in paragraphs)
    assert "area’s future development" in article.body
    assert "four pivotal components — talent" in article.body
    assert "&rsquo;" not in article.body
    assert "&mdash;" not in article.body


def test_seed_body_is_already_clean():
    """The stored body is exactly what the sanitiser would keep, so a re-save changes nothing."""
    article = load_seed()

    assert sanitize_html(article.body) == article.body


def test_seed_tags():
    """The story is filed under its places and subjects."""
    article = load_seed()
    names = set(article.tags.names())

    assert len(names) >= 5
    assert {
        "Qianhai",
        "Shenzhen",
        "Hong Kong",
        "Greater Bay Area",
        "artificial intelligence",
    } <= names
    assert Tag.objects.get(name="Hong Kong").slug == "hong-kong"


def test_seed_byline_is_the_wire_reporter():
    """The byline is the reporter named in the wire copy, matched by the wire copy's email."""
    article = load_seed()
    _, reporter_name, email, _ = wire_copy()

    reporters = list(article.reporters.all())
    assert [r.name for r in reporters] == [reporter_name] == ["Chang Zhipeng"]
    assert reporters[0].email == email == "57589527@qq.com"
    assert reporters[0].slug == "chang-zhipeng"


def affiliations_of(slug):
    person = Person.objects.get(slug=slug)
    return {
        (a.title, a.organization.name) for a in person.affiliations.select_related("organization")
    }


def test_seed_people_and_their_roles():
    """Each person quoted has the role the story gives them, with the body they hold it in."""
    load_seed()

    assert affiliations_of("deng-zhonghua") == {
        ("president", "Chinese Association of Hong Kong and Macao Studies")
    }
    assert affiliations_of("choi-koon-shum") == {
        ("chairman", "Chinese General Chamber of Commerce in Hong Kong"),
        ("chairman", "Guangdong-Hong Kong-Macao Bay Area Entrepreneurs Alliance"),
    }
    assert affiliations_of("xu-li") == {("CEO", "SenseTime")}
    assert set(Person.objects.values_list("name", flat=True)) == {
        "Deng Zhonghua",
        "Choi Koon-shum",
        "Xu Li",
    }


def test_seed_organizations():
    """The organizations the story names, with the university's new institute under it."""
    load_seed()
    names = set(Organization.objects.values_list("name", flat=True))

    assert {
        "Shenzhen-Hong Kong Artificial Intelligence Computing Center",
        "University of International Business and Economics",
        "Institute of International Trade Rules",
        "Qianhai International Convention Center",
        "SenseTime",
    } <= names
    institute = Organization.objects.get(name="Institute of International Trade Rules")
    assert institute.parent.name == "University of International Business and Economics"
    venue = Organization.objects.get(name="Qianhai International Convention Center")
    assert venue.kind == Organization.Kind.VENUE


def test_everyone_in_the_seed_is_linked_as_a_mention():
    """Every person and organization in the fixture is mentioned by the story, so their pages list it."""
    article = load_seed()

    assert set(article.mentioned_people.all()) == set(Person.objects.all())
    assert set(article.mentioned_organizations.all()) == set(Organization.objects.all())


def test_loading_the_seed_twice_changes_nothing():
    """Loading the fixture again updates in place: no duplicate story, byline, tag or person."""
    load_seed()
    first = row_counts()

    load_seed()

    assert row_counts() == first
    assert first["articles.Article"] == 1
    assert first["articles.Byline"] == 1


def run_bootstrap(**options):
    out = io.StringIO()
    call_command("bootstrap_site", stdout=out, **options)
    return out.getvalue()


def test_bootstrap_site_loads_the_seed_and_creates_an_editor(client):
    """A fresh site gets the seed story and an editor account whose printed password works."""
    output = run_bootstrap()

    assert Article.objects.filter(slug=SEED_SLUG).count() == 1
    editor = get_user_model().objects.get(username="editor")
    assert editor.is_staff and not editor.is_superuser
    assert list(editor.groups.values_list("name", flat=True)) == ["Editor"]
    password = re.search(r"with password: (\S+)", output).group(1)
    assert client.login(username="editor", password=password)
    assert client.get("/admin/").status_code == 200
    story = Article.objects.get(slug=SEED_SLUG)
    assert client.get(f"/admin/articles/article/{story.pk}/change/").status_code == 200
    # Accounts and roles are an administrator's.
    assert client.get("/admin/auth/user/").status_code == 403
    assert "Log in at http://127.0.0.1:8000/admin/ as editor" in output
    assert "python manage.py createsuperuser" in output


def test_bootstrap_site_prints_the_login_address_where_the_site_is_served(db):
    """``make serve HOST=...`` passes its address on, so the printed login link is the real one."""
    output = run_bootstrap(address="localhost:9001")

    assert "Log in at http://localhost:9001/admin/ as editor" in output


def test_bootstrap_site_run_again_leaves_everything_alone(client):
    """A second run loads nothing, keeps the password and says it left things as they were."""
    first_output = run_bootstrap()
    password = re.search(r"with password: (\S+)", first_output).group(1)
    counts = row_counts()
    users = get_user_model().objects.count()

    second_output = run_bootstrap()

    assert row_counts() == counts
    assert get_user_model().objects.count() == users
    assert get_user_model().objects.filter(username="editor").count() == 1
    assert "password:" not in second_output
    assert "already here; left as it is" in second_output
    assert "already exists; password unchanged" in second_output
    assert client.login(username="editor", password=password)


def test_bootstrap_site_keeps_edits_to_the_seed_story():
    """An editor's change to the seed story survives a later bootstrap run."""
    run_bootstrap()
    Article.objects.filter(slug=SEED_SLUG).update(headline="Edited by the desk")

    run_bootstrap()

    assert Article.objects.get(slug=SEED_SLUG).headline == "Edited by the desk"


def test_the_seed_story_is_recognised_when_its_wire_copy_comes_in_again(seed):
    """The fixture carries the seed copy's fingerprint, so importing the same file skips it."""
    out = io.StringIO()
    call_command("import_article", str(SOURCE), stdout=out)
    assert Article.objects.count() == 1
    assert "skipped" in out.getvalue().lower()
