"""The photo library's background work: making the renditions of a saved picture."""

from core.tasks import background


class RenditionsMissing(Exception):
    """Some renditions could not be made (the image records which and why); raised so that the
    task is tried again later and the failure is seen in the admin's *Background work*."""


@background(retries=3)
def make_renditions(image_id: int) -> None:
    """Make the resized copies of a picture."""
    from .models import Image  # the model imports this module to queue the task

    image = Image.objects.filter(pk=image_id).first()
    if image is None:  # deleted before its turn came: nothing to make
        return
    image.make_renditions()
    if image.rendition_failures:
        raise RenditionsMissing(
            f"{len(image.rendition_failures)} resized copies of picture {image_id} could not be "
            "made; the picture's page in the admin says which and why"
        )
