from django.urls import path

from . import views

app_name = "articles"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("stories/<slug:slug>/", views.ArticleDetailView.as_view(), name="article"),
    path("sections/<slug:slug>/", views.SectionView.as_view(), name="section"),
    path("tags/<str:slug>/", views.TagView.as_view(), name="tag"),
]
