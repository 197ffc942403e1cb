import datetime as dt

import pytest
from django.utils import timezone

from fronts.models import Block, Front, Slot
from tests.factories import ArticleFactory, SectionFactory
from tests.photos import pictures


@pytest.fixture
def library_picture(settings, tmp_path):
    """A picture in the image library, stored under a temporary MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return pictures.upload(pictures.jpeg((800, 450)), alt_text="The harbour at dawn")


@pytest.fixture
def newsroom(db):
    """Two sections with five stories each, the newest first in each, an hour apart."""
    now = timezone.now()
    business = SectionFactory(name="Business", slug="business", order=1)
    culture = SectionFactory(name="Culture", slug="culture", order=2)
    stories = {}
    for n in range(10):
        section = business if n % 2 == 0 else culture
        stories[n] = ArticleFactory(
            headline=f"Story {n:02}",
            section=section,
            published_at=now - dt.timedelta(hours=n + 1),
        )
    return {"business": business, "culture": culture, "stories": stories, "now": now}


def arranged(section=None, *blocks):
    """A front arranged with ``blocks``: ``(kind, size, {place: story}, extra fields)``."""
    front, _ = Front.objects.get_or_create(section=section)
    front.blocks.all().delete()
    for order, (kind, size, places, *extra) in enumerate(blocks, start=1):
        block = Block.objects.create(
            front=front, order=order, kind=kind, size=size, **(extra[0] if extra else {})
        )
        for position, story in places.items():
            Slot.objects.create(block=block, position=position, article=story)
    return front
