"""What a front shows: its blocks, each place filled by an editor's pick or by the block's rule.

One pass over the blocks in order. Editors' picks that readers may see (published, their time
come) are placed first, on every block, so a rule higher up never takes a story an editor put
lower down; then each block's empty places take the newest stories of its rule not yet on the
front. The cost is fixed whatever the number of stories: the blocks and their picks (2 queries),
one short query per rule (a walk down a listing index), and the cards with their bylines (2).
"""

from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.urls import reverse

from articles.models import Article, Section, sections_in_order

from .models import Block, Front, Slot


@dataclass
class Item:
    """A story as a front shows it."""

    story: Article
    headline: str
    image: object  # a photos.Image, or None
    picked: bool  # put there by an editor (else by the rule)
    position: int  # the place in its block, from 1
    hide_section: bool = False  # the block is its section's: no need to say so on each card


@dataclass
class ShownBlock:
    block: Block
    items: list[Item] = field(default_factory=list)

    @property
    def heading(self) -> str:
        return self.block.heading

    @property
    def link(self) -> str:
        """Where the block's heading leads: its section's page, or its tag's."""
        if self.block.section_id and self.block.kind == Block.Kind.ROW:
            return self.block.section.get_absolute_url()
        if self.block.tag_id:
            return reverse("articles:tag", args=[self.block.tag.slug])
        return ""


def front_for(section: Section | None) -> Front:
    """The front of ``section`` (or the home page), unsaved if no editor has arranged it yet."""
    found = Front.objects.filter(section=section).first()
    return found or Front(section=section)


def default_blocks(front: Front, sections=None) -> list[Block]:
    """The arrangement of a front no editor has arranged: for the home page a lead, top stories,
    a row for each section and the latest; for a section its lead, top stories and latest."""
    blocks = [
        Block(front=front, kind=Block.Kind.LEAD, size=3),
        Block(front=front, kind=Block.Kind.TOP, size=4),
    ]
    if front.is_home:
        sections = sections_in_order() if sections is None else sections
        blocks += [Block(front=front, kind=Block.Kind.ROW, size=4, section=s) for s in sections]
    blocks.append(Block(front=front, kind=Block.Kind.LATEST, size=10, title="Latest"))
    for order, block in enumerate(blocks, start=1):
        block.order = order
    return blocks


def saved_arrangement(front: Front) -> list[tuple[Block, list[Slot]]]:
    """The front's blocks with their slots, as saved (none for a front never arranged)."""
    if front.pk is None:
        return []
    blocks = front.blocks.select_related("section", "tag").prefetch_related(
        Prefetch("slots", queryset=Slot.objects.select_related("image"))
    )
    return [(block, list(block.slots.all())) for block in blocks]


def arrange(front: Front, arrangement=None, *, now=None) -> list[ShownBlock]:
    """What ``front`` shows readers now: ``arrangement`` (``[(block, slots)]``, e.g. an editor's
    unsaved one for a preview) or the saved one, or the default when there is none."""
    if arrangement is None:
        arrangement = arrangement_of(front)
    picks = {slot.article_id for _, slots in arrangement for slot in slots}
    visible = (
        set(Article.objects.published(now=now).filter(pk__in=picks).values_list("pk", flat=True))
        if picks
        else set()
    )

    # Editors' picks first, in their places, on every block.
    placed: list[dict[int, Slot]] = []
    taken: set[int] = set()
    for block, slots in arrangement:
        places = {}
        for slot in sorted(slots, key=lambda s: s.position):
            seen = slot.article_id in visible and slot.article_id not in taken
            if seen and slot.position <= block.size and slot.position not in places:
                places[slot.position] = slot
                taken.add(slot.article_id)
        placed.append(places)

    # Then the empty places, block by block, from each rule's newest stories.
    candidates = rule_candidates(front, arrangement, placed, exclude=taken, now=now)
    filled: list[list[int]] = []
    for index, (block, _) in enumerate(arrangement):
        empty = block.size - len(placed[index])
        found = []
        for pk in candidates[rule_of(front, block)]:
            if len(found) == empty:
                break
            if pk not in taken:
                found.append(pk)
                taken.add(pk)
        filled.append(found)

    stories = {s.pk: s for s in Article.objects.filter(pk__in=taken).for_listing()} if taken else {}
    shown = []
    for index, (block, _) in enumerate(arrangement):
        rule_picks = iter(filled[index])
        items = []
        for position in range(1, block.size + 1):
            slot = placed[index].get(position)
            story = stories.get(slot.article_id if slot else next(rule_picks, None))
            if story is None:
                continue
            items.append(
                Item(
                    story=story,
                    headline=(slot.headline if slot else "") or story.headline,
                    image=(slot.image if slot and slot.image_id else None) or story.lead_image,
                    picked=slot is not None,
                    position=position,
                    hide_section=story.section_id == rule_of(front, block)[0],
                )
            )
        if items:
            shown.append(ShownBlock(block=block, items=items))
    return shown


def rule_of(front: Front, block: Block) -> tuple[int | None, int | None]:
    """A block's rule: the section (its own, else the front's; None for every section) and tag
    its empty places are filled from."""
    return (block.section_id or front.section_id, block.tag_id)


def rule_candidates(front, arrangement, placed, *, exclude, now) -> dict[tuple, list[int]]:
    """For each rule on the front, its newest stories (ids), one query a rule however many blocks
    share it (the home page's lead, top stories and latest do).

    A rule's blocks take its stories in block order, skipping those another block took first; a
    rule can lose at most as many stories as the other rules' blocks have places, so fetching
    that many more than its own empty places never leaves a place empty that could be filled.
    """
    empty_of, size_of = {}, {}
    for index, (block, _) in enumerate(arrangement):
        rule = rule_of(front, block)
        empty_of[rule] = empty_of.get(rule, 0) + block.size - len(placed[index])
        size_of[rule] = size_of.get(rule, 0) + block.size
    every_place = sum(size_of.values())
    candidates = {}
    for rule, empty in empty_of.items():
        if empty <= 0:
            candidates[rule] = []
            continue
        wanted = empty + every_place - size_of[rule]
        stories = rule_queryset(rule, now=now).exclude(pk__in=exclude)
        candidates[rule] = list(
            stories.order_by("-published_at", "-id").values_list("pk", flat=True)[:wanted]
        )
    return candidates


def rule_queryset(rule: tuple[int | None, int | None], *, now=None):
    """The stories that may fill the empty places of blocks with ``rule`` (``rule_of``)."""
    section_id, tag_id = rule
    stories = Article.objects.published(now=now)
    if section_id:
        stories = stories.filter(section_id=section_id)
    if tag_id:
        stories = stories.filter(tags__id=tag_id)
    return stories


def arrangement_of(front: Front) -> list[tuple[Block, list[Slot]]]:
    """The saved arrangement, or the default one for a front never arranged."""
    return saved_arrangement(front) or [(block, []) for block in default_blocks(front)]
