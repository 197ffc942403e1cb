"""The story form laid out for writing: its columns, the headline's length guide, the sentence
saying what saving does, the tags as chips over the value taggit reads, and the tag suggestions'
endpoint."""

import datetime as dt
import html
import json
import re

import pytest
from django.contrib.auth.models import Permission
from taggit.models import Tag

from articles.forms import save_effect, save_effects
from articles.models import Article
from articles.widgets import TagChipsWidget
from people.models import Reporter
from tests.factories import ArticleFactory, BylineFactory, UserFactory
from tests.forms import article_form

TAGS_URL = "/admin/articles/article/tags/"
Status = Article.Status
NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)


def change_url(article):
    return f"/admin/articles/article/{article.pk}/change/"


@pytest.fixture
def story(section, reporter_user):
    article = ArticleFactory(section=section, status=Status.DRAFT, published_at=None)
    BylineFactory(article=article, reporter=Reporter.objects.get(user=reporter_user), order=0)
    article.tags.add("Qianhai", "Hong Kong")
    return article


def test_the_form_has_a_writing_column_and_a_side_panel(editor_client, story):
    page = editor_client.get(change_url(story)).content.decode()

    main, side = page.split('<aside class="story-side"', 1)
    assert 'class="story-main"' in main
    for field in ("headline", "slug", "standfirst", "body"):
        assert f'name="{field}"' in main.split('class="story-main"', 1)[1], field
    for part in (
        "story-publication",
        "story-section-and-dateline",
        "bylines-group",
        "story-tags-and-mentions",
        "story-lead-image",
        "story-workflow-log",
    ):
        assert part in side, part
    # The records one click away.
    assert 'href="#story-workflow-log"' in side
    assert 'href="#corrections-group"' in side  # an editor's form has the corrections
    assert f'href="/admin/articles/article/{story.pk}/history/"' in side
    # The stylesheet and scripts are the project's own, loaded through the admin's Media.
    for asset in ("story-form.css", "story-form.js", "tags.js"):
        assert f"/static/newsroom/admin/{asset}" in page
    # The buttons above the form stay where they were: in the object tools, not the form.
    assert page.index('class="object-tools"') < page.index('id="article_form"')
    assert "{% include" not in page and 'id="story-save-effect"' in side


def test_the_headline_box_carries_its_length_guide(editor_client, story):
    page = editor_client.get(change_url(story)).content.decode()
    headline = re.search(r"<textarea[^>]*name=\"headline\"[^>]*>", page).group(0)

    assert 'data-char-guide="90"' in headline
    assert 'maxlength="300"' in headline  # the model's limit, as before
    assert 'id="id_headline"' in headline


def test_a_headline_is_saved_on_one_line(editor_client, story):
    form = article_form(editor_client.get(change_url(story)))
    form["headline"] = "Qianhai opens\r\n its ferry   terminal "
    assert editor_client.post(change_url(story), form).status_code == 302
    story.refresh_from_db()
    assert story.headline == "Qianhai opens its ferry terminal"


def test_the_tags_widget_draws_chips_over_the_value_taggit_reads(editor_client, story):
    page = editor_client.get(change_url(story)).content.decode()
    box = re.search(r'<div class="tag-chips"[^>]*>.*?</div>', page, re.S).group(0)

    assert 'data-suggest-url="/admin/articles/article/tags/"' in box
    assert '<ul class="tag-chips__list"' in box
    # Without JavaScript: taggit's own text box and value.
    assert re.search(r'<input type="text" name="tags" value="[^"]*Hong Kong[^"]*"', box)
    assert article_form(editor_client.get(change_url(story)))["tags"] == '"Hong Kong", Qianhai'


def tag_chips_box(html):
    return re.search(r'<div class="tag-chips"[^>]*>', html).group(0)


def listed_names(box):
    return json.loads(html.unescape(re.search(r'data-tag-names="([^"]*)"', box).group(1)))


def test_the_tags_widget_lists_the_story_tags_for_the_chips(editor_client, story):
    story.tags.add("Shenzhen, Qianhai", "前海", 'The "Bay"')
    box = tag_chips_box(editor_client.get(change_url(story)).content.decode())
    # The names themselves, as the script reads them: nothing for it to parse.
    assert listed_names(box) == sorted(
        ["Hong Kong", "Qianhai", "Shenzhen, Qianhai", "前海", 'The "Bay"']
    )
    assert 'data-case-insensitive="true"' in box  # TAGGIT_CASE_INSENSITIVE, the project's


def test_the_tags_widget_reads_a_value_sent_back_with_taggits_parse_tags(settings):
    settings.TAGGIT_CASE_INSENSITIVE = False
    widget = TagChipsWidget(suggest_url="/tags/")
    box = tag_chips_box(widget.render("tags", 'foo"bar,baz'))
    assert listed_names(box) == ["bar", "baz", "foo"]
    assert 'data-case-insensitive="false"' in box
    # Names differing only in case are two names to taggit, and to the chips.
    assert listed_names(tag_chips_box(widget.render("tags", "Ferries ferries"))) == [
        "Ferries",
        "ferries",
    ]
    assert listed_names(tag_chips_box(widget.render("tags", None))) == []
    assert listed_names(tag_chips_box(widget.render("tags", ""))) == []


def test_posting_the_tags_value_saves_every_tag(editor_client, story):
    form = article_form(editor_client.get(change_url(story)))
    form["tags"] = "Greater Bay Area, 前海"
    assert editor_client.post(change_url(story), form).status_code == 302
    assert sorted(story.tags.names()) == ["Greater Bay Area", "前海"]


def test_tags_as_the_chips_script_writes_them_are_read_whole(editor_client, story):
    form = article_form(editor_client.get(change_url(story)))
    form["tags"] = '"Greater Bay Area", "前海", "Shenzhen, Qianhai"'
    assert editor_client.post(change_url(story), form).status_code == 302
    assert sorted(story.tags.names()) == ["Greater Bay Area", "Shenzhen, Qianhai", "前海"]


# --- What saving will do ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "published_at", "original", "sentence"),
    [
        (Status.DRAFT, None, None, "Saving keeps it a draft."),
        (Status.DRAFT, None, Status.DRAFT, "Saving keeps it a draft."),
        (Status.REVIEW, None, Status.DRAFT, "Saving sends it to the editors for review."),
        (Status.PUBLISHED, None, Status.REVIEW, "Saving publishes this story now."),
        (Status.PUBLISHED, NOW - dt.timedelta(days=1), Status.DRAFT, "Saving publishes this story now."),
        (
            Status.PUBLISHED,
            dt.datetime(2026, 12, 5, 9, 0, tzinfo=dt.UTC),
            Status.REVIEW,
            "Saving schedules it for 5 December 2026, 09:00 UTC.",
        ),
        (
            Status.PUBLISHED,
            NOW - dt.timedelta(days=1),
            Status.PUBLISHED,
            "Saving keeps it published: readers see the changes at once.",
        ),
        (Status.WITHDRAWN, None, Status.PUBLISHED, "Saving withdraws it: readers no longer see it."),
    ],
)  # fmt: skip
def test_the_sentence_says_what_saving_does(status, published_at, original, sentence):
    assert (
        save_effect(status=status, published_at=published_at, original=original, now=NOW)
        == sentence
    )


def test_the_form_opens_with_the_sentence(editor_client, story):
    page = editor_client.get(change_url(story)).content.decode()
    effect = re.search(r'<p class="story-save-effect"[^>]*>(.*?)</p>', page, re.S).group(0)
    assert "Saving keeps it a draft." in effect
    assert 'data-time-zone="UTC"' in effect
    # The script picks from the server's table as the fields change: the same rules.
    effects = json.loads(html.unescape(re.search(r'data-effects="([^"]*)"', effect).group(1)))
    assert effects == save_effects(original=Status.DRAFT)
    assert effects["published"]["later"] == "Saving schedules it for {when}."


def test_the_add_form_opens_with_the_sentence(editor_client, section):
    page = editor_client.get("/admin/articles/article/add/").content.decode()
    assert "Saving keeps it a draft." in page
    assert 'class="tag-chips"' in page


def test_a_scheduled_story_says_when(editor_client, story):
    story.status = Status.PUBLISHED
    story.published_at = dt.datetime(2099, 12, 5, 9, 0, tzinfo=dt.UTC)
    story.save()
    page = editor_client.get(change_url(story)).content.decode()
    assert "Saving schedules it for 5 December 2099, 09:00 UTC." in page


# --- The tag suggestions ------------------------------------------------------------------------


@pytest.fixture
def tags(db):
    for name in ("Greater Bay Area", "Bay bridges", "Hong Kong", "Shenzhen Bay"):
        Tag.objects.create(name=name)


def test_suggestions_answer_a_reporter_with_names_starting_with_the_words_first(
    reporter_client, tags
):
    response = reporter_client.get(TAGS_URL, {"q": "bay"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"tags": ["Bay bridges", "Greater Bay Area", "Shenzhen Bay"]}


def test_suggestions_answer_an_editor(editor_client, tags):
    assert editor_client.get(TAGS_URL, {"q": "Kong"}).json() == {"tags": ["Hong Kong"]}
    assert editor_client.get(TAGS_URL, {"q": "  "}).json() == {"tags": []}
    assert editor_client.get(TAGS_URL).json() == {"tags": []}


def test_suggestions_send_a_stranger_to_log_in(client, tags):
    response = client.get(TAGS_URL, {"q": "bay"})
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_suggestions_refuse_staff_who_may_not_write_stories(client, tags):
    user = UserFactory(username="clerk", is_staff=True)
    client.force_login(user)
    assert client.get(TAGS_URL, {"q": "bay"}).status_code == 403
    user.user_permissions.add(Permission.objects.get(codename="view_tag"))
    client.force_login(user)
    assert client.get(TAGS_URL, {"q": "bay"}).status_code == 200
