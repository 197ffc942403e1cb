"""Who has a story open in the admin: a soft warning before two people edit the same copy.

Kept in the cache (per process with the local-memory default, shared with Redis in production);
losing it loses nothing but the warning, since the edit-conflict check is in the database.
"""

import datetime as dt

from django.core.cache import cache
from django.utils import timezone

WINDOW = dt.timedelta(minutes=5)


def _key(article_id: int) -> str:
    return f"newsroom:editing:{article_id}"


def opened(
    *, article_id: int, user, now: dt.datetime | None = None
) -> list[tuple[str, dt.datetime]]:
    """Note that ``user`` opened the story; return the others who opened it within the window."""
    now = now or timezone.now()
    seen = {
        user_id: (name, at)
        for user_id, (name, at) in (cache.get(_key(article_id)) or {}).items()
        if now - at < WINDOW
    }
    others = sorted(
        ((name, at) for user_id, (name, at) in seen.items() if user_id != user.pk),
        key=lambda item: item[1],
    )
    seen[user.pk] = (user.get_full_name() or user.get_username(), now)
    cache.set(_key(article_id), seen, timeout=int(WINDOW.total_seconds()))
    return others
