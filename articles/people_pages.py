"""The public pages for reporters, people and organizations, each with the stories they are in.

They live with the stories, like the tag pages, because what they list is stories: ``people``
knows nothing of stories. Like the story pages (``articles.views``): published stories only, a
fixed number of queries, conditional GET, JSON-LD of their own, and old slugs redirected.
"""

from django.views.generic import ListView

from people import structured_data
from people.models import Affiliation, Organization, Person, Reporter

from .views import LinkedStoriesMixin, in_published


class ReporterView(LinkedStoriesMixin, ListView):
    """A reporter's page: who they are and their published stories, newest first."""

    template_name = "people/reporter_detail.html"
    context_object_name = "articles"
    subject_queryset = Reporter.objects.select_related("photo")

    story_link = "bylines__reporter"

    def get_context_data(self, **kwargs):
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
        return super().get_context_data(
            organization=organization,
            children=children,
            affiliations=Affiliation.objects.filter(organization=organization)
            .select_related("person")
            .annotate(person_public=in_published("mentioned_people", "person"))
            .order_by("person__sort_name", "order"),
            structured_data=[structured_data.organization_page(organization, children)],
            **kwargs,
        )
