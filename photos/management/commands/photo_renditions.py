"""Make the renditions every library picture lacks (after changing PHOTO_RENDITION_WIDTHS or
PHOTO_CROP_RATIOS, restoring media from a backup, loading images from a fixture, or a failure at
upload that the admin reported).

Renditions that are present are never regenerated, so running it twice costs only the checks. What
still cannot be made is recorded on the image (its admin page says what and why) and printed here.
"""

from django.core.management.base import BaseCommand

from photos.models import Image
from photos.renditions import describe_failures


class Command(BaseCommand):
    help = "Make the missing renditions of every picture in the image library."

    def add_arguments(self, parser):
        parser.add_argument("ids", nargs="*", type=int, help="Only these images (by id).")

    def handle(self, *args, ids, **options):
        images = Image.objects.order_by("pk")
        if ids:
            images = images.filter(pk__in=ids)
        made = failed = 0
        for image in images.iterator():
            made += len(image.make_renditions())
            if image.rendition_failures:  # one broken file must not stop the rest
                failed += 1
                for line in describe_failures(image, image.rendition_failures):
                    self.stderr.write(f"Image {image.pk} ({image.file.name}): {line}")
        self.stdout.write(
            f"Made {made} renditions." + (f" {failed} images failed." if failed else "")
        )
        if failed:
            raise SystemExit(1)
