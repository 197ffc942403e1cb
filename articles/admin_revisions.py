"""The admin page where an editor restores the text of an earlier revision of a story.

Wired into ``ArticleAdmin.get_urls`` with ``restore_urls(self)``, at
``/admin/articles/article/<id>/history/<version id>/``: the address History links each saved
version to. It replaces django-reversion's own page there, whose full revert would also put back
the old status, publication times and corrections; here only the text comes back
(``services.article_restore_text``), saved as a new revision. Only editors (who may edit any
story) see or post it, whatever the browser sends.
"""

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import re_path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from reversion.models import Version

from . import services
from .revisions import text_changes


def restore_view(request, model_admin, object_id, version_id):
    """Show what restoring the version would change; restore it on POST."""
    if not request.user.has_perm("articles.edit_any_article"):
        raise PermissionDenied
    article = model_admin.get_object(request, unquote(object_id))
    if article is None:
        raise Http404("No such story.")
    if not model_admin.has_change_permission(request, article):
        raise PermissionDenied  # a story nobody may change here (killed for legal reasons)
    version = get_object_or_404(Version.objects.get_for_object(article), pk=version_id)
    saved_at = date_format(timezone.localtime(version.revision.date_created), "DATETIME_FORMAT")
    if request.method == "POST":
        services.article_restore_text(
            article=article,
            text=version.field_dict,
            user=request.user,
            comment=f"Restored the text saved on {saved_at}.",
        )
        model_admin.message_user(
            request,
            f"Restored the headline, standfirst and body saved on {saved_at}. The text it "
            "replaced is kept in History.",
            messages.SUCCESS,
        )
        return redirect(reverse("admin:articles_article_change", args=[article.pk]))
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "original": article,
        "title": f"Restore the text of “{article}” saved on {saved_at}",
        "saved_at": saved_at,
        "saved_by": version.revision.user,
        "changes": text_changes(
            {name: getattr(article, name) for name in services.RESTORED_FIELDS},
            version.field_dict,
            tense="present",
        ),
    }
    return TemplateResponse(request, "admin/articles/article/restore.html", context)


def restore_name(model_admin) -> str:
    """The URL name of the page, the one django-reversion's History links each version with."""
    return f"{model_admin.opts.app_label}_{model_admin.opts.model_name}_revision"


def restore_urls(model_admin):
    """The restore page's URL, to put in place of django-reversion's page of the same name."""

    def view(request, object_id, version_id):
        return restore_view(request, model_admin, object_id, version_id)

    return [
        re_path(
            r"^([^/]+)/history/(\d+)/$",
            model_admin.admin_site.admin_view(view),
            name=restore_name(model_admin),
        )
    ]
