from django.urls import path

from . import views

app_name = "fronts"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("sections/<slug:slug>/", views.SectionView.as_view(), name="section"),
]
