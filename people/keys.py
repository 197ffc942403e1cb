"""The surrogate keys of people, organizations and reporters (``core.keys``): a change to one
purges the pages that show it."""

from core import keys
from core.keys import key

from .models import Affiliation, Organization, Person, Reporter

# Their pages' addresses are in the sitemaps.
SITEMAPS = "sitemaps"


def _role_keys(person_id, organization_id) -> set[str]:
    return {key(Person, person_id), key(Organization, organization_id)}


def role_changed(role, before) -> set[str]:
    """A role shows on the person's page and the organization's, before and after the change."""
    return _role_keys(role.person_id, role.organization_id) | (before or set())


def role_before(role) -> set[str]:
    row = Affiliation.objects.filter(pk=role.pk).values_list("person_id", "organization_id")
    return {k for ids in row for k in _role_keys(*ids)}


def organization_changed(organization, before) -> set[str]:
    """An organization shows on its own page and on its parent's (before and after a move); its
    address is in the sitemaps."""
    parent_before, slug_before = before or (None, None)
    parents = {organization.parent_id, parent_before}
    found = {key(organization)} | {key(Organization, pk) for pk in parents if pk}
    return found if slug_before == organization.slug else found | {SITEMAPS}


def renamed(row, before) -> set[str]:
    """Its pages and the pages naming it; the sitemaps only when its address changed."""
    return {key(row)} if before == row.slug else {key(row), SITEMAPS}


def _before(model, *fields):
    def read(row):
        found = model.objects.filter(pk=row.pk).values_list(*fields).first()
        return found[0] if found and len(fields) == 1 else found

    return read


def watch() -> None:
    """Connect the rules above (from ``PeopleConfig.ready``)."""
    for model in (Person, Reporter):
        keys.watch(model, renamed, before_save=_before(model, "slug"))
    keys.watch(
        Organization,
        organization_changed,
        before_save=_before(Organization, "parent_id", "slug"),
    )
    keys.watch(Affiliation, role_changed, before_save=role_before)
