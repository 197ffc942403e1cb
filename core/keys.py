"""Surrogate keys: every public page names what it shows, and a change purges exactly those pages.

A page collects keys while it is made (:func:`show`): one per story, person, organization,
reporter, section, tag and picture on it (``story:12``, ``image:9``), and one per list it is
(``section:3:list``: "the stories of section 3"; ``front:home``; ``stories:all`` for anything
listing every published story). The page cache (``core.cache``) keeps the keys beside the page,
and the response names them to an edge cache (``Surrogate-Key`` and Varnish's ``xkey``).

A change calls :func:`purge` with the keys of what changed; once the transaction commits, each key
gets a new *version* (a number from one sequence every purge advances) and the edge is told
(``core.edge``, as a background task). A cached page is served only while every key it carries
still has the version it was stored with, so fixing a typo in one story refreshes that story's
page and the lists showing its headline, and nothing else. What changes which keys is each app's
to say (``watch``, from its ``AppConfig.ready``), so this module imports none of them.
"""

import contextlib
import functools
import logging
import threading
from contextvars import ContextVar

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_save, pre_delete, pre_save
from django.utils import timezone

logger = logging.getLogger("newsroom.cache")
SEQUENCE_KEY = "newsroom:purge-sequence"
VERSION_KEY = "newsroom:key:{}"

_shown: ContextVar[set[str] | None] = ContextVar("surrogate_keys", default=None)
_started: ContextVar[int | None] = ContextVar("purge_sequence_at_start", default=None)
_names: dict[str, str] = {}


# What a page shows -----------------------------------------------------------------------------


def name_model(model, name: str) -> None:
    """Keys of ``model``'s rows start with ``name`` (``story:12`` for an Article)."""
    _names[model._meta.concrete_model._meta.label] = name


def key(model_or_instance, pk=None, *, suffix: str = "") -> str:
    """``story:12``, or with ``suffix="list"`` ``story:12:list``; from an instance, or a model and a
    primary key."""
    meta = model_or_instance._meta.concrete_model._meta
    name = _names.get(meta.label, meta.model_name)
    pk = model_or_instance.pk if pk is None else pk
    return f"{name}:{pk}:{suffix}" if suffix else f"{name}:{pk}"


def list_key(model_or_instance, pk=None) -> str:
    """The key of the list of stories linked to a section, tag, reporter, person..."""
    return key(model_or_instance, pk, suffix="list")


def show(*keys: str) -> None:
    """Say that the page being made shows these keys' things (does nothing outside a request)."""
    shown = _shown.get()
    if shown is not None:
        shown.update(k for k in keys if k)


def show_objects(*instances) -> None:
    show(*(key(instance) for instance in instances if instance is not None))


def shows(*keys: str):
    """Decorate a view whose page shows ``keys`` whatever it is asked (the sitemaps)."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            show(*keys)
            return view(*args, **kwargs)

        return wrapper

    return decorate


@contextlib.contextmanager
def collecting(started: int | None = None):
    """Collect what :func:`show` is told while the block runs (a request, in the middleware).

    ``started`` is the purge sequence read before the block read anything (:func:`started`): a
    key purged after it may have been read before its change committed.
    """
    tokens = _shown.set(set()), _started.set(started)
    try:
        yield _shown.get()
    finally:
        _shown.reset(tokens[0])
        _started.reset(tokens[1])


def started() -> int | None:
    """The purge sequence when the page being made started (None outside a request)."""
    return _started.get()


def fresh(shown, since: int) -> dict[str, int] | None:
    """The keys' versions if none was purged after ``since`` (what was read is still right),
    else None."""
    found = versions(shown)
    return found if all(version <= since for version in found.values()) else None


def header_value(keys) -> str:
    return " ".join(sorted(keys))


# Versions ---------------------------------------------------------------------------------------


def sequence() -> int:
    """The purge sequence: moves on with every purge; a key's version is the value it had then."""
    value = cache.get(SEQUENCE_KEY)
    if value is None:
        # Start from the clock, not 0, so a cache that lost the sequence never hands out a number
        # that pages stored before the loss carry.
        cache.add(SEQUENCE_KEY, int(timezone.now().timestamp() * 1000), timeout=None)
        value = cache.get(SEQUENCE_KEY)
    return value


def versions(keys) -> dict[str, int]:
    """Each key's current version; a key never purged (or evicted) gets one now."""
    keys = list(keys)
    found = cache.get_many([VERSION_KEY.format(k) for k in keys])
    result = {}
    for k in keys:
        version = found.get(VERSION_KEY.format(k))
        if version is None:
            cache.add(VERSION_KEY.format(k), sequence(), timeout=None)
            version = cache.get(VERSION_KEY.format(k))
        result[k] = version
    return result


def unchanged(stored: dict[str, int]) -> bool:
    """Whether every key still has the version it had when a page was stored."""
    if not stored:
        return True
    found = cache.get_many([VERSION_KEY.format(k) for k in stored])
    return all(found.get(VERSION_KEY.format(k)) == v for k, v in stored.items())


# Purging ----------------------------------------------------------------------------------------

# Keys waiting for their transaction to commit, per thread. Every purge registers its own
# on-commit callback (so a key is never lost to a rolled-back savepoint's discarded callback), and
# the first callback to run takes every key waiting: one purge, and one edge task, per commit. Keys
# of a transaction that rolled back wait for the next commit: purged once too often, never lost.
_waiting = threading.local()
_after_purge = []


def purge(*keys: str) -> None:
    """Purge these keys from the page cache and the edge once the current transaction commits
    (at once outside a transaction)."""
    keys = {k for k in keys if k}
    if not keys:
        return
    if not hasattr(_waiting, "keys"):
        _waiting.keys = set()
    _waiting.keys.update(keys)
    transaction.on_commit(_purge_waiting)


def discard_waiting() -> None:
    """Forget keys whose transaction will never commit (a test's, before it commits its own)."""
    _waiting.keys = set()


def _purge_waiting() -> None:
    keys, _waiting.keys = getattr(_waiting, "keys", set()), set()
    if keys:
        purge_now(keys)


def purge_now(keys) -> None:
    """Give each key a new version now, then tell whoever listens (the edge, the schedule).

    A cache that cannot be reached is logged, not raised: the change is saved by now, and an
    editor must not get an error page for it. (A Redis server that restarts comes back empty,
    with no page to serve stale.)
    """
    keys = sorted(set(keys))
    try:
        try:
            number = cache.incr(SEQUENCE_KEY)
        except ValueError:
            sequence()
            number = cache.incr(SEQUENCE_KEY)
        cache.set_many({VERSION_KEY.format(k): number for k in keys}, timeout=None)
        # Moved on once more, now that the versions are written: a page checked between the two
        # (against the old versions) is not taken as checked at the sequence that follows.
        cache.incr(SEQUENCE_KEY)
    except Exception as error:  # noqa: BLE001 - whatever the cache's client raises
        logger.error("Could not refresh the cached pages showing %s: %s", " ".join(keys), error)
    for listener in _after_purge:
        listener(keys)


def after_purge(listener) -> None:
    """Call ``listener(keys)`` after every purge (the edge's purge task, the schedule's reset)."""
    if listener not in _after_purge:
        _after_purge.append(listener)


# Which changes purge which keys --------------------------------------------------------------


def watch(model, keys_of, *, before_save=None, deleted=None) -> None:
    """Purge ``keys_of(instance, before)`` whenever a row of ``model`` is saved or deleted.

    ``before`` is what ``before_save(instance)`` returned before the save (None for a new row,
    a delete, or without ``before_save``): what the row was, for changes that move a story from
    one list to another. A delete purges ``deleted(instance, None)`` (default ``keys_of``),
    worked out before the row and the rows that cascade with it go.
    """
    deleted = deleted or keys_of
    label = model._meta.label

    def remember(sender, instance, **kwargs):
        instance._keys_before = before_save(instance) if instance.pk else None

    def saved(sender, instance, **kwargs):
        purge(*keys_of(instance, getattr(instance, "_keys_before", None)))
        instance._keys_before = None

    def going(sender, instance, **kwargs):
        purge(*deleted(instance, None))

    if before_save is not None:
        pre_save.connect(remember, sender=model, weak=False, dispatch_uid=f"keys-pre-{label}")
    post_save.connect(saved, sender=model, weak=False, dispatch_uid=f"keys-save-{label}")
    pre_delete.connect(going, sender=model, weak=False, dispatch_uid=f"keys-delete-{label}")


def watch_m2m(through, keys_of) -> None:
    """Purge ``keys_of(source_pk, target_pks)`` when a many-to-many relation changes, from either
    side (a clear names the rows it removes)."""

    def changed(sender, instance, action, reverse, pk_set, model, **kwargs):
        if action not in ("post_add", "post_remove", "pre_clear"):
            return
        if action == "pre_clear":
            # The rows are still there: name them before they go.
            field = _m2m_fields(through, reverse)
            pk_set = set(
                through.objects.filter(**{field[0]: instance.pk}).values_list(field[1], flat=True)
            )
        if reverse:
            for source in pk_set:
                purge(*keys_of(source, {instance.pk}))
        else:
            purge(*keys_of(instance.pk, pk_set))

    m2m_changed.connect(changed, sender=through, weak=False, dispatch_uid=f"keys-m2m-{through}")


def _m2m_fields(through, reverse) -> tuple[str, str]:
    """The through model's (this side, other side) column names; the source side first."""
    source, target = [f.attname for f in through._meta.fields if f.is_relation][:2]
    return (target, source) if reverse else (source, target)
