"""Importing wire copy: ``manage.py import_article``, ``articles.importing`` and the admin upload."""

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import DatabaseError
from django.urls import reverse
from reversion.models import Version

from articles import importing, mentions, wire
from articles.html import sanitize_html
from articles.models import Article, Byline, StatusChange
from people.models import Reporter
from tests.factories import ArticleFactory, SectionFactory, UserFactory

pytestmark = pytest.mark.django_db

SEED_SOURCE = Path(settings.BASE_DIR) / "fixtures" / "source" / "qianhai-forum.txt"

STORY = (
    "Beijing\n"
    "Xu Lingling\n"
    "lingling@example.org\n"
    "Xu Li met delegates at SenseTime’s offices on Monday. They talked about talent.\n"
    "\n"
    "The meeting — the first this year — ended early.\n"
)


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def run(*args) -> str:
    out = io.StringIO()
    call_command("import_article", *[str(arg) for arg in args], stdout=out)
    return out.getvalue()


def run_failing(*args) -> tuple[str, str]:
    out = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("import_article", *[str(arg) for arg in args], stdout=out)
    return out.getvalue(), str(caught.value)


def counts():
    return {
        "stories": Article.objects.count(),
        "bylines": Byline.objects.count(),
        "reporters": Reporter.objects.count(),
        "steps": StatusChange.objects.count(),
        "mentions": Article.mentioned_people.through.objects.count(),
    }


@pytest.fixture
def seed(seed):
    """The seed story without its wire fingerprint: these tests import the seed's own copy as if
    it were new text (tests/articles/test_fixtures.py checks that the real fixture recognises it)."""
    Article.objects.filter(pk=seed.pk).update(wire_hash="")
    seed.wire_hash = ""
    return seed


@pytest.fixture
def copy_dir(tmp_path, seed):
    """A folder with the seed's wire copy; the seed story, its people and reporter are loaded."""
    write(tmp_path, "qianhai-forum.txt", SEED_SOURCE.read_bytes())
    return tmp_path


def imported():
    return Article.objects.exclude(wire_hash="").get()


# The command: one file.


def test_the_seed_copy_imports_as_a_draft_with_a_provisional_headline(copy_dir, seed):
    output = run(copy_dir / "qianhai-forum.txt")

    story = imported()
    assert story.status == Article.Status.DRAFT
    assert story.published_at is None
    assert story not in Article.objects.published()
    assert story.needs_headline
    assert story.headline == wire.parse(SEED_SOURCE.read_bytes(), "x").provisional_headline
    assert story.headline.startswith("APPROXIMATELY 1,200 representatives")
    assert story.dateline == "Shenzhen"
    assert story.section == seed.section
    assert story.body == seed.body  # characters as sent: ’ and — kept
    assert story.body == sanitize_html(story.body)
    assert story.slug != seed.slug
    assert "1 story imported, 0 skipped (already imported), 0 failed." in output
    assert "[1/1]" in output


def test_the_reporter_is_matched_by_email_in_any_case(copy_dir, seed):
    text = SEED_SOURCE.read_text(encoding="utf-8").replace("57589527@qq.com", "57589527@QQ.Com")
    write(copy_dir, "qianhai-forum.txt", text.replace("Chang Zhipeng", "Zhipeng Chang"))
    reporters = Reporter.objects.count()

    run(copy_dir / "qianhai-forum.txt")

    story = imported()
    assert Reporter.objects.count() == reporters
    assert [b.reporter.slug for b in story.bylines.all()] == ["chang-zhipeng"]
    assert Reporter.objects.get(slug="chang-zhipeng").name == "Chang Zhipeng"  # not renamed


def test_a_new_email_adds_a_reporter_with_the_name_from_the_copy(tmp_path, seed):
    output = run(write(tmp_path, "story.txt", STORY))

    reporter = Reporter.objects.get(email="lingling@example.org")
    assert reporter.name == "Xu Lingling"
    assert reporter.slug == "xu-lingling"
    assert not reporter.show_email
    assert [b.reporter for b in imported().bylines.all()] == [reporter]
    assert "new reporter" in output


def test_mentions_are_linked_on_import(copy_dir, seed):
    run(copy_dir / "qianhai-forum.txt")

    story = imported()
    assert set(story.mentioned_people.all()) == set(seed.mentioned_people.all())
    assert set(story.mentioned_organizations.all()) == set(seed.mentioned_organizations.all())


def test_the_import_is_logged_and_kept_as_the_first_revision(copy_dir, editor_user):
    run(copy_dir / "qianhai-forum.txt", "--user", editor_user.username)

    story = imported()
    step = story.status_changes.get()
    assert (step.from_status, step.to_status, step.user) == ("", "draft", editor_user)
    assert story.created_by == editor_user
    version = Version.objects.get_for_object(story).get()
    assert "qianhai-forum.txt" in version.revision.comment
    assert version.field_dict["body"] == story.body


def test_headline_names_the_story_when_importing_one_file(copy_dir):
    run(copy_dir / "qianhai-forum.txt", "--headline", "  Qianhai forum   ends ")

    story = imported()
    assert story.headline == "Qianhai forum ends"
    assert not story.needs_headline
    assert story.slug == "qianhai-forum-ends"


def test_headline_with_several_files_is_refused_before_anything_is_saved(copy_dir):
    write(copy_dir, "second.txt", STORY)
    before = counts()

    with pytest.raises(CommandError, match="--headline is for one file"):
        run(copy_dir, "--headline", "One headline")
    assert counts() == before


def test_publish_needs_a_headline(copy_dir):
    before = counts()
    with pytest.raises(CommandError, match="--publish needs --headline"):
        run(copy_dir / "qianhai-forum.txt", "--publish")
    assert counts() == before


def test_publish_with_a_headline_publishes_now(copy_dir):
    run(copy_dir / "qianhai-forum.txt", "--publish", "--headline", "Qianhai forum ends")

    story = imported()
    assert story.status == Article.Status.PUBLISHED
    assert story in Article.objects.published()
    assert not story.needs_headline
    assert story.status_changes.get().to_status == Article.Status.PUBLISHED


def test_section_chooses_where_the_story_goes(copy_dir):
    business = SectionFactory(name="Business", slug="business")
    run(copy_dir / "qianhai-forum.txt", "--section", "business")
    assert imported().section == business

    with pytest.raises(CommandError, match="No section “nowhere”"):
        run(copy_dir / "qianhai-forum.txt", "--section", "nowhere")


def test_a_clashing_slug_gets_a_number(copy_dir):
    ArticleFactory(slug="qianhai-forum-ends")
    ArticleFactory(slug="qianhai-forum-ends-2")

    run(copy_dir / "qianhai-forum.txt", "--headline", "Qianhai forum ends")

    assert imported().slug == "qianhai-forum-ends-3"


def test_a_slug_taken_between_looking_and_saving_is_tried_again(copy_dir, monkeypatch):
    """The unique constraint is the real guard: a story saved by someone else in between makes
    the insert fail, and the import picks the next free slug instead of failing."""
    ArticleFactory(slug="qianhai-forum-ends")
    real = importing.unique_slug
    calls = []

    def stale_on_first_look(text, **kwargs):
        calls.append(text)
        return "qianhai-forum-ends" if len(calls) == 1 else real(text, **kwargs)

    monkeypatch.setattr(importing, "unique_slug", stale_on_first_look)
    run(copy_dir / "qianhai-forum.txt", "--headline", "Qianhai forum ends")

    assert len(calls) == 2
    assert imported().slug == "qianhai-forum-ends-2"


# Twice, and the dry run.


def test_importing_the_same_copy_again_is_skipped(copy_dir):
    run(copy_dir / "qianhai-forum.txt")
    before = counts()
    header, body = (
        SEED_SOURCE.read_bytes().split(b"\n", 3)[:3],
        SEED_SOURCE.read_bytes().split(b"\n", 3)[3],
    )
    messy = (
        b"\xef\xbb\xbf" + b" \r\n".join(header) + b"\r\n\r\n" + body.replace(b"\n", b"  \r\n\r\n")
    )
    write(copy_dir, "resent.txt", messy)

    output = run(copy_dir / "qianhai-forum.txt", copy_dir / "resent.txt")

    assert counts() == before
    assert "0 stories imported, 2 skipped (already imported), 0 failed." in output
    assert f"already imported as “{imported().headline}”" in output
    assert "--allow-duplicate" in output


def test_allow_duplicate_imports_it_again(copy_dir):
    run(copy_dir / "qianhai-forum.txt", "--headline", "Qianhai forum ends")
    run(copy_dir / "qianhai-forum.txt", "--headline", "Qianhai forum ends", "--allow-duplicate")

    slugs = sorted(Article.objects.exclude(wire_hash="").values_list("slug", flat=True))
    assert slugs == ["qianhai-forum-ends", "qianhai-forum-ends-2"]


def test_a_dry_run_reports_and_saves_nothing(copy_dir):
    write(copy_dir, "a-story.txt", STORY)
    write(copy_dir, "same-again.txt", STORY.replace("\n", "\r\n"))
    write(copy_dir, "broken.txt", "Beijing\nXu Lingling\nnot an email\nText.\n")
    before = counts()

    output, summary = run_failing(copy_dir, "--dry-run")

    assert counts() == before
    assert "qianhai-forum.txt: would be imported as “APPROXIMATELY" in output
    assert "byline Chang Zhipeng;" in output
    assert "mentions Deng Zhonghua, Choi Koon-shum, Xu Li" in output
    assert "a-story.txt: would be imported" in output
    assert "byline Xu Lingling (new reporter)" in output
    assert "same-again.txt: skipped, the same copy as" in output
    assert "a-story.txt, which is imported first" in output
    assert "broken.txt, line 3:" in output
    assert summary == (
        "2 stories would be imported, 1 skipped (already imported), 1 failed. "
        "Dry run: nothing was saved."
    )


def test_a_dry_run_of_good_copy_succeeds(copy_dir):
    before = counts()
    output = run(copy_dir, "--dry-run")
    assert counts() == before
    assert "1 story would be imported" in output


# Refusals: each file on its own.


def test_bad_files_fail_alone_and_the_command_exits_non_zero(copy_dir):
    write(copy_dir, "empty.txt", b"")
    write(copy_dir, "latin1.txt", "Zürich\nA\na@example.org\nCafé.\n".encode("latin-1"))
    write(copy_dir, "photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    write(copy_dir, "header-only.txt", "Beijing\nXu Lingling\nlingling@example.org\n")
    write(copy_dir, "notes.md", "not copy")  # not .txt: left alone
    write(copy_dir, "._qianhai-forum.txt", b"\x00\x05\x16\x07")  # a Mac's hidden companion file

    output, summary = run_failing(copy_dir)

    assert summary == "1 story imported, 0 skipped (already imported), 4 failed."
    assert "[5/5]" in output
    assert "empty.txt, line 1: the file is empty." in output
    assert "latin1.txt, line 1: the text is not UTF-8" in output
    assert "photo.txt, line 3: this is a binary file" in output
    assert "header-only.txt, line 4: there is no story text" in output
    assert "notes.md" not in output and "._qianhai" not in output
    assert imported().dateline == "Shenzhen"
    assert not Reporter.objects.filter(email="lingling@example.org").exists()


def test_a_missing_file_is_reported_with_the_others(copy_dir):
    output, summary = run_failing(copy_dir / "nope.txt", copy_dir / "qianhai-forum.txt")

    assert "nope.txt: cannot be read" in output
    assert summary.startswith("1 story imported, 0 skipped (already imported), 1 failed")


def test_a_folder_without_copy_is_an_error(tmp_path):
    with pytest.raises(CommandError, match="no .txt files"):
        run(tmp_path)


def test_a_file_that_fails_while_saving_leaves_nothing_behind(copy_dir, monkeypatch):
    """Each file is one transaction: a failure after the reporter and story were written rolls
    both back, and the next file is imported."""
    write(copy_dir, "a-story.txt", STORY)
    real = mentions.link_mentions

    def fail_for_beijing(*, article):
        if article.dateline == "Beijing":
            raise DatabaseError("simulated failure")
        return real(article=article)

    monkeypatch.setattr(mentions, "link_mentions", fail_for_beijing)
    before = counts()

    output, summary = run_failing(copy_dir)

    assert "a-story.txt: not saved, the database refused it (simulated failure)" in output
    assert summary.startswith("1 story imported")
    assert not Article.objects.filter(dateline="Beijing").exists()
    assert not Reporter.objects.filter(email="lingling@example.org").exists()
    assert counts()["stories"] == before["stories"] + 1


# The service, with a user: the same permissions as the admin.


def parsed_story():
    return wire.parse(STORY.encode(), "story.txt")


def test_the_service_refuses_users_who_may_not_add_stories(section):
    with pytest.raises(PermissionDenied):
        importing.article_import(parsed=parsed_story(), user=UserFactory())
    assert not Article.objects.exists()


def test_only_editors_may_publish(section, reporter_user):
    with pytest.raises(PermissionDenied, match="Only an editor"):
        importing.article_import(
            parsed=parsed_story(), user=reporter_user, publish=True, headline="Headline"
        )
    assert not Article.objects.exists()


def test_a_reporter_cannot_create_reporters_through_an_import(section, reporter_user):
    with pytest.raises(PermissionDenied, match="may not add reporters"):
        importing.article_import(parsed=parsed_story(), user=reporter_user)
    assert not Article.objects.exists()


def test_a_reporter_may_import_a_draft_of_their_own_copy(section, reporter_user):
    """Their own byline's email on line 3 (any case); a colleague's copy is for the desk
    (tests/articles/test_import_hardening.py)."""
    reporter_user.reporter.email = "Lingling@Example.org"
    reporter_user.reporter.save()

    result = importing.article_import(parsed=parsed_story(), user=reporter_user)

    assert result.outcome == importing.IMPORTED
    assert result.article.status == Article.Status.DRAFT
    assert result.article.created_by == reporter_user


def test_the_service_needs_a_section(db):
    with pytest.raises(importing.ImportRefused, match="no section"):
        importing.article_import(parsed=parsed_story())


# The admin upload page, at /admin/articles/article/import/. It needs ArticleAdmin.get_urls to
# include articles.admin_import.import_urls (see the README's import section); until then these
# fail.

IMPORT_URL = "/admin/articles/article/import/"


def upload(name: str, content: str | bytes) -> SimpleUploadedFile:
    data = content.encode("utf-8") if isinstance(content, str) else content
    return SimpleUploadedFile(name, data, content_type="text/plain")


def post(client, *files, **fields):
    from articles.models import Section

    data = {"files": list(files), "section": Section.objects.order_by("order").first().pk}
    data.update({key: value for key, value in fields.items() if value is not None})
    return client.post(IMPORT_URL, data)


def test_the_import_page_is_where_the_admin_says(db):
    assert reverse("admin:articles_article_import") == IMPORT_URL


def test_the_story_list_has_an_import_button(editor_client, seed):
    page = editor_client.get(reverse("admin:articles_article_changelist")).content.decode()
    assert f'href="{IMPORT_URL}"' in page
    assert "recoverlink" in page  # django-reversion's button is still there


def test_the_import_page_opens_for_editors(editor_client, seed):
    response = editor_client.get(IMPORT_URL)

    assert response.status_code == 200
    page = response.content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert 'name="publish"' in page
    assert "Greater Bay Area" in page


def test_the_import_page_is_refused_without_permission_to_add_stories(client, seed):
    client.force_login(UserFactory(is_staff=True))
    assert client.get(IMPORT_URL).status_code == 403
    assert client.post(IMPORT_URL, {}).status_code == 403
    assert not Article.objects.exclude(wire_hash="").exists()


def test_the_import_page_needs_a_login(client, seed):
    response = client.get(IMPORT_URL)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_an_upload_gives_the_same_per_file_result_as_the_command(editor_client, seed):
    response = post(
        editor_client,
        upload("qianhai-forum.txt", SEED_SOURCE.read_bytes()),
        upload("broken.txt", "Beijing\nXu Lingling\nnot an email\nText.\n"),
    )

    assert response.status_code == 200
    page = response.content.decode()
    story = imported()
    assert story.status == Article.Status.DRAFT and story.needs_headline
    change = reverse("admin:articles_article_change", args=[story.pk])
    assert f'href="{change}"' in page
    assert "1 story imported, 0 skipped (already imported), 1 failed." in page
    assert "broken.txt, line 3: “not an email” is not a valid email address" in page


def test_uploading_again_is_skipped(editor_client, seed):
    post(editor_client, upload("qianhai-forum.txt", SEED_SOURCE.read_bytes()))
    response = post(editor_client, upload("again.txt", SEED_SOURCE.read_bytes()))

    assert Article.objects.exclude(wire_hash="").count() == 1
    assert "0 stories imported, 1 skipped" in response.content.decode()


def test_an_upload_dry_run_saves_nothing(editor_client, seed):
    before = counts()
    response = post(editor_client, upload("story.txt", STORY), dry_run="on")

    assert counts() == before
    page = response.content.decode()
    assert "1 story would be imported" in page
    assert "Dry run: nothing was saved." in page


def test_an_editor_publishes_one_file_with_a_headline(editor_client, seed):
    post(
        editor_client,
        upload("qianhai-forum.txt", SEED_SOURCE.read_bytes()),
        publish="on",
        headline="Qianhai forum ends",
    )

    story = imported()
    assert story.headline == "Qianhai forum ends"
    assert story in Article.objects.published()


def test_the_upload_form_refuses_what_the_command_refuses(editor_client, seed):
    before = counts()
    two = post(
        editor_client,
        upload("a.txt", STORY),
        upload("b.txt", SEED_SOURCE.read_bytes()),
        headline="One headline",
    )
    no_headline = post(editor_client, upload("a.txt", STORY), publish="on")

    assert counts() == before
    assert "A headline is for one file" in two.content.decode()
    assert "published only with an editor" in no_headline.content.decode()


def test_a_reporter_cannot_publish_through_the_upload(reporter_client, seed, reporter_user):
    # Reporters may add stories, so the page opens, without the publish box.
    page = reporter_client.get(IMPORT_URL).content.decode()
    assert 'name="publish"' not in page
    before = counts()

    response = post(
        reporter_client,
        upload("qianhai-forum.txt", SEED_SOURCE.read_bytes()),
        publish="on",
        headline="Sneaky",
    )

    assert counts() == before
    assert "Only an editor can publish" in response.content.decode()
    assert not Article.objects.published().filter(headline="Sneaky").exists()


def test_permissions_are_checked_again_whatever_the_form_says(client, seed):
    """A user with only add_article (no publish permission, no reporters) gets drafts at most."""
    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="add_article"))
    client.force_login(user)

    response = post(client, upload("story.txt", STORY))

    assert "may not add reporters" in response.content.decode()
    assert not Reporter.objects.filter(email="lingling@example.org").exists()
