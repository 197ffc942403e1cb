"""The public pages for reporters, people and organizations, each with the stories they are in.

They live with the stories, like the tag pages, because what they list is stories: ``people``
knows nothing of stories. Like the story pages (``articles.views``): published stories only, a
fixed number of queries, conditional GET, JSON-LD of their own, and old slugs redirected.
"""

from django.views.generic import ListView

from core.keys import key, list_key, show
from people import structured_data
from people.models import Affiliation, Organization, Person, Reporter

from .views import LinkedStoriesMixin, in_published


def photo_keys(subject) -> list[str]:
    return [f"image:{subject.photo_id}"] if subject.photo_id else []


def linked_keys(subjects) -> list[str]:
    """Keys for people or organizations named beside a page's subject: their own, and their
    list's, since they are linked only while a published story lists them."""
    return [k for s in subjects if s is not None for k in (key(s), list_key(s))]


class ReporterView(LinkedStoriesMixin, ListView):
    """A reporter's page: who they are and their published stories, newest first."""

    template_name = "people/reporter_detail.html"
    context_object_name = "articles"
    subject_queryset = Reporter.objects.select_related("photo")

    story_link = "bylines__reporter"

    def get_context_data(self, **kwargs):
        show(*photo_keys(self.subject))
        return super().get_context_data(
            reporter=self.subject,
            structured_data=[structured_data.reporter_page(self.subject)],
            **kwargs,
        )


class PersonView(LinkedStoriesMixin, ListView):
    """A person's page: their roles and the published stories that mention them."""

    template_name = "people/person_detail.html"
    context_object_name = "articles"
    subject_queryset = Person.objects.select_related("photo")

    story_link = "mentioned_people"

    def get_context_data(self, **kwargs):
        affiliations = list(
            self.subject.affiliations.select_related("organization").annotate(
                organization_public=in_published("mentioned_organizations", "organization")
            )
        )
        show(*photo_keys(self.subject), *linked_keys(role.organization for role in affiliations))
        return super().get_context_data(
            person=self.subject,
            affiliations=affiliations,
            structured_data=[structured_data.person_page(self.subject, affiliations)],
            **kwargs,
        )


class OrganizationView(LinkedStoriesMixin, ListView):
    """An organization's page: its parent, its own bodies, its people and the stories about it."""

    template_name = "people/organization_detail.html"
    context_object_name = "articles"
    subject_queryset = Organization.objects.select_related("parent").annotate(
        parent_public=in_published("mentioned_organizations", "parent")
    )

    story_link = "mentioned_organizations"

    def get_context_data(self, **kwargs):
        organization = self.subject
        children = list(
            organization.children.annotate(public=in_published("mentioned_organizations"))
        )
        affiliations = list(
            Affiliation.objects.filter(organization=organization)
            .select_related("person")
            .annotate(person_public=in_published("mentioned_people", "person"))
            .order_by("person__sort_name", "order")
        )
        show(
            *linked_keys([organization.parent, *children]),
            *linked_keys(role.person for role in affiliations),
        )
        return super().get_context_data(
            organization=organization,
            children=children,
            affiliations=affiliations,
            structured_data=[structured_data.organization_page(organization, children)],
            **kwargs,
        )
