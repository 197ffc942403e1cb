"""Natural keys: fixtures and exports name objects by slug, so they load into any database
without clashing ids."""

from django.db import models


class SlugNaturalKeyManager(models.Manager):
    """For a model whose ``natural_key()`` is ``(self.slug,)``."""

    def get_by_natural_key(self, slug):
        return self.get(slug=slug)
