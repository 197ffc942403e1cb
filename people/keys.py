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
    """An organization shows on its own page and on its parent's (before and after a move)."""
    parents = {organization.parent_id, before}
    return {key(organization), SITEMAPS} | {key(Organization, pk) for pk in parents if pk}


def watch() -> None:
    """Connect the rules above (from ``PeopleConfig.ready``)."""
    for model in (Person, Reporter):
        keys.watch(model, lambda row, before: {key(row), SITEMAPS})
    keys.watch(
        Organization,
        organization_changed,
        before_save=lambda org: (
            Organization.objects.filter(pk=org.pk).values_list("parent_id", flat=True).first()
        ),
    )
    keys.watch(Affiliation, role_changed, before_save=role_before)
