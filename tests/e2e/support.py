"""What the browser tests do again and again: log in, fill the admin's widgets, check a page."""

import re
from dataclasses import dataclass, field
from pathlib import Path

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips every test, saying why (conftest.py)
    expect = None

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's


@dataclass
class Watched:
    """What went wrong on a page: console errors, uncaught errors, failed requests."""

    problems: list = field(default_factory=list)

    def clear(self):
        self.problems.clear()

    def assert_clean(self, what="the page"):
        assert not self.problems, f"Problems on {what}:\n" + "\n".join(self.problems)


# The browser's own probe for /favicon.ico on pages that name no icon (Django's admin): not a
# request the page makes. The reader's pages name theirs (base.html).
BROWSER_PROBES = re.compile(r"^https?://[^/]+/favicon\.ico$")
# The admin's autocomplete lookups, which select2 aborts when they are superseded; and the
# admin's own icons, drawn as backgrounds of links its scripts hide as a form opens (the "view"
# link beside an empty choice), whose loading the browser then abandons.
SUPERSEDED_LOOKUPS = re.compile(r"/admin/autocomplete/|/static/admin/img/[\w-]+\.svg$")


def watch(page):
    watched = Watched()
    problems = watched.problems

    def on_console(message):
        url = message.location.get("url") or ""
        if message.type == "error" and not BROWSER_PROBES.match(url):
            problems.append(f"console error: {message.text} ({url})")

    def on_response(response):
        if response.status >= 400 and not BROWSER_PROBES.match(response.url):
            problems.append(f"HTTP {response.status}: {response.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"uncaught error: {error}"))

    def on_request_failed(request):
        # select2 drops a lookup it no longer needs (its list closed, or more was typed) by
        # aborting it, and the browser an icon whose link was hidden: by design, not a failure.
        if request.failure == "net::ERR_ABORTED" and SUPERSEDED_LOOKUPS.search(request.url):
            return
        problems.append(f"request failed: {request.url} ({request.failure})")

    page.on("requestfailed", on_request_failed)
    page.on("response", on_response)
    return watched


def log_in(page, username, password=PASSWORD):
    """Log in through the admin's login form, as a person does."""
    page.goto("/admin/login/?next=/admin/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#user-tools")).to_be_visible()
    return page


def choose(page, select_id, search, option):
    """Pick ``option`` in one of the admin's autocomplete (select2) widgets, typing ``search``."""
    page.locator(f"#{select_id} + .select2 .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(search)
    results = page.locator(".select2-container--open .select2-results__option")
    wanted = results.filter(has_text=re.compile(rf"^{re.escape(option)}$"))
    failed = results.filter(has_text="could not be loaded")
    expect(wanted.or_(failed)).to_be_visible()
    assert not failed.count(), (
        f"The {select_id} autocomplete says “The results could not be loaded.” (the server "
        f"answered its request for “{search}” with an error; see the captured log)"
    )
    wanted.click()
    expect(page.locator(f"#{select_id} + .select2")).to_contain_text(option)


def body_editor(page):
    """The story body's rich text editor (django-prose-editor) and its toolbar."""
    return page.locator(".field-body .prose-editor")


def editor_button(page, name):
    return body_editor(page).locator(f"button[data-name='{name}']")


def next_frame(page):
    """Wait until the page has drawn its next frame (what the editor deferred to it has run)."""
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => done()))")


def success_message(page):
    return page.locator("ul.messagelist li.success")


def screenshot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
