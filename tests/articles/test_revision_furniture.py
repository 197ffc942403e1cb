"""The story's History names the furniture each save added, removed or changed, in words (issue
17): pictures by what they show, galleries, embedded videos and posts, tables, pull quotes and
fact boxes; the restore page says what restoring would add or remove. All through the admin
pages an editor opens, the story saved through the story form."""

import io

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image as PillowImage
from reversion.models import Version

from photos.models import Image
from tests.factories import ArticleFactory
from tests.forms import article_form

pytestmark = pytest.mark.django_db

YOUTUBE_ID = "dQw4w9WgXcQ"
TEXT = "<p>The harbour reopened on Monday after the storm.</p>"
TABLE = (
    "<table><tbody><tr><th><p>Year</p></th><th><p>Ships</p></th></tr>"
    "<tr><td><p>2026</p></td><td><p>1,200</p></td></tr></tbody></table>"
)
PULL_QUOTE = (
    '<blockquote class="pull-quote"><p>We are open for business again.</p>'
    "<p>— Harbour master Wong Kar</p></blockquote>"
)
FACT_BOX = '<aside class="fact-box"><h3>In numbers</h3><ul><li>1,200 ships a year</li></ul></aside>'


def picture(image, caption="", size="column"):
    return (
        f'<figure class="picture" data-image="{image.pk}" data-size="{size}">'
        f"<figcaption>{caption}</figcaption></figure>"
    )


def embed(caption=""):
    return (
        f'<figure class="embed" data-provider="youtube" data-id="{YOUTUBE_ID}">'
        f"<figcaption>{caption}</figcaption></figure>"
    )


def gallery(*images):
    return '<figure class="gallery">' + "".join(picture(image) for image in images) + "</figure>"


def library_picture(alt_text, colour="grey"):
    """A picture in the library, with a real file, as the upload leaves it."""
    data = io.BytesIO()
    PillowImage.new("RGB", (16, 12), colour).save(data, "PNG")
    image = Image(alt_text=alt_text)
    image.file.save(f"{colour}.png", ContentFile(data.getvalue()), save=False)
    image.save()
    return image


@pytest.fixture
def cranes():
    return library_picture("Harbour cranes at dawn", "orange")


@pytest.fixture
def story(editor, section):
    """A story whose text an editor has saved once, through the story form."""
    article = ArticleFactory(section=section, headline="Harbour reopens")
    save(editor, article, TEXT)
    return article


def change_url(article):
    return f"/admin/articles/article/{article.pk}/change/"


def history_url(article):
    return f"/admin/articles/article/{article.pk}/history/"


def save(client, article, body):
    """Save the story's body through the story form, as the editor's browser sends it."""
    form = article_form(client.get(change_url(article)))
    form["body"] = body
    response = client.post(change_url(article), form)
    assert response.status_code == 302, response.content.decode()[:3000]


def latest_changes(client, article) -> str:
    """The "What changed" cell of the newest row of the story's History."""
    page = client.get(history_url(article)).content.decode()
    rows = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0].split("</tr>")
    return rows[-2]  # History lists the oldest save first; the last row ends before "</tr>".


def test_history_names_the_furniture_a_save_added_then_removed(editor, story, cranes):
    save(editor, story, TEXT + picture(cranes) + embed() + TABLE + PULL_QUOTE + FACT_BOX)
    added = latest_changes(editor, story)
    for line in (
        "Added a picture (Harbour cranes at dawn)",
        "Added a YouTube video",
        "Added a table (Year, Ships)",
        "Added a pull quote (“We are open for business again.”)",
        "Added a fact box (In numbers)",
    ):
        assert f"<li>{line}</li>" in added
    assert "Removed" not in added
    # The words of the new table, quote and box are still in the word diff.
    assert "We are open for business again." in added.split('class="revision-diff"')[1]

    save(editor, story, TEXT)
    removed = latest_changes(editor, story)
    for line in (
        "Removed a picture (Harbour cranes at dawn)",
        "Removed a YouTube video",
        "Removed a table (Year, Ships)",
        "Removed a pull quote (“We are open for business again.”)",
        "Removed a fact box (In numbers)",
    ):
        assert f"<li>{line}</li>" in removed
    assert "Added" not in removed


def test_a_picture_added_without_a_word_changed_is_still_a_change(editor, story, cranes):
    save(editor, story, TEXT + picture(cranes))
    changes = latest_changes(editor, story)
    assert "<li>Added a picture (Harbour cranes at dawn)</li>" in changes
    assert "No change to headline, standfirst or body" not in changes
    assert "revision-diff" not in changes  # no words changed, so no word diff to show


def test_caption_and_width_changes_are_named(editor, story, cranes):
    save(editor, story, TEXT + picture(cranes, "Cranes at first light") + embed("The storm"))
    save(editor, story, TEXT + picture(cranes, "Cranes after the storm", "full") + embed("Rain"))
    changes = latest_changes(editor, story)
    assert "<li>Changed the caption of a picture (Harbour cranes at dawn)</li>" in changes
    assert "<li>Made a picture (Harbour cranes at dawn) full width</li>" in changes
    assert "<li>Changed the caption of a YouTube video</li>" in changes
    # The same picture and video, kept: neither added nor removed.
    assert "Added" not in changes and "Removed" not in changes
    # The caption's words, in the word diff as before.
    assert "<ins>after</ins>" in changes


def test_galleries_are_named_by_their_pictures(editor, story, cranes):
    ferry = library_picture("The Star Ferry at the pier", "blue")
    market = library_picture("Fish market stalls", "green")
    save(editor, story, TEXT + gallery(cranes, ferry, market))
    assert "<li>Added a gallery of 3 pictures</li>" in latest_changes(editor, story)

    save(editor, story, TEXT + gallery(ferry, cranes))
    changes = latest_changes(editor, story)
    assert "<li>Removed a picture (Fish market stalls) from a gallery</li>" in changes
    assert "<li>Changed the order of the pictures in a gallery of 2 pictures</li>" in changes
    assert "gallery of 3" not in changes  # the same gallery, changed, not another one

    save(editor, story, TEXT)
    assert "<li>Removed a gallery of 2 pictures</li>" in latest_changes(editor, story)


def test_a_changed_table_is_one_table_changed(editor, story):
    save(editor, story, TEXT + TABLE)
    save(editor, story, TEXT + TABLE.replace("1,200", "1,350"))
    changes = latest_changes(editor, story)
    assert "<li>Changed a table (Year, Ships)</li>" in changes
    assert "<del>1,200</del><ins>1,350</ins>" in changes
    assert "Added" not in changes and "Removed" not in changes


def test_pictures_of_every_version_are_read_in_one_query(editor, story, cranes):
    ferry = library_picture("The Star Ferry at the pier", "blue")
    save(editor, story, TEXT + picture(cranes))
    save(editor, story, TEXT + picture(ferry))
    save(editor, story, TEXT + picture(cranes) + picture(ferry))
    with CaptureQueriesContext(connection) as queries:
        page = editor.get(history_url(story)).content.decode()
    assert "Removed a picture (Harbour cranes at dawn)" in page
    assert "Added a picture (The Star Ferry at the pier)" in page
    image_table = Image._meta.db_table
    reads = [q["sql"] for q in queries if f'FROM "{image_table}"' in q["sql"]]
    assert len(reads) == 1, reads


def test_a_picture_is_named_by_its_description_escaped(editor, story):
    sneaky = library_picture('Cranes <script>alert("x")</script>')
    save(editor, story, TEXT + picture(sneaky))
    changes = latest_changes(editor, story)
    assert "<script>alert" not in changes
    assert "Added a picture (Cranes &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;)" in changes


def test_a_picture_no_longer_in_the_library_is_named_by_its_number(editor, story, cranes):
    save(editor, story, TEXT + picture(cranes))
    save(editor, story, TEXT)  # out of the story, so the library may delete it
    number = cranes.pk
    cranes.delete()
    assert f"<li>Removed a picture (picture {number})</li>" in latest_changes(editor, story)


def test_the_restore_page_says_what_restoring_would_add_and_remove(editor, story, cranes):
    save(editor, story, TEXT + picture(cranes) + PULL_QUOTE)
    with_furniture = Version.objects.get_for_object(story).first()
    save(editor, story, TEXT + embed())
    url = f"{history_url(story)}{with_furniture.pk}/"
    page = editor.get(url).content.decode()
    assert "<li>Adds a picture (Harbour cranes at dawn)</li>" in page
    assert "<li>Adds a pull quote (“We are open for business again.”)</li>" in page
    assert "<li>Removes a YouTube video</li>" in page
