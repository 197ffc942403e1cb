"""Killing a story for legal reasons, in the admin: the confirmation page and what it does, and an
administrator's restore.

Wired into ``ArticleAdmin.get_urls`` with ``kill_urls(self)``, at
``/admin/articles/article/<id>/kill/`` and ``.../kill/restore/``; the links are the story page's
object tools (``templates/admin/articles/article/kill_tools.html``). The kill page explains what a
kill does, asks for a reason and a confirmation, and calls ``kill.kill_story``; on a killed story
it shows the record (who, when, why). Only those who may kill stories (the Legal role,
``articles.kill_article``) open it, and only an administrator the restore page, whatever the
browser sends: anyone else gets a 403 for either, GET or POST.
"""

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import re_path, reverse

from . import kill
from .models import Article

TEMPLATE = "admin/articles/article/kill.html"
REASON_ROWS = 5


class KillForm(forms.Form):
    reason = forms.CharField(
        label="Why is the story taken down?",
        widget=forms.Textarea(attrs={"rows": REASON_ROWS, "cols": 70}),
        help_text="Kept for the legal record with your name and the time, and seen only by the "
        "Legal role and administrators.",
        error_messages={"required": kill.REASON_REQUIRED},
    )
    confirm = forms.BooleanField(
        label="I understand this takes the story down everywhere, now",
        error_messages={
            "required": "Tick the box to confirm: the story is taken down everywhere at once."
        },
    )


class RestoreForm(forms.Form):
    reason = forms.CharField(
        label="Why is the story restored?",
        widget=forms.Textarea(attrs={"rows": REASON_ROWS, "cols": 70}),
        help_text="Kept in the legal record beside the kill, with your name and the time.",
        error_messages={"required": kill.RESTORE_REASON_REQUIRED},
    )


def _story(request, model_admin, object_id) -> Article:
    """The story at ``object_id`` as the admin lets this user see it, or a 404."""
    article = model_admin.get_object(request, unquote(object_id))
    if article is None:
        raise Http404("No such story.")
    return article


def _change_page(article: Article):
    return redirect(reverse("admin:articles_article_change", args=[article.pk]))


def _page(request, model_admin, article, *, mode, form=None, refusal="", status=200):
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "original": article,
        "title": {
            "kill": f"Kill “{article}” (legal)",
            "record": f"“{article}” is killed (legal)",
            "restore": f"Restore “{article}”",
        }[mode],
        "mode": mode,
        "form": form,
        "refusal": refusal,
        "killed": kill.describe_kill(article) if article.status == Article.Status.KILLED else "",
        "can_restore": kill.can_restore(request.user),
    }
    return TemplateResponse(request, TEMPLATE, context, status=status)


def kill_view(request, model_admin, object_id):
    """Explain, ask for a reason and a confirmation, then kill; on a killed story, its record."""
    if not kill.can_kill(request.user):
        raise PermissionDenied("Only the Legal role can kill a story.")
    article = _story(request, model_admin, object_id)
    if article.status == Article.Status.KILLED and request.method != "POST":
        return _page(request, model_admin, article, mode="record")
    try:
        kill.check_killable(article)
    except ValidationError as refused:
        status = 409 if request.method == "POST" else 200
        mode = "record" if article.status == Article.Status.KILLED else "kill"
        return _page(
            request, model_admin, article, mode=mode, refusal=refused.messages[0], status=status
        )
    form = KillForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            kill.kill_story(article, user=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as refused:
            form.add_error(None, refused)
        else:
            model_admin.message_user(
                request,
                f"“{article}” is killed: its address shows only a notice that it was removed, and "
                "it has left every "
                "page, feed, sitemap, search and the API. Its text is kept here, read-only, for "
                "the legal record.",
                messages.SUCCESS,
            )
            return _change_page(article)
    status = 400 if request.method == "POST" else 200
    return _page(request, model_admin, article, mode="kill", form=form, status=status)


def restore_view(request, model_admin, object_id):
    """An administrator's restore of a killed story, as withdrawn, with a reason."""
    if not kill.can_restore(request.user):
        raise PermissionDenied("Only an administrator can restore a killed story.")
    article = _story(request, model_admin, object_id)
    if article.status != Article.Status.KILLED:
        refusal = f"“{article}” is not killed: there is nothing to restore."
        status = 409 if request.method == "POST" else 200
        return _page(request, model_admin, article, mode="restore", refusal=refusal, status=status)
    form = RestoreForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            kill.restore_story(article, user=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as refused:
            form.add_error(None, refused)
        else:
            model_admin.message_user(
                request,
                f"“{article}” is restored as withdrawn: its address answers 404 until an editor "
                "publishes it again. The kill and your reason stay in the log.",
                messages.SUCCESS,
            )
            return _change_page(article)
    status = 400 if request.method == "POST" else 200
    return _page(request, model_admin, article, mode="restore", form=form, status=status)


def kill_urls(model_admin):
    """The kill (and an administrator's restore) pages' URLs."""
    info = model_admin.opts.app_label, model_admin.opts.model_name

    def kill_page(request, object_id):
        return kill_view(request, model_admin, object_id)

    def restore_page(request, object_id):
        return restore_view(request, model_admin, object_id)

    wrap = model_admin.admin_site.admin_view
    return [
        re_path(r"^([^/]+)/kill/$", wrap(kill_page), name="{}_{}_kill".format(*info)),
        re_path(
            r"^([^/]+)/kill/restore/$",
            wrap(restore_page),
            name="{}_{}_kill_restore".format(*info),
        ),
    ]
