from django.shortcuts import get_object_or_404
from django.views.generic import ListView

from articles.models import Article
from newsroom.pagination import ForgivingPaginationMixin

from .models import Affiliation, Organization, Person, Reporter


class ReporterView(ForgivingPaginationMixin, ListView):
    """A reporter's page: who they are and their published stories, newest first."""

    template_name = "people/reporter_detail.html"
    context_object_name = "articles"

    def get_queryset(self):
        self.reporter = get_object_or_404(Reporter, slug=self.kwargs["slug"])
        return Article.objects.published().filter(bylines__reporter=self.reporter).for_listing()

    def get_context_data(self, **kwargs):
        return super().get_context_data(reporter=self.reporter, **kwargs)


class PersonView(ForgivingPaginationMixin, ListView):
    """A person's page: their roles and the published stories that mention them."""

    template_name = "people/person_detail.html"
    context_object_name = "articles"

    def get_queryset(self):
        self.person = get_object_or_404(Person, slug=self.kwargs["slug"])
        return Article.objects.published().filter(mentioned_people=self.person).for_listing()

    def get_context_data(self, **kwargs):
        affiliations = self.person.affiliations.select_related("organization")
        return super().get_context_data(person=self.person, affiliations=affiliations, **kwargs)


class OrganizationView(ForgivingPaginationMixin, ListView):
    """An organization's page: its parent, its own bodies, its people and the stories about it."""

    template_name = "people/organization_detail.html"
    context_object_name = "articles"

    def get_queryset(self):
        self.organization = get_object_or_404(
            Organization.objects.select_related("parent"), slug=self.kwargs["slug"]
        )
        return (
            Article.objects.published()
            .filter(mentioned_organizations=self.organization)
            .for_listing()
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            organization=self.organization,
            children=self.organization.children.all(),
            affiliations=Affiliation.objects.filter(organization=self.organization)
            .select_related("person")
            .order_by("person__sort_name", "order"),
            **kwargs,
        )
