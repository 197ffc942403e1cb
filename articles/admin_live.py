"""Live coverage in the admin: the compact form adding an entry at the top of a live story's page,
the latest entries with a link to correct each, making a story live, and closing or reopening the
coverage. Every write is a call to ``articles.live``, which decides who may do what.

- The panel is drawn at the top of the story's change page, outside the story's form
  (``templates/admin/articles/article/live_entries.html``, with the ``live_panel`` tag of
  ``articles/templatetags/live_admin.py``). A reporter on the byline of a published story cannot
  open its change page (``services.editable_articles``) but still writes its entries: for them the
  same panel has a page of its own, ``<story id>/live/``, where they are sent back to.
- The form posts to ``<story id>/live/add/``; an entry that cannot be added sends the writer back
  with what they typed kept (in their session, for the next showing of the panel) and each error
  beside its field, so nothing typed is lost.
- An entry's own page (``LiveEntryAdmin``) fixes its text, flags and authors, adds a correction
  shown to readers, and keeps its history (django-reversion). Entries are reached from their
  story, so they are not listed in the admin's menus.

Wired into ``ArticleAdmin.get_urls`` with ``live_urls(self)``.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpResponseRedirect, QueryDict
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.text import Truncator
from django.views.decorators.http import require_GET, require_POST
from reversion.admin import VersionAdmin

from core.admin import CheckedAdminMixin, CheckedModelMultipleChoiceField, is_usable_key
from core.text import one_line
from people.models import Reporter

from . import live
from .forms import body_editor_widget
from .models import Article, Byline, LiveEntry

# How many entries the panel lists under the form (the rest are on the readers' page).
LATEST = 20
# The panel's form fields are named "entry-…", so they never clash with the story form's.
PREFIX = "entry"
# What a writer typed in a form that was refused, kept for the panel's next showing.
KEPT = "live-entry-form:{}"
# An entry without a title is listed by its opening words.
OPENING_WORDS = 12
# Where a form sends its writer back: the story's change page, or the panel's own page.
BACK_TO_STORY, BACK_TO_PANEL = "story", "live"
# The admin's scripts the body editor's picture button needs (the library's lookup window), for
# the panel's own page; the story's change page has them already.
ADMIN_SCRIPTS = forms.Media(
    js=[
        "admin/js/vendor/jquery/jquery.min.js",
        "admin/js/jquery.init.js",
        "admin/js/core.js",
        "admin/js/admin/RelatedObjectLookups.js",
    ]
)


class EntryForm(forms.Form):
    """The compact form at the top of a live story: one step from typing to readers' pages."""

    posted_at = forms.DateTimeField(
        label="Time",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="Leave empty for the moment you add it.",
    )
    title = forms.CharField(max_length=200, required=False, help_text="Optional; a few words.")
    body = forms.CharField(
        label="Entry",
        required=False,  # "required" is checked once cleaned: the editor always sends a <p>
        widget=body_editor_widget(),
        help_text="What happened. The story's furniture works here too: pictures, galleries, "
        "posts and videos, quotes, fact boxes and tables.",
    )
    authors = CheckedModelMultipleChoiceField(
        queryset=Reporter.objects.order_by("name"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
        help_text="Shown beside the entry. Ctrl or ⌘ picks several.",
    )
    key_event = forms.BooleanField(
        label="Key event",
        required=False,
        help_text="Listed at the top of the story as a link.",
    )
    pinned = forms.BooleanField(
        required=False, help_text="Kept at the top of the entries, above newer ones."
    )

    def __init__(self, *args, user, own: Reporter | None = None, **kwargs):
        kwargs.setdefault("prefix", PREFIX)
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.user, self.own = user, own
        if own is not None:
            self.fields["authors"].initial = [own.pk]
            self.fields["authors"].help_text = (
                f"You ({own.name}) unless you choose others; shown beside the entry. Ctrl or ⌘ "
                "picks several."
            )

    def clean_posted_at(self):
        posted_at = self.cleaned_data.get("posted_at")
        if posted_at is not None:
            live.check_time(posted_at, now=timezone.now())
        return posted_at

    def clean_title(self):
        return " ".join(self.cleaned_data.get("title", "").split())

    def clean_body(self):
        return live.clean_body(self.cleaned_data.get("body", ""), user=self.user)

    def clean_authors(self):
        authors = list(self.cleaned_data.get("authors") or [])
        live.check_authors(self.user, authors, own=self.own)
        return authors


# The panel --------------------------------------------------------------------------------------


def _has_editor(media) -> bool:
    """Whether a page's media already loads everything the body editor needs (the story's change
    page does, when its body is editable): the editor is loaded once a page."""
    if media is None:
        return False
    wanted = EntryForm.base_fields["body"].widget.media
    return all(script in media._js for script in wanted._js)


def _kept_form(request, story: Article, own: Reporter | None) -> EntryForm:
    """The form as its writer left it if it was refused (their text, marked with what to put
    right), else a new one."""
    kept = request.session.pop(KEPT.format(story.pk), None)
    if not kept:
        return EntryForm(user=request.user, own=own)
    data = QueryDict(mutable=True)
    for name, values in kept.items():
        data.setlist(name, values)
    form = EntryForm(data, user=request.user, own=own)
    form.is_valid()  # its errors, beside each field
    return form


def _keep(request, story: Article) -> None:
    request.session[KEPT.format(story.pk)] = {
        name: request.POST.getlist(name) for name in request.POST if name.startswith(f"{PREFIX}-")
    }


def _opening(entry: LiveEntry) -> str:
    return Truncator(one_line(entry.body)).words(OPENING_WORDS)


def panel_context(request, story: Article, *, page_media=None, back: str = BACK_TO_STORY) -> dict:
    """What the panel shows ``request.user`` for ``story``: the button making it live, or the
    coverage's state, the form (to those who may add entries while it is open), the latest
    entries, and the editors' close or reopen button."""
    user = request.user
    may_add = live.may_write(user, story)
    context = {
        "story": story,
        "back": back,
        "may_add": may_add,
        "may_close": live.may_close(user),
        "start_url": _url("live_start", story),
        "add_url": _url("live_add", story),
        "close_url": _url("live_close", story),
        "reopen_url": _url("live_reopen", story),
    }
    if not story.is_live:
        return context
    authors = Prefetch("authors", queryset=Reporter.objects.order_by("name").only("name"))
    entries = list(story.entries.defer("correction").prefetch_related(authors)[:LATEST])
    for entry in entries:
        entry.opening = entry.title or _opening(entry)
    context |= {
        "entries": entries,
        "entry_count": len(entries) if len(entries) < LATEST else story.entries.count(),
        "may_change": live.may_write(user, story, perm="articles.change_liveentry"),
        "closed": story.live_closed_at is not None,
    }
    if may_add and story.live_closed_at is None and story.status != Article.Status.KILLED:
        form = _kept_form(request, story, live.own_reporter(user))
        context |= {
            "form": form,
            "form_media": None if _has_editor(page_media) else form.media,
        }
    return context


# The pages ---------------------------------------------------------------------------------------


def _url(name: str, story: Article) -> str:
    return reverse(f"admin:articles_article_{name}", args=[story.pk])


def _story(request, object_id) -> Article:
    """The story of a panel's URL; a killed story only for those who may see one."""
    object_id = unquote(object_id)
    if not is_usable_key(Article._meta.pk, object_id):
        raise Http404("There is no story with that number.")
    story = Article.objects.filter(pk=object_id).first()
    if story is None:
        raise Http404("There is no story with that number.")
    if story.status == Article.Status.KILLED and not request.user.has_perm("articles.kill_article"):
        raise Http404("There is no story with that number.")
    return story


def _back(model_admin, request, story: Article) -> HttpResponseRedirect:
    """Back to where the form was: the story's change page, or the panel's own page for those who
    cannot open the story (a byline reporter once it is published)."""
    to_story = request.POST.get("back", BACK_TO_STORY) != BACK_TO_PANEL
    if to_story and model_admin.has_change_permission(request, story):
        url = reverse("admin:articles_article_change", args=[story.pk])
    else:
        url = _url("live", story)
    return HttpResponseRedirect(f"{url}#live-coverage")


def _refused(request, what: str, refusal: ValidationError) -> None:
    messages.error(request, f"{what} {' '.join(refusal.messages)}")


def live_urls(model_admin):
    """The live entry pages' URLs."""
    site = model_admin.admin_site

    @require_GET
    def panel_view(request, object_id):
        """The panel on a page of its own, for the writers who cannot open the story's page."""
        story = _story(request, object_id)
        if not (live.may_write(request.user, story) or live.may_close(request.user)):
            raise PermissionDenied
        media = ADMIN_SCRIPTS + EntryForm.base_fields["body"].widget.media
        context = {
            **site.each_context(request),
            "title": f"Live coverage: {story.headline}",
            "opts": Article._meta,
            "original": story,
            "media": media,
            "may_open_story": model_admin.has_change_permission(request, story),
            **panel_context(request, story, page_media=media, back=BACK_TO_PANEL),
        }
        return TemplateResponse(request, "admin/articles/liveentry/story_live.html", context)

    @require_POST
    def add_view(request, object_id):
        story = _story(request, object_id)
        if not live.may_write(request.user, story):
            raise PermissionDenied
        form = EntryForm(request.POST, user=request.user, own=live.own_reporter(request.user))
        if not form.is_valid():
            _keep(request, story)
            messages.error(
                request,
                "The entry was not added: put right what is marked in the form. Your text is kept.",
            )
            return _back(model_admin, request, story)
        try:
            live.add_entry(story, user=request.user, **form.cleaned_data)
        except ValidationError as refusal:
            _keep(request, story)
            _refused(request, "The entry was not added:", refusal)
        else:
            if story.is_public:
                done = "Entry added: readers see it within seconds."
            else:
                done = "Entry added: readers see it once the story is published."
            messages.success(request, done)
        return _back(model_admin, request, story)

    def coverage_view(change, done: str, refused: str):
        @require_POST
        def view(request, object_id):
            story = _story(request, object_id)
            try:
                change(story, user=request.user)
            except ValidationError as refusal:
                _refused(request, refused, refusal)
            else:
                messages.success(request, done)
            return _back(model_admin, request, story)

        return view

    start = coverage_view(
        live.start_coverage,
        "The story is live: add its first entry below.",
        "The story was not made live:",
    )
    close = coverage_view(
        live.close_coverage,
        "Coverage closed: readers' pages stop checking for new entries and say it has ended.",
        "The coverage was not closed:",
    )
    reopen = coverage_view(
        live.reopen_coverage,
        "Coverage reopened: readers' pages check for new entries again.",
        "The coverage was not reopened:",
    )
    info = model_admin.opts.app_label, model_admin.opts.model_name
    pages = [
        ("live/", panel_view, "live"),
        ("live/add/", add_view, "live_add"),
        ("live/start/", start, "live_start"),
        ("live/close/", close, "live_close"),
        ("live/reopen/", reopen, "live_reopen"),
    ]
    return [
        path(
            f"<path:object_id>/{route}",
            site.admin_view(view),
            name="{}_{}_{}".format(*info, name),
        )
        for route, view, name in pages
    ]


# An entry's own page: fixing it, a correction, its history ----------------------------------------


class EntryChangeForm(forms.ModelForm):
    add_correction = forms.CharField(
        label="New correction",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What was wrong and what is right now: shown to readers on the entry, with the "
        "time you save. It replaces the correction shown now, if any. Leave empty for a silent "
        "typo fix.",
    )

    class Meta:
        model = LiveEntry
        fields = ["posted_at", "title", "body", "authors", "key_event", "pinned"]
        widgets = {"body": body_editor_widget()}

    user = None  # set by LiveEntryAdmin.get_form

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.user is None or not live.may_correct(self.user):
            # A declared field is on every form: take it off for those who may not correct.
            del self.fields["add_correction"]

    def clean_posted_at(self):
        posted_at = self.cleaned_data.get("posted_at")
        if posted_at is not None and posted_at != self.instance.posted_at:
            live.check_time(posted_at, now=timezone.now())
        return posted_at

    def clean_body(self):
        return live.clean_body(self.cleaned_data.get("body", ""), user=self.user)

    def clean_authors(self):
        authors = list(self.cleaned_data.get("authors") or [])
        live.check_authors(self.user, authors, own=live.own_reporter(self.user))
        return authors


@admin.register(LiveEntry)
class LiveEntryAdmin(CheckedAdminMixin, VersionAdmin):
    """An entry's page, reached from its story's panel: its text fixed, a correction added (by an
    editor), its history. Entries are added from the story, not here."""

    form = EntryChangeForm
    list_display = ["__str__", "story", "posted_at", "key_event", "pinned", "corrected_at"]
    list_select_related = ["article"]
    list_filter = ["key_event", "pinned"]
    search_fields = ["title", "body", "article__headline"]
    date_hierarchy = "posted_at"
    autocomplete_fields = ["authors"]
    readonly_fields = ["story", "correction_shown", "created_by", "modified_at"]

    def get_fieldsets(self, request, obj=None):
        correction = ["correction_shown"]
        if live.may_correct(request.user):
            correction.append("add_correction")
        return [
            (None, {"fields": ["story", "posted_at", "title", "body", "authors"]}),
            ("Flags", {"fields": ["key_event", "pinned"]}),
            ("Correction", {"fields": correction}),
            ("Record", {"fields": ["created_by", "modified_at"], "classes": ["collapse"]}),
        ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    # Permissions: on the server, whatever the page shows.

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("article")
        user = request.user
        if not user.has_perm("articles.kill_article"):
            queryset = queryset.exclude(article__status=Article.Status.KILLED)
        if live.is_live_editor(user):
            return queryset
        on_byline = Byline.objects.filter(reporter__user=user).values("article_id")
        return queryset.filter(article__in=on_byline)

    def has_module_permission(self, request):
        return False  # reached from the story's panel, not from the menus

    def has_add_permission(self, request):
        return False  # added from the story's panel, in one step

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        if not allowed or obj is None:
            return allowed
        return live.may_write(request.user, obj.article, perm="articles.change_liveentry")

    def recover_view(self, request, version_id, extra_context=None):
        if not live.is_live_editor(request.user):
            raise PermissionDenied
        return super().recover_view(request, version_id, extra_context)

    def recoverlist_view(self, request, extra_context=None):
        if not live.is_live_editor(request.user):
            raise PermissionDenied
        return super().recoverlist_view(request, extra_context)

    # Saving: one service call, after the form is checked.

    def save_model(self, request, obj, form, change):
        """Nothing yet: ``save_related`` makes the change with everything it brings."""

    def save_related(self, request, form, formsets, change):
        data = form.cleaned_data
        request.live_corrected = bool(data.get("add_correction", "").strip())
        form.instance = live.correct_entry(
            form.instance,
            user=request.user,
            body=data["body"],
            title=data.get("title", ""),
            correction=data.get("add_correction", ""),
            authors=data["authors"],
            key_event=data["key_event"],
            pinned=data["pinned"],
            posted_at=data["posted_at"],
        )

    def _back_to_story(self, request, story: Article, message: str):
        self.message_user(request, message, messages.SUCCESS)
        story_admin = self.admin_site._registry.get(Article)
        if story_admin is not None and story_admin.has_change_permission(request, story):
            url = reverse("admin:articles_article_change", args=[story.pk])
        else:
            url = _url("live", story)
        return HttpResponseRedirect(f"{url}#live-coverage")

    def response_change(self, request, obj):
        if "_continue" in request.POST or "_saveasnew" in request.POST:
            return super().response_change(request, obj)
        if getattr(request, "live_corrected", False):
            done = "Entry corrected: readers see the correction within seconds."
        else:
            done = "Entry changed: readers see it within seconds."
        return self._back_to_story(request, obj.article, done)

    def delete_model(self, request, obj):
        request.live_story = obj.article
        super().delete_model(request, obj)

    def response_delete(self, request, obj_display, obj_id):
        story = getattr(request, "live_story", None)
        if story is None:
            return super().response_delete(request, obj_display, obj_id)
        return self._back_to_story(request, story, f"Entry “{obj_display}” deleted.")

    def view_on_site(self, obj):
        return obj.get_absolute_url() if obj.article.is_public else None

    @admin.display(description="Story", ordering="article__headline")
    def story(self, obj):
        if obj is None or obj.article_id is None:
            return "—"
        return format_html('<a href="{}">{}</a>', _url("live", obj.article), obj.article.headline)

    @admin.display(description="Correction shown")
    def correction_shown(self, obj):
        if obj is None or not obj.correction:
            return "None: readers see no correction on this entry."
        when = date_format(timezone.localtime(obj.corrected_at), "DATETIME_FORMAT")
        return format_html("{} <em>(corrected {})</em>", obj.correction, when)
