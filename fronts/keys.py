"""The surrogate keys of fronts (``core.keys``).

A front's page shows ``front:<id>`` (its arrangement), the lists its rules fill from (the home
page's ``front:home``, a section's ``section:<id>:list``, a tag's ``tag:<id>:list``) and the
stories an editor placed on it, even those whose time has not come: a scheduled story's key is
purged at its time, so the front is made again when the story appears in its place. Saving a
front purges its own key only.
"""

from taggit.models import Tag

from articles.models import Article, Section
from core import keys
from core.keys import key, list_key

from .models import Block, Front, Slot

HOME = "front:home"


def front_keys(front: Front, arrangement) -> set[str]:
    """What a front's page shows besides its cards (which name themselves)."""
    found = {key(front)} if front.pk else set()
    for block, slots in arrangement:
        section_id = block.section_id or front.section_id
        if block.tag_id:
            found.add(list_key(Tag, block.tag_id))
        if section_id:
            found.add(list_key(Section, section_id))
        elif not block.tag_id:
            found.add(HOME)
        if block.kind == Block.Kind.ROW and block.section_id:
            found.add(key(Section, block.section_id))
        found |= {key(Article, slot.article_id) for slot in slots}
        found |= {f"image:{slot.image_id}" for slot in slots if slot.image_id}
    if front.section_id:
        found.add(key(Section, front.section_id))
    return found


def watch() -> None:
    """Connect the rules (from ``FrontsConfig.ready``): any change to a front's arrangement
    purges that front's page, nothing else."""
    keys.name_model(Front, "front")
    keys.watch(Front, lambda front, before: {key(front)})
    keys.watch(Block, lambda block, before: {key(Front, block.front_id)})
    keys.watch(Slot, lambda slot, before: {key(Front, slot.block.front_id)})
