"""The story form's own widgets: tags as chips, the headline with its length guide, and the
publication times' date and time boxes with names of their own.

All leave the value the server reads exactly as before: the tags widget still submits taggit's
comma-separated, quoted-where-needed string (``static/newsroom/admin/tags.js`` keeps it in the
field's own input, hidden once the chips are drawn), and without JavaScript the input is the
plain text box taggit's ``TagWidget`` always was.
"""

import json

from django import forms
from django.conf import settings
from django.contrib.admin.widgets import AdminSplitDateTime
from django.utils.html import format_html
from taggit.forms import TagWidget
from taggit.utils import parse_tags

# The headline's guide (the model's help text says "under about 90 characters"): the counter warns
# past it and never blocks; the field's maxlength is the model's.
HEADLINE_GUIDE = 90


class HeadlineWidget(forms.Textarea):
    """The headline as a box that wraps, so the whole of a long headline is in sight at any
    width; one line of text all the same (story-form.js keeps Enter from adding a line break,
    and the form folds any line break a paste brings into a space)."""

    def __init__(self, attrs=None):
        defaults = {"rows": 2, "class": "story-headline", "data-char-guide": HEADLINE_GUIDE}
        super().__init__({**defaults, **(attrs or {})})


class TagChipsWidget(TagWidget):
    """Tags as removable chips with suggestions of existing tags (``tags.js``), over taggit's
    text input, which keeps the submitted value.

    The chips the page opens with are listed as JSON in ``data-tag-names``, so the script never
    parses taggit's syntax itself; ``data-case-insensitive`` says whether taggit takes names
    differing only in case for one tag (``TAGGIT_CASE_INSENSITIVE``), as the script then does."""

    def __init__(self, attrs=None, suggest_url=None):
        super().__init__(attrs)
        self.suggest_url = suggest_url

    class Media:
        js = ["newsroom/admin/tags.js"]

    @staticmethod
    def tag_names(value):
        """The names of the tags ``value`` holds: the story's tags (the form's initial value),
        or the text sent back (a bound form shown again), read by taggit's own parse_tags."""
        if not value:
            return []
        if isinstance(value, str):
            return parse_tags(value)
        return sorted({getattr(tag, "name", tag) for tag in value})

    def render(self, name, value, attrs=None, renderer=None):
        text_input = super().render(name, value, attrs, renderer)
        return format_html(
            '<div class="tag-chips" data-tag-chips data-suggest-url="{}" data-tag-names="{}"'
            ' data-case-insensitive="{}">'
            '<ul class="tag-chips__list" aria-label="Tags on this story"></ul>'
            "{}"
            "</div>",
            self.suggest_url or "",
            json.dumps(self.tag_names(value), ensure_ascii=False),
            "true" if getattr(settings, "TAGGIT_CASE_INSENSITIVE", False) else "false",
            text_input,
        )


class NamedSplitDateTime(AdminSplitDateTime):
    """The admin's date and time boxes, each with its accessible name ("Publication date",
    "Publication time"): the admin writes "Date:" and "Time:" beside them as plain text, with no
    label, and the field's own label names neither box. The submitted values are the admin's."""

    def __init__(self, date_name, time_name, attrs=None):
        super().__init__(attrs)
        date_box, time_box = self.widgets
        date_box.attrs["aria-label"] = date_name
        time_box.attrs["aria-label"] = time_name
