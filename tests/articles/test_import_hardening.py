"""Wire import, hardened: links out of the folder, quoted lines, real sizes, and whose byline a
reporter may file under. Through the command (``call_command``) and the admin upload page."""

import io
import os
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from articles import importing, wire
from articles.models import Article, Byline
from people.models import Reporter
from tests.factories import ReporterFactory, UserFactory

pytestmark = pytest.mark.django_db

IMPORT_URL = "/admin/articles/article/import/"
PASSWD = Path("/etc/passwd")


def story(email="lingling@example.org", dateline="Beijing"):
    return (
        f"{dateline}\nXu Lingling\n{email}\n"
        "Delegates met at the convention centre on Monday. They talked about talent.\n"
    )


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def run_failing(*args) -> str:
    """The command's whole output and its error, for a run that must fail."""
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("import_article", *[str(a) for a in args], stdout=out, stderr=err)
    return out.getvalue() + err.getvalue() + str(caught.value)


def run(*args) -> str:
    out = io.StringIO()
    call_command("import_article", *[str(a) for a in args], stdout=out)
    return out.getvalue()


def assert_no_passwd_line_in(text: str):
    for line in PASSWD.read_text().splitlines():
        if len(line) > 3:
            assert line not in text
    assert "/bin/" not in text and "nologin" not in text


@pytest.fixture
def lingling(db):
    return ReporterFactory(name="Xu Lingling", slug="xu-lingling", email="lingling@example.org")


@pytest.fixture
def linked_folder(tmp_path, section, lingling):
    """A folder holding only links: one to good copy elsewhere, one to /etc/passwd."""
    outside = write(tmp_path / "elsewhere" / "story.txt", story())
    folder = tmp_path / "copy"
    folder.mkdir()
    (folder / "outside.txt").symlink_to(outside)
    (folder / "passwd.txt").symlink_to(PASSWD)
    return folder


# 8. Links out of the folder.


@pytest.mark.skipif(not PASSWD.exists(), reason="needs /etc/passwd")
def test_links_in_a_folder_are_refused_and_nothing_is_read(linked_folder):
    output = run_failing(linked_folder)

    assert not Article.objects.exists()
    for name in ["outside.txt", "passwd.txt"]:
        assert f"{linked_folder / name}: not imported: it is a symbolic link" in output
    assert "0 stories imported, 0 skipped (already imported), 2 failed." in output
    assert_no_passwd_line_in(output)


@pytest.mark.skipif(not PASSWD.exists(), reason="needs /etc/passwd")
def test_a_link_given_as_a_file_is_refused(linked_folder):
    for name in ["outside.txt", "passwd.txt"]:
        output = run_failing(linked_folder / name)
        assert f"{linked_folder / name}: not imported: it is a symbolic link" in output
        assert "real path" in output
        assert_no_passwd_line_in(output)
    assert not Article.objects.exists()


def test_real_copy_next_to_a_link_is_still_imported(linked_folder):
    write(linked_folder / "real.txt", story(dateline="Shenzhen"))

    output = run_failing(linked_folder)

    assert "real.txt: imported" in output
    assert "1 story imported, 0 skipped (already imported), 2 failed." in output
    assert Article.objects.get().dateline == "Shenzhen"


def test_the_real_path_of_a_linked_file_imports(linked_folder, tmp_path):
    run(tmp_path / "elsewhere" / "story.txt")
    assert Article.objects.count() == 1


@pytest.mark.skipif(not PASSWD.exists(), reason="needs /etc/passwd")
def test_passwd_copied_in_is_refused_without_echoing_its_lines(tmp_path, section):
    """Even read as copy (a real file, not a link), a refused line is quoted short."""
    lines = PASSWD.read_text().splitlines()
    long_line = "bin:x:2:2:" + "b" * 40 + ":/bin:/usr/sbin/nologin"
    write(tmp_path / "passwd.txt", "\n".join([lines[0], lines[1], long_line, *lines[3:]]))

    output = run_failing(tmp_path / "passwd.txt")

    assert "passwd.txt, line 3:" in output
    assert long_line not in output
    assert "nologin" not in output


def test_a_quoted_line_is_short_and_its_invisible_characters_shown(tmp_path, section):
    line = "\u202ebin@\u200bexample" + "x" * 200
    write(tmp_path / "odd.txt", f"Beijing\nXu Lingling\n{line}\nText.\n")

    with pytest.raises(wire.WireError) as caught:
        wire.parse((tmp_path / "odd.txt").read_bytes(), "odd.txt")
    message = str(caught.value)

    assert "\\u202e" in message and "\\u200b" in message
    assert "\u202e" not in message and "\u200b" not in message
    quoted = message.split("“", 1)[1].split("”", 1)[0]
    assert len(quoted) <= 60 and quoted.endswith("…")
    assert "x" * 61 not in message


# 12. The real size of an oversize file.

BIG = int(5.4 * 1024 * 1024)


def big_copy() -> bytes:
    text = story().encode()
    return text + b"More text on a line of its own.\n" * (BIG // 32)


def test_the_command_reports_the_real_size_of_a_large_file(tmp_path, section):
    path = write(tmp_path / "huge.txt", big_copy())
    assert path.stat().st_size > 5 * 1024 * 1024

    output = run_failing(path)

    assert f"{path}: too large (5.4 MB; wire copy is at most 2 MB)" in output
    assert "2048 KB" not in output
    assert not Article.objects.exists()


def test_a_file_just_over_the_limit_says_by_how_much(tmp_path, section):
    path = write(tmp_path / "edge.txt", b"x" * (importing.MAX_FILE_SIZE + 1))

    output = run_failing(path)

    assert "2,097,153 bytes; wire copy is at most 2 MB (2,097,152 bytes)" in output


def upload(name, content):
    data = content.encode() if isinstance(content, str) else content
    return SimpleUploadedFile(name, data, content_type="text/plain")


def post(client, *files, **fields):
    from articles.models import Section

    data = {"files": list(files), "section": Section.objects.order_by("order").first().pk}
    data.update(fields)
    return client.post(IMPORT_URL, data)


def test_the_upload_page_reports_the_real_size_of_a_large_file(editor_client, section):
    response = post(editor_client, upload("huge.txt", big_copy()))

    page = response.content.decode()
    assert response.status_code == 200
    assert "huge.txt: too large (5.4 MB; wire copy is at most 2 MB)" in page
    assert "2048 KB" not in page
    assert not Article.objects.exists()


# Whose byline: a reporter files only under their own email; the desk under anyone's.


@pytest.fixture
def reporter(db):
    """A Reporter-group login linked to the byline of Chang Zhipeng."""
    user = UserFactory(username="zhipeng")
    user.groups.add(Group.objects.get(name="Reporter"))
    ReporterFactory(
        name="Chang Zhipeng", slug="chang-zhipeng", email="zhipeng@example.org", user=user
    )
    return user


def test_a_reporter_cannot_import_copy_under_another_reporters_email(
    client, reporter, lingling, section
):
    client.force_login(reporter)
    before = (Article.objects.count(), Byline.objects.count(), Reporter.objects.count())

    response = post(client, upload("lingling.txt", story()))

    page = response.content.decode()
    assert response.status_code == 200
    assert "lingling.txt: not imported:" in page
    assert "lingling@example.org" in page
    assert "not your own" in page
    assert "0 stories imported, 0 skipped (already imported), 1 failed." in page
    assert (Article.objects.count(), Byline.objects.count(), Reporter.objects.count()) == before


def test_a_reporter_dry_run_is_refused_the_same_way(client, reporter, lingling, section):
    client.force_login(reporter)
    response = post(client, upload("lingling.txt", story()), dry_run="on")
    assert "lingling.txt: not imported:" in response.content.decode()


def test_a_reporter_imports_their_own_copy_in_any_case(client, reporter, lingling, section):
    client.force_login(reporter)

    response = post(client, upload("mine.txt", story(email="ZhiPeng@Example.org")))

    assert "1 story imported" in response.content.decode()
    article = Article.objects.get()
    assert [b.reporter.slug for b in article.bylines.all()] == ["chang-zhipeng"]
    assert article.created_by == reporter


def test_a_reporter_without_a_byline_cannot_import_anyones_copy(client, lingling, section):
    user = UserFactory(username="unlinked")
    user.groups.add(Group.objects.get(name="Reporter"))
    client.force_login(user)

    response = post(client, upload("lingling.txt", story()))

    page = response.content.decode()
    assert "lingling.txt: not imported:" in page and "lingling@example.org" in page
    assert not Article.objects.exists()


def test_the_desk_imports_anyones_copy(editor_client, lingling, section):
    response = post(editor_client, upload("lingling.txt", story()))

    assert "1 story imported" in response.content.decode()
    assert [b.reporter for b in Article.objects.get().bylines.all()] == [lingling]


def test_the_command_as_a_reporter_follows_the_same_rule(tmp_path, reporter, lingling, section):
    path = write(tmp_path / "lingling.txt", story())

    output = run_failing(path, "--user", "zhipeng")

    assert f"{path}: not imported:" in output and "lingling@example.org" in output
    assert not Article.objects.exists()


def test_the_command_without_a_user_is_trusted(tmp_path, reporter, lingling, section):
    run(write(tmp_path / "lingling.txt", story()))
    assert [b.reporter for b in Article.objects.get().bylines.all()] == [lingling]


def test_the_command_as_an_editor_imports_anyones_copy(tmp_path, editor_user, lingling, section):
    run(write(tmp_path / "lingling.txt", story()), "--user", editor_user.username)
    assert Article.objects.count() == 1


def test_links_are_not_followed_even_with_o_nofollow_missing(monkeypatch, linked_folder):
    """The refusal does not rest on O_NOFOLLOW alone (it is missing on some systems)."""
    monkeypatch.setattr(os, "O_NOFOLLOW", 0, raising=False)
    output = run_failing(linked_folder / "outside.txt")
    assert "symbolic link" in output
    assert not Article.objects.exists()
