"""The upload field: every form that edits an ``Image`` checks and cleans the file through it."""

from django import forms
from django.db import models

from .validation import CONTENT_TYPES, clean_upload


class PhotoUploadField(forms.FileField):
    """A file field that accepts only what ``photos.validation.clean_upload`` accepts.

    Its cleaned value is not the upload but the re-encoded picture, so a ``ModelForm`` saves only
    that to storage, and only once the whole form is valid: a refused upload never reaches storage.
    """

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        # Only a hint for the browser's file picker; the server decides from the content.
        attrs.setdefault("accept", ",".join(CONTENT_TYPES.values()))
        return attrs

    def to_python(self, data):
        upload = super().to_python(data)
        if upload is None:
            return None
        return clean_upload(upload).as_file()


class PhotoFileField(models.ImageField):
    """The library's file field: an ``ImageField`` whose form field is ``PhotoUploadField``.

    Declared on the model, so the admin, its "+" popup on the story form and any other ``ModelForm``
    get the checks without having to remember them.
    """

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": PhotoUploadField, **kwargs})
