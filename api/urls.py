from django.urls import path

import core.converters  # noqa: F401  (registers <tagslug:>)

from . import views

app_name = "api"

# Each view carries its own description (``views.Operation``); ``api/openapi.py`` describes
# every pattern here from it.
urlpatterns = [
    path("", views.index, name="index"),
    path("openapi.json", views.openapi_document, name="openapi"),
    path("stories/", views.story_list, name="stories"),
    path("stories/<slug:slug>/", views.story_detail, name="story"),
    path("articles/", views.article_list, name="articles-moved"),
    path("articles/<slug:slug>/", views.article_detail, name="article-moved"),
    path("reporters/", views.reporter_list, name="reporters"),
    path("reporters/<slug:slug>/", views.reporter_detail, name="reporter"),
    path("people/", views.person_list, name="people"),
    path("people/<slug:slug>/", views.person_detail, name="person"),
    path("organizations/", views.organization_list, name="organizations"),
    path("organizations/<slug:slug>/", views.organization_detail, name="organization"),
    path("sections/", views.section_list, name="sections"),
    path("sections/<slug:slug>/", views.section_detail, name="section"),
    path("tags/", views.tag_list, name="tags"),
    path("tags/<tagslug:slug>/", views.tag_detail, name="tag"),
]
