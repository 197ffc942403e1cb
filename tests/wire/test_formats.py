"""Agency files read into items (``wire.formats``): each ninjs version, NewsML-G2 with an XHTML
or NITF body, a news message, the newsroom's plain-text copy, and files that must be refused,
with the file and the place named. No database: parsing only reads.

The samples (``tests/wire/samples``) are invented demonstration copy; ``hostile/`` holds the
files an attacker or a broken agency system would send.
"""

import codecs
import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from wire import formats
from wire.formats import CANCELED, USABLE, WITHHELD, IngestError, Subject

SAMPLES = Path(__file__).parent / "samples"
HOSTILE = SAMPLES / "hostile"
PASSWD = Path("/etc/passwd")
UTC = dt.UTC


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def parse(name: str, **kwargs) -> list[formats.Item]:
    return formats.parse(sample(name), name, **kwargs)


def only(name: str, **kwargs) -> formats.Item:
    items = parse(name, **kwargs)
    assert len(items) == 1
    return items[0]


def refused(data: bytes, filename: str, **kwargs) -> IngestError:
    with pytest.raises(IngestError) as caught:
        formats.parse(data, filename, **kwargs)
    assert caught.value.file == filename
    assert str(caught.value).startswith(filename)
    return caught.value


def refused_sample(name: str, **kwargs) -> IngestError:
    return refused((HOSTILE / name).read_bytes(), name, **kwargs)


def ninjs(**fields) -> bytes:
    return json.dumps(fields, ensure_ascii=False).encode("utf-8")


def zone(hours: int) -> dt.timezone:
    return dt.timezone(dt.timedelta(hours=hours))


# ninjs 1.x, 2.x and 3.x.


def test_ninjs_1_is_read_from_its_own_field_names():
    item = only("ninjs1-reuters.json")

    assert item.format == "ninjs-1"
    assert item.provider == "Reuters"  # the infosource whose rel is provider, not the first
    assert item.uri == "urn:demo:reuters:20250503:floating-library"
    assert item.version == 1
    assert item.versioncreated == dt.datetime(2025, 5, 3, 9, 30, tzinfo=UTC)
    assert item.pubstatus == USABLE
    assert item.embargo_until is None
    assert item.headline == (
        "DEMO: Floating library opens in the invented harbour town of Port Example"
    )
    assert item.standfirst == "Demonstration copy: a made-up town moors a library on a barge."
    assert item.byline == "By Demo Reporter, Reuters"
    assert item.dateline == "Port Example"
    assert item.language == "en"
    assert item.subjects == (
        Subject("medtop:01000000", "arts, culture, entertainment and media"),
        Subject("demo-topics:LIB", "libraries"),
    )
    assert item.body_html.startswith("<p>PORT EXAMPLE (Demo) - This is invented")
    assert "<h2>Opening day</h2>" in item.body_html
    assert item.raw == sample("ninjs1-reuters.json").decode("utf-8")
    assert item.reporter_email == ""


def test_ninjs_2_takes_the_main_headline_the_summary_and_the_html_body():
    item = only("ninjs2-afp.json")

    assert item.format == "ninjs-2"
    assert item.provider == "AFP"  # the originator, though a distributor is listed first
    assert item.uri == "urn:demo:afp:20250503:solar-bus-trial"
    assert item.version == 3
    assert item.versioncreated == dt.datetime(2025, 5, 3, 14, 5, tzinfo=zone(2))
    assert item.embargo_until == dt.datetime(2025, 5, 4, 4, 0, tzinfo=UTC)
    assert item.headline == (
        "DEMO: Solar-roofed buses tried out in the invented city of Exampleville"
    )
    # The summary was sent as HTML: the standfirst is its text.
    assert item.standfirst == "Demonstration copy: Exampleville tries buses with solar roofs."
    assert item.byline == "Demo Correspondent"
    assert item.dateline == "Exampleville"
    assert item.subjects == (
        Subject("medtop:06000000", "environment"),
        Subject("medtop:13000000", "science and technology"),
        Subject("demo-buses", "buses"),
    )
    # HTML is preferred to the plain-text body sent before it.
    assert item.body_html.startswith("<p>EXAMPLEVILLE (Demo) - This is invented")
    assert "Invented plain-text body" not in item.body_html


def test_ninjs_3_is_told_by_its_camel_case_names():
    item = only("ninjs3-dpa.json")

    assert item.format == "ninjs-3"
    assert item.provider == "dpa"  # no infoSources: the copyrightHolder
    assert item.version == 2
    assert item.versioncreated == dt.datetime(2025, 5, 3, 14, 2, 28, tzinfo=UTC)
    assert item.embargo_until == dt.datetime(2025, 5, 3, 16, 0, tzinfo=UTC)
    assert item.pubstatus == USABLE
    assert item.headline.startswith("DEMO: Rasenmäher-Roboter")
    assert item.standfirst == "Demonstrationstext: ein erfundenes Dorffest mit Robotern."
    assert item.byline == "Von Demo Reporterin, dpa"
    assert item.dateline == "Beispieldorf"
    assert item.language == "de"
    assert item.subjects == (
        Subject("medtop:13000000", "Wissenschaft und Technik"),
        Subject("demo:freizeit", "Freizeit"),
    )
    assert "zwölf Rasenmäher-Roboter" in item.body_html


def test_a_ninjs_list_holds_one_item_each_and_each_is_told_apart():
    first, second = parse("ninjs-array-two-items.json", provider="Demo Wire Agency")

    assert first.format == "ninjs-1"
    assert first.provider == "Demo Wire Agency"  # it names none: the one given
    assert first.versioncreated == dt.datetime(2025, 5, 3, 11, 0, tzinfo=UTC)
    # Plain text with blank lines: a paragraph each, escaped.
    assert first.body_html == (
        "<p>SAMPLETOWN (Demo) - This is invented demonstration copy. The bridge, which does not "
        "exist, was painted overnight.</p>\n"
        "<p>Painters said the twelfth colour &lt;teal&gt; was the hardest.</p>"
    )
    assert first.subjects == (
        Subject("medtop:01000000", "arts"),
        Subject("name:Bridges", "Bridges"),
    )
    assert json.loads(first.raw)["uri"] == "urn:demo:wire:20250503:bridge-painted"

    assert second.format == "ninjs-3"
    assert second.provider == "Demo Wire Agency"  # infoSources, role cpprole:provider
    assert second.version == 4
    assert second.pubstatus == WITHHELD
    assert second.body_html == (
        "<p>ISLE OF TEST (Demo) - Invented demonstration copy.</p>\n"
        "<p>A second line is its own paragraph.</p>"
    )
    assert json.loads(second.raw)["headlines"][0]["value"].startswith("DEMO: Ferry timetable")


def test_an_item_naming_no_agency_is_refused_when_none_is_given():
    error = refused(sample("ninjs-array-two-items.json"), "list.json")

    assert error.place == "item 1 (uri urn:demo:wire:20250503:bridge-painted), field provider"
    assert "does not say which agency" in error.message


def test_an_update_a_kill_and_the_first_version_share_the_uri():
    first, update, kill = (
        only(name)
        for name in ("ninjs1-reuters.json", "ninjs1-v2-update.json", "ninjs1-canceled.json")
    )

    assert first.uri == update.uri == kill.uri
    assert (first.version, update.version, kill.version) == (1, 2, 3)
    assert update.headline.startswith("UPDATE 1-DEMO")
    assert kill.pubstatus == CANCELED
    assert kill.body_html.startswith("<p>Editors: the demonstration story")


@pytest.mark.parametrize(
    ("standard", "expected"),
    [
        ({"version": "1.6"}, "ninjs-1"),
        ({"version": "2.0"}, "ninjs-2"),
        ({"version": "3.1"}, "ninjs-3"),
    ],
)
def test_the_standard_the_item_names_decides_its_version(standard, expected):
    data = ninjs(
        uri="urn:demo:x",
        standard=standard,
        headline="DEMO: one",
        headlines=[{"value": "DEMO: one"}],
        copyrightholder="Demo Wire Agency",
        copyrightHolder="Demo Wire Agency",
    )

    assert formats.parse(data, "standard.json")[0].format == expected


def test_a_version_sent_as_a_number_is_read():
    data = ninjs(uri="urn:demo:x", version=7, headline="DEMO: seven", copyrightholder="Demo")

    assert formats.parse(data, "seven.json")[0].version == 7


def test_a_utf8_byte_order_mark_before_json_is_tolerated():
    data = codecs.BOM_UTF8 + sample("ninjs3-dpa.json")

    assert formats.parse(data, "bom.json")[0].headline.startswith("DEMO: Rasenmäher")


# NewsML-G2.


def test_newsml_with_an_xhtml_body():
    item = only("newsml-xhtml.xml")

    assert item.format == "newsml-g2"
    assert item.provider == "Xinhua"  # the provider's name, before its qcode
    assert item.uri == "urn:newsml:demo.example:20250503:kite-festival"
    assert item.version == 1
    assert item.versioncreated == dt.datetime(2025, 5, 3, 12, 15, tzinfo=UTC)
    assert item.pubstatus == USABLE
    assert item.headline == "DEMO: Thousand kites fly over the invented Example Bay"
    assert item.standfirst == "Demonstration copy: a made-up bay holds a kite festival."
    assert item.byline == "By Demo Writer"
    assert item.dateline == "EXAMPLE BAY, May 3 (Demo)"
    assert item.language == "en"
    assert item.subjects == (
        Subject("medtop:01000000", "arts, culture, entertainment and media"),
        Subject("medtop:10000000", "lifestyle and leisure"),
    )
    body = item.body_html
    assert body.startswith("<p>EXAMPLE BAY (Demo) – This is invented demonstration copy.")
    assert "<h2>Wind from the east</h2>" in body
    assert "<ul><li>Longest tail: 40 metres</li><li>Smallest kite: a stamp</li></ul>" in body
    assert "<blockquote><p>“The wind did all the work,”" in body
    assert '<a href="https://example.org/demo">the demo site</a>' in body
    assert "<em>emphasis</em> &amp; <strong>strength</strong>" in body
    # No namespaces, no document head, no script.
    assert "xmlns" not in body and "w3.org" not in body
    assert "Kite festival" not in body and "not copy" not in body
    assert item.raw == sample("newsml-xhtml.xml").decode("utf-8")


def test_newsml_with_a_nitf_body_takes_headline_byline_and_dateline_from_its_head():
    item = only("newsml-nitf.xml")

    assert item.provider == "Associated Press"  # @literal
    assert item.version == 5
    assert item.pubstatus == USABLE  # no pubStatus: usable
    assert item.embargo_until == dt.datetime(2025, 5, 3, 12, 0, tzinfo=UTC)
    assert item.headline == "DEMO: Invented town's clock tower chimes again"
    assert item.byline == "By Demo Staffer"
    assert item.dateline == "CLOCKTON"  # the place, not the date after it
    assert item.standfirst == "Demonstration copy: a made-up clock is mended."
    assert item.language == "en-US"
    assert item.subjects == (Subject("medtop:11000000", "medtop:11000000"),)
    body = item.body_html
    assert body.startswith("<p>CLOCKTON (Demo) — This is invented demonstration copy.")
    assert "The clock tower of Clockton, a town that does not exist" in body
    assert "<h2>Repairs</h2>" in body
    assert "<p>Repairs cost 12 dollars, all of them invented.</p>" in body
    assert "<blockquote><p>“It is about time,” said the fictional mayor.</p>" in body
    # Pictures are referenced, not copy; notes are for editors.
    assert "Caption not in the body" not in body and "not for publication" not in body
    assert "nitf" not in body and "<block>" not in body and "<location" not in body


def test_a_news_message_holds_two_items_each_recorded_on_its_own():
    first, second = parse("newsml-message-two-items.xml")

    assert first.uri == "urn:newsml:demo.example:20250503:cheese-rolling"
    assert first.provider == "DEMO"  # only a qcode: its code
    assert first.version == 2
    assert first.subjects == (Subject("medtop:15000000", "sport"),)
    assert first.body_html == "<p>Invented demonstration copy: a cheese rolled uphill.</p>"

    assert second.uri == "urn:newsml:demo.example:20250503:snail-mail"
    assert second.provider == "Demo Wire Agency"
    assert second.pubstatus == CANCELED
    assert second.byline == "Demo Snail and Demo Tortoise"  # the creators
    assert second.dateline == "Slowford"  # located
    # NITF without its namespace.
    assert second.headline == "DEMO: Snail delivers the post in invented Slowford"
    assert second.body_html == (
        "<p>Invented demonstration copy: the post arrived <em>eventually</em>.</p>"
    )

    # Each record is that item as sent, with the namespace it inherits, and reads on its own.
    assert first.raw.startswith('<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/"')
    assert "snail" not in first.raw and "cheese" not in second.raw
    assert first.raw.endswith("</newsItem>") and second.raw.endswith("</newsItem>")
    for item in (first, second):
        again = formats.parse(item.raw.encode("utf-8"), "record.xml")
        assert [(one.uri, one.headline) for one in again] == [(item.uri, item.headline)]


def test_a_withheld_item_with_a_plain_text_body():
    item = only("newsml-withheld.xml")

    assert item.pubstatus == WITHHELD
    assert item.version == 2
    assert item.body_html == (
        "<p>Editors: the demonstration kite festival story is withheld.</p>\n"
        "<p>Do not use it until further notice.</p>"
    )


def test_the_declared_encoding_is_honoured():
    item = only("newsml-latin1.xml")

    assert item.headline == "DEMO: Café in invented Zürichsee-Beispiel serves crème brûlée"
    assert "café opened" in item.body_html


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be"])
def test_utf16_xml_with_a_byte_order_mark_is_read(codec):
    text = (
        sample("newsml-xhtml.xml").decode("utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"')
    )
    data = (codecs.BOM_UTF16_BE if codec == "utf-16-be" else b"") + text.encode(codec)

    item = formats.parse(data, "wide.xml")[0]

    assert item.headline == "DEMO: Thousand kites fly over the invented Example Bay"
    assert item.raw == text


def test_newsml_naming_no_provider_takes_the_one_given():
    text = sample("newsml-xhtml.xml").decode("utf-8")
    start, end = text.index("<provider"), text.index("</provider>") + len("</provider>")
    data = (text[:start] + text[end:]).encode("utf-8")

    assert formats.parse(data, "x.xml", provider="Demo Wire Agency")[0].provider == (
        "Demo Wire Agency"
    )
    error = refused(data, "x.xml")
    assert error.place.endswith("field provider")


# The newsroom's plain-text copy.


def test_plain_text_copy_is_an_item_of_the_queue():
    item = only("plain-qianhai-forum.txt")

    assert item.format == "plain-text"
    assert item.provider == "Filed copy"
    assert item.uri.startswith("urn:newsroom:copy:") and len(item.uri) == 18 + 64
    assert item.version == 1
    assert item.versioncreated is None
    assert item.byline == "Chang Zhipeng"
    assert item.reporter_email == "57589527@qq.com"
    assert item.dateline == "Shenzhen"
    assert item.headline.startswith("APPROXIMATELY 1,200 representatives")
    assert item.body_html.count("<p>") == 6
    assert item.raw == sample("plain-qianhai-forum.txt").decode("utf-8")


def test_plain_text_copy_keeps_its_line_numbered_errors():
    error = refused(b"Shenzhen\nChang Zhipeng\nnot an email\nA paragraph.\n", "copy.txt")

    assert error.place == "line 3"
    assert "not a valid email address" in error.message


# Hostile and broken files.


def assert_no_passwd_in(text: str):
    if PASSWD.exists():
        for line in PASSWD.read_text().splitlines():
            if len(line) > 3:
                assert line not in text
    assert "root:" not in text and "/bin/" not in text and "nologin" not in text


def test_billion_laughs_is_refused_before_anything_is_expanded():
    error = refused_sample("billion-laughs.xml")

    assert error.place == "line 2"
    assert "DTDs and entities are not accepted" in error.message
    assert "lol" not in str(error)


def test_xml_nested_to_exhaust_memory_is_refused_as_it_is_read():
    # 5 MB of nothing but nesting: 700,000 levels, hundreds of MB once built as a tree.
    deep = b"<newsItem guid='urn:x'>" + b"<a>" * 700_000 + b"</a>" * 700_000 + b"</newsItem>"
    deep = deep[: formats.MAX_FILE_BYTES]
    with pytest.raises(IngestError) as refused:
        formats.parse(deep, "deep.xml")
    assert refused.value.place == "line 1"
    assert "nested more than 200 elements deep" in refused.value.message


@pytest.mark.parametrize(
    ("name", "line"), [("external-entity-passwd.xml", 2), ("external-dtd.xml", 4)]
)
def test_an_external_entity_reading_a_local_file_is_refused_unread(name, line):
    error = refused_sample(name)

    assert error.place == f"line {line}"
    assert "DTDs and entities are not accepted" in error.message
    assert_no_passwd_in(str(error))


def test_a_file_of_50_mb_is_refused_unread(monkeypatch):
    from wire.formats import newsml, ninjs, plaintext

    def unread(*args, **kwargs):
        raise AssertionError("a file over the limit was parsed")

    for module in (ninjs, newsml, plaintext):
        monkeypatch.setattr(module, "parse", unread)
    item = sample("ninjs1-reuters.json")
    data = item[:-2] + b' "pad": "' + b"x" * (50 * 1024 * 1024) + b'"}'

    error = refused(data, "huge.json")

    assert error.place is None
    assert "50.0 MB" in error.message and "at most 5 MB" in error.message


def test_xml_declared_utf8_but_written_in_latin1_is_refused_at_the_byte():
    error = refused_sample("declared-utf8-latin1-bytes.xml")

    assert error.place == "line 4, column 35"
    assert "not UTF-8" in error.message and "0xE9" in error.message


def test_xml_declaring_an_unknown_encoding_is_refused_naming_it():
    error = refused_sample("unknown-encoding.xml")

    assert "x-demo-no-such-charset" in error.message


@pytest.mark.parametrize("encoding", ["zlib", "base64", "utf-7", "unicode-escape"])
def test_codecs_that_are_not_text_encodings_are_refused(encoding):
    data = f'<?xml version="1.0" encoding="{encoding}"?><newsItem guid="g"/>'.encode()

    error = refused(data, "codec.xml")

    assert encoding in error.message and "not one we can read" in error.message


def test_xml_declaring_utf16_but_written_in_single_bytes_is_refused():
    data = sample("newsml-xhtml.xml").replace(b'encoding="UTF-8"', b'encoding="UTF-16"')

    error = refused(data, "liar.xml")

    assert "declares the encoding “UTF-16” but is not written in it" in error.message


def test_utf16_xml_declaring_utf8_is_refused():
    data = sample("newsml-xhtml.xml").decode("utf-8").encode("utf-16")

    assert "the two must agree" in refused(data, "mixed.xml").message


def test_utf16_json_is_refused_with_a_request_for_utf8():
    error = refused_sample("ninjs-utf16.json")

    assert "UTF-16" in error.message and "must be UTF-8" in error.message


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-32"])
def test_wide_json_without_a_byte_order_mark_is_refused_too(codec):
    data = sample("ninjs3-dpa.json").decode("utf-8").encode(codec)

    assert "must be UTF-8" in refused(data, "wide.json").message


def test_json_that_is_not_utf8_is_refused_at_the_byte():
    data = '{\n  "uri": "urn:demo:x",\n  "headline": "Café"\n}'.encode("iso-8859-1")

    error = refused(data, "latin.json")

    assert error.place == "line 3, column 19"
    assert "0xE9" in error.message


def test_ninjs_missing_its_uri_is_refused_naming_the_field():
    error = refused_sample("ninjs-missing-uri.json")

    assert error.place == "item 1, field uri"
    assert "has no uri" in error.message


def test_ninjs_missing_its_headline_is_refused_naming_the_field():
    error = refused_sample("ninjs-missing-headline.json")

    assert error.place == "item 1 (uri urn:demo:hostile:no-headline), field headlines"
    assert "no headline" in error.message


def test_a_time_without_a_time_zone_is_refused():
    error = refused_sample("ninjs-naive-date.json")

    assert error.place == "item 1 (uri urn:demo:hostile:naive-date), field versioncreated"
    assert "versioncreated has no time zone" in error.message


def test_a_date_that_is_not_a_date_is_refused():
    data = ninjs(uri="urn:demo:x", headline="DEMO", embargoed="next Tuesday", copyrightholder="D")

    error = refused(data, "when.json")

    assert error.place.endswith("field embargoed")
    assert "“next Tuesday” is not a date and time" in error.message


def test_an_unknown_publication_status_is_refused():
    error = refused_sample("ninjs-bad-pubstatus.json")

    assert error.place.endswith("field pubstatus")
    assert "“published” is not a status" in error.message


def test_a_newsml_status_outside_the_vocabulary_is_refused():
    data = sample("newsml-withheld.xml").replace(b"stat:withheld", b"stat:embargoed")

    error = refused(data, "status.xml")

    assert error.place.endswith("field pubStatus")
    assert "stat:embargoed" in error.message


@pytest.mark.parametrize("version", ["2.1", "0", "-1", "two", 0, 1.5, True, [1]])
def test_a_version_that_is_not_a_whole_number_from_1_is_refused(version):
    data = ninjs(uri="urn:demo:x", version=version, headline="DEMO", copyrightholder="D")

    error = refused(data, "version.json")

    assert error.place == "item 1 (uri urn:demo:x), field version"


def test_the_bad_version_sample_is_refused():
    error = refused_sample("ninjs-bad-version.json")

    assert "“2.1”" in error.message


def test_a_json_syntax_error_names_its_line_and_column():
    error = refused_sample("ninjs-syntax-error.json")

    assert error.place == "line 4, column 3"
    assert "the JSON is broken here (expecting ',' delimiter)" in error.message


def test_an_xml_syntax_error_names_its_line_and_column():
    error = refused_sample("newsml-syntax-error.xml")

    assert error.place == "line 4, column 49"
    assert "mismatched tag" in error.message


@pytest.mark.parametrize(
    ("fields", "place", "words"),
    [
        ({"headline": 5}, "field headline", "should be text, not a number"),
        ({"headlines": "DEMO"}, "field headlines", "should be a list, not text"),
        ({"headlines": ["DEMO"]}, "field headlines[1]", "should be an object, not text"),
        ({"subject": {"name": "x"}}, "field subject", "should be a list, not an object"),
        (
            {"subjects": [{"name": 3}], "headlines": [{"value": "DEMO"}]},
            "field subjects[1].name",
            "should be text, not a number",
        ),
        ({"headline": "x" * 501}, "field headline", "501 characters long (at most 500)"),
        ({"located": "y" * 201}, "field located", "(at most 200)"),
        ({"headline": "DEMO \ud800"}, "field headline", "broken character"),
        ({"standard": {"version": "4.0"}}, "field standard.version", "ninjs 1.x, 2.x and 3.x"),
    ],
)
def test_wrong_types_and_sizes_are_refused_naming_item_and_field(fields, place, words):
    item = {"uri": "urn:demo:x", "headline": "DEMO", "copyrightholder": "Demo"} | fields
    data = json.dumps([{"uri": "urn:demo:ok", "headline": "DEMO", "copyrightholder": "D"}, item])

    error = refused(data.encode("utf-8"), "types.json")

    assert error.place == f"item 2 (uri urn:demo:x), {place}"
    assert words in error.message
    assert len(str(error)) < 400  # a long value is never echoed whole


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"[]", "holds no items"),
        (b'["DEMO"]', "not text"),
        (b'{"a": ' * 100_000 + b"1" + b"}" * 100_000, "nested too deeply"),
        (b'{"version": ' + b"9" * 5000 + b"}", "number too long"),
    ],
)
def test_json_that_is_no_news_item_is_refused(data, words):
    assert words in refused(data, "odd.json").message


def test_control_characters_are_left_out_of_the_fields():
    data = ninjs(uri="urn:demo:x", headline="DEMO\u0000 head\u0007line", copyrightholder="D")

    assert formats.parse(data, "ctl.json")[0].headline == "DEMO headline"


def test_an_unreadable_character_elsewhere_in_a_listed_item_is_recorded_escaped():
    data = (
        b'[{"uri": "urn:demo:x", "headline": "DEMO", "ednote": "\\ud800", "copyrightholder": "D"}]'
    )

    raw = formats.parse(data, "ednote.json")[0].raw

    assert "\\ud800" in raw
    raw.encode("utf-8")  # the record can be stored


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"<rss><channel/></rss>", "not a NewsML-G2 news item or news message (it is <rss>)"),
        (b'<newsItem xmlns="urn:demo:other"/>', "it is <{urn:demo:other}newsItem>"),
        (b"<newsMessage><itemSet/></newsMessage>", "holds no news items"),
        (b"<newsItem><contentMeta><headline>DEMO</headline></contentMeta></newsItem>", "no guid"),
        (
            b'<newsItem guid="g"><itemMeta><provider literal="D"/></itemMeta></newsItem>',
            "no headline",
        ),
    ],
)
def test_xml_that_is_no_news_item_is_refused(data, words):
    assert words in refused(data, "odd.xml").message


def test_a_body_nested_deeper_than_any_story_is_refused():
    depth = 10_000
    data = (
        b'<newsItem guid="g"><itemMeta><provider literal="D"/></itemMeta>'
        b"<contentMeta><headline>DEMO</headline></contentMeta><contentSet>"
        b'<inlineXML contenttype="application/xhtml+xml"><body>'
        + b"<div>" * depth
        + b"x"
        + b"</div>" * depth
        + b"</body></inlineXML></contentSet></newsItem>"
    )

    error = refused(data, "deep.xml")

    assert error.place == "line 1"
    assert "nested more than 200 elements deep" in error.message


def test_a_body_in_no_format_the_queue_reads_is_refused():
    data = ninjs(
        uri="urn:demo:x",
        headlines=[{"value": "DEMO"}],
        bodies=[{"contenttype": "application/nitf+xml", "value": "<nitf/>"}],
        copyrightholder="D",
    )

    error = refused(data, "nitf.json")

    assert error.place.endswith("field bodies")
    assert "application/nitf+xml" in error.message


# Whatever arrives, the answer is items or a refusal: never a crash.

NO_DATABASE = hypothesis_settings(
    max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)


def items_or_refusal(data: bytes):
    try:
        items = formats.parse(data, "fuzz.bin", provider="Demo Wire Agency")
    except IngestError as error:
        assert error.file == "fuzz.bin"
        return
    for item in items:
        assert item.headline and item.uri and item.provider
        assert item.version >= 1
        assert item.pubstatus in (USABLE, WITHHELD, CANCELED)
        item.raw.encode("utf-8")
        item.body_html.encode("utf-8")


@NO_DATABASE
@given(data=st.binary(max_size=2000))
def test_any_bytes_give_items_or_a_refusal(data):
    items_or_refusal(data)


@NO_DATABASE
@given(
    prefix=st.sampled_from([b"", codecs.BOM_UTF8, b"{", b"[", b"<", b"<?xml ", b"<newsItem "]),
    data=st.binary(max_size=500),
)
def test_any_bytes_after_a_likely_start_give_items_or_a_refusal(prefix, data):
    items_or_refusal(prefix + data)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=10,
)
ninjs_keys = st.sampled_from([
    "uri", "version", "versioncreated", "versionCreated", "pubstatus", "pubStatus", "embargoed",
    "embargoedUntil", "headline", "headlines", "descriptions", "description_text",
    "description_html", "body_html", "body_text", "bodies", "byline", "by", "located",
    "language", "subject", "subjects", "infosource", "infosources", "infoSources",
    "copyrightholder", "copyrightHolder", "standard", "$standard",
])  # fmt: skip
entries = st.dictionaries(
    st.sampled_from(["value", "role", "contenttype", "contentType", "name", "uri", "literal",
                     "scheme", "code", "rel"]),
    json_values,
    max_size=4,
)  # fmt: skip


@NO_DATABASE
@given(
    item=st.dictionaries(
        ninjs_keys, json_values | st.lists(entries, max_size=3) | entries, max_size=12
    )
)
def test_any_ninjs_shaped_object_gives_an_item_or_a_refusal(item):
    items_or_refusal(json.dumps(item).encode("utf-8"))


xml_text = st.text(st.characters(blacklist_categories=["Cs", "Cc"]), max_size=30)


@NO_DATABASE
@given(
    guid=xml_text,
    version=xml_text,
    headline=xml_text,
    status=xml_text,
    when=xml_text,
    body=xml_text,
    content_type=st.sampled_from(
        ["application/xhtml+xml", "application/nitf+xml", "text/plain", "", "x/y"]
    ),
)
def test_any_newsml_shaped_item_gives_an_item_or_a_refusal(
    guid, version, headline, status, when, body, content_type
):
    from xml.sax.saxutils import escape, quoteattr

    data = (
        f'<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid={quoteattr(guid)} '
        f"version={quoteattr(version)}><itemMeta><pubStatus qcode={quoteattr(status)}/>"
        f"<versionCreated>{escape(when)}</versionCreated></itemMeta><contentMeta>"
        f"<headline>{escape(headline)}</headline></contentMeta><contentSet>"
        f"<inlineXML contenttype={quoteattr(content_type)}><p>{escape(body)}</p></inlineXML>"
        "</contentSet></newsItem>"
    )
    items_or_refusal(data.encode("utf-8"))


def test_the_limits_are_the_queues_columns():
    """A value the parser passes always fits the queue's row (else the database would refuse
    the whole file, on PostgreSQL, or keep it whole, on SQLite)."""
    from wire.formats import fields
    from wire.models import Subject as SubjectRow
    from wire.models import WireItem

    def column(model, name):
        return model._meta.get_field(name).max_length

    assert column(WireItem, "headline") == fields.MAX_HEADLINE
    assert column(WireItem, "byline") == fields.MAX_BYLINE
    assert column(WireItem, "dateline") == fields.MAX_DATELINE
    assert column(WireItem, "provider") == fields.MAX_PROVIDER
    assert column(WireItem, "uri") == fields.MAX_URI
    assert column(WireItem, "language") == fields.MAX_LANGUAGE
    assert column(SubjectRow, "code") == fields.MAX_SUBJECT_CODE
    assert column(SubjectRow, "name") == fields.MAX_SUBJECT_NAME
