from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView
from taggit.models import Tag

from newsroom.pagination import ForgivingPaginationMixin

from .models import Article, Byline, Section


class HomeView(ForgivingPaginationMixin, ListView):
    template_name = "articles/home.html"
    context_object_name = "articles"

    def get_queryset(self):
        return Article.objects.published().for_listing()


def story_page_queryset(queryset):
    """``queryset`` with everything the story page shows, in a fixed number of queries.

    Shared by the public story page and the previews so that both render exactly the same thing.
    """
    return queryset.select_related("section", "lead_image").prefetch_related(
        Prefetch("bylines", queryset=Byline.objects.select_related("reporter")),
        "tags",
        "mentioned_people",
        "mentioned_organizations",
        "corrections",
    )


class ArticleDetailView(DetailView):
    template_name = "articles/article_detail.html"
    context_object_name = "article"

    def get_queryset(self):
        # Drafts, stories in review, withdrawn and scheduled stories are simply not found.
        return story_page_queryset(Article.objects.published())


class SectionView(ForgivingPaginationMixin, ListView):
    template_name = "articles/section_detail.html"
    context_object_name = "articles"

    def get_queryset(self):
        self.section = get_object_or_404(Section, slug=self.kwargs["slug"])
        return Article.objects.published().filter(section=self.section).for_listing()

    def get_context_data(self, **kwargs):
        return super().get_context_data(section=self.section, **kwargs)


class TagView(ForgivingPaginationMixin, ListView):
    template_name = "articles/tag_detail.html"
    context_object_name = "articles"

    def get_queryset(self):
        self.tag = get_object_or_404(Tag, slug=self.kwargs["slug"])
        return Article.objects.published().filter(tags=self.tag).for_listing()

    def get_context_data(self, **kwargs):
        return super().get_context_data(tag=self.tag, **kwargs)
