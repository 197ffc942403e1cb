"""The wire's background work: polling the watched folder (``WIRE_INBOX``)."""

from pathlib import Path

from django.conf import settings

from core.tasks import background


# The next poll, seconds later, is the retry; the poll says what it took (wire.inbox), so the
# worker's output is not a line every 30 s.
@background(retries=0, quiet=True)
def poll_inbox() -> None:
    """Take the files agencies delivered into the wire inbox."""
    from . import inbox

    if settings.WIRE_INBOX:
        inbox.poll(Path(settings.WIRE_INBOX), provider=settings.WIRE_INBOX_PROVIDER)
