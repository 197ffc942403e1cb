"""The arrange screen, through the admin's real pages and POSTs with the newsroom's roles."""

import pytest
from django.contrib.admin.models import LogEntry
from reversion.models import Version

from articles.models import Article
from fronts.models import Block, Front, Slot
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def arrange_url(front):
    return f"/admin/fronts/front/{front.pk}/change/"


def block_data(
    index, *, kind, size, order=None, title="", section="", tag="", places=(), rows=None
):
    """The POST fields of block ``index``: ``places`` is ``[(position, story, headline)]``."""
    prefix = f"block-{index}"
    data = {
        f"{prefix}-order": order or index + 1,
        f"{prefix}-kind": kind,
        f"{prefix}-title": title,
        f"{prefix}-size": size,
        f"{prefix}-section": section,
        f"{prefix}-tag": tag,
    }
    rows = rows or size
    data[f"{prefix}-slot-rows"] = rows
    filled = {position: (story, headline) for position, story, headline in places}
    for n in range(rows):
        story, headline = filled.get(n + 1, (None, ""))
        data |= {
            f"{prefix}-slot-{n}-position": n + 1,
            f"{prefix}-slot-{n}-article": story.pk if story else "",
            f"{prefix}-slot-{n}-headline": headline,
            f"{prefix}-slot-{n}-image": "",
        }
    return data


def post_arrangement(client, front, *blocks, extra=None):
    data = {"blocks-count": len(blocks), f"block-{len(blocks)}-kind": ""}
    for index, block in enumerate(blocks):
        data |= block_data(index, **block)
    return client.post(arrange_url(front), data | (extra or {}))


@pytest.fixture
def home(db):
    return Front.objects.create(section=None)


def test_the_fronts_list_has_the_home_page_and_every_section(editor, newsroom):
    page = editor.get("/admin/fronts/front/").content.decode()
    assert "Home page" in page and "Business front" in page and "Culture front" in page
    assert Front.objects.count() == 3


def test_the_arrange_screen_shows_the_blocks_and_what_the_rule_puts_in_each_place(
    editor, newsroom, home
):
    page = editor.get(arrange_url(home)).content.decode()
    assert "Block 1" in page and "Lead" in page
    assert "Now by the rule:" in page and "Story 00" in page
    assert 'name="_preview"' in page and 'formtarget="_blank"' in page


def test_an_editor_pins_a_story_and_readers_see_it(editor, editor_user, newsroom, home, client):
    old = newsroom["stories"][9]
    response = post_arrangement(
        editor,
        home,
        {"kind": "lead", "size": 1, "places": [(1, old, "The oldest story leads")]},
        {"kind": "latest", "size": 5, "title": "Latest"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    page = client.get("/").content.decode()
    assert page.index("The oldest story leads") < page.index("Story 00")
    slot = Slot.objects.get()
    assert (slot.article, slot.block.kind, slot.position) == (old, "lead", 1)
    home.refresh_from_db()
    assert home.updated_by == editor_user
    # Logged and kept in the front's history.
    assert LogEntry.objects.filter(object_id=str(home.pk), user=editor_user).exists()
    version = Version.objects.get_for_object(home).get()
    assert version.revision.user == editor_user
    assert "1 story placed by hand" in version.revision.get_comment()


def test_a_story_twice_on_a_front_is_refused_naming_both_places(editor, newsroom, home):
    story = newsroom["stories"][3]
    response = post_arrangement(
        editor,
        home,
        {"kind": "lead", "size": 1, "places": [(1, story, "")]},
        {"kind": "top", "size": 2, "title": "Also", "places": [(2, story, "")]},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "“Story 03” is in Lead (block 1), place 1 and in Also (block 2), place 2" in page
    assert not Block.objects.exists()


def test_a_draft_cannot_go_on_a_front(editor, newsroom, home):
    draft = ArticleFactory(headline="Not ready", status=Article.Status.DRAFT, published_at=None)
    response = post_arrangement(
        editor, home, {"kind": "top", "size": 2, "places": [(1, draft, "")]}
    )
    assert response.status_code == 400
    assert "only published or scheduled stories can" in response.content.decode()
    assert not Block.objects.exists()


def test_a_section_row_needs_its_section(editor, newsroom, home):
    response = post_arrangement(editor, home, {"kind": "row", "size": 4})
    assert response.status_code == 400
    assert "A section row needs its section" in response.content.decode()


def test_two_stories_in_one_place_are_refused(editor, newsroom, home):
    first, second = newsroom["stories"][1], newsroom["stories"][2]
    response = post_arrangement(
        editor,
        home,
        {"kind": "top", "size": 2, "places": [(1, first, ""), (2, second, "")]},
        extra={"block-0-slot-1-position": 1},
    )
    assert response.status_code == 400
    assert "Place 1 already has a story." in response.content.decode()


def test_preview_shows_the_arrangement_without_saving_it(editor, newsroom, home, client):
    story = newsroom["stories"][6]
    response = editor.post(
        arrange_url(home),
        {
            "blocks-count": 1,
            "block-1-kind": "",
            "_preview": "Preview",
            **block_data(0, kind="lead", size=2, places=[(1, story, "Seen in preview only")]),
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Preview of this front as arranged, not saved" in page
    assert "Seen in preview only" in page
    assert not Block.objects.exists()
    assert "Seen in preview only" not in client.get("/").content.decode()


def test_a_block_is_added_and_one_removed(editor, newsroom, home):
    post_arrangement(editor, home, {"kind": "lead", "size": 1}, {"kind": "top", "size": 3})
    assert list(Block.objects.values_list("kind", flat=True)) == ["lead", "top"]
    response = post_arrangement(
        editor,
        home,
        {"kind": "lead", "size": 1},
        {"kind": "top", "size": 3},
        extra={
            "block-1-remove": "on",
            "block-2-kind": "row",
            "block-2-order": 3,
            "block-2-size": 4,
            "block-2-section": newsroom["culture"].pk,
        },
    )
    assert response.status_code == 302
    assert list(Block.objects.values_list("kind", "section__name")) == [
        ("lead", None),
        ("row", "Culture"),
    ]


def test_blocks_are_ordered_by_their_positions(editor, newsroom, home, client):
    post_arrangement(
        editor,
        home,
        {"kind": "top", "size": 2, "order": 2, "title": "Second"},
        {"kind": "top", "size": 2, "order": 1, "title": "First"},
    )
    assert list(Block.objects.values_list("title", "order")) == [("First", 1), ("Second", 2)]
    page = client.get("/").content.decode()
    assert page.index(">First<") < page.index(">Second<")


def test_an_earlier_arrangement_is_restored(editor, newsroom, home, client):
    first, second = newsroom["stories"][8], newsroom["stories"][9]
    post_arrangement(
        editor, home, {"kind": "lead", "size": 1, "places": [(1, first, "First pick")]}
    )
    post_arrangement(
        editor, home, {"kind": "lead", "size": 1, "places": [(1, second, "Second pick")]}
    )
    assert "Second pick" in client.get("/").content.decode()
    earliest = Version.objects.get_for_object(home).order_by("revision__date_created").first()
    response = editor.post(arrange_url(home), {"_restore": earliest.pk})
    assert response.status_code == 302
    page = client.get("/").content.decode()
    assert "First pick" in page and "Second pick" not in page
    assert Version.objects.get_for_object(home).count() == 3


def test_reporters_and_readers_cannot_arrange(reporter, client, newsroom, home):
    story = newsroom["stories"][9]
    assert reporter.get(arrange_url(home)).status_code == 403
    response = post_arrangement(
        reporter, home, {"kind": "lead", "size": 1, "places": [(1, story, "")]}
    )
    assert response.status_code == 403
    response = post_arrangement(
        client, home, {"kind": "lead", "size": 1, "places": [(1, story, "")]}
    )
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert not Block.objects.exists()


def test_the_story_search_offers_only_stories_that_can_go_on_a_front(editor, newsroom):
    ArticleFactory(headline="Story draft", status=Article.Status.DRAFT, published_at=None)
    response = editor.get(
        "/admin/autocomplete/",
        {"term": "Story", "app_label": "fronts", "model_name": "slot", "field_name": "article"},
    )
    assert response.status_code == 200
    found = [result["text"] for result in response.json()["results"]]
    assert "Story 00" in found and "Story draft" not in found


def test_a_tampered_form_gets_an_answer_not_an_error(editor, newsroom, home):
    for data in (
        {"blocks-count": "abc"},
        {"blocks-count": "1", "block-0-slot-rows": "many", "block-0-kind": "top"},
        {"blocks-count": "1", "block-0-kind": "nonsense", "block-0-size": "99"},
        {"_restore": "abc"},
        {"_restore": "99999999999999999999"},
    ):
        response = editor.post(arrange_url(home), data)
        assert response.status_code in (302, 400), (data, response.status_code)
    assert not Block.objects.exists()


def test_the_history_of_a_front_reads_in_words(editor, newsroom, home):
    post_arrangement(
        editor, home, {"kind": "lead", "size": 1, "places": [(1, newsroom["stories"][2], "")]}
    )
    page = editor.get(f"/admin/fronts/front/{home.pk}/history/").content.decode()
    assert "Arranged: 1 block, 1 story placed by hand." in page
