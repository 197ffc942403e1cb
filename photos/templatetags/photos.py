"""``{% responsive_image %}``: a library picture as ``<picture>`` with WebP and fallback ``srcset``.

    {% load photos %}
    {% responsive_image article.lead_image sizes="(min-width: 44rem) 42rem, 100vw" eager=True %}
    {% responsive_image reporter.photo sizes="96px" ratio="1:1" width=96 %}

Everything comes from the image's row (see ``photos.renditions``): no query and no look at storage,
so a page costs the same number of queries with or without pictures. ``width`` and ``height`` are
always set, so the browser keeps the space and nothing shifts while the picture loads. The first
picture a reader sees (``eager=True``: the lead image) loads at once; the rest wait until they
are nearly on screen.
"""

from django import template

from photos import renditions

register = template.Library()

# What the browser picks the fallback ``src`` from when it does not read ``srcset``.
FALLBACK_WIDTH = 1024


@register.inclusion_tag("components/photo.html")
def responsive_image(image, sizes="100vw", eager=False, ratio=None, width=None, css_class=""):
    """Render ``image`` (a ``photos.Image`` or None) for the page.

    ``sizes``: the ``sizes`` attribute, how wide the picture is drawn. ``ratio``: "1:1", "4:3" or
    "16:9" for a crop around the focal point (None: the whole picture). ``width``: the width to draw
    at, when the layout fixes it (``height`` follows the ratio); otherwise the attributes carry the
    picture's own proportions and CSS scales it.
    """
    fallback = renditions.renditions(image, ratio=ratio)
    if not fallback:
        return {"photo": None}
    webp = []
    if fallback[0].format != "WEBP":
        webp = renditions.renditions(image, ratio=ratio, fmt="WEBP")
    largest = fallback[-1]
    if width:
        draw_width = int(width)
        draw_height = max(1, round(draw_width * largest.height / largest.width))
    else:
        draw_width, draw_height = largest.width, largest.height
    return {
        "photo": {
            "src": renditions.closest(fallback, FALLBACK_WIDTH).url,
            "srcset": _srcset(fallback),
            "webp_srcset": _srcset(webp),
            "width": draw_width,
            "height": draw_height,
            "alt": image.alt_text,
        },
        "sizes": sizes,
        "eager": eager,
        "css_class": css_class,
    }


def _srcset(items):
    return ", ".join(f"{item.url} {item.width}w" for item in items)
