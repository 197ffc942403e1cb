from django.urls import path

from . import preview, views

app_name = "articles"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("stories/<slug:slug>/", views.ArticleDetailView.as_view(), name="article"),
    path("sections/<slug:slug>/", views.SectionView.as_view(), name="section"),
    path("tags/<str:slug>/", views.TagView.as_view(), name="tag"),
    path("preview/stories/<int:pk>/", preview.StaffPreviewView.as_view(), name="preview"),
    path("preview/<str:token>/", preview.SignedPreviewView.as_view(), name="preview_signed"),
]
