from django.contrib import admin
from django.db import models
from django.forms.models import BaseInlineFormSet

from core.admin import CheckedAdminMixin, CheckedRelationsMixin
from core.published_use import ShownPubliclyMixin, may_change_published, shown_publicly

from .models import Affiliation, Organization, Person, Reporter

# Who may change what published stories show: core.published_use.
LOCKED_PERSON = "A published story mentions this person: only an editor can change their roles."


def refuse_people_on_published_stories(user, forms) -> None:
    """Add an error to each of these affiliation forms (bound, cleaned) that gives a role to a
    person a published story mentions, unless ``user`` may change published stories."""
    if may_change_published(user):
        return
    chosen = {
        form: form.cleaned_data.get("person")
        for form in forms
        if form.has_changed() and not form.cleaned_data.get("DELETE")
    }
    ids = {person.pk for person in chosen.values() if person is not None and person.pk}
    if not ids:
        return
    locked = set(shown_publicly(Person.objects.filter(pk__in=ids)).values_list("pk", flat=True))
    for form, person in chosen.items():
        if person is not None and person.pk in locked:
            form.add_error("person" if "person" in form.fields else None, LOCKED_PERSON)


class AffiliationFormSet(BaseInlineFormSet):
    """The roles on a person's or an organization's form. For a user who may not change published
    stories, the rows of people a published story mentions are shown disabled (a POST cannot
    change or delete them), and no row may give such a person a role."""

    user = None  # set by AffiliationInline.get_formset

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.locked_rows = set()
        if self.user is not None and not may_change_published(self.user):
            rows = shown_publicly(self.get_queryset())
            self.locked_rows = set(rows.values_list("pk", flat=True))

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if form.instance.pk is not None and form.instance.pk in self.locked_rows:
            keep = {self._pk_field.name, self.fk.name}
            for name, field in form.fields.items():
                if name not in keep:
                    field.disabled = True  # the stored value is used, whatever is posted

    def clean(self):
        super().clean()
        forms = [
            form
            for form in self.forms
            if form.instance.pk not in self.locked_rows and hasattr(form, "cleaned_data")
        ]
        refuse_people_on_published_stories(self.user, forms)


class AffiliationInline(CheckedRelationsMixin, admin.TabularInline):
    model = Affiliation
    formset = AffiliationFormSet
    extra = 1
    autocomplete_fields = ["person", "organization"]
    fields = ["person", "organization", "title", "start_date", "end_date", "order"]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        return type(formset.__name__, (formset,), {"user": request.user})


@admin.register(Person)
class PersonAdmin(CheckedAdminMixin, ShownPubliclyMixin, admin.ModelAdmin):
    """People. Only an editor may change or delete one a published story mentions, or their roles
    (:class:`core.published_use.ShownPubliclyMixin`); anyone may add people."""

    locked_message = (
        "A published story mentions this person: only an editor can change or delete them."
    )
    list_display = ["name", "native_name", "description"]
    ordering = ["sort_name", "name"]
    search_fields = ["name", "native_name", "sort_name", "aliases", "description"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [AffiliationInline]
    fields = ["name", "native_name", "sort_name", "slug", "description", "aliases", "photo"]
    autocomplete_fields = ["photo"]


@admin.register(Organization)
class OrganizationAdmin(CheckedAdminMixin, ShownPubliclyMixin, admin.ModelAdmin):
    """Organizations. Only an editor may change or delete one a published story mentions; on the
    others, the roles of people a published story mentions are shown but cannot be changed."""

    locked_message = (
        "A published story mentions this organization: only an editor can change or delete it."
    )
    list_display = ["name", "short_name", "kind", "parent"]
    list_filter = ["kind"]
    list_select_related = ["parent"]
    search_fields = ["name", "short_name", "aliases", "description"]
    autocomplete_fields = ["parent"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [AffiliationInline]
    fields = ["name", "short_name", "slug", "kind", "parent", "website", "description", "aliases"]
    # A website typed without a scheme ("example.org") is taken as https.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Affiliation)
class AffiliationAdmin(CheckedAdminMixin, ShownPubliclyMixin, admin.ModelAdmin):
    """Roles. Only an editor may change or delete the role of a person a published story
    mentions, or give such a person a new one."""

    list_display = ["person", "title", "organization", "start_date", "end_date"]
    list_select_related = ["person", "organization"]
    search_fields = ["person__name", "organization__name", "title"]
    autocomplete_fields = ["person", "organization"]
    locked_message = LOCKED_PERSON

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        user = request.user

        def clean(self):
            cleaned_data = form.clean(self)
            refuse_people_on_published_stories(user, [self])
            return cleaned_data

        return type(form.__name__, (form,), {"clean": clean})


@admin.register(Reporter)
class ReporterAdmin(CheckedAdminMixin, ShownPubliclyMixin, admin.ModelAdmin):
    """Reporters (editors only, by the groups). Whoever is given the permission to change them,
    only an editor may change or delete one on a published story's byline, their own included."""

    locked_message = (
        "This reporter is on the byline of a published story: only an editor can change or "
        "delete their profile."
    )
    list_display = ["name", "email", "job_title", "show_email", "user"]
    list_select_related = ["user"]
    list_filter = ["show_email"]
    search_fields = ["name", "email", "job_title"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["user", "photo"]
