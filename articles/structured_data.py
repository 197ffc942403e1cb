"""schema.org data and sharing tags for a story page (see ``core.structured_data``).

The picture of a story is decided in one place, ``article_image`` (and its crops,
``article_image_crops``): the JSON-LD ``image``, the OpenGraph ``og:image`` and the Twitter card
all take it from there. The JSON-LD ``image`` then lists the pictures of the body, each an
``ImageObject`` like the lead's (``body_images``).
"""

import datetime as dt

from django.conf import settings
from django.utils.text import Truncator

from core.links import absolute_url
from core.structured_data import SCHEMA, compact, iso, publisher
from core.text import html_to_text, one_line
from people.structured_data import organization_ref, person_ref, reporter_ref
from photos.models import Image
from photos.renditions import sharing_urls

from . import body, share_cards
from .html import sanitize_html

# A headline made from an entry's opening words: within the 110 characters search engines show.
HEADLINE_CHARS = 110


def description(article) -> str:
    """The standfirst; for a story without one, the opening words of the body."""
    if article.standfirst:
        return article.standfirst
    return Truncator(one_line(article.body)).words(40)


def date_modified(article) -> dt.datetime | None:
    """The time readers see as “Updated” (a correction or update), else the publication time."""
    times = [t for t in (article.published_at, article.updated_at) if t]
    return max(times) if times else None


def article_image(article) -> dict:
    """The story's picture for shares, as a schema.org ``ImageObject`` (the 1200-wide rendition
    of the lead image, with its alt text, caption and credit); for a story without a picture, its
    share card (16:9, described by the headline)."""
    image = article.lead_image
    urls = sharing_urls(image) if image else None
    if urls is None:
        # No picture (or none ready): the story's share card (articles.share_cards).
        urls = share_cards.sharing_urls(article)
        return {
            "@type": "ImageObject",
            "url": absolute_url(urls["og"]),
            "width": urls["og_width"],
            "height": urls["og_height"],
            "description": article.headline,
        }
    return image_object(image, urls)


def image_object(image, urls: dict, caption: str | None = None) -> dict:
    """A library picture as a schema.org ``ImageObject``: its 1200-wide rendition
    (``sharing_urls``) with its alt text, caption (``caption``, else the library's) and credit."""
    return compact(
        {
            "@type": "ImageObject",
            "url": absolute_url(urls["og"]),
            "width": urls["og_width"],
            "height": urls["og_height"],
            "description": image.alt_text,
            "caption": image.caption if caption is None else caption,
            "creditText": image.credit,
            "copyrightNotice": image.copyright_notice,
        }
    )


def body_images(article, images: dict[int, Image] | None = None) -> list[dict]:
    """The pictures of the story's body, in order, each once, as ``ImageObject`` with the caption
    the story gives it (else the library's); the lead picture, already named, and pictures gone
    from the library or without a file are left out. ``images``: the body's pictures by number,
    if already read (``body.images_for``); else they are read here, in one query (none for a body
    without pictures)."""
    cleaned = sanitize_html(article.body)
    if images is None:
        images = body.images_for(cleaned)
    found, seen = [], {article.lead_image_id}
    for figure in body.pictures(cleaned):
        image = images.get(figure.image_id)
        if image is None or image.pk in seen:
            continue
        urls = sharing_urls(image)
        if urls is None:
            continue
        seen.add(image.pk)
        caption = body.text_of(figure.caption) if figure.caption else None
        found.append(image_object(image, urls, caption))
    return found


def article_image_crops(article) -> list[str]:
    """The lead image cropped 16:9, 4:3 and 1:1, as search engines ask of a ``NewsArticle``; for a
    story without a picture, its share card in those shapes."""
    urls = sharing_urls(article.lead_image) if article.lead_image else None
    if urls is None:
        urls = share_cards.sharing_urls(article)
    return [absolute_url(urls["ratios"][ratio]) for ratio in ("16:9", "4:3", "1:1")]


def news_article(article, *, images: dict[int, Image] | None = None) -> dict:
    """schema.org ``NewsArticle`` for a story page: every byline and the agency's credit, every
    mention, every correction; its pictures, the lead's crops then the body's (``images``: the
    body's pictures by number, if the page has read them already; see ``body_images``)."""
    url = absolute_url(article.get_absolute_url())
    return compact(
        {
            "@context": SCHEMA,
            "@type": "NewsArticle",
            "@id": url + "#article",
            "url": url,
            "mainEntityOfPage": {"@type": "WebPage", "@id": url},
            "headline": article.headline,
            "description": description(article),
            "datePublished": iso(article.published_at),
            "dateModified": iso(date_modified(article)),
            # Only staff reporters are people here: agency copy is credited as printed, and no
            # Person is made up from the credit's words.
            "author": [reporter_ref(byline.reporter) for byline in article.bylines.all()],
            "creditText": article.credit,
            "publisher": publisher(),
            "image": [*article_image_crops(article), *body_images(article, images)],
            "articleSection": article.section.name,
            "keywords": [tag.name for tag in article.tags.all()],
            "locationCreated": (
                {"@type": "Place", "name": article.dateline} if article.dateline else None
            ),
            "mentions": [
                *(person_ref(person) for person in article.mentioned_people.all()),
                *(
                    organization_ref(organization)
                    for organization in article.mentioned_organizations.all()
                ),
            ],
            "correction": [
                {
                    "@type": "CorrectionComment",
                    "name": correction.get_kind_display(),
                    "text": correction.text,
                    "datePublished": iso(correction.created_at),
                }
                for correction in article.corrections.all()
            ],
            "inLanguage": settings.LANGUAGE_CODE,
            "isAccessibleForFree": True,
        }
    )


def live_blog_posting(article, entries, *, images: dict[int, Image] | None = None) -> dict:
    """schema.org ``LiveBlogPosting`` for a live story's page: everything its ``NewsArticle``
    says (a LiveBlogPosting is an Article), when the coverage began (the publication, else the
    first entry) and, once closed, ended, and each entry (``entries``, as the page shows them,
    their authors fetched) as a ``BlogPosting`` in ``liveBlogUpdate``."""
    data = news_article(article, images=images)
    url = data["url"]
    first = min((entry.posted_at for entry in entries), default=None)
    latest = [_entry_modified(entry) for entry in entries]
    modified = max([t for t in (date_modified(article), *latest) if t], default=None)
    data.update(
        {
            "@type": "LiveBlogPosting",
            "dateModified": iso(modified),
            "coverageStartTime": iso(article.published_at or first),
            "coverageEndTime": iso(article.live_closed_at),
            "liveBlogUpdate": [blog_posting(entry, url) for entry in entries],
        }
    )
    return compact(data)


def _entry_modified(entry) -> dt.datetime:
    """What a reader of the entry sees as its last change: its correction, else its posting."""
    return max(t for t in (entry.posted_at, entry.corrected_at) if t)


def blog_posting(entry, story_url: str) -> dict:
    """One entry of a live story as a schema.org ``BlogPosting``; its authors linked to their
    pages when they have one (``has_page``, from ``live_views.entries_queryset``)."""
    address = f"{story_url}#entry-{entry.pk}"
    text = html_to_text(entry.body)
    return compact(
        {
            "@type": "BlogPosting",
            "@id": address,
            "url": address,
            "headline": entry.title or Truncator(" ".join(text.split())).chars(HEADLINE_CHARS),
            "datePublished": iso(entry.posted_at),
            "dateModified": iso(_entry_modified(entry)),
            "articleBody": text,
            "author": [
                reporter_ref(author)
                if getattr(author, "has_page", True)
                else {"@type": "Person", "name": author.name}
                for author in entry.authors.all()
            ],
        }
    )


def sharing(article) -> dict:
    """OpenGraph and Twitter card values for a story (the template does the escaping)."""
    image = article_image(article)
    return {
        "title": article.headline,
        "description": description(article),
        "url": absolute_url(article.get_absolute_url()),
        "site_name": settings.SITE_NAME,
        "published_time": iso(article.published_at),
        "modified_time": iso(date_modified(article)),
        "section": article.section.name,
        "tags": [tag.name for tag in article.tags.all()],
        "authors": [
            absolute_url(byline.reporter.get_absolute_url()) for byline in article.bylines.all()
        ],
        "image": image,
        "twitter_card": "summary_large_image",
    }
