"""The admin's shared guards, and the old-addresses admin.

Whatever a browser (or anyone with curl) sends to the admin is answered as a form error, the admin's
"invalid filter" redirect or its "does not exist" redirect, never a server error. Django checks most
input itself; these close the places where a raw value still reaches the database:

- an autocomplete field re-rendered with an id that is not one (the widget looks up the submitted
  values to show their names), and a multiple choice with an id no column can hold;
- a date drill-down (``?created_at__year=...``) with a year, month or day beyond the calendar, or
  whose bounds, once in UTC, are (the year 1 in Hong Kong begins in the year 0 in UTC);
- any other lookup a change list's query string names (Django applies one on any of the model's
  fields): the list's query is compiled before it runs, and one that cannot be, or that would
  send a NUL or a whole number no column holds, is refused like a bad filter;
- an autocomplete search term with a NUL (the change list's search form refuses one itself);
- a history page for an id that is not one (django-reversion's history sends it to the database
  before Django's own check; PostgreSQL refuses a NUL).

``CheckedAdminMixin`` goes on a ModelAdmin, ``CheckedRelationsMixin`` on an inline.
"""

import datetime as dt

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ChangeList
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import EmptyResultSet, ValidationError
from django.db import DEFAULT_DB_ALIAS, connections
from django.forms import ModelMultipleChoiceField
from django.utils import timezone
from django.utils.html import format_html

from .models import SlugHistory


def is_usable_key(field, value, using: str | None = None) -> bool:
    """Whether ``value``, as a browser sent it, can be a value of the model field ``field`` (an id,
    usually): of its type, within the range the database holds, and without a NUL."""
    try:
        value = field.to_python(value)
    except (ValidationError, ValueError, TypeError):
        return False
    if isinstance(value, str):
        return "\x00" not in value
    if isinstance(value, int) and not isinstance(value, bool):
        low, high = connections[using or DEFAULT_DB_ALIAS].ops.integer_field_range(
            field.get_internal_type()
        )
        return (low is None or value >= low) and (high is None or value <= high)
    return True


def _key_field(db_field):
    """The field of the related model that a relation's form values name."""
    opts = db_field.remote_field.model._meta
    return opts.get_field(getattr(db_field.remote_field, "field_name", None) or opts.pk.name)


class _CheckedAutocomplete:
    """Shows the names of only those submitted values that can be ids; the rest are the form
    field's error, and cannot be shown by name anyway."""

    def optgroups(self, name, value, attr=None):
        key = _key_field(self.field)
        value = [v for v in value if v in ("", None) or is_usable_key(key, v, self.db)]
        return super().optgroups(name, value, attr)


class CheckedAutocompleteSelect(_CheckedAutocomplete, AutocompleteSelect):
    pass


class CheckedAutocompleteSelectMultiple(_CheckedAutocomplete, AutocompleteSelectMultiple):
    pass


class CheckedModelMultipleChoiceField(ModelMultipleChoiceField):
    """Refuses an id its column cannot hold as it refuses any other value that is not an id
    (Django sends it on in an IN (...), where SQLite overflows)."""

    def _check_values(self, value):
        if isinstance(value, (list, tuple, set, frozenset)):
            key = self.queryset.model._meta.get_field(
                self.to_field_name or self.queryset.model._meta.pk.name
            )
            for pk in value:
                if not is_usable_key(key, pk, self.queryset.db):
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"],
                        code="invalid_pk_value",
                        params={"pk": pk},
                    )
        return super()._check_values(value)


class CheckedRelationsMixin:
    """For ModelAdmins and inlines: relations chosen by id check the ids before any query."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = CheckedAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = CheckedAutocompleteSelectMultiple(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        kwargs.setdefault("form_class", CheckedModelMultipleChoiceField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


def _flat(values):
    for value in values:
        if isinstance(value, (list, tuple)):
            yield from _flat(value)
        else:
            yield value


def check_query(queryset) -> None:
    """Raise IncorrectLookupParameters if ``queryset`` cannot be sent to its database: a value
    that cannot be turned into SQL at all (a year 0 or 10000 for a ``__year``, a time beyond the
    calendar in UTC on SQLite), a text with a NUL (PostgreSQL refuses it; nothing stored has one),
    or a whole number no column holds (SQLite overflows)."""
    try:
        _sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
    except EmptyResultSet:
        return
    except (ValueError, OverflowError, TypeError) as bad:
        raise IncorrectLookupParameters(bad) from bad
    low, high = connections[queryset.db].ops.integer_field_range("BigIntegerField")
    for value in _flat(params):
        if isinstance(value, str) and "\x00" in value:
            raise IncorrectLookupParameters("A filter value contains a NUL character.")
        if isinstance(value, int) and not isinstance(value, bool) and not low <= value <= high:
            raise IncorrectLookupParameters(f"{value} is beyond any whole-number column.")


class CheckedChangeList(ChangeList):
    """A change list that refuses, as Django refuses any other bad filter (a redirect to
    ``?e=1``), a filter the database cannot be asked about: a date drill-down it cannot make, and
    any lookup from the query string (``?created_at__year=0``, ``?section__exact=<20 digits>``,
    ``?headline=%00``) whose query cannot be sent."""

    def get_queryset(self, request, exclude_parameters=None):
        queryset = super().get_queryset(request, exclude_parameters)
        check_query(queryset)
        return queryset

    def get_filters(self, request):
        try:
            filters = super().get_filters(request)
        except (ValueError, OverflowError) as bad:
            # Django turns int() and datetime() ValueErrors of the drill-down into this, but not a
            # year too large for datetime() (OverflowError) or one with no next year (9999).
            raise IncorrectLookupParameters(bad) from bad
        if self.date_hierarchy:
            lookup_params = filters[2]
            for bound in ("gte", "lt"):
                for moment in lookup_params.get(f"{self.date_hierarchy}__{bound}", []):
                    if isinstance(moment, dt.datetime) and timezone.is_aware(moment):
                        try:
                            moment.astimezone(dt.UTC)
                        except OverflowError as bad:
                            raise IncorrectLookupParameters(bad) from bad
        return filters


class CheckedAdminMixin(CheckedRelationsMixin):
    """For ModelAdmins: checked relations, a checked date drill-down, and per-object pages that
    answer an id that is not one with the admin's "does not exist" redirect."""

    def get_changelist(self, request, **kwargs):
        return CheckedChangeList

    def get_search_results(self, request, queryset, search_term):
        # The change list's search form refuses a NUL; the autocomplete view (?term=) sends it
        # here as it came. Nothing stored holds one, and PostgreSQL cannot be asked about it.
        if "\x00" in search_term:
            return queryset.none(), False
        return super().get_search_results(request, queryset, search_term)

    def history_view(self, request, object_id, extra_context=None):
        # Django's own history looks the object up first; django-reversion's queries its versions
        # with the raw id before that. Look it up here, for every admin, before either.
        if self.get_object(request, unquote(object_id)) is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        return super().history_view(request, object_id, extra_context)


@admin.register(SlugHistory)
class SlugHistoryAdmin(CheckedAdminMixin, admin.ModelAdmin):
    """Old addresses are written by the site itself whenever a slug changes; editors can look up
    where an old link goes, and delete one that should no longer redirect."""

    list_display = ["slug", "content_type", "current_page", "created_at"]
    list_filter = ["content_type"]
    search_fields = ["slug"]
    date_hierarchy = "created_at"
    list_select_related = ["content_type"]
    readonly_fields = ["slug", "content_type", "object_id", "current_page", "created_at"]

    def get_queryset(self, request):
        # The objects the old addresses lead to: one query per kind, however many rows.
        return super().get_queryset(request).prefetch_related("target")

    def has_add_permission(self, request):
        return False

    # Read and deleted, never edited: the site writes them.
    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="Redirects to")
    def current_page(self, obj):
        target = obj.target
        if target is None:
            return "—"
        return format_html('<a href="{}">{}</a>', target.get_absolute_url(), target)


def check_every_admin(site=admin.site) -> None:
    """Give the guards above to the admins other apps registered before this one (users, groups,
    tags, login attempts): reporters and editors list tags, and every list takes any lookup on
    its model's fields from the query string. The newsroom's own admins have them already."""
    for model, model_admin in list(site._registry.items()):
        if isinstance(model_admin, CheckedAdminMixin):
            continue
        original = type(model_admin)
        site.unregister(model)
        site.register(model, type(original.__name__, (CheckedAdminMixin, original), {}))


check_every_admin()
