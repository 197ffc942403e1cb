"""The arrange screen's forms: one form per block, and under each one row per place.

A row with a story pins that story to the place; an empty row is filled by the block's rule.
Positions are plain numbers an editor can type (the keyboard way); the screen's script only
renumbers them when a block or a row is dragged or moved with its buttons.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ValidationError

from .models import Block, Slot


class BlockForm(forms.ModelForm):
    remove = forms.BooleanField(required=False, label="Remove this block")

    class Meta:
        model = Block
        fields = ["order", "kind", "title", "size", "section", "tag"]
        labels = {"order": "Position", "size": "Stories", "section": "Section", "tag": "Tag"}
        widgets = {
            "order": forms.NumberInput(attrs={"min": 1, "class": "arrange-order vIntegerField"}),
            "size": forms.NumberInput(attrs={"min": 1, "max": 24, "class": "vIntegerField"}),
        }

    def __init__(self, *args, blank=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.blank = blank
        self.fields["size"].min_value, self.fields["size"].max_value = 1, 24
        self.fields["section"].empty_label = "(the front's own)"
        self.fields["tag"].empty_label = "(any)"
        if blank:
            # The "add a block" form: nothing to do unless a kind is chosen.
            self.fields["kind"].required = False
            self.fields["kind"].choices = [
                ("", "Choose a kind to add a block"),
                *Block.Kind.choices,
            ]
            self.fields["order"].required = self.fields["size"].required = False
            self.initial.update(kind="", order=None)

    @property
    def adds_nothing(self) -> bool:
        return self.blank and not self.cleaned_data.get("kind")

    def clean(self):
        data = super().clean()
        if self.adds_nothing or data.get("remove"):
            return data
        if data.get("kind") == Block.Kind.ROW and not data.get("section") and not data.get("tag"):
            self.add_error("section", "A section row needs its section (or a tag).")
        return data

    def _post_clean(self):
        # The model's own checks run when the arrangement is saved, with the front set.
        pass


class SlotForm(forms.Form):
    position = forms.IntegerField(
        min_value=1, max_value=24, widget=forms.NumberInput(attrs={"class": "arrange-position"})
    )
    article = forms.ModelChoiceField(
        queryset=Slot._meta.get_field("article").related_model.objects.filter(
            **Slot._meta.get_field("article").get_limit_choices_to()
        ),
        required=False,
        label="Story",
        widget=AutocompleteSelect(Slot._meta.get_field("article"), admin.site),
        error_messages={
            "invalid_choice": "That story cannot go on a front: only published or scheduled "
            "stories can."
        },
    )
    headline = forms.CharField(
        required=False,
        max_length=300,
        label="Headline on this front",
        widget=forms.TextInput(attrs={"class": "vTextField"}),
    )
    image = forms.ModelChoiceField(
        queryset=Slot._meta.get_field("image").related_model.objects.all(),
        required=False,
        label="Picture on this front",
        widget=AutocompleteSelect(Slot._meta.get_field("image"), admin.site),
    )


def slot_forms(data, index: int, slots, size: int, *, prefix_of) -> list[SlotForm]:
    """One row per place of block ``index``: the saved slots in their places, the rest empty."""
    if data is not None:
        count = data.get(f"{prefix_of(index)}-rows", "")
        count = min(int(count), 24) if count.isdigit() else 0
        return [SlotForm(data, prefix=f"{prefix_of(index)}-{n}") for n in range(count)]
    by_place = {slot.position: slot for slot in slots}
    rows = []
    for position in range(1, max(size, max(by_place, default=0)) + 1):
        slot = by_place.get(position)
        initial = {"position": position}
        if slot:
            initial |= {"article": slot.article, "headline": slot.headline, "image": slot.image}
        rows.append(SlotForm(initial=initial, prefix=f"{prefix_of(index)}-{position - 1}"))
    return rows


def check_once_on_front(block_forms, rows_of) -> list[str]:
    """Errors for a story put in two places of the front (a reader would see it twice)."""
    seen, errors = {}, []
    for index, form in enumerate(block_forms):
        if form.adds_nothing or form.cleaned_data.get("remove"):
            continue
        name = form.cleaned_data.get("title") or Block(kind=form.cleaned_data["kind"]).kind_name
        for row in rows_of(index):
            story = row.cleaned_data.get("article")
            if story is None:
                continue
            place = f"{name} (block {index + 1}), place {row.cleaned_data.get('position')}"
            if story.pk in seen:
                errors.append(
                    f"“{story.headline}” is in {seen[story.pk]} and in {place}: "
                    "a story can be on a front once."
                )
            else:
                seen[story.pk] = place
    return errors


def check_places(rows) -> None:
    """Two stories in one place of a block: the second row's error names the place."""
    used = {}
    for row in rows:
        if row.cleaned_data.get("article") is None:
            continue
        position = row.cleaned_data.get("position")
        if position in used:
            row.add_error("position", ValidationError(f"Place {position} already has a story."))
        used[position] = row
