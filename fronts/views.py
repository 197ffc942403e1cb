"""The home page and the section pages: the front on the first page, then the stories by date.

The first page shows the front as arranged (``fronts.layout``); ``?page=2`` and later carry on
down every story (of the section), newest first, as any listing does.
"""

from django.views.generic import ListView

from articles import keys as story_keys
from articles.models import Article, Section
from articles.views import ListingMixin, canonical_url
from core import keys as surrogate_keys
from core.http import last_modified_of
from core.slugs import SlugSubjectMixin

from . import keys, layout


class FrontView(ListingMixin, ListView):
    template_name = "fronts/front.html"
    context_object_name = "articles"

    @property
    def section(self) -> Section | None:
        """The section whose front this is (``SlugSubjectMixin`` finds it); None for home."""
        return getattr(self, "subject", None)

    def showing_front(self) -> bool:
        return self.request.GET.get(self.page_kwarg, "1") in ("", "1")

    def get(self, request, *args, **kwargs):
        if not self.showing_front():
            return super().get(request, *args, **kwargs)
        self.object_list = Article.objects.none()
        front = layout.front_for(self.section)
        arrangement = layout.arrangement_of(front)
        blocks = layout.arrange(front, arrangement)
        surrogate_keys.show(*keys.front_keys(front, arrangement))
        stories = [item.story for block in blocks for item in block.items]
        story_keys.show_cards(stories)
        surrogate_keys.show_objects(*(item.image for b in blocks for item in b.items))
        context = self.get_front_context(front=front, blocks=blocks, stories=stories)
        return self.render_to_response(context)

    def get_front_context(self, **kwargs):
        return {
            "view": self,
            "section": self.section,
            "canonical_url": canonical_url(self.request),
            "more_url": f"{self.request.path}?page=2",
            **kwargs,
        }

    def get_last_modified(self, context):
        if "stories" in context:
            return last_modified_of(context["stories"])
        return super().get_last_modified(context)


class HomeView(FrontView):
    def get_queryset(self):
        return Article.objects.published().for_listing()

    def list_keys(self):
        return (keys.HOME, "stories:all")


class SectionView(SlugSubjectMixin, FrontView):
    subject_queryset = Section.objects.all()

    def get_queryset(self):
        return Article.objects.published().filter(section=self.subject).for_listing()

    def list_keys(self):
        return (surrogate_keys.key(self.subject), surrogate_keys.list_key(self.subject))

    def get_context_data(self, **kwargs):
        return super().get_context_data(section=self.subject, **kwargs)
