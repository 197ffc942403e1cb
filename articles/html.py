"""The one place stored HTML is cleaned: everything saved as a story body goes through here."""

import nh3

ALLOWED_TAGS = {
    "p", "br", "h2", "h3", "h4", "strong", "em", "b", "i", "a",
    "ul", "ol", "li", "blockquote",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


def sanitize_html(value: str) -> str:
    """Keep the body's structure and text; drop scripts, styles, event handlers and unsafe links.

    Links get ``rel="noopener noreferrer"`` so a linked page cannot reach back into ours.
    """
    return nh3.clean(
        value or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
