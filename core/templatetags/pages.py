"""Template tags every page may use: JSON-LD blocks, the site's name, machine-readable times."""

import json

from django import template
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()


# Inside <script>, "</script>" or "<!--" in a headline would end or confuse the element; written as
# JSON escapes they mean the same characters to a JSON-LD reader and nothing to the HTML parser.
_JSON_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@register.filter
def json_ld(data) -> str:
    """``data`` (dicts, lists, strings, numbers) as a ``<script type="application/ld+json">``.

    Escaped as Django's ``json_script`` does, so no stored text can break out of the element.
    """
    if not data:
        return ""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(
        _JSON_SCRIPT_ESCAPES
    )
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))


@register.simple_tag
def site_name() -> str:
    """The masthead name, for templates rendered without a request (the 500 page)."""
    return settings.SITE_NAME


@register.filter
def machine_time(value) -> str:
    """A time for ``<time datetime>``, to the second in the newsroom's time zone:
    ``|date:"c"`` adds microseconds, which HTML's datetime does not take."""
    if not value:
        return ""
    return timezone.localtime(value).replace(microsecond=0).isoformat()
