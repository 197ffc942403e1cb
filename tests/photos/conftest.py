import pytest

from tests.photos import pictures


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Every test here stores files under its own temporary MEDIA_ROOT, removed by pytest."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    return root


@pytest.fixture(scope="session")
def png_bomb():
    return pictures.png_bomb(20_000, 20_000)
