from django.apps import AppConfig


class PhotosConfig(AppConfig):
    name = "photos"
    verbose_name = "Photos"

    def ready(self):
        from core import keys

        from . import checks  # noqa: F401  (registers the settings check)
        from .models import Image

        keys.watch(Image, lambda image, before: {keys.key(image)})
