"""Every reader page type is valid HTML: the Nu HTML checker (vnu.jar, the W3C's validator) reports
no error on any of them.

The pages (see ``conftest.PAGE_URLS``) are written to files and checked in one run of the checker
(a Java start costs a second or two), then each page type is a test of its own that fails with the
checker's messages: line, column, message and the text around it.
"""

import json
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from .conftest import PAGE_URLS

pytestmark = pytest.mark.django_db

# Warnings are advice (and change between checker versions): --errors-only.
CHECKER_TIMEOUT_SECONDS = 300


@pytest.fixture(scope="module")
def vnu_messages(vnu_command, reader_pages, tmp_path_factory):
    """``{page name: [message, ...]}``, the checker's errors for each page, from one run."""
    folder = tmp_path_factory.mktemp("html-check")
    files = {}
    for name, page in reader_pages.items():
        if not page.html:
            continue  # not made: its test fails on the status
        path = folder / f"{name}.html"
        path.write_text(page.html, encoding="utf-8")
        files[path.resolve()] = name
    result = subprocess.run(
        [*vnu_command, "--errors-only", "--format", "json", "--stdout", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=CHECKER_TIMEOUT_SECONDS,
    )
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"the HTML checker gave no report (exit {result.returncode}):\n{result.stderr}")
    messages = {name: [] for name in files.values()}
    for message in report["messages"]:
        path = Path(unquote(urlparse(message.get("url", "")).path)).resolve()
        # A message about no file of ours (the checker failing) fails every page.
        for name in [files[path]] if path in files else messages:
            messages[name].append(message)
    return messages


def describe(message):
    line = message.get("lastLine", message.get("firstLine", "?"))
    column = message.get("firstColumn", message.get("lastColumn", "?"))
    extract = " ".join(message.get("extract", "").split())
    return f"{line}:{column}: {message.get('type')}: {message['message']}  [{extract}]"


@pytest.mark.parametrize("name", PAGE_URLS)
def test_the_html_checker_finds_no_error(vnu_command, reader_pages, vnu_messages, name):
    page = reader_pages[name]
    page.check_status(name)
    errors = [describe(message) for message in vnu_messages[name]]
    assert errors == [], f"vnu on {page.url}:\n" + "\n".join(errors)
