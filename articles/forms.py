"""Forms for the editorial admin."""

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.formsets import DELETION_FIELD_NAME
from django.forms.models import BaseInlineFormSet
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.formats import date_format
from django_prose_editor.widgets import AdminProseEditorWidget

from core.text import html_to_text
from people.models import Reporter

from . import body as story_body
from . import services
from .html import merged_cells, sanitize_html
from .models import Article, Byline
from .widgets import HeadlineWidget, NamedSplitDateTime, TagChipsWidget

Status = Article.Status

# The body editor's extensions: exactly the markup that ``articles.html.sanitize_html`` keeps, so
# nothing an editor can make is thrown away on save. Document, Text, Paragraph, the toolbar
# (Menu), undo (History) and the cursor helpers are added by django-prose-editor itself.
BODY_EDITOR_EXTENSIONS = {
    "Paragraph": True,
    "HardBreak": True,
    "Heading": {"levels": [2, 3, 4]},
    "Bold": True,
    "Italic": True,
    # No "open in new window" option: the sanitiser drops target attributes.
    "Link": {"enableTarget": False},
    "BulletList": True,
    # No list-properties dialog (start number, numbering style): the sanitiser drops those.
    "OrderedList": {"enableListAttributes": False},
    "ListItem": True,
    "Blockquote": True,
    # Story furniture (static/newsroom/admin/furniture.js): a pull quote and a fact box.
    "PullQuote": True,
    "FactBox": True,
    # A picture from the library (chosen or uploaded in the library's window), a gallery of
    # them, and a post or video from a service we take (articles/body.py, articles/embeds.py).
    "Picture": True,
    "Gallery": True,
    "Embed": True,
    # Tables: a grid with a header row; the sanitiser keeps no merged cells.
    "Table": True,
    "TableRow": True,
    "TableHeader": True,
    "TableCell": True,
    "History": True,
}


def body_editor_widget():
    """The admin's rich text editor for story bodies; its assets come from the static files."""
    return AdminProseEditorWidget(
        config={"extensions": BODY_EDITOR_EXTENSIONS}, preset="configurable"
    )


class StoryBodyField(forms.CharField):
    """The body as HTML; it has changed only if it differs once cleaned, since the editor sends
    the same text with different whitespace between blocks."""

    def has_changed(self, initial, data):
        return sanitize_html(initial or "") != sanitize_html(data or "")


class ArticleAdminForm(forms.ModelForm):
    """The story form, with the edit-conflict check and the workflow rules for the user."""

    lock_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Article
        widgets = {
            "headline": HeadlineWidget(),
            "body": body_editor_widget(),
            "standfirst": forms.Textarea(attrs={"rows": 3, "class": "story-standfirst"}),
            "tags": TagChipsWidget(suggest_url=reverse_lazy("admin:articles_article_tags")),
            # The admin's date and time boxes, named like the publication time's.
            "embargo_until": NamedSplitDateTime("Embargo date", "Embargo time"),
        }
        field_classes = {"body": StoryBodyField, "embargo_until": forms.SplitDateTimeField}
        labels = {"embargo_until": "Embargoed until"}
        fields = [
            "headline", "needs_headline", "slug", "standfirst", "body", "lead_image", "dateline",
            "section", "status", "published_at", "embargo_until", "updated_at", "tags",
            "mentioned_people", "mentioned_organizations",
        ]  # fmt: skip

    user = None  # set by ArticleAdmin.get_form

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lock_version"].initial = self.instance.version
        if "tags" in self.fields:
            self.fields["tags"].help_text = (
                "Type a tag; Enter or a comma adds it, and existing tags are suggested as you "
                "type. Several at once: separate them with commas."
            )
        if "status" in self.fields and self.user is not None:
            current = self.instance.status if self.instance.pk else Status.DRAFT
            allowed = services.allowed_statuses(self.user, current)
            self.fields["status"].choices = [c for c in Status.choices if c[0] in allowed]
        if "embargo_until" in self.fields:
            self._set_up_embargo(self.fields["embargo_until"])

    def _set_up_embargo(self, field):
        zone = timezone.get_current_timezone_name()
        if self.instance.pk and services.is_out(self.instance):
            # Readers can see it: the embargo is history (``services.check_embargo``).
            field.disabled = True
            field.help_text = (
                "The story is published, so its embargo can no longer be set, moved or removed. "
                "Withdraw it first if the embargo must change."
            )
            return
        field.help_text = (
            f"Held until this time ({zone}): until then nobody can publish it, schedule it "
            "earlier or share a preview link, whatever their role. Leave empty if the story is "
            "not embargoed."
        )

    def clean_headline(self):
        # One line: the headline's box wraps, and a paste may bring a line break with it.
        return " ".join(self.cleaned_data["headline"].split())

    def save_effect(self, *, now=None):
        """What saving the form as it stands will do, in a sentence (story-form.js says the same
        as the status and time change): the form's own values when it was posted, the story's
        otherwise."""
        status = self["status"].value() if "status" in self.fields else self.instance.status
        published_at = self.instance.published_at
        if "published_at" in self.fields:
            if self.is_bound:
                published_at = getattr(self, "cleaned_data", {}).get("published_at", published_at)
            else:
                published_at = self["published_at"].value()
        original = self.instance.status if self.instance.pk else None
        return save_effect(
            status=status, published_at=published_at, original=original, now=now or timezone.now()
        )

    def clean_status(self):
        status = self.cleaned_data["status"]
        current = self.instance.status if self.instance.pk else Status.DRAFT
        try:
            services.check_transition(user=self.user, from_status=current, to_status=status)
        except PermissionDenied as refusal:
            raise forms.ValidationError(str(refusal)) from refusal
        return status

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            self._check_not_stale(cleaned.get("lock_version"))
        self._check_embargo(cleaned)
        return cleaned

    def _check_embargo(self, cleaned):
        """What the embargo forbids (``services.check_embargo``), said beside the field to change.
        The save checks it again against the row as locked."""
        if any(name in self.errors for name in ("status", "published_at", "embargo_until")):
            return  # a value that is not one: its own error says so
        saved = self.instance

        def value(name):
            return cleaned.get(name) if name in self.fields else getattr(saved, name)

        try:
            services.check_embargo(
                stored=saved if saved.pk else None,
                status=value("status"),
                published_at=value("published_at"),
                embargo_until=value("embargo_until"),
            )
        except services.EmbargoRefusal as refusal:
            field = refusal.field if refusal.field in self.fields else None
            self.add_error(field, forms.ValidationError(str(refusal), code="embargo"))

    def _check_not_stale(self, opened_version):
        # Locked until the transaction ends, so nobody can save in between the check and our write.
        current = (
            Article.objects.select_for_update(of=("self",))
            .select_related("modified_by")
            .only(
                "version",
                "modified_at",
                "modified_by__username",
                "modified_by__first_name",
                "modified_by__last_name",
            )
            .get(pk=self.instance.pk)
        )
        if opened_version == current.version:
            return
        who = (
            current.modified_by.get_full_name() or current.modified_by.get_username()
            if current.modified_by
            else "someone"
        )
        when = date_format(timezone.localtime(current.modified_at), "DATETIME_FORMAT")
        # Keep everything the user typed; move the form to the version they have now been told
        # about, so saving again is a deliberate choice (and the other version stays in History).
        self.data = self.data.copy()
        self.data["lock_version"] = current.version
        raise forms.ValidationError(
            f"Not saved: {who} saved this story at {when}, after you opened it. Your text is still "
            "in the form below. Compare with their version in History (it opens in the same "
            "admin), then save again to replace it with yours, or reload to start from theirs.",
            code="edit_conflict",
        )

    def clean_body(self):
        """The body as it will be stored; one that is empty once cleaned is refused.

        The editor always submits at least an empty paragraph, so the field's own "required" check
        never sees an empty value.
        """
        if merged_cells(self.cleaned_data.get("body", "")):
            raise forms.ValidationError(
                "A table in the body has merged cells. Split them (Table menu → Split cell): "
                "tables are kept as plain rows and columns.",
                code="merged_cells",
            )
        body = sanitize_html(self.cleaned_data.get("body", ""))
        if not html_to_text(body):
            raise forms.ValidationError(
                "The story has no text. Write the body, or paste it in.", code="required"
            )
        # Pictures from the library the user may see, embeds of services we take: anything else
        # is refused by name rather than saved to disappear from the page.
        may_see = self.user is None or self.user.has_perm("photos.view_image")
        if problems := story_body.problems(body, story_body.images_for(body) if may_see else {}):
            raise forms.ValidationError(problems, code="figures")
        return body


# What a save does to a story, by the status it is saved with: when the status stays (or a new
# story is saved as a draft), and when it moves.
_KEEPS = {
    Status.DRAFT: "Saving keeps it a draft.",
    Status.REVIEW: "Saving keeps it in review.",
    Status.WITHDRAWN: "Saving keeps it withdrawn: readers do not see it.",
}
_MOVES = {
    Status.DRAFT: "Saving makes it a draft again.",
    Status.REVIEW: "Saving sends it to the editors for review.",
    Status.WITHDRAWN: "Saving withdraws it: readers no longer see it.",
}


def save_effects(*, original) -> dict:
    """For a story now ``original`` (None: a new story), what saving it with each status does: a
    sentence, or for publishing ``{"now": ..., "later": "... {when}."}`` (a future time
    schedules). The one copy of these rules: the form's first sentence comes from it
    (``save_effect``), and story-form.js picks from it as the fields change."""
    table = {}
    for status in Status.values:
        if status == Status.PUBLISHED:
            table[status] = {
                "now": "Saving keeps it published: readers see the changes at once."
                if original == Status.PUBLISHED
                else "Saving publishes this story now.",
                "later": "Saving schedules it for {when}.",
            }
        elif status == original or (original is None and status == Status.DRAFT):
            table[status] = _KEEPS.get(status, "")
        else:
            table[status] = _MOVES.get(status, "")
    return table


def scheduled_for(when) -> str:
    """A scheduled time as the sentence says it (story-form.js writes the same)."""
    local = timezone.localtime(when)
    return f"{date_format(local, 'j F Y, H:i')} {timezone.get_current_timezone_name()}"


def save_effect(*, status, published_at, original, now) -> str:
    """The sentence saying what a save with ``status`` and ``published_at`` does (``save_effects``)."""
    effect = save_effects(original=original).get(status, "")
    if isinstance(effect, dict):
        if published_at and published_at > now:
            return effect["later"].format(when=scheduled_for(published_at))
        return effect["now"]
    return effect


class BylineFormSet(BaseInlineFormSet):
    """A story's bylines, and whose names a user may file a story under.

    Co-bylines are normal: anyone may add a colleague's byline. But a user who may not edit every
    story (a reporter) saves a story only with their own byline on it, so nobody files a story
    solely under someone else's name, or takes themselves off a story they would then lose. On a
    new story with no byline given, theirs is added on save (``services.article_save``). A
    reporter's login with no byline of its own saves nothing until an editor links one. Editors
    set any bylines.
    """

    user = None  # set by BylineInline.get_formset

    # Each row's boxes by the names of their columns: in the admin's table of bylines the column
    # headers are the only labels, which name no box to a screen reader.
    BOX_NAMES = {"reporter": "Reporter", "order": "Order", DELETION_FIELD_NAME: "Delete"}

    def add_fields(self, form, index):
        super().add_fields(form, index)
        for name, box_name in self.BOX_NAMES.items():
            if name in form.fields:
                widget = form.fields[name].widget
                # The reporter's autocomplete box inside the admin's add/change links' wrapper.
                getattr(widget, "widget", widget).attrs["aria-label"] = box_name

    def _kept_forms(self):
        return [
            form
            for form in self.forms
            if form.cleaned_data.get("reporter") and not self._should_delete_form(form)
        ]

    def clean(self):
        super().clean()
        if any(self.errors):  # a row's own error (no such reporter, a repeated place) first
            return
        self._check_rows_not_shown()
        user = self.user
        if user is None or user.has_perm("articles.edit_any_article"):
            return
        own = Reporter.objects.filter(user=user).only("pk", "name").first()
        if own is None:
            raise ValidationError(
                "Not saved: your login is not linked to a reporter’s byline, so you cannot file "
                "a story under any name. Ask an editor to link your login to your byline (People "
                "› Reporters › your name › Login account).",
                code="no_own_byline",
            )
        reporters = {form.cleaned_data["reporter"].pk for form in self._kept_forms()}
        if not reporters and self.instance._state.adding:
            return  # their own byline is added on save
        if own.pk not in reporters:
            raise ValidationError(
                f"Not saved: your own byline ({own.name}) must be on the story. You may add "
                "colleagues’ bylines beside yours; only an editor can file a story under other "
                "names alone, or take you off it.",
                code="own_byline_required",
            )

    def _check_rows_not_shown(self):
        """The form validates its rows against each other; a byline of this story that it did not
        show (a tampered row count) is checked here, rather than by the database's constraint."""
        if self.instance.pk is None:
            return
        shown = [form.instance.pk for form in self.initial_forms if form.instance.pk is not None]
        others = Byline.objects.filter(article=self.instance).exclude(pk__in=shown)
        for other in others.select_related("reporter"):
            for form in self._kept_forms():
                if form.cleaned_data["reporter"].pk == other.reporter_id or (
                    form.cleaned_data.get("order") == other.order
                ):
                    raise ValidationError(
                        f"Not saved: the story also has {other.reporter.name}’s byline (place "
                        f"{other.order}), which this form did not show. Reload the story and make "
                        "the change again.",
                        code="byline_not_shown",
                    )

    def save_existing_objects(self, commit=True):
        if commit:
            # The database checks each row as it is written, so swapping two bylines' places (or
            # reporters), or taking another's place while it is deleted further down, would
            # clash with a row not yet written. The rows that change or go are taken out first;
            # the changed ones are then written back under their own ids.
            leaving = [
                form.instance.pk
                for form in self.initial_forms
                if form.instance.pk is not None
                and (self._should_delete_form(form) or form.has_changed())
            ]
            if leaving:
                Byline.objects.filter(article=self.instance, pk__in=leaving).delete()
        return super().save_existing_objects(commit)
