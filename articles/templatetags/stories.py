"""Template tags of the story pages: the masthead's sections and stored HTML made safe."""

from django import template
from django.utils.safestring import mark_safe

from core import keys

from ..html import sanitize_html
from ..models import sections_in_order

register = template.Library()


@register.inclusion_tag("components/section_nav.html")
def section_nav(current=None):
    """The masthead's list of sections: one query per content change, whatever the page."""
    keys.show("sections")
    return {
        "sections": sections_in_order(),
        "current": current,
    }


@register.filter
def clean_html(value: str) -> str:
    """Stored HTML, cleaned again on its way to the page.

    ``Article.save()`` cleans every body, but fixtures, bulk updates and raw SQL write without it;
    cleaning on output too means no path can put unsafe markup in front of a reader.
    """
    return mark_safe(sanitize_html(value))
