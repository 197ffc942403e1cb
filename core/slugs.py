"""Addresses that last: when an object's slug changes, its old address redirects to the new one.

Each app calls ``track_slugs(Model, ...)`` from its ``AppConfig.ready`` for the models readers
reach by slug, which connects ``remember_slug`` and ``record_slug_change`` to them, so every save that changes a slug (the admin, a service, a restored revision,
a fixture) records the old slug; nobody has to remember to. Bulk ``QuerySet.update()`` bypasses
signals and is not seen: change slugs through ``save()``.

A public view that finds no object for a slug asks ``old_slug_redirect`` before answering 404.
"""

from django.contrib.contenttypes.models import ContentType
from django.db.models.signals import post_delete, post_save, pre_save
from django.http import Http404, HttpResponsePermanentRedirect
from django.utils import timezone
from django.utils.cache import patch_cache_control

from .models import SlugHistory

# A browser keeps a 301 with no expiry forever. If a slug is ever changed back (a -> b -> a), a
# remembered a -> b would then loop with the server's b -> a; an hour bounds that.
REDIRECT_MAX_AGE = 3600


def remember_slug(sender, instance, raw=False, using=None, update_fields=None, **kwargs):
    """Before a save, note the slug the row has in the database, to compare after the save."""
    instance._slug_before_save = None
    if instance.pk is None or (update_fields is not None and "slug" not in update_fields):
        return
    instance._slug_before_save = (
        sender._base_manager.using(using)
        .filter(pk=instance.pk)
        .values_list("slug", flat=True)
        .first()
    )


def record_slug_change(sender, instance, created=False, using=None, **kwargs):
    """After a save that changed the slug, point the old slug at this object.

    Recorded after the save, so a save that fails (a slug already taken) leaves no trace. The old
    slug is taken over if another object of the kind had it before; the new slug is no longer
    "old" for anyone, since a live object answers at it.
    """
    old = getattr(instance, "_slug_before_save", None)
    instance._slug_before_save = None
    if not old or old == instance.slug:
        return
    content_type = ContentType.objects.db_manager(using).get_for_model(sender)
    history = SlugHistory.objects.using(using)
    history.update_or_create(
        content_type=content_type,
        slug=old,
        defaults={"object_id": instance.pk, "created_at": timezone.now()},
    )
    history.filter(content_type=content_type, slug=instance.slug).delete()


def forget_slugs(sender, instance, using=None, **kwargs):
    """A deleted object's old addresses go with it: they answer 404 like its current one."""
    content_type = ContentType.objects.db_manager(using).get_for_model(sender)
    SlugHistory.objects.using(using).filter(
        content_type=content_type, object_id=instance.pk
    ).delete()


def track_slugs(*models) -> None:
    """Keep the old addresses of ``models`` (each has a ``slug`` field)."""
    for model in models:
        uid = f"core.slugs.{model._meta.label}"
        pre_save.connect(remember_slug, sender=model, dispatch_uid=uid)
        post_save.connect(record_slug_change, sender=model, dispatch_uid=uid)
        post_delete.connect(forget_slugs, sender=model, dispatch_uid=uid)


def old_slug_redirect(request, queryset, slug: str) -> HttpResponsePermanentRedirect | None:
    """A 301 to where the object that used to live at ``slug`` lives now, or None.

    ``queryset`` is what readers may see (``Article.objects.published()`` for stories), so an old
    address of a story that has since been withdrawn is a 404 like its current one. The query
    string is kept, so ``?page=2`` of a renamed section is still page 2.
    """
    object_id = SlugHistory.objects.object_id_for(queryset.model, slug)
    if object_id is None:
        return None
    obj = queryset.filter(pk=object_id).first()
    if obj is None:
        return None
    location = obj.get_absolute_url()
    if request.META.get("QUERY_STRING"):
        location = f"{location}?{request.META['QUERY_STRING']}"
    response = HttpResponsePermanentRedirect(location)
    patch_cache_control(response, max_age=REDIRECT_MAX_AGE)
    return response


class SlugSubjectMixin:
    """For a listing page about one object found by its slug (a section, a reporter, a person).

    Finds the object before the listing is built and keeps it as ``self.subject``; a slug the
    object used to have answers 301 to its current page, any other unknown slug 404.
    """

    subject_queryset = None

    def get_subject_queryset(self):
        return self.subject_queryset.all()

    def get(self, request, *args, **kwargs):
        queryset = self.get_subject_queryset()
        try:
            self.subject = queryset.get(slug=kwargs["slug"])
        except queryset.model.DoesNotExist:
            redirect = old_slug_redirect(request, queryset, kwargs["slug"])
            if redirect is None:
                raise Http404(f"No {queryset.model._meta.verbose_name} at this address.") from None
            return redirect
        return super().get(request, *args, **kwargs)
