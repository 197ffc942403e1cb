"""The admin's front page is the desk, and its lists put the newsroom's work before the framework's.

``NewsroomAdminConfig`` stands in INSTALLED_APPS for "django.contrib.admin", so ``admin.site``
(and every ``@admin.register``) is a ``NewsroomAdminSite``. It changes what the admin lists, never
what anyone may do: permissions stay with each model's admin.

- ``/admin/`` is the desk (``articles.desk``, rendered by ``templates/admin/desk.html``): the
  logged-in person's drafts, the review queue, the week's schedule, what went out lately, wire
  copy without a headline, and who has which story open.
- The app lists (the desk's and the sidebar's) give the newsroom's apps first, in the order an
  editor works (stories, people, photos, tags), then, for superusers only, the framework's apps
  (accounts, login lockouts, old addresses, revisions) under one "Administration" heading.
"""

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig
from django.utils import timezone

NEWSROOM = "newsroom"
ADMINISTRATION = "administration"

# The framework's apps: listed under "Administration", to superusers only.
FRAMEWORK_APPS = {
    "auth",
    "axes",
    "core",
    "django_tasks_database",
    "reversion",
    "sites",
    "contenttypes",
    "sessions",
}
# The newsroom's apps in the order they are listed (any other comes after them, by name), and the
# order of the models in each (the rest after them, by name). django-taggit is listed as "Tags"
# (newsroom.apps.TagsConfig).
APP_ORDER = ["articles", "wire", "fronts", "people", "photos", "taggit"]
MODEL_ORDER = {
    "articles": ["Article", "Section", "Correction", "StatusChange"],
    "people": ["Reporter", "Person", "Organization", "Affiliation"],
}


def _position(order: list[str], name: str) -> int:
    return order.index(name) if name in order else len(order)


class NewsroomAdminSite(AdminSite):
    index_template = "admin/desk.html"
    index_title = "Your desk"

    def get_app_list(self, request, app_label=None):
        """The apps, each marked with the group it is listed in (``desk_group``): the newsroom's
        first, then the framework's (only for superusers, except on an app's own page)."""
        apps = []
        for app in self._build_app_dict(request, app_label).values():
            label = app["app_label"]
            framework = label in FRAMEWORK_APPS
            if framework and app_label is None and not request.user.is_superuser:
                continue
            app["desk_group"] = ADMINISTRATION if framework else NEWSROOM
            order = MODEL_ORDER.get(label, [])
            app["models"].sort(key=lambda m: (_position(order, m["object_name"]), m["name"]))
            apps.append(app)
        apps.sort(
            key=lambda app: (
                app["desk_group"] == ADMINISTRATION,
                _position(APP_ORDER, app["app_label"]),
                app["name"].lower(),
            )
        )
        return apps

    def index(self, request, extra_context=None):
        # Imported here: this module is loaded with INSTALLED_APPS, before any model can be.
        from articles.desk import desk

        context = {"desk": desk(user=request.user, now=timezone.now()), **(extra_context or {})}
        return super().index(request, extra_context=context)


class NewsroomAdminConfig(AdminConfig):
    default_site = "newsroom.admin_site.NewsroomAdminSite"
