"""The wire's background work: polling the watched folder (``WIRE_INBOX``)."""

from pathlib import Path

from django.conf import settings

from core.tasks import background


@background(retries=0)  # the next poll, seconds later, is the retry
def poll_inbox() -> None:
    """Take the files agencies delivered into the wire inbox."""
    from . import inbox

    if settings.WIRE_INBOX:
        inbox.poll(Path(settings.WIRE_INBOX), provider=settings.WIRE_INBOX_PROVIDER)
