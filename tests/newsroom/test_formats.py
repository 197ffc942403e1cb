"""The admin writes dates as the reader site does: "24 November 2026, 12:00 UTC"."""

import pytest


@pytest.mark.django_db
def test_the_admin_dates_read_as_the_site_writes_them(editor, seed):
    story_list = editor.get("/admin/articles/article/").content.decode()
    assert "24 November 2026<br>12:00 UTC" in story_list  # a date, then its time
    desk = editor.get("/admin/").content.decode()
    assert "published 24 November 2026, 12:00 UTC" in desk
    for page in (story_list, desk):
        assert "Nov. 24, 2026" not in page and "noon" not in page


@pytest.mark.django_db
def test_the_story_page_and_the_admin_agree(client, editor, seed):
    story = client.get(seed.get_absolute_url()).content.decode()
    assert "24 November 2026, 12:00 UTC" in story


@pytest.mark.django_db
def test_forms_still_take_dates_as_before(editor, seed):
    """Only the display changed: the date and time inputs read and write ISO dates."""
    form = editor.get(f"/admin/articles/article/{seed.pk}/change/").content.decode()
    assert 'value="2026-11-24"' in form and 'value="12:00:00"' in form
