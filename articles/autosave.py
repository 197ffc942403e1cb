"""Automatic saving of the story form: a private copy of what someone is typing, so a crash or a
closed tab loses nothing.

``AutosaveAdminMixin`` goes on the story admin. It adds, beside the add and change pages:

- ``add/autosave/`` and ``<id>/autosave/``: POST the form's text fields as JSON
  (``{"based_on_version": 7, "data": {"headline": ..., "body": ...}}``) and they are kept as the
  user's ``Autosave`` row for that story (one per person and story; one per person for a story not
  saved yet). Same rules as editing: login, CSRF, add permission for a new story, and for a saved
  one the right to edit it (``services.can_edit`` through ``has_change_permission``). Once the
  story has been saved past ``based_on_version`` the answer is 409 with who saved it and when, and
  nothing is stored: automatic saving stops rather than keep a copy that hides their edit.
- A new story's autosave also carries ``opened_at``, when its add page was opened. If the user has
  created a story since then (most likely this one: its Save was handled before an autosave still
  on the way), the answer is 409 and nothing is stored, so the copy ``response_add`` deleted does
  not come back to be offered, and restored, as a duplicate. The check and ``response_add``'s
  delete both lock the user's row first, so one always sees the other's work.
- ``.../autosave/discard/`` (POST or DELETE): forget the copy.

Nothing readers see reads an ``Autosave``: the story changes only when its form is saved on
purpose, and that save deletes the user's copy (``response_add``/``response_change``).

Reopening the story offers the copy (the form's banner, ``autosave.html``); ``?restore=autosave``
(``RESTORE_PARAM``, added to the page's own query) opens the form filled from it. The restored
form carries the version the copy was based on, not the story's current one, so if someone has
saved since, the first save is stopped by the lost-edit check (``ArticleAdminForm``), naming them,
exactly as if the tab had never closed; saving again is then a deliberate choice. The banner says
so beforehand. The banner also hands the script what it must not repeat: the field names, the
links, and the name of the CSRF cookie it reads the token from at each request.
"""

import datetime as dt
import json

from django.conf import settings
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.http import JsonResponse, RawPostDataException
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.views.decorators.http import require_http_methods
from taggit.utils import parse_tags

from core.admin import is_usable_key
from core.text import html_to_text

from .html import sanitize_html
from .models import Article, Autosave

# The form's fields kept in an automatic save: its text, and the cheap choices beside it.
# (Pictures, people, bylines and the workflow are left to the form's own save.)
FIELDS = ("headline", "slug", "standfirst", "body", "dateline", "section", "tags", "credit")
MAX_BYTES = 2 * 1024 * 1024
RESTORE_PARAM = ("restore", "autosave")


def _name(user) -> str:
    if user is None:
        return "someone"
    return user.get_full_name() or user.get_username()


def _when(moment) -> str:
    """A time as the status line and banner say it, as the rest of the admin does: "15:42 UTC"
    today, and the whole DATETIME_FORMAT ("24 November 2026, 12:00 UTC") another day."""
    local = timezone.localtime(moment)
    if local.date() == timezone.localdate():
        return date_format(local, "H:i T")
    return date_format(local, "DATETIME_FORMAT")


def _error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


class _BadInput(ValueError):
    pass


def _read(request) -> tuple[dict, dict]:
    """The posted fields (cleaned) and the whole request; raises _BadInput."""
    try:
        payload = json.loads(request.body)
    except (ValueError, RawPostDataException) as bad:
        raise _BadInput("The request is not JSON.") from bad
    if not isinstance(payload, dict) or not isinstance(payload.get("data"), dict):
        raise _BadInput("Expected {“based_on_version”: …, “data”: {…}}.")
    data = {}
    for name in FIELDS:
        value = payload["data"].get(name, "")
        if not isinstance(value, str):
            raise _BadInput(f"{name} must be text.")
        value = value.replace("\x00", "")  # nothing stored has one (PostgreSQL refuses it)
        try:
            value.encode()
        except UnicodeEncodeError as bad:  # a lone surrogate from "\ud800" in the JSON
            raise _BadInput(f"{name} is not valid text.") from bad
        data[name] = value
    data["body"] = sanitize_html(data["body"])
    return data, payload


def _version(payload: dict) -> int:
    """The version a saved story's copy was typed on; raises _BadInput."""
    version = payload.get("based_on_version")
    if version is None:
        raise _BadInput("based_on_version is required for a saved story.")
    if isinstance(version, bool) or not isinstance(version, int):
        raise _BadInput("based_on_version must be a whole number.")
    return version


def _opened_at(payload: dict) -> dt.datetime:
    """When a new story's add page was opened (its ``data-opened-at``); raises _BadInput."""
    value = payload.get("opened_at")
    try:
        moment = parse_datetime(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None or timezone.is_naive(moment):
        raise _BadInput("opened_at (when the page was opened, with its zone) is required.")
    return moment


def _too_big(request) -> bool:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BYTES
    except ValueError:
        return True


def _same_as_story(data: dict, article: Article | None) -> bool:
    """Whether the copy holds nothing the story (or, for a new story, an empty form) lacks."""
    if article is None:
        return not any(data[name].strip() for name in FIELDS if name != "body") and not (
            html_to_text(data["body"]).strip()
        )
    text = ("headline", "slug", "standfirst", "dateline")
    return (
        all(data[name] == (getattr(article, name) or "") for name in text)
        and data["body"] == sanitize_html(article.body)
        and data["section"] == str(article.section_id or "")
        and sorted(parse_tags(data["tags"])) == sorted(tag.name for tag in article.tags.all())
    )


def _stopped(article: Article) -> JsonResponse:
    return JsonResponse(
        {
            "stopped": True,
            "by": _name(article.modified_by),
            "at": _when(article.modified_at),
        },
        status=409,
    )


def _store(*, user, article: Article | None, data: dict, version: int | None) -> Autosave | None:
    """Keep the copy, or forget it if it holds nothing unsaved; return the row kept."""
    if _same_as_story(data, article):
        Autosave.objects.filter(user=user, article=article).delete()
        return None
    values = {"data": data, "based_on_version": version, "saved_at": timezone.now()}
    try:
        with transaction.atomic():
            row, _ = Autosave.objects.update_or_create(user=user, article=article, defaults=values)
    except IntegrityError:  # two first saves of a new story at once: the other one made the row
        Autosave.objects.filter(user=user, article=article).update(**values)
        row = Autosave.objects.get(user=user, article=article)
    return row


def _saved(row: Autosave | None) -> JsonResponse:
    return JsonResponse(
        {"saved_at": _when(row.saved_at if row else timezone.now()), "unchanged": row is None}
    )


def _lock_user(user) -> None:
    """Lock the user's row until the transaction ends: a new story's autosave and the save of a
    new story (``response_add``) take turns. (FOR NO KEY UPDATE: rows pointing at the user, such as
    the story just inserted, do not wait on it.)"""
    users = get_user_model().objects.select_for_update(no_key=True).filter(pk=user.pk)
    list(users.values_list("pk", flat=True))


NEW_STORY_SAVED = (
    "you have saved a new story since this page was opened, so this copy would come back as "
    "changes never saved. Automatic saving has stopped on this page; save the story to keep it."
)


def _store_new(request, data: dict, payload: dict) -> JsonResponse:
    """Keep the copy of a story not saved yet, unless the user has created one since the page
    was opened (then it is from a page whose story was saved while the copy was on its way)."""
    opened_at = _opened_at(payload)
    with transaction.atomic():
        _lock_user(request.user)
        created = Article.objects.filter(created_by=request.user, created_at__gte=opened_at)
        if created.exists():
            return _error(NEW_STORY_SAVED, 409)
        return _saved(_store(user=request.user, article=None, data=data, version=None))


def _story(model_admin, request, object_id):
    """The story at ``object_id`` and None, or None and the answer refusing it."""
    object_id = unquote(object_id)
    if not is_usable_key(model_admin.opts.pk, object_id):
        return None, _error("No such story.", 404)
    article = Article.objects.filter(pk=model_admin.opts.pk.to_python(object_id)).first()
    if article is None:
        return None, _error("No such story.", 404)
    if not model_admin.has_change_permission(request, article):
        return None, _error("You may not edit this story.", 403)
    return article, None


def autosave_view(request, model_admin, object_id=None):
    if _too_big(request):
        return _error("Too much to save automatically (over 2 MB).", 413)
    if object_id is None:
        if not model_admin.has_add_permission(request):
            return _error("You may not add stories.", 403)
        article = None
    else:
        article, refusal = _story(model_admin, request, object_id)
        if refusal:
            return refusal
    try:
        data, payload = _read(request)
        if article is None:
            return _store_new(request, data, payload)
        version = _version(payload)
    except _BadInput as bad:
        return _error(str(bad), 400)
    with transaction.atomic():
        # Locked as a save locks it, so a copy is either kept before a save (which then deletes
        # it) or checked after it (and refused): none outlives the save it belongs to.
        current = Article.objects.select_for_update(of=("self",)).select_related("modified_by")
        article = current.get(pk=article.pk)
        if version != article.version:
            return _stopped(article)
        return _saved(_store(user=request.user, article=article, data=data, version=version))


def discard_view(request, model_admin, object_id=None):
    article = None
    if object_id is not None:
        article, refusal = _story(model_admin, request, object_id)
        if refusal:
            return refusal
    discard(user=request.user, article=article)
    return JsonResponse({"discarded": True})


def discard(*, user, article: Article | None) -> None:
    Autosave.objects.filter(user=user, article=article).delete()


def _csrf_cookie_name() -> str:
    """The cookie the page's script reads the CSRF token from when it sends (Django changes the
    token at login, so the form's copy goes stale once the user logs in again in another tab);
    "" when scripts cannot read it, and the script sends the form's token."""
    if settings.CSRF_USE_SESSIONS or settings.CSRF_COOKIE_HTTPONLY:
        return ""
    return settings.CSRF_COOKIE_NAME


def _url_names(model_admin) -> dict:
    info = f"{model_admin.opts.app_label}_{model_admin.opts.model_name}"
    return {
        "add": f"{info}_add_autosave",
        "add_discard": f"{info}_add_autosave_discard",
        "change": f"{info}_autosave",
        "change_discard": f"{info}_autosave_discard",
    }


class AutosaveAdminMixin:
    """Automatic saving on a story admin's add and change pages (see the module's notes)."""

    def get_urls(self):
        names = _url_names(self)
        post = require_http_methods(["POST"])
        post_or_delete = require_http_methods(["POST", "DELETE"])

        def view(handler, methods):
            def wrapped(request, object_id=None):
                return handler(request, self, object_id)

            return self.admin_site.admin_view(methods(wrapped))

        return [
            # Before the admin's own "<path:object_id>/", which would take these.
            path("add/autosave/", view(autosave_view, post), name=names["add"]),
            path(
                "add/autosave/discard/",
                view(discard_view, post_or_delete),
                name=names["add_discard"],
            ),
            path("<path:object_id>/autosave/", view(autosave_view, post), name=names["change"]),
            path(
                "<path:object_id>/autosave/discard/",
                view(discard_view, post_or_delete),
                name=names["change_discard"],
            ),
            *super().get_urls(),
        ]

    # The user's copy, read once per request (the admin builds the form more than once).

    def _autosave_for(self, request, obj) -> Autosave | None:
        cache = request.__dict__.setdefault("_autosaves", {})
        key = obj.pk if obj is not None else None
        if key not in cache:
            cache[key] = (
                Autosave.objects.filter(user=request.user, article=key).first()
                if request.user.is_authenticated
                else None
            )
        return cache[key]

    def _restoring(self, request, obj) -> Autosave | None:
        if request.method != "GET" or request.GET.get(RESTORE_PARAM[0]) != RESTORE_PARAM[1]:
            return None
        return self._autosave_for(request, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        row = self._restoring(request, obj)
        if row is None:
            return form
        restored = {name: row.data[name] for name in FIELDS if name in row.data}
        if obj is not None and row.based_on_version is not None:
            # The version the copy was typed on: if the story has been saved since, the save is
            # stopped by the lost-edit check and names who saved, as the open tab's would have.
            restored["lock_version"] = row.based_on_version

        def __init__(self, *args, **kwargs):
            kwargs["initial"] = {**(kwargs.get("initial") or {}), **restored}
            form.__init__(self, *args, **kwargs)

        return type(form.__name__, (form,), {"__init__": __init__})

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        allowed = (
            self.has_add_permission(request)
            if obj is None
            else self.has_change_permission(request, obj)
        )
        if allowed and not context.get("is_popup"):
            context["autosave"] = self._autosave_context(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _autosave_context(self, request, obj) -> dict:
        names = _url_names(self)
        if obj is None:
            urls = {
                "save": reverse(f"admin:{names['add']}"),
                "discard": reverse(f"admin:{names['add_discard']}"),
            }
        else:
            urls = {
                "save": reverse(f"admin:{names['change']}", args=[obj.pk]),
                "discard": reverse(f"admin:{names['change_discard']}", args=[obj.pk]),
            }
        context = {
            **urls,
            **self._autosave_links(request),
            "fields": " ".join(FIELDS),
            "csrf_cookie": _csrf_cookie_name(),
            "opened_at": timezone.now().isoformat() if obj is None else "",
            "row": None,
            "offered": False,
            "restored": False,
            "saved_since": None,  # (who, when) saved the story after the copy's version
        }
        row = self._autosave_for(request, obj) if request.method == "GET" else None
        if row is None:
            return context
        stale = obj is not None and row.based_on_version != obj.version
        if stale:
            context["saved_since"] = {"by": _name(obj.modified_by), "at": _when(obj.modified_at)}
        context["row"] = row
        context["saved_at"] = _when(row.saved_at)
        if self._restoring(request, obj) is not None:
            context["restored"] = True
        elif obj is None or stale or row.saved_at > obj.modified_at:
            context["offered"] = True
        return context

    @staticmethod
    def _autosave_links(request) -> dict:
        """The Restore link, and the page to reload after discarding a restored copy: this page,
        keeping the rest of its query (``_changelist_filters``, say)."""
        query = request.GET.copy()
        query[RESTORE_PARAM[0]] = RESTORE_PARAM[1]
        restore = f"?{query.urlencode()}"
        del query[RESTORE_PARAM[0]]
        rest = query.urlencode()
        return {
            "restore_url": restore,
            "reload_url": f"{request.path}?{rest}" if rest else request.path,
        }

    # A story saved on purpose is what the copy was for: it goes.

    def response_add(self, request, obj, post_url_continue=None):
        # Inside the admin's transaction, after the story's insert: an autosave of the add page
        # waiting on this lock then sees the story and is refused (``_store_new``).
        _lock_user(request.user)
        discard(user=request.user, article=None)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        discard(user=request.user, article=obj)
        return super().response_change(request, obj)
