"""The live coverage panel at the top of a story's change page (``articles.admin_live``)."""

from django import template

from articles import admin_live

register = template.Library()


@register.inclusion_tag("admin/articles/liveentry/panel.html", takes_context=True)
def live_panel(context):
    """The panel for the story of the change page (``original``), drawn for the person viewing
    it; the body editor's scripts only if the page does not load them already."""
    return admin_live.panel_context(
        context["request"], context["original"], page_media=context.get("media")
    )
