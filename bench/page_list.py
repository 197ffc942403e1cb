"""The pages the page benchmark measures, found from the seeded data: the public pages around one
demo story (its section, tag, reporter, people and organisations), the search, the RSS feed, the
sitemap index and its first stories sitemap, the API list, and the admin's desk, story list and change
form requested by a member of the Editor group. Runs in the measuring child (``page_times.py``),
with Django set up."""

import re

# Left out when picking a search word from the story: too common to be a useful query.
COMMON_WORDS = {
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "is", "it",
    "its", "of", "on", "or", "that", "the", "to", "was", "were", "who", "will", "with",
}  # fmt: skip


def pick_story():
    """The newest published demo story that mentions an organisation (or else the newest one)."""
    from django.db.models import Exists, OuterRef

    from articles.models import Article

    through = Article.mentioned_organizations.through
    story = (
        Article.objects.published()
        .filter(is_demo=True)
        .filter(Exists(through.objects.filter(article_id=OuterRef("pk"))))
        .order_by("-published_at", "-id")
        .first()
    )
    if story is None:
        story = Article.objects.published().order_by("-published_at", "-id").first()
    if story is None:
        raise SystemExit("No published story in the bench database: did seed_demo run?")
    return story


def first_byline_reporter(story):
    byline = story.bylines.order_by("order").select_related("reporter").first()
    return byline.reporter.get_absolute_url() if byline else None


def first_of(related):
    obj = related.order_by("pk").first()
    return obj.get_absolute_url() if obj else None


def tag_url(story):
    from django.urls import reverse

    tag = story.tags.order_by("name").first()
    return reverse("articles:tag", kwargs={"slug": tag.slug}) if tag else None


def search_url(story):
    """A search for the story's longest uncommon word."""
    from django.urls import reverse

    from core.text import html_to_text

    words = sorted(
        {w.lower() for w in re.findall(r"[A-Za-z]+", html_to_text(story.body))} - COMMON_WORDS,
        key=lambda w: (-len(w), w),
    )
    return f"{reverse('discovery:search')}?q={words[0]}" if words else None


def api_list_url():
    """The API's story list."""
    from django.urls import reverse

    return reverse("api:stories")


def sitemap_page():
    """The first stories sitemap named in the sitemap index."""
    from urllib.parse import urlsplit

    from django.test import Client
    from django.urls import reverse

    response = Client().get(reverse("discovery:sitemap"))
    if response.status_code != 200:
        raise LookupError(f"/sitemap.xml answered {response.status_code}")
    content = response.content if hasattr(response, "content") else b""
    locations = re.findall(rb"<loc>([^<]+)</loc>", content)
    for location in locations:
        if b"stories" in location or b"article" in location:
            parts = urlsplit(location.decode())
            return parts.path + (f"?{parts.query}" if parts.query else "")
    raise LookupError(f"no stories sitemap in the index (saw {len(locations)} entries)")


def pick_pages(problems):
    """Every page to measure, found from the data: [{name, path, kind}]. A page that cannot be
    found is kept with its error (and added to ``problems``)."""
    from django.urls import reverse

    pages = []

    def add(name, make, kind="public", extra=False):
        try:
            path = make()
            if path is None:
                raise LookupError("nothing in the data to show")
            pages.append({"name": name, "path": path, "kind": kind, "extra": extra})
        except Exception as error:
            message = f"{type(error).__name__}: {error}"
            pages.append({"name": name, "path": None, "kind": kind, "error": message})
            problems.append(f"{name}: no page to measure ({message})")

    story = pick_story()
    add("home", lambda: reverse("fronts:home"))
    add("article", story.get_absolute_url)
    add("section", story.section.get_absolute_url)
    add("tag", lambda: tag_url(story))
    add("reporter", lambda: first_byline_reporter(story))
    add("person", lambda: first_of(story.mentioned_people))
    add("organization", lambda: first_of(story.mentioned_organizations))
    add("search", lambda: search_url(story))
    add("search, rare word", lambda: f"{reverse('discovery:search')}?q=Qianhai", extra=True)
    add("RSS feed", lambda: reverse("discovery:feed_rss"))
    add("sitemap index", lambda: reverse("discovery:sitemap"))
    add("sitemap: stories p.1", sitemap_page)
    add("API list", api_list_url)
    add("admin desk", lambda: reverse("admin:index"), kind="admin")
    add("admin list", lambda: reverse("admin:articles_article_changelist"), kind="admin")
    add(
        "admin change form",
        lambda: reverse("admin:articles_article_change", args=[story.pk]),
        kind="admin",
    )
    return pages


def make_editor():
    """The user the admin pages are requested as: staff, in the Editor group."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    user, _ = get_user_model().objects.get_or_create(
        username="bench-editor", defaults={"is_staff": True, "email": "bench@example.invalid"}
    )
    user.groups.add(Group.objects.get(name="Editor"))
    return user
