from django.conf import settings


def site(request):
    """The masthead name, for every template."""
    return {"site_name": settings.SITE_NAME}
