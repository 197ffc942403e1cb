"""URL converters shared by the site's URL confs."""

from django.urls import register_converter


class TagSlugConverter:
    """A tag's slug: any characters (tags may be 前海) but "/" and control characters.

    PostgreSQL refuses a NUL in a query, so letting one through would turn a mistyped address
    into a 500 instead of a 404.
    """

    regex = r"[^/\x00-\x1f\x7f]+"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(TagSlugConverter, "tagslug")
