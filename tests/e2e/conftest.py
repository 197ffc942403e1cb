"""Browser tests: Playwright for Python driving Debian's Chromium against pytest-django's live server.

Chromium is found at ``CHROMIUM_PATH`` (default ``/usr/bin/chromium``, from ``apt-get install
chromium``); no browser is ever downloaded. Without it (or without the ``playwright`` package) every
test here is skipped with the reason, and the run's summary says so; with ``E2E_REQUIRED=1`` (set by
``.ci/run``) the same thing is a failure instead.

Every test gets a fresh database (``live_server`` needs transactional tests, which empty the tables
afterwards), the newsroom's two roles re-created, and its own browser contexts. Screenshots go to
``artifacts/screenshots/`` (kept out of git).
"""

import importlib
import os
import shutil

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command

from tests.conftest import member
from tests.needed import Needed

from .support import watch

CHROMIUM = os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"
BROWSER = Needed("browser tests (tests/e2e)", "E2E_REQUIRED")

# Generous but bounded: a slow CI machine waits, a broken page fails in seconds, not minutes.
ACTION_TIMEOUT_MS = 15_000
NAVIGATION_TIMEOUT_MS = 30_000
EXPECT_TIMEOUT_MS = 10_000

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 740}


def unavailable_reason():
    """Why the browser tests cannot run here, or None if they can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[dev]')"
    path = shutil.which(CHROMIUM) or CHROMIUM
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        return f"no Chromium at {CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)"
    return None


def pytest_terminal_summary(terminalreporter):
    BROWSER.summarise(terminalreporter)


@pytest.fixture(scope="package")
def browser():
    """One headless Chromium for the whole package; each test opens its own contexts."""
    reason = unavailable_reason()
    if reason:
        BROWSER.unavailable(reason)

    from playwright.sync_api import expect, sync_playwright

    # Playwright's sync API keeps an event loop running in this thread; the ORM calls the tests
    # make beside it are synchronous, so Django's async guard is lifted while the browser is up.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    args = ["--disable-dev-shm-usage", "--disable-gpu"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--no-sandbox")  # Chromium refuses to start its sandbox as root
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=shutil.which(CHROMIUM) or CHROMIUM, headless=True, args=args
            )
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def create_roles():
    """The Reporter, Editor and Legal groups, as migrations articles/0003 and 0011, fronts/0002 and
    wire/0002 make them.

    Transactional tests empty every table when they end; the permissions come back (Django
    re-creates them after the flush) but the groups, made by a data migration, do not.
    """
    roles = importlib.import_module("articles.migrations.0003_editorial_roles").ROLES
    fronts = importlib.import_module("fronts.migrations.0002_editor_permissions").EDITOR
    roles = {**roles, "Editor": {**roles["Editor"], "fronts": fronts}}
    # Live entries for reporters and editors, and the Legal role (articles/0011).
    later = importlib.import_module("articles.migrations.0011_live_embargo_kill")
    for name, codenames in later.ROLE_PERMISSIONS.items():
        roles[name] = {**roles[name], "articles": [*roles[name]["articles"], *codenames]}
    roles[later.LEGAL] = {"articles": later.LEGAL_PERMISSIONS}
    # The wire queue (wire/0002).
    wire = importlib.import_module("wire.migrations.0002_roles").ROLE_PERMISSIONS
    for name, codenames in wire.items():
        roles[name] = {**roles[name], "wire": codenames}
    for name, grants in roles.items():
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, codenames in grants.items():
            # The old-address model has moved to core since (newsroom/migrations/0002).
            app_label = "core" if app_label == "newsroom" else app_label
            permissions = Permission.objects.filter(
                content_type__app_label=app_label, codename__in=codenames
            )
            assert permissions.count() == len(codenames), (name, app_label)
            group.permissions.add(*permissions)


@pytest.fixture(autouse=True)
def roles(browser, live_server, transactional_db, settings):
    # Absolute links (canonical, feeds, share links) on the live server's own address.
    settings.SITE_URL = live_server.url
    create_roles()


@pytest.fixture
def seed():
    """The seed story, its reporter, section, people, organizations and tags."""
    from articles.models import Article

    call_command("loaddata", "qianhai-forum", verbosity=0)
    return Article.objects.get(slug="qianhai-forum-draws-1200-representatives")


@pytest.fixture
def pictured_site(seed):
    """The seed story with a lead picture, its reporter with a portrait, and a second story in
    the section, so the pages have pictures and lists to show."""
    from people.models import Reporter
    from tests.factories import ArticleFactory, BylineFactory
    from tests.photos import pictures

    seed.lead_image = pictures.upload(
        pictures.jpeg((1600, 1000)),
        alt_text="Delegates in the main hall of the Qianhai International Convention Center",
        caption="The forum's closing session on Saturday.",
        credit="Li Wei / Newsroom",
    )
    seed.save(update_fields=["lead_image"])
    reporter = Reporter.objects.get(slug="chang-zhipeng")
    reporter.photo = pictures.upload(pictures.jpeg((600, 800)), alt_text="Chang Zhipeng")
    reporter.save(update_fields=["photo"])
    other = ArticleFactory(
        headline="Shenzhen-Hong Kong computing centre opens in Qianhai",
        slug="computing-centre-opens",
        section=seed.section,
    )
    BylineFactory(article=other, reporter=reporter, order=0)
    other.tags.add("Hong Kong")
    return seed


@pytest.fixture
def reporter_user(seed):
    """Chang Zhipeng, the seed story's reporter, with a login linked to the byline."""
    from people.models import Reporter

    user = member("Reporter", "zhipeng", first_name="Chang", last_name="Zhipeng")
    Reporter.objects.filter(slug="chang-zhipeng").update(user=user)
    return user


@pytest.fixture
def editor_user():
    return member("Editor", "desk", first_name="Night", last_name="Editor")


@pytest.fixture
def second_editor_user():
    return member("Editor", "slot", first_name="Slot", last_name="Editor")


@pytest.fixture
def open_page(browser, live_server):
    """``open_page(viewport=DESKTOP)``: a page in a browser context of its own (own cookies), on
    the live server, watched for errors (``open_page.watched[page]``)."""
    contexts = []
    watched = {}

    def opener(viewport=DESKTOP, **options):
        context = browser.new_context(
            base_url=live_server.url, viewport=viewport, locale="en-GB", **options
        )
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        watched[page] = watch(page)
        return page

    opener.watched = watched
    yield opener
    for context in contexts:
        context.close()
    for page_watched in watched.values():
        for problem in page_watched.problems:  # shown with a failing test's captured output
            print(f"browser: {problem}")


@pytest.fixture
def page(open_page):
    return open_page()
