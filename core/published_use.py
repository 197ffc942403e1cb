"""Which library rows (images, people, organizations...) published content shows, and who may
change them.

What readers see with published content changes only by an editor. The photo and people admins
enforce that, but they sit below the stories in the layers and cannot import them: the app that
publishes content registers, from its ``AppConfig.ready``, a function finding the rows it shows
and the permission that allows changing them (``register``); the admins ask here.

The same app also says where a row is used, whatever the status of what uses it (``register_uses``,
``uses_of``): a picture's page lists the stories using it, and refusing to delete a picture a story
uses names them.
"""

from typing import NamedTuple

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.db.models import QuerySet

_registered: list[tuple] = []  # (shown, permission)
_uses: list = []  # functions finding where a row is used


class Use(NamedTuple):
    """One place a row is used: what uses it (a story's headline), that thing's admin page, its
    status in words ("Published", "Draft") and how it uses the row ("lead image", "in the body")."""

    label: str
    url: str
    status: str
    how: str


def register(shown, *, permission: str) -> None:
    """``shown(queryset)`` returns the rows of ``queryset`` that published content shows (None
    when it shows no rows of that model); a user with ``permission`` may change them."""
    if (shown, permission) not in _registered:
        _registered.append((shown, permission))


def register_uses(find) -> None:
    """``find(obj, limit)`` returns at most ``limit`` (None: all) ``Use`` of ``obj``, [] for a
    row, or a model, it does not use."""
    if find not in _uses:
        _uses.append(find)


def uses_of(obj, limit: int | None = None) -> list[Use]:
    """Where ``obj`` is used, by everything registered; at most ``limit`` from each."""
    return [use for find in _uses for use in find(obj, limit)]


def shown_publicly(queryset: QuerySet) -> QuerySet:
    """The rows of ``queryset`` that some published content shows."""
    found = [rows for shown, _ in _registered if (rows := shown(queryset)) is not None]
    result = queryset.none()
    for rows in found:
        result = result | rows
    return result


def may_change_published(user) -> bool:
    return all(user.has_perm(permission) for _, permission in _registered)


class ShownPubliclyMixin:
    """For a ModelAdmin: a row that published content shows (a published story's lead image and
    the pictures in its body, its reporters' and people's photos, the people and organizations it
    mentions and those people's roles, scheduled stories included) has no change or delete
    permission for a user who may not change published content: its change page is read-only,
    and a POST to it, or a delete of it, is refused (403) whatever the browser sends. Adding new
    rows, and changing rows no published content shows, stay open to them.
    """

    locked_message = "A published story shows this; only an editor can change it."

    def is_locked(self, request, obj) -> bool:
        """True if ``obj`` is shown publicly and this user may not change it."""
        if obj is None or obj.pk is None or may_change_published(request.user):
            return False
        # Asked several times for each page; the answer does not change within a request.
        known = request.__dict__.setdefault("_shown_publicly", {})
        key = (obj._meta.label, obj.pk)
        if key not in known:
            known[key] = shown_publicly(type(obj)._base_manager.filter(pk=obj.pk)).exists()
        return known[key]

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not self.is_locked(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self.is_locked(request, obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET":
            obj = self.get_object(request, unquote(object_id))
            if self.is_locked(request, obj):
                messages.info(request, self.locked_message)
        return super().change_view(request, object_id, form_url, extra_context)
