from django import template

from articles.models import Section

register = template.Library()


@register.inclusion_tag("components/section_nav.html")
def section_nav(current=None):
    """The masthead's list of sections: one query, whatever the page."""
    return {"sections": list(Section.objects.all()), "current": current}
