"""schema.org data for reporters, people and organizations: references from a story, and their
own pages (see ``core.structured_data``)."""

from core.links import absolute_url
from core.structured_data import SCHEMA, compact, publisher


def person_ref(person) -> dict:
    return compact(
        {
            "@type": "Person",
            "@id": absolute_url(person.get_absolute_url()) + "#person",
            "name": person.name,
            "url": absolute_url(person.get_absolute_url()),
            "description": person.description,
        }
    )


def organization_ref(organization, *, linked: bool = True) -> dict:
    """``linked=False`` for an organization that has no page for readers yet (no published story
    mentions it): its name, and no address."""
    address = absolute_url(organization.get_absolute_url()) if linked else None
    return compact(
        {
            "@type": "Organization",
            "@id": f"{address}#organization" if address else None,
            "name": organization.name,
            "alternateName": organization.short_name,
            "url": address,
        }
    )


def reporter_ref(reporter) -> dict:
    return compact(
        {
            "@type": "Person",
            "@id": absolute_url(reporter.get_absolute_url()) + "#reporter",
            "name": reporter.name,
            "url": absolute_url(reporter.get_absolute_url()),
            "jobTitle": reporter.job_title,
        }
    )


def person_page(person, affiliations) -> dict:
    """schema.org ``Person`` for a person's page: current roles as ``affiliation`` and ``jobTitle``."""
    current = [affiliation for affiliation in affiliations if affiliation.is_current]
    titles = list(dict.fromkeys(a.title[:1].upper() + a.title[1:] for a in current))
    organizations = {a.organization.pk: a for a in current}.values()
    data = person_ref(person)
    return compact(
        {
            "@context": SCHEMA,
            **data,
            "alternateName": [
                name
                for name in [person.native_name, *person.alias_list]
                if name and name != person.name
            ],
            "affiliation": [
                organization_ref(a.organization, linked=getattr(a, "organization_public", True))
                for a in organizations
            ],
            "jobTitle": titles,
        }
    )


def organization_page(organization, children) -> dict:
    """schema.org ``Organization`` for an organization's page, with its parent and its own bodies."""
    data = organization_ref(organization)
    return compact(
        {
            "@context": SCHEMA,
            **data,
            "alternateName": [
                name
                for name in [organization.short_name, *organization.alias_list]
                if name and name != organization.name
            ],
            "description": organization.description,
            "sameAs": organization.website,
            "parentOrganization": (
                organization_ref(
                    organization.parent,
                    linked=getattr(organization, "parent_public", True),
                )
                if organization.parent
                else None
            ),
            "subOrganization": [
                organization_ref(child, linked=getattr(child, "public", True)) for child in children
            ],
        }
    )


def reporter_page(reporter) -> dict:
    """schema.org ``Person`` for a reporter's page, working for the publisher."""
    return compact(
        {
            "@context": SCHEMA,
            **reporter_ref(reporter),
            "description": reporter.bio,
            "email": reporter.email if reporter.show_email else None,
            "worksFor": publisher(),
        }
    )
