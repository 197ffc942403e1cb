"""What the desk's template (templates/admin/desk.html) needs beyond Django's own filters."""

from django import template

register = template.Library()


@register.filter
def byline_names(story) -> str:
    """The names on a story's byline, in order, from the bylines ``articles.desk`` prefetched."""
    return ", ".join(byline.reporter.name for byline in story.bylines.all())
