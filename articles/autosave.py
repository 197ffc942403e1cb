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
- ``.../autosave/discard/`` (POST or DELETE): forget the copy.

Nothing readers see reads an ``Autosave``: the story changes only when its form is saved on
purpose, and that save deletes the user's copy (``response_add``/``response_change``).

Reopening the story offers the copy (the form's banner, ``autosave.html``); ``?restore=autosave``
opens the form filled from it. The restored form carries the version the copy was based on, not
the story's current one, so if someone has saved since, the first save is stopped by the lost-edit
check (``ArticleAdminForm``), naming them, exactly as if the tab had never closed; saving again is
then a deliberate choice. The banner says so beforehand.
"""

import json

from django.contrib.admin.utils import unquote
from django.db import IntegrityError, transaction
from django.http import JsonResponse, RawPostDataException
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_http_methods
from taggit.utils import parse_tags

from core.admin import is_usable_key
from core.text import html_to_text

from .html import sanitize_html
from .models import Article, Autosave

# The form's fields kept in an automatic save: its text, and the cheap choices beside it.
# (Pictures, people, bylines and the workflow are left to the form's own save.)
FIELDS = ("headline", "slug", "standfirst", "body", "dateline", "section", "tags")
MAX_BYTES = 2 * 1024 * 1024
RESTORE_PARAM = ("restore", "autosave")


def _name(user) -> str:
    if user is None:
        return "someone"
    return user.get_full_name() or user.get_username()


def _when(moment) -> str:
    """A time as the status line and banner say it: "15:42" today, with the date otherwise."""
    local = timezone.localtime(moment)
    if local.date() == timezone.localdate():
        return date_format(local, "H:i")
    return date_format(local, "j M Y, H:i")


def _error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


class _BadInput(ValueError):
    pass


def _read(request) -> tuple[dict, int | None]:
    """The posted fields (cleaned) and the version they were based on; raises _BadInput."""
    try:
        payload = json.loads(request.body)
    except (ValueError, RawPostDataException) as bad:
        raise _BadInput("The request is not JSON.") from bad
    if not isinstance(payload, dict) or not isinstance(payload.get("data"), dict):
        raise _BadInput("Expected {“based_on_version”: …, “data”: {…}}.")
    version = payload.get("based_on_version")
    if version is not None and (isinstance(version, bool) or not isinstance(version, int)):
        raise _BadInput("based_on_version must be a whole number.")
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
    return data, version


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
            "at_iso": article.modified_at.isoformat(),
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
    now = row.saved_at if row else timezone.now()
    return JsonResponse(
        {"saved_at": _when(now), "saved_at_iso": now.isoformat(), "unchanged": row is None}
    )


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
        data, version = _read(request)
    except _BadInput as bad:
        return _error(str(bad), 400)
    if article is None:
        return _saved(_store(user=request.user, article=None, data=data, version=None))
    if version is None:
        return _error("based_on_version is required for a saved story.", 400)
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

    autosave_template = "admin/articles/article/autosave.html"

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

    # A story saved on purpose is what the copy was for: it goes.

    def response_add(self, request, obj, post_url_continue=None):
        discard(user=request.user, article=None)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        discard(user=request.user, article=obj)
        return super().response_change(request, obj)
