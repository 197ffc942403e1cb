"""articles.wire: reading wire copy. Tolerant of how copy travels, strict about what it is."""

import unicodedata
from pathlib import Path

import pytest
from django.conf import settings
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from articles import wire
from articles.models import Article
from people.models import Reporter

SEED_SOURCE = Path(settings.BASE_DIR) / "fixtures" / "source" / "qianhai-forum.txt"

CLEAN = (
    "Shenzhen\n"
    "Chang Zhipeng\n"
    "57589527@qq.com\n"
    "The forum ended on Saturday.\n"
    "Deng Zhonghua spoke about Qianhai’s future — and Hong Kong’s part in it.\n"
)
CLEAN_FIELDS = (
    "Shenzhen",
    "Chang Zhipeng",
    "57589527@qq.com",
    (
        "The forum ended on Saturday.",
        "Deng Zhonghua spoke about Qianhai’s future — and Hong Kong’s part in it.",
    ),
)


def wire_copy(
    *, dateline: str, reporter_name: str, reporter_email: str, paragraphs: list[str] | tuple
) -> str:
    """A story written out in the wire format, as a reporter files it."""
    return "\n".join([dateline, reporter_name, reporter_email, *paragraphs]) + "\n"


def fields(copy: wire.WireCopy):
    return copy.dateline, copy.reporter_name, copy.reporter_email, copy.paragraphs


def parse_text(text: str, name: str = "story.txt") -> wire.WireCopy:
    return wire.parse(text.encode("utf-8"), name)


def refusal(data: bytes, name: str = "story.txt") -> wire.WireError:
    with pytest.raises(wire.WireError) as caught:
        wire.parse(data, name)
    return caught.value


# The seed copy.


def test_the_seed_copy_parses_to_its_dateline_reporter_and_six_paragraphs():
    copy = wire.parse(SEED_SOURCE.read_bytes(), "qianhai-forum.txt")

    assert copy.filename == "qianhai-forum.txt"
    assert (copy.dateline, copy.reporter_name, copy.reporter_email) == (
        "Shenzhen",
        "Chang Zhipeng",
        "57589527@qq.com",
    )
    assert len(copy.paragraphs) == 6
    assert copy.paragraphs[0].startswith("APPROXIMATELY 1,200 representatives")
    assert copy.paragraphs[-1].endswith("at the forum Saturday.")


@pytest.mark.django_db
def test_the_seed_copy_makes_exactly_the_seed_fixtures_body(seed):
    """The seed file has no newline at its end; the body is still the fixture's, word for word."""
    assert not SEED_SOURCE.read_bytes().endswith(b"\n")
    copy = wire.parse(SEED_SOURCE.read_bytes(), "qianhai-forum.txt")

    assert copy.body_html == seed.body


# Tolerated: what copy picks up on its way.

TOLERATED = {
    "byte order mark": "\ufeff" + CLEAN,
    "CRLF line ends": CLEAN.replace("\n", "\r\n"),
    "old Mac line ends": CLEAN.replace("\n", "\r"),
    "blank lines between paragraphs": CLEAN.replace("Saturday.\n", "Saturday.\n\n\n"),
    "a blank line after the header": CLEAN.replace("qq.com\n", "qq.com\n\n"),
    "trailing spaces and tabs": CLEAN.replace("\n", "  \t\n"),
    "no newline at the end": CLEAN.rstrip("\n"),
    "blank lines at the end": CLEAN + "\n\n  \n",
    "indented paragraphs": CLEAN.replace("The forum", "\u3000\u3000The forum").replace(
        "Deng", "    Deng"
    ),
    "all of them at once": "\ufeffShenzhen \r\nChang Zhipeng\t\r\n57589527@qq.com  \r\n\r\n"
    + CLEAN.split("\n", 3)[3].replace("\n", "  \r\n\r\n").rstrip(),
}


@pytest.mark.parametrize("text", TOLERATED.values(), ids=TOLERATED.keys())
def test_messy_copy_reads_as_the_clean_copy(text):
    copy = parse_text(text)

    assert fields(copy) == CLEAN_FIELDS
    assert copy.fingerprint == parse_text(CLEAN).fingerprint


def test_the_byte_order_mark_is_not_kept_in_the_dateline():
    assert parse_text("\ufeffShenzhen\nA\na@example.org\nText.").dateline == "Shenzhen"


KEPT = [
    "“Curly quotes”, ‘single ones’ and apostrophes’ stay curly.",
    "Dashes – en and — em – stay, and so does the ellipsis…",
    "Accents: São Paulo, Zürich, Ōsaka, Kraków, café.",
    "前海论坛于周六在前海国际会议中心闭幕，约1200名代表出席。",
    "Mixed 深圳 and Hong Kong, with a tab\tinside.",
]


@pytest.mark.parametrize("paragraph", KEPT)
def test_characters_are_kept_as_sent(paragraph):
    copy = parse_text(f"Shenzhen\nChang Zhipeng\n57589527@qq.com\n{paragraph}\n")

    assert copy.paragraphs == (paragraph,)
    assert paragraph in copy.body_html


def test_text_is_not_normalised_to_another_unicode_form():
    """“é” sent as e + combining accent stays that way: the copy is the reporter's."""
    decomposed = unicodedata.normalize("NFD", "Café in Zürich.")
    copy = parse_text(f"Shenzhen\nA\na@example.org\n{decomposed}")

    assert copy.paragraphs == (decomposed,)


def test_paragraphs_become_one_paragraph_element_a_line_with_their_text_escaped():
    copy = parse_text(
        "Shenzhen\nA\na@example.org\n"
        "Tom & Jerry said 1 < 2 and <script>alert('x')</script> is text.\n"
        '<p onclick="evil()">Not markup</p> "quoted"\n'
    )

    assert copy.body_html == (
        "<p>Tom &amp; Jerry said 1 &lt; 2 and &lt;script&gt;alert('x')&lt;/script&gt; is "
        "text.</p>\n"
        '<p>&lt;p onclick="evil()"&gt;Not markup&lt;/p&gt; "quoted"</p>'
    )


# Refused: each with the file, the line and what to do.


def test_an_empty_file_is_refused():
    error = refusal(b"", "empty.txt")

    assert (error.file, error.line) == ("empty.txt", 1)
    assert "empty" in error.message
    assert str(error).startswith("empty.txt, line 1: ")


@pytest.mark.parametrize("data", [b"\n\n  \n", b"\xef\xbb\xbf", b"\xef\xbb\xbf\r\n \r\n"])
def test_a_file_of_blank_lines_is_empty(data):
    assert "empty" in refusal(data).message


@pytest.mark.parametrize(
    "text",
    [
        "Shenzhen\nChang Zhipeng\n57589527@qq.com\n",
        "Shenzhen\nChang Zhipeng\n57589527@qq.com",
        "Shenzhen\r\nChang Zhipeng\r\n57589527@qq.com\r\n\r\n   \r\n",
    ],
    ids=["header only", "no newline", "blank lines after the header"],
)
def test_a_file_with_no_paragraph_after_the_header_is_refused(text):
    error = refusal(text.encode())

    assert error.line == 4
    assert "no story text" in error.message


@pytest.mark.parametrize(
    "email",
    ["not-an-email", "57589527@", "@qq.com", "Chang Zhipeng", "a@b@c.com", "mailto:a@example.org"],
)
def test_a_third_line_that_is_not_an_email_is_refused(email):
    error = refusal(f"Shenzhen\nChang Zhipeng\n{email}\nText.\n".encode(), "bad-email.txt")

    assert (error.file, error.line) == ("bad-email.txt", 3)
    assert "not a valid email" in error.message
    assert email in error.message


def test_swapped_name_and_email_lines_are_pointed_out():
    error = refusal(b"Shenzhen\n57589527@qq.com\nChang Zhipeng\nText.\n")

    assert error.line == 3
    assert "swapped" in error.message


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("Shenzhen\n", 2),
        ("Shenzhen\nChang Zhipeng\n", 3),
        ("\nChang Zhipeng\n57589527@qq.com\nText.\n", 1),
        ("Shenzhen\n\n57589527@qq.com\nText.\n", 2),
        ("Shenzhen\nChang Zhipeng\n\nText.\n", 3),
    ],
    ids=["no reporter", "no email", "blank dateline", "blank reporter", "blank email"],
)
def test_a_missing_header_line_is_refused_with_its_line(text, line):
    assert refusal(text.encode()).line == line


def test_a_paragraph_where_the_dateline_should_be_is_refused():
    """A dateline longer than the story's field takes is copy that lost its header."""
    long_line = (
        "APPROXIMATELY 1,200 representatives from various sectors gathered at the forum " * 2
    )
    error = refusal(f"{long_line}\nChang Zhipeng\n57589527@qq.com\nText.\n".encode())

    assert error.line == 1
    assert "dateline" in error.message


def test_bytes_that_are_not_utf8_are_refused_with_their_line():
    data = "Shenzhen\nChang Zhipeng\n57589527@qq.com\nCafé in Zürich.\n".encode("latin-1")
    error = refusal(data, "latin1.txt")

    assert (error.file, error.line) == ("latin1.txt", 4)
    assert "not UTF-8" in error.message
    assert "0xE9" in error.message


def test_a_binary_file_is_refused():
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    error = refusal(png, "photo.txt")

    assert error.file == "photo.txt"
    assert error.line == 3  # the first NUL byte, after "\r\n" and "\x1a\n"
    assert "binary" in error.message


def test_a_control_character_is_refused_as_binary():
    error = refusal(b"Shenzhen\nChang Zhipeng\n57589527@qq.com\nText \x07 with a bell.\n")

    assert error.line == 4
    assert "U+0007" in error.message


def test_utf16_text_is_refused_with_what_to_do():
    error = refusal(CLEAN.encode("utf-16"))

    assert error.line == 1
    assert "UTF-16" in error.message
    assert "UTF-8" in error.message


# The fingerprint that recognises copy filed again.


def test_the_fingerprint_ignores_how_the_copy_is_laid_out():
    base = parse_text(CLEAN).fingerprint

    assert parse_text(CLEAN.replace("57589527@qq.com", "57589527@QQ.COM")).fingerprint == base
    assert parse_text(CLEAN.replace("ended on", "ended   on")).fingerprint == base
    assert (
        parse_text(CLEAN.replace("Saturday", unicodedata.normalize("NFD", "Saturday"))).fingerprint
        == base
    )
    assert parse_text(CLEAN.replace("Chang Zhipeng", "Zhipeng Chang")).fingerprint == base


@pytest.mark.parametrize(
    ("old", "new"),
    [("Shenzhen\n", "Shanghai\n"), ("57589527", "57589528"), ("Saturday", "Sunday")],
    ids=["dateline", "email", "paragraph"],
)
def test_the_fingerprint_changes_with_the_text(old, new):
    assert parse_text(CLEAN.replace(old, new)).fingerprint != parse_text(CLEAN).fingerprint


def test_paragraph_breaks_are_part_of_the_fingerprint():
    joined = CLEAN.replace("Saturday.\n", "Saturday. ")
    assert parse_text(joined).fingerprint != parse_text(CLEAN).fingerprint


# Provisional headlines.


@pytest.mark.parametrize(
    ("paragraph", "headline"),
    [
        ("The forum ended on Saturday. More followed.", "The forum ended on Saturday"),
        ("Did it end? Yes.", "Did it end?"),
        ("Mr. Xu said the U.S. deal is done. Then more.", "Mr. Xu said the U.S. deal is done"),
        ("Growth was 5.2 percent. Analysts agreed.", "Growth was 5.2 percent"),
        ("“It is over.” Then silence.", "“It is over.”"),
        ("前海论坛闭幕。约1200名代表出席。", "前海论坛闭幕"),
        ("No full stop at all", "No full stop at all"),
    ],
)
def test_the_provisional_headline_is_the_first_sentence(paragraph, headline):
    assert wire.provisional_headline(paragraph) == headline


def test_a_long_first_sentence_is_cut_at_a_word():
    copy = wire.parse(SEED_SOURCE.read_bytes(), "qianhai-forum.txt")
    headline = copy.provisional_headline

    assert len(headline) <= wire.MAX_PROVISIONAL_HEADLINE
    assert headline.endswith("…")
    assert headline.startswith("APPROXIMATELY 1,200 representatives from various sectors")
    assert copy.paragraphs[0].startswith(headline.removesuffix("…"))


# The limits match the fields the copy is stored in.


def test_limits_match_the_model_fields():
    assert Article._meta.get_field("dateline").max_length == wire.MAX_DATELINE
    assert Reporter._meta.get_field("name").max_length == wire.MAX_REPORTER_NAME
    assert Reporter._meta.get_field("email").max_length <= wire.MAX_EMAIL
    assert Article._meta.get_field("headline").max_length >= wire.MAX_PROVISIONAL_HEADLINE


# Property: any story written out in the wire format reads back to the same fields.

# Text as it can appear on one line of copy: no line ends and no control characters (both
# refused or split by the reader), no surrogates (not encodable), nothing but spaces at the edges
# (stripped). Everything else, from any script, must come back as it went in.
line_text = (
    st.text(
        alphabet=st.characters(blacklist_categories=("Cc", "Cs")),
        min_size=1,
        max_size=80,
    )
    .map(str.strip)
    .filter(bool)
)
emails = st.emails().filter(wire._is_email)
stories = st.fixed_dictionaries(
    {
        "dateline": line_text.filter(lambda s: len(s) <= wire.MAX_DATELINE),
        "reporter_name": line_text,
        "reporter_email": emails,
        "paragraphs": st.lists(line_text, min_size=1, max_size=8),
    }
)
NO_DATABASE = hypothesis_settings(
    max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)


@NO_DATABASE
@given(story=stories)
def test_any_story_written_out_parses_back_to_the_same_fields(story):
    copy = wire.parse(wire_copy(**story).encode("utf-8"), "generated.txt")

    assert copy.dateline == story["dateline"]
    assert copy.reporter_name == story["reporter_name"]
    assert copy.reporter_email == story["reporter_email"]
    assert copy.paragraphs == tuple(story["paragraphs"])


@NO_DATABASE
@given(
    story=stories,
    line_end=st.sampled_from(["\n", "\r\n", "\r"]),
    bom=st.booleans(),
    trailing=st.sampled_from(["", " ", "  \t", "\u00a0"]),
    blank_lines=st.integers(min_value=0, max_value=2),
    final_newline=st.booleans(),
)
def test_the_same_story_sent_messily_parses_the_same_and_is_recognised(
    story, line_end, bom, trailing, blank_lines, final_newline
):
    header = [story["dateline"], story["reporter_name"], story["reporter_email"]]
    body_lines = []
    for paragraph in story["paragraphs"]:
        body_lines += [paragraph + trailing] + [""] * blank_lines
    text = line_end.join([line + trailing for line in header] + body_lines)
    text = ("\ufeff" if bom else "") + text + (line_end if final_newline else "")

    messy = wire.parse(text.encode("utf-8"), "messy.txt")
    clean = wire.parse(wire_copy(**story).encode("utf-8"), "clean.txt")

    assert fields(messy) == fields(clean)
    assert messy.fingerprint == clean.fingerprint
