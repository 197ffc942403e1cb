"""Saving and restoring a front's arrangement: one transaction, one revision, one purge."""

from dataclasses import dataclass

import reversion
from django.db import transaction
from reversion.models import Version

from .models import Block, Front, Slot


@dataclass(frozen=True)
class PlannedSlot:
    position: int
    article: object
    headline: str = ""
    image: object = None


@dataclass(frozen=True)
class PlannedBlock:
    order: int
    kind: str
    size: int
    title: str = ""
    section: object = None
    tag: object = None
    slots: tuple[PlannedSlot, ...] = ()


def unsaved_arrangement(front: Front, blocks: list[PlannedBlock]) -> list[tuple[Block, list]]:
    """``blocks`` as unsaved rows, in their order (``fronts.layout.arrange`` takes them as they
    are: a preview is never saved)."""
    arrangement = []
    for order, planned in enumerate(sorted(blocks, key=lambda b: b.order), start=1):
        block = Block(
            front=front,
            order=order,
            kind=planned.kind,
            size=planned.size,
            title=planned.title,
            section=planned.section,
            tag=planned.tag,
        )
        slots = [
            Slot(
                block=block,
                position=slot.position,
                article=slot.article,
                headline=slot.headline,
                image=slot.image,
            )
            for slot in planned.slots
        ]
        arrangement.append((block, slots))
    return arrangement


def front_arrange(*, front: Front, blocks: list[PlannedBlock], user, comment: str) -> Front:
    """Replace ``front``'s arrangement with ``blocks`` (in their ``order``), as one revision.

    The whole arrangement is written again: an arrangement is a few dozen rows, and a front is
    never half old, half new. The purge (``fronts.keys``) happens once, when the transaction
    commits, and only for this front.
    """
    with transaction.atomic(), reversion.create_revision(atomic=False):
        if front.pk:
            front = Front.objects.select_for_update().get(pk=front.pk)
        front.updated_by = user
        front.save()
        front.blocks.all().delete()
        for block, slots in unsaved_arrangement(front, blocks):
            block.full_clean(exclude=["front"])
            block.save()
            for slot in slots:
                slot.block = block  # now with its id
            Slot.objects.bulk_create(slots)
            # bulk_create sends no signal: the block's save above purged this front already. The
            # block is added to the revision again now, so that it follows its new slots.
            reversion.add_to_revision(block)
        reversion.add_to_revision(front)
        reversion.set_user(user)
        reversion.set_comment(comment)
    return front


def front_restore(*, front: Front, version: Version, user) -> Front:
    """Put back the arrangement ``front`` had at ``version`` (a revision of it), as a new
    revision saying so."""
    with transaction.atomic(), reversion.create_revision(atomic=False):
        version.revision.revert(delete=True)
        front.refresh_from_db()
        front.updated_by = user
        front.save()
        when = version.revision.date_created
        reversion.set_user(user)
        reversion.set_comment(f"Restored the arrangement of {when:%-d %B %Y, %H:%M} UTC.")
    return front
