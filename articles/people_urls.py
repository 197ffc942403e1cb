"""The people pages' addresses, under their own namespace (``people:person``).

The pages list stories, so they live here; ``people`` itself has no views."""

from django.urls import path

from . import people_pages as views

app_name = "people"

urlpatterns = [
    path("reporters/<slug:slug>/", views.ReporterView.as_view(), name="reporter"),
    path("people/<slug:slug>/", views.PersonView.as_view(), name="person"),
    path("organizations/<slug:slug>/", views.OrganizationView.as_view(), name="organization"),
]
