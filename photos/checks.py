"""Start-up checks of the photo settings: a crop ratio that cannot be read would fail every save
of a picture, so it is refused before the site serves (``manage.py check`` names it)."""

from django.core.checks import Error, register

from .renditions import crop_ratios, parse_ratio


@register()
def crop_ratios_are_ratios(app_configs=None, **kwargs) -> list[Error]:
    errors = []
    for ratio in crop_ratios():
        try:
            parse_ratio(ratio)
        except (AttributeError, TypeError, ValueError):
            errors.append(
                Error(
                    f"PHOTO_CROP_RATIOS has {ratio!r}, which is not a ratio of two whole numbers "
                    "such as '4:3'.",
                    hint="Fix the list in the settings; pictures cannot be saved until then.",
                    id="photos.E001",
                )
            )
    return errors
