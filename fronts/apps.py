from django.apps import AppConfig


class FrontsConfig(AppConfig):
    name = "fronts"
    verbose_name = "Front pages"

    def ready(self):
        import reversion

        from . import keys
        from .models import Block, Front, Slot

        keys.watch()
        # A front's history keeps its whole arrangement: its blocks and their stories.
        reversion.register(Front, follow=["blocks"])
        reversion.register(Block, follow=["slots"])
        reversion.register(Slot)
