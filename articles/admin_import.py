"""The admin page where an editor uploads wire copy: the same import as ``manage.py import_article``.

Wired into ``ArticleAdmin.get_urls`` with ``import_urls(self)``, at
``/admin/articles/article/import/``. Every rule is checked here on the server: the page needs the
permission to add stories, publishing needs an editor's permission (whatever the form posted), and
``articles.importing`` checks both again.
"""

from django import forms
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path, reverse

from . import importing, services
from .importing import FAILED, IMPORTED, SKIPPED
from .models import Section


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """One or more uploaded files, as a list."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            files = [super(MultipleFileField, self).clean(item, initial) for item in data]
        else:
            files = [super().clean(data, initial)]
        return [file for file in files if file]


class WireImportForm(forms.Form):
    files = MultipleFileField(
        label="Wire copy files",
        help_text="One or more .txt files: line 1 the dateline, line 2 the reporter's name, line 3 "
        "their email, then one paragraph a line.",
    )
    section = forms.ModelChoiceField(
        queryset=Section.objects.all(),
        empty_label=None,
        help_text="The section the stories go in.",
    )
    headline = forms.CharField(
        required=False,
        max_length=importing.MAX_HEADLINE,
        help_text="Only when uploading one file. Without it the headline is the story's first "
        "sentence, flagged as needing an editor's headline.",
    )
    publish = forms.BooleanField(
        required=False,
        label="Publish now",
        help_text="Editors only, and only with a headline. Otherwise the story is saved as a draft.",
    )
    allow_duplicate = forms.BooleanField(
        required=False,
        label="Import again even if already imported",
    )
    dry_run = forms.BooleanField(
        required=False,
        label="Check only",
        help_text="Read and check the files and show what would be created; save nothing.",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["section"].initial = importing.default_section()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("publish") and not services.is_editor(self.user):
            # Not offered to them, so said at the top of the form rather than beside the box.
            raise forms.ValidationError("Only an editor can publish. Import the story as a draft.")
        files = cleaned.get("files") or []
        headline = (cleaned.get("headline") or "").strip()
        if headline and len(files) > 1:
            self.add_error(
                "headline",
                f"A headline is for one file; you chose {len(files)}. Leave it empty: each story "
                "gets a provisional headline for an editor to replace.",
            )
        if cleaned.get("publish") and not headline:
            self.add_error(
                "publish",
                "A story is published only with an editor's headline: write one (for a single "
                "file), or import as a draft.",
            )
        return cleaned


def _read(upload):
    """An upload's bytes, or ``TooLarge`` with its real size (never reading more than the limit)."""
    if upload.size is not None and upload.size > importing.MAX_FILE_SIZE:
        return importing.TooLarge(upload.size)
    return upload.read(importing.MAX_FILE_SIZE + 1)


def import_view(request, model_admin):
    if not request.user.has_perm("articles.add_article"):
        raise PermissionDenied
    opts = model_admin.model._meta
    results = None
    dry_run = False
    if request.method == "POST":
        form = WireImportForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            dry_run = data["dry_run"]
            results = importing.import_files(
                ((upload.name, _read(upload)) for upload in data["files"]),
                user=request.user,
                publish=data["publish"],
                headline=data["headline"].strip() or None,
                allow_duplicate=data["allow_duplicate"],
                dry_run=dry_run,
                section=data["section"],
            )
    else:
        form = WireImportForm(user=request.user)

    rows = []
    for result in results or []:
        link = None
        if result.article is not None and result.article.pk:
            link = reverse(
                f"admin:{opts.app_label}_{opts.model_name}_change", args=[result.article.pk]
            )
        rows.append({"result": result, "link": link, "text": result.describe()})
    context = {
        **model_admin.admin_site.each_context(request),
        "title": "Import wire copy",
        "opts": opts,
        "form": form,
        "rows": rows,
        "summary": importing.summary(results, dry_run=dry_run) if results is not None else "",
        "failed": any(result.outcome == FAILED for result in results or []),
        "IMPORTED": IMPORTED,
        "SKIPPED": SKIPPED,
        "FAILED": FAILED,
        "can_publish": services.is_editor(request.user),
        "has_view_permission": model_admin.has_view_permission(request),
        "media": model_admin.media + form.media,
    }
    return TemplateResponse(request, "admin/articles/article/import.html", context)


def import_urls(model_admin):
    """The upload page's URL, to put before ``ModelAdmin.get_urls()``'s own (whose catch-all
    would otherwise read "import" as a story's id)."""
    opts = model_admin.model._meta

    def view(request):
        return import_view(request, model_admin)

    return [
        path(
            "import/",
            model_admin.admin_site.admin_view(view),
            name=f"{opts.app_label}_{opts.model_name}_import",
        )
    ]
