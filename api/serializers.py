"""The API's JSON: stories in IPTC ninjs names, and the people, places and topics in them.

Each shape is declared once, as an :class:`api.schema.Object`. The views call it on a model
instance (its related rows already fetched) to make the response, and ``api/openapi.py`` walks it
for the JSON Schema. The tests hold every response to that schema.

Links are absolute, on the site's configured address (``SITE_URL``) whatever host the request
came to, so a cached response keeps its links for every later reader.
"""

import datetime as dt
import functools
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Prefetch, prefetch_related_objects
from django.urls import reverse
from django.utils.http import urlencode

from articles import body as story_body
from articles import live_views
from articles.html import sanitize_html
from articles.models import Correction
from core import keys as surrogate_keys
from core.links import absolute_url, slug_url
from photos import renditions as photo_renditions
from photos.models import Image

from .parameters import PAGE_SIZE, STORY_FILTERS
from .schema import Field, ListOf, MapOf, Nullable, Object, Scalar, integer, string


def timestamp(value: dt.datetime) -> str:
    """RFC 3339 in UTC, to the microsecond: ``2026-11-24T12:00:00Z``."""
    return value.astimezone(dt.UTC).isoformat().removesuffix("+00:00") + "Z"


def api_url(name: str, *, slug: str | None = None, query: dict | None = None) -> str:
    path = slug_url(f"api:{name}", slug) if slug is not None else reverse(f"api:{name}")
    if query:
        path += "?" + urlencode(query)
    return absolute_url(path)


URI = string(format="uri")
DATETIME = Scalar("string", timestamp, format="date-time")
DATE = Scalar("string", dt.date.isoformat, format="date")
SLUG = string("The object's slug, as in its web address.")
TEXT = string()


def uri(url_name: str, description: str = "") -> Field:
    """``uri``: the object's own address in this API."""
    return Field("uri", URI, lambda obj: api_url(url_name, slug=obj.slug), description=description)


def html_url(description: str = "") -> Field:
    """``html_url``: the object's page on the site."""
    return Field(
        "html_url", URI, lambda obj: absolute_url(obj.get_absolute_url()), description=description
    )


def stories_url(story_filter: str) -> Field:
    """``articles_url``: the stories list narrowed to this object by the ``story_filter``
    parameter, one of ``api.parameters.STORY_FILTERS``. (The name is older than the address,
    which moved to /api/stories/; consumers read the name.)"""
    if story_filter not in {parameter.name for parameter in STORY_FILTERS}:
        raise ValueError(f"The stories list has no filter called {story_filter}.")
    return Field(
        "articles_url",
        URI,
        lambda obj: api_url("stories", query={story_filter: obj.slug}),
        description="The published stories that have or mention this.",
    )


IMAGE = Object(
    Field(
        "href",
        Nullable(URI),
        lambda image: absolute_url(image.file.url) if image.file else None,
    ),
    Field("alt_text", string("What the picture shows.")),
    Field("caption", TEXT),
    Field("credit", TEXT),
    Field("width", integer(minimum=0)),
    Field("height", integer(minimum=0)),
    name="Image",
    description="An image's metadata and address.",
)


# --- The pictures a story shows: its lead and those in its body, as ninjs associations ----------


def load_pictures(stories) -> None:
    """Clean the bodies of these stories and read the library pictures they show, all of them in
    one query (none if no body has a picture), for ``bodyhtml`` and ``associations``; and the
    entries of the live ones among them with their authors (two queries, none without a live
    story), for ``entries``, their pictures read with the stories'. The views call it on a page
    of stories; a story serialized without it reads its own."""
    stories = list(stories)
    live = [story for story in stories if story.is_live]
    if live:
        prefetch_related_objects(
            live,
            Prefetch("entries", queryset=live_views.entries_queryset(), to_attr="_api_entries"),
        )
    bodies = [sanitize_html(story.body) for story in stories]
    entries = [entry for story in live for entry in story._api_entries]
    entry_bodies = live_views.cleaned_bodies(entries)
    images = story_body.images_for(*bodies, *entry_bodies)
    for story, cleaned in zip(stories, bodies, strict=True):
        story._api_body, story._api_images = cleaned, images
    live_views.render_bodies(entries, entry_bodies, images, absolute=True)
    for story in live:
        live_views.show_keys(story, story._api_entries)


def _entries(story) -> list:
    """A live story's entries, pinned first, newest first, with ``shown_body`` (``load_pictures``)."""
    if not hasattr(story, "_api_entries"):
        load_pictures([story])
    return story._api_entries


def _body(story) -> tuple[str, dict[int, Image]]:
    """The story's body cleaned, and the pictures it shows by number (``load_pictures``)."""
    if not hasattr(story, "_api_body"):
        load_pictures([story])
    return story._api_body, story._api_images


def body_html(story) -> str:
    # Cleaned again on the way out, as on the story page: rows written around save() (fixtures,
    # bulk updates) must not hand a consumer unsafe markup either. Pictures become plain <img>
    # at absolute addresses, embeds links to the post (``articles.body.render``).
    cleaned, images = _body(story)
    return str(story_body.render(cleaned, images, absolute=True))


@dataclass(frozen=True)
class Picture:
    """A picture a story shows, with the caption its figure gives it ("" for the library's)."""

    image: Image
    caption_html: str = ""

    @property
    def caption(self) -> str:
        return story_body.text_of(self.caption_html) if self.caption_html else self.image.caption


def associations(story) -> dict[str, Picture]:
    """ninjs ``associations``: ``featureimage`` the lead picture, then ``picture1``,
    ``picture2``… each picture of the body in order (once each, galleries' included). Pictures
    not in the library any more, or without a file to show, are left out, as on the page."""
    found = {}
    if photo_renditions.is_ready(story.lead_image):
        found["featureimage"] = Picture(story.lead_image)
    cleaned, images = _body(story)
    seen = set()
    for figure in story_body.pictures(cleaned):
        image = images.get(figure.image_id)
        if image is None or image.pk in seen or not photo_renditions.is_ready(image):
            continue
        seen.add(image.pk)
        found[f"picture{len(seen)}"] = Picture(image, figure.caption)
    # What the answer shows, so that a new caption or credit purges it (core.keys).
    surrogate_keys.show_objects(*(picture.image for picture in found.values()))
    return found


def _renditions(picture: Picture) -> dict:
    """The whole picture at each width it is kept at, in its own format (what every consumer
    reads), narrowest first; named by width ("640w"), or "original" while they are being made."""
    found = {}
    for rendition in photo_renditions.renditions(picture.image):
        name = "original" if rendition.name == picture.image.file.name else f"{rendition.width}w"
        found[name] = rendition
    return found


RENDITION = Object(
    Field("href", URI, lambda rendition: absolute_url(rendition.url)),
    Field("width", integer(minimum=1)),
    Field("height", integer(minimum=1)),
    Field("mimetype", string("The file's media type."), "content_type"),
    name="Rendition",
    description="ninjs: one file of a picture.",
)

PICTURE = Object(
    Field(
        "uri",
        URI,
        lambda picture: absolute_url(picture.image.file.url),
        description="ninjs: the picture's identifier (the address of its original).",
    ),
    Field("type", string("ninjs: always “picture”.", enum=["picture"]), lambda _: "picture"),
    Field(
        "description_text",
        string("ninjs: the caption, plain text (the story's own, else the library's)."),
        "caption",
    ),
    Field("byline", string("ninjs: the credit, photographer and agency."), "image.credit"),
    Field("copyrightnotice", string("ninjs: the copyright notice."), "image.copyright_notice"),
    Field(
        "alt_text",
        string("What the picture shows, for someone who cannot see it."),
        "image.alt_text",
    ),
    Field(
        "renditions",
        MapOf(RENDITION, names=r"^([1-9][0-9]*w|original)$"),
        _renditions,
        description="ninjs: the picture's files by name.",
    ),
    name="Picture",
    description="A picture a story shows, as a ninjs association.",
)


def summary(url_name: str) -> Object:
    """A reporter or organization named inside something else: the same shape, each linked to its
    own record."""
    return Object(
        Field("name", TEXT),
        Field("slug", SLUG),
        uri(url_name),
        html_url(),
        name="Summary",
    )


REPORTER_SUMMARY = summary("reporter")
ORGANIZATION_SUMMARY = summary("organization")


def mention(url_name: str) -> Object:
    """A person or organization a story mentions, as ninjs ``people`` and ``organisations``."""
    return Object(
        Field("name", TEXT),
        Field("rel", TEXT, lambda _: "mentioned"),
        Field("literal", SLUG, "slug"),
        uri(url_name),
    )


def byline_text(names: list[str]) -> str:
    """“Chang Zhipeng”, “A and B”, “A, B and C”: the byline as printed."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def story_byline(story) -> str:
    """The byline as the story's page prints it, without its “By”: the staff reporters, then the
    agency's credit after a “·”; with no staff reporter, the credit alone, as the editor gave it."""
    names = byline_text([reporter.name for reporter in _reporters(story)])
    if names and story.credit:
        return f"{names} · {story.credit}"
    return names or story.credit


def _reporters(story) -> list:
    return [byline.reporter for byline in story.bylines.all()]


def _version_time(story) -> dt.datetime:
    # A story edited before its scheduled time was still first seen when it was published.
    return max(time for time in (story.modified_at, story.published_at) if time is not None)


BOOLEAN = Scalar("boolean")

LIVE_ENTRY = Object(
    Field(
        "id", integer(minimum=1), "pk", description="Its number; the page shows it at #entry-<id>."
    ),
    Field("posted_at", DATETIME, description="The time readers see beside it."),
    Field("title", string("Optional; empty if it has none.")),
    Field(
        "bodyhtml",
        string(
            "Sanitised HTML, as a story's bodyhtml: pictures as <img> at absolute addresses, "
            "embedded posts as links to them."
        ),
        lambda entry: str(entry.shown_body),
    ),
    Field("key_event", BOOLEAN, description="Listed at the top of the story as a key event."),
    Field("pinned", BOOLEAN, description="Kept above newer entries."),
    Field(
        "authors",
        ListOf(REPORTER_SUMMARY),
        lambda entry: entry.authors.all(),
        description="Who wrote it.",
    ),
    Field("correction", string("What was corrected in it, shown on it; empty if nothing was.")),
    Field("corrected", Nullable(DATETIME), "corrected_at", description="When it was corrected."),
    Field(
        "html_url",
        URI,
        lambda entry: absolute_url(entry.get_absolute_url()),
        description="The entry on the story's page.",
    ),
    name="LiveEntry",
    description="One update of a live story.",
)

LIVE = Object(
    Field("open", BOOLEAN, lambda story: story.live_closed_at is None),
    Field("closed_at", Nullable(DATETIME), "live_closed_at"),
    Field(
        "entries_rss",
        URI,
        lambda story: absolute_url(live_views.feed_urls(story)["rss"]),
        description="The entries as an RSS feed (an Atom feed is at …/live/atom/).",
    ),
    description="Whether the coverage is still going on, and when it ended.",
)


def _is_live(story) -> bool:
    return story.is_live


# ``headline``, ``byline``, ``bodyhtml``, ``located``, ``subject``, ``people``, ``organisations``,
# ``uri``, ``type``, ``version``, ``versioncreated``, ``firstcreated``, ``pubstatus``,
# ``language`` and ``associations`` are ninjs names (the single-valued forms from ninjs 1.x where
# 2.x made arrays, as the newsroom's tools read them: ``associations`` and a picture's
# ``renditions`` are 1.x's objects of named items, which 2.x made arrays of items with a
# ``name``); ``descriptions`` is ninjs 2.x. The rest are ours. So a story is
# ninjs-shaped, not a strictly valid ninjs 2.x document, and does not claim to be one.
STORY = Object(
    uri("story", "ninjs: this story's identifier (its API address)."),
    Field("type", string("ninjs: always “text”.", enum=["text"]), lambda _: "text"),
    Field(
        "version",
        string("ninjs: goes up by one at every save.", pattern=r"^[1-9][0-9]*$"),
        lambda story: str(story.version),
    ),
    Field(
        "versioncreated", DATETIME, _version_time, description="ninjs: when this version was made."
    ),
    Field("firstcreated", DATETIME, "published_at", description="ninjs: first publication time."),
    Field("pubstatus", string("ninjs: always “usable”.", enum=["usable"]), lambda _: "usable"),
    Field("language", string("ninjs: BCP 47 language tag."), lambda _: settings.LANGUAGE_CODE),
    Field("headline", string("ninjs 1.x: the headline.")),
    Field(
        "descriptions",
        ListOf(
            Object(
                Field("role", string(enum=["summary"]), lambda _: "summary"),
                Field("contenttype", TEXT, lambda _: "text/plain"),
                Field("value", TEXT, lambda standfirst: standfirst),
            )
        ),
        lambda story: [story.standfirst] if story.standfirst else [],
        description="ninjs: the standfirst, as a summary.",
    ),
    Field(
        "byline",
        string(
            "ninjs 1.x: the byline as printed: the reporters' names, then the agency's credit "
            "after “ · ” for agency copy; the credit alone when no staff reporter is on it."
        ),
        story_byline,
    ),
    Field(
        "bodyhtml",
        string(
            "ninjs 1.x: the story's body, sanitised HTML; its pictures as <img> at absolute "
            "addresses with caption and credit, embedded posts as links to them."
        ),
        body_html,
    ),
    Field("located", string("ninjs: the dateline, where the story was filed from."), "dateline"),
    Field(
        "subject",
        ListOf(
            Object(
                Field("name", TEXT),
                Field("code", TEXT, "slug"),
                Field("rel", TEXT, lambda _: "tag"),
                uri("tag"),
            )
        ),
        lambda story: sorted(story.tags.all(), key=lambda tag: tag.name.lower()),
        description="ninjs: the story's tags.",
    ),
    Field(
        "people",
        ListOf(mention("person")),
        lambda story: story.mentioned_people.all(),
        description="ninjs: people the story mentions.",
    ),
    Field(
        "organisations",
        ListOf(mention("organization")),
        lambda story: story.mentioned_organizations.all(),
        description="ninjs: organizations the story mentions.",
    ),
    Field("slug", SLUG),
    Field("published", DATETIME, "published_at", description="When readers first saw the story."),
    Field(
        "updated",
        Nullable(DATETIME),
        "updated_at",
        description="Shown as “Updated”: the last correction or update.",
    ),
    Field("section", Object(Field("name", TEXT), Field("slug", SLUG), uri("section"))),
    Field("reporters", ListOf(REPORTER_SUMMARY), _reporters),
    Field(
        "corrections",
        ListOf(
            Object(
                Field("kind", string(enum=list(Correction.Kind.values))),
                Field("label", TEXT, lambda correction: correction.get_kind_display()),
                Field("text", TEXT),
                Field("created", DATETIME, "created_at"),
            )
        ),
        lambda story: story.corrections.all(),
    ),
    Field("lead_image", Nullable(IMAGE)),
    Field(
        "associations",
        MapOf(PICTURE, names=r"^(featureimage|picture[1-9][0-9]*)$"),
        associations,
        description=(
            "ninjs 1.x: the pictures the story shows, by name: “featureimage” the lead picture, "
            "“picture1”, “picture2”… those in the body, in order."
        ),
    ),
    html_url("The story's page on the site."),
    Field(
        "live",
        LIVE,
        lambda story: story,
        description="Only for live coverage: a story followed as it happens, in entries.",
        when=_is_live,
    ),
    Field(
        "entries",
        ListOf(LIVE_ENTRY),
        _entries,
        description="Only for live coverage: every entry, pinned ones first, then newest first.",
        when=_is_live,
    ),
    name="Story",
    description="A published story, in IPTC ninjs property names where ninjs has one.",
)

REPORTER = Object(
    uri("reporter"),
    Field("slug", SLUG),
    Field("name", TEXT),
    Field("job_title", TEXT),
    Field("bio", TEXT),
    Field("photo", Nullable(IMAGE)),
    html_url(),
    stories_url("reporter"),
    # The address is on the record to match wire copy; it is public only when the reporter says so.
    Field(
        "email",
        string("Only present when the reporter has chosen to show it.", format="email"),
        when=lambda reporter: reporter.show_email,
    ),
    name="Reporter",
)

PERSON = Object(
    uri("person"),
    Field("slug", SLUG),
    Field("name", string("As printed, family name first where that is the custom.")),
    Field("native_name", TEXT),
    Field("sort_name", TEXT),
    Field("description", TEXT),
    Field("photo", Nullable(IMAGE)),
    Field(
        "affiliations",
        ListOf(
            Object(
                Field("title", TEXT),
                Field("organization", ORGANIZATION_SUMMARY),
                Field("start_date", Nullable(DATE)),
                Field("end_date", Nullable(DATE)),
                Field("current", Scalar("boolean"), "is_current"),
            )
        ),
        lambda person: person.affiliations.all(),
    ),
    html_url(),
    stories_url("person"),
    name="Person",
)

ORGANIZATION = Object(
    uri("organization"),
    Field("slug", SLUG),
    Field("name", TEXT),
    Field("short_name", TEXT),
    Field("kind", TEXT),
    Field("kind_label", TEXT, lambda organization: organization.get_kind_display()),
    Field("description", TEXT),
    Field("website", TEXT),
    Field("parent", Nullable(ORGANIZATION_SUMMARY)),
    Field(
        "children", ListOf(ORGANIZATION_SUMMARY), lambda organization: organization.children.all()
    ),
    html_url(),
    stories_url("organization"),
    name="Organization",
)

SECTION = Object(
    uri("section"),
    Field("slug", SLUG),
    Field("name", TEXT),
    Field("description", TEXT),
    html_url(),
    stories_url("section"),
    name="Section",
)

TAG = Object(
    uri("tag"),
    Field("slug", TEXT),
    Field("name", TEXT),
    # taggit's Tag has no get_absolute_url of its own.
    Field(
        "html_url",
        URI,
        lambda tag: absolute_url(reverse("articles:tag", kwargs={"slug": tag.slug})),
    ),
    stories_url("tag"),
    name="Tag",
)


def _link(name: str) -> Field:
    return Field(name, URI, lambda _: api_url(name))


INDEX = Object(
    Field("name", TEXT, lambda _: f"{settings.SITE_NAME} API"),
    Field(
        "description",
        TEXT,
        lambda _: (
            "Published stories and the reporters, people, organizations, sections and tags "
            "in them. Read-only."
        ),
    ),
    _link("openapi"),
    # The key keeps its first name: consumers read it; only the address it holds moved.
    Field("articles", URI, lambda _: api_url("stories"), description="The list of stories."),
    *[_link(name) for name in ["reporters", "people", "organizations", "sections", "tags"]],
    name="Index",
)

ERROR = Object(
    Field(
        "error",
        Object(
            Field("status", integer()),
            Field("message", string("What was wrong, in words.")),
            Field(
                "parameter",
                string("The query parameter at fault, if one was."),
                when=lambda error: error.parameter is not None,
            ),
        ),
        lambda error: error,
    ),
    name="Error",
)


@functools.cache
def page_of(item: Object) -> Object:
    """One page of a list of ``item``: made by the views from a ``core.pagination`` page, with
    links to the pages on either side."""
    return Object(
        Field("count", integer(minimum=0), description="Rows in all pages."),
        Field("page", integer(minimum=1)),
        Field("pages", integer(minimum=1)),
        Field("page_size", PAGE_SIZE.type),
        Field("next", Nullable(URI), description="The next page, or null on the last."),
        Field("previous", Nullable(URI), description="The previous page, or null."),
        Field("results", ListOf(item)),
        name=f"{item.name}Page",
        description=f"One page of {item.name} objects, newest or alphabetical first.",
    )
