"""Who has a story open in the admin: a soft warning before two people edit the same copy, and the
desk's list of who is editing what.

Kept in the cache (per process with the local-memory default, shared with Redis in production);
losing it loses nothing but the warning, since the edit-conflict check is in the database.

Two kinds of entry: one per story (who opened it, for the warning on its form), and one index of
the latest openings of any story, newest first and at most ``INDEX_SIZE`` long, so the desk lists
"story — who — since when" from a single cache read instead of asking about every story. The index
is read, changed and written back without a lock: two openings at the same instant may lose one
line of it until that person opens a story again, which a soft list can bear.
"""

import datetime as dt
from dataclasses import dataclass

from django.core.cache import cache
from django.utils import timezone

WINDOW = dt.timedelta(minutes=5)
INDEX_KEY = "newsroom:editing:recent"
INDEX_SIZE = 50


@dataclass(frozen=True)
class Opening:
    """Someone with a story open: since when (their first opening within the window) and when
    they last opened it."""

    article_id: int
    user_id: int
    name: str
    since: dt.datetime
    seen: dt.datetime


def _key(article_id: int) -> str:
    return f"newsroom:editing:{article_id}"


def opened(
    *, article_id: int, user, now: dt.datetime | None = None
) -> list[tuple[str, dt.datetime]]:
    """Note that ``user`` opened the story; return the others who opened it within the window."""
    now = now or timezone.now()
    my_name = user.get_full_name() or user.get_username()
    seen = {
        user_id: (name, at)
        for user_id, (name, at) in (cache.get(_key(article_id)) or {}).items()
        if now - at < WINDOW
    }
    others = sorted(
        ((name, at) for user_id, (name, at) in seen.items() if user_id != user.pk),
        key=lambda item: item[1],
    )
    seen[user.pk] = (my_name, now)
    cache.set(_key(article_id), seen, timeout=int(WINDOW.total_seconds()))
    _add_to_index(article_id=article_id, user_id=user.pk, name=my_name, now=now)
    return others


def _add_to_index(*, article_id: int, user_id: int, name: str, now: dt.datetime) -> None:
    # Stored as plain tuples (article id, user id, name, since, seen): nothing to unpickle but
    # built-in types, whatever this module becomes.
    since = now
    kept = []
    for entry in _index(now=now):
        if (entry.article_id, entry.user_id) == (article_id, user_id):
            since = entry.since
        else:
            kept.append((entry.article_id, entry.user_id, entry.name, entry.since, entry.seen))
    entries = [(article_id, user_id, name, since, now), *kept][:INDEX_SIZE]
    cache.set(INDEX_KEY, entries, timeout=int(WINDOW.total_seconds()))


def _index(*, now: dt.datetime) -> list[Opening]:
    return [Opening(*entry) for entry in cache.get(INDEX_KEY) or [] if now - entry[4] < WINDOW]


def recently_opened(*, now: dt.datetime | None = None) -> list[Opening]:
    """Who opened which story within the window, the latest opening first (at most
    ``INDEX_SIZE``, one per person and story)."""
    return _index(now=now or timezone.now())
