"""Forms for the editorial admin."""

import html

from django import forms
from django.utils.html import strip_tags
from django_prose_editor.widgets import AdminProseEditorWidget

from .html import sanitize_html
from .models import Article

# The body editor's extensions: exactly the markup that ``articles.html.sanitize_html`` keeps, so
# nothing an editor can make is thrown away on save. Document, Text, Paragraph, the toolbar
# (Menu), undo (History) and the cursor helpers are added by django-prose-editor itself.
BODY_EDITOR_EXTENSIONS = {
    "Paragraph": True,
    "HardBreak": True,
    "Heading": {"levels": [2, 3, 4]},
    "Bold": True,
    "Italic": True,
    # No "open in new window" option: the sanitiser drops target attributes.
    "Link": {"enableTarget": False},
    "BulletList": True,
    # No list-properties dialog (start number, numbering style): the sanitiser drops those.
    "OrderedList": {"enableListAttributes": False},
    "ListItem": True,
    "Blockquote": True,
    "History": True,
}


def body_editor_widget():
    """The admin's rich text editor for story bodies; its assets come from the static files."""
    return AdminProseEditorWidget(
        config={"extensions": BODY_EDITOR_EXTENSIONS}, preset="configurable"
    )


class ArticleAdminForm(forms.ModelForm):
    class Meta:
        model = Article
        fields = "__all__"
        widgets = {"body": body_editor_widget()}

    def clean_body(self):
        """The body as it will be stored; one that is empty once cleaned is refused.

        The editor always submits at least an empty paragraph, so the field's own "required" check
        never sees an empty value.
        """
        body = sanitize_html(self.cleaned_data.get("body", ""))
        if not html.unescape(strip_tags(body)).strip():
            raise forms.ValidationError(
                "The story has no text. Write the body, or paste it in.", code="required"
            )
        return body
