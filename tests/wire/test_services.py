"""The wire queue's writes: items received, versions, kills, and taking an item to a draft story.

Items are built here as the parsers give them (``wire.formats.Item``), so these tests hold
whatever the format; tests/wire/test_formats.py reads the files.
"""

import dataclasses
import datetime as dt

import pytest
import reversion
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, IntegrityError, InterfaceError, OperationalError, connection
from reversion.models import Version

from articles.models import Article
from tests.factories import PersonFactory, ReporterFactory, SectionFactory
from wire import formats, services
from wire.models import Subject, WireItem

NOW = dt.datetime(2026, 12, 5, 8, 0, tzinfo=dt.UTC)

pytestmark = pytest.mark.django_db


def agency_item(**changes) -> formats.Item:
    item = formats.Item(
        format="ninjs-2",
        provider="Demo Wire Agency",
        uri="urn:demo:wire:0001",
        version=1,
        versioncreated=NOW - dt.timedelta(minutes=5),
        pubstatus=formats.USABLE,
        embargo_until=None,
        headline="Demo: harbour cranes idle as port strike enters second day",
        standfirst="Demo copy: the strike has stopped loading at three terminals.",
        byline="By Demo Reporter",
        dateline="Demo City",
        language="en",
        subjects=(
            formats.Subject("medtop:04000000", "economy, business and finance"),
            formats.Subject("medtop:09000000", "labour"),
        ),
        body_html='<p>Demo text, first paragraph.</p><script>alert(1)</script><p onclick="x()">'
        "Second paragraph.</p>",
        raw='{"uri": "urn:demo:wire:0001"}',
    )
    return dataclasses.replace(item, **changes)


def receive(item=None, **changes):
    return services.receive(item or agency_item(**changes), filename="demo.json", now=NOW)


def test_a_new_item_is_queued_as_received_with_its_body_sanitised():
    received = receive()
    assert received.outcome == services.NEW
    item = WireItem.objects.get()
    assert (item.provider, item.uri, item.version) == ("Demo Wire Agency", "urn:demo:wire:0001", 1)
    assert item.headline.startswith("Demo: harbour cranes")
    assert item.versioncreated == NOW - dt.timedelta(minutes=5)
    assert item.received_at == NOW
    assert item.body == "<p>Demo text, first paragraph.</p>\n<p>Second paragraph.</p>"
    assert item.raw == '{"uri": "urn:demo:wire:0001"}'
    assert not item.is_update and item.killed_at is None
    assert sorted(item.subjects.values_list("name", flat=True)) == [
        "economy, business and finance",
        "labour",
    ]


def test_an_item_without_a_time_of_its_own_is_dated_when_received():
    receive(versioncreated=None)
    assert WireItem.objects.get().versioncreated == NOW


def test_a_newer_version_replaces_the_queued_one_and_is_marked_an_update():
    receive()
    received = receive(
        version=2,
        headline="Demo: port strike ends",
        subjects=(formats.Subject("medtop:09000000", "labour"),),
    )
    assert received.outcome == services.UPDATED
    item = WireItem.objects.get()
    assert (item.version, item.headline, item.is_update) == (2, "Demo: port strike ends", True)
    assert list(item.subjects.values_list("code", flat=True)) == ["medtop:09000000"]
    assert Subject.objects.count() == 2  # subjects are kept for the filter


@pytest.mark.parametrize("version", [1, 2])
def test_the_same_or_an_older_version_is_skipped_and_changes_nothing(version):
    receive(version=2, headline="Version two")
    received = receive(version=version, headline="Should not replace")
    assert received.outcome == services.SKIPPED
    assert "the queue already has version 2 of this item" in received.message
    assert WireItem.objects.get().headline == "Version two"


def test_a_subject_sent_without_a_name_is_named_later_and_makes_no_tag(editor_user):
    SectionFactory()
    unnamed = formats.Subject("medtop:11000000", "medtop:11000000")
    item = receive(subjects=(unnamed, formats.Subject("medtop:09000000", "labour"))).item
    story = services.take_to_draft(item=item, user=editor_user, now=NOW)
    assert list(story.tags.names()) == ["labour"]

    receive(uri="urn:demo:wire:0002", subjects=(formats.Subject("medtop:11000000", "politics"),))
    assert Subject.objects.get(code="medtop:11000000").name == "politics"


def test_the_same_uri_from_another_agency_is_another_item():
    receive()
    receive(provider="Another Demo Agency")
    assert WireItem.objects.count() == 2


@pytest.mark.parametrize("status", [formats.CANCELED, formats.WITHHELD])
def test_a_canceled_or_withheld_version_marks_the_item_killed(status):
    receive()
    received = receive(version=2, pubstatus=status)
    assert received.outcome == services.KILLED
    item = WireItem.objects.get()
    assert item.is_killed and item.killed_at == NOW and item.pubstatus == status


def test_a_bare_kill_notice_at_the_same_version_kills_the_item_and_keeps_its_copy():
    receive(provider="Xinhua")
    received = receive(
        provider="XINHUA",  # the agency's code this time, not its name
        pubstatus=formats.CANCELED,
        headline="",
        standfirst="",
        body_html="",
        subjects=(),
    )
    assert received.outcome == services.KILLED
    item = WireItem.objects.get()
    assert item.is_killed and item.provider == "Xinhua"
    assert item.headline.startswith("Demo: harbour cranes") and "first paragraph" in item.body
    assert item.subjects.count() == 2


def test_a_kill_notice_for_an_item_never_received_is_queued_killed():
    receive(pubstatus=formats.CANCELED, headline="")
    item = WireItem.objects.get()
    assert item.is_killed
    assert item.headline == (
        "(No headline: Demo Wire Agency sent only a kill of urn:demo:wire:0001)"
    )


def test_a_kill_of_an_item_already_taken_alerts_the_story_and_changes_nothing_in_it(editor_user):
    SectionFactory()
    item = receive().item
    story = services.take_to_draft(item=item, user=editor_user, now=NOW)
    before = Article.objects.values().get(pk=story.pk)

    later = NOW + dt.timedelta(hours=1)
    services.receive(
        agency_item(version=2, pubstatus=formats.CANCELED, headline="KILL"),
        filename="kill.json",
        now=later,
    )
    after = Article.objects.values().get(pk=story.pk)
    assert after["agency_alert_kind"] == "killed"
    assert after["agency_alert_at"] == later
    assert "Demo Wire Agency killed the item this story was taken from" in after["agency_alert"]
    assert "Do not publish it" in after["agency_alert"]
    unchanged = {k: v for k, v in after.items() if not k.startswith("agency_alert")}
    assert unchanged == {k: v for k, v in before.items() if not k.startswith("agency_alert")}


def test_a_new_version_of_an_item_already_taken_alerts_the_story(editor_user):
    SectionFactory()
    story = services.take_to_draft(item=receive().item, user=editor_user, now=NOW)
    receive(version=3, headline="Demo: a new top")
    story.refresh_from_db()
    assert story.agency_alert_kind == "updated"
    assert "sent version 3 of the item this story was taken from" in story.agency_alert
    assert "the queue had version 1 before" in story.agency_alert
    assert story.headline.startswith("Demo: harbour cranes")  # the editor's, untouched


def test_a_file_is_queued_whole_or_not_at_all(monkeypatch):
    items = [agency_item(), agency_item(uri="urn:demo:wire:0002")]
    monkeypatch.setattr(formats, "parse", lambda data, filename, provider="": items)
    calls = []
    real = services.receive

    def failing_second(item, **kwargs):
        calls.append(item.uri)
        if len(calls) == 2:
            raise DatabaseError("disk full (demo)")
        return real(item, **kwargs)

    monkeypatch.setattr(services, "receive", failing_second)
    result = services.ingest_file("two.json", b"{}", now=NOW)
    assert not result.ok
    assert result.error == "two.json: not saved, the database refused it (disk full (demo))."
    assert not WireItem.objects.exists()


@pytest.mark.parametrize("error", [OperationalError("database is locked"), InterfaceError("gone")])
def test_a_file_the_database_could_not_take_now_is_marked_to_try_again(monkeypatch, error):
    monkeypatch.setattr(formats, "parse", lambda data, filename, provider="": [agency_item()])

    def unavailable(item, **kwargs):
        raise error

    monkeypatch.setattr(services, "receive", unavailable)
    result = services.ingest_file("later.json", b"{}", now=NOW)
    assert result.retry and not result.ok


def test_an_item_another_worker_queued_meanwhile_is_found_on_a_second_look(monkeypatch):
    real = services.receive
    calls = []

    def racing(item, **kwargs):
        calls.append(1)
        if len(calls) == 1:  # what a concurrent insert of the same item looks like
            raise IntegrityError("UNIQUE constraint failed: wire_wireitem.provider, uri")
        return real(item, **kwargs)

    monkeypatch.setattr(formats, "parse", lambda data, filename, provider="": [agency_item()])
    monkeypatch.setattr(services, "receive", racing)
    result = services.ingest_file("race.json", b"{}", now=NOW)
    assert result.ok and WireItem.objects.count() == 1


def test_a_refused_file_names_the_file_and_place_and_the_others_go_on():
    good = b'{"uri": "urn:demo:1", "headline": "Demo headline", "copyrightholder": "Demo"}'
    results = services.ingest_sources([("bad.json", b'{"uri": '), ("good.json", good)])
    assert results[0].error.startswith("bad.json, line 1")
    assert results[1].ok and WireItem.objects.get().uri == "urn:demo:1"
    assert services.summary(results) == (
        "1 item queued from 2 files: 1 new, 0 updated, 0 killed; 0 skipped (the queue had "
        "that version or a later one); 1 file refused."
    )


@pytest.mark.parametrize(
    "byline, expected",
    [
        ("By Demo Reporter", "By Demo Reporter, Demo Wire Agency"),
        ("Demo Reporter", "By Demo Reporter, Demo Wire Agency"),
        ("By Demo Reporter, Demo Wire Agency", "By Demo Reporter, Demo Wire Agency"),
        ("", "Demo Wire Agency"),
    ],
)
def test_the_agency_credit(byline, expected):
    assert services.credit_for(WireItem(provider="Demo Wire Agency", byline=byline)) == expected


def test_taking_an_item_to_draft_makes_a_draft_story_that_remembers_it(editor_user):
    section = SectionFactory()
    PersonFactory(name="Demo Harbourmaster")
    embargo = NOW + dt.timedelta(hours=3)
    item = receive(
        embargo_until=embargo,
        body_html="<p>Demo Harbourmaster said the cranes stood idle.</p>",
    ).item

    story = services.take_to_draft(item=item, user=editor_user, now=NOW)

    story = Article.objects.get(pk=story.pk)
    assert story.status == Article.Status.DRAFT and story.section == section
    assert story.headline == "Demo: harbour cranes idle as port strike enters second day"
    assert not story.needs_headline
    assert story.standfirst.startswith("Demo copy: the strike")
    assert story.body == "<p>Demo Harbourmaster said the cranes stood idle.</p>"
    assert story.dateline == "Demo City"
    assert story.credit == "By Demo Reporter, Demo Wire Agency"
    assert story.embargo_until == embargo
    assert not story.bylines.exists()
    assert sorted(story.tags.names()) == ["economy, business and finance", "labour"]
    assert list(story.mentioned_people.values_list("name", flat=True)) == ["Demo Harbourmaster"]
    assert story.created_by == editor_user
    [version] = Version.objects.get_for_object(story)
    assert version.revision.comment == (
        "Taken from the wire: Demo Wire Agency item urn:demo:wire:0001, version 1."
    )
    item.refresh_from_db()
    assert (item.story, item.taken_by, item.taken_at) == (story, editor_user, NOW)
    assert story.wire_items.get() == item


def test_taking_to_draft_costs_the_same_queries_however_many_subjects(
    editor_user, django_assert_num_queries
):
    SectionFactory()
    few = receive(subjects=(formats.Subject("medtop:1", "one"),)).item
    many = receive(
        uri="urn:demo:wire:0002",
        subjects=tuple(formats.Subject(f"medtop:{n}", f"subject {n}") for n in range(12)),
    ).item
    # SQLite's search index is a table the story's save writes; PostgreSQL's is a column.
    expected = TAKE_QUERIES + (connection.vendor == "sqlite")
    editor_user = type(editor_user).objects.get(pk=editor_user.pk)  # permissions not cached
    with django_assert_num_queries(expected):
        services.take_to_draft(item=few, user=editor_user, now=NOW)
    editor_user = type(editor_user).objects.get(pk=editor_user.pk)
    with django_assert_num_queries(expected):
        services.take_to_draft(item=many, user=editor_user, now=NOW)


# The item (locked), the user's permissions, the section, the subjects; the story (and, on SQLite,
# its search row), tags (3 whatever their number), workflow step, mentions and revision; the item.
# The same whatever the number of subjects, tags or mentions.
TAKE_QUERIES = 39


@pytest.mark.parametrize(
    "status, message",
    [
        (formats.CANCELED, "Demo Wire Agency killed this item (version 2): it cannot be used."),
        (formats.WITHHELD, "Demo Wire Agency withheld this item (version 2)"),
    ],
)
def test_a_killed_item_cannot_be_taken(editor_user, status, message):
    SectionFactory()
    receive()
    item = receive(version=2, pubstatus=status).item
    with pytest.raises(services.TakeRefused, match=message.replace("(", r"\(").replace(")", r"\)")):
        services.take_to_draft(item=item, user=editor_user, now=NOW)
    assert not Article.objects.exists()


def test_an_item_is_taken_once(editor_user):
    SectionFactory()
    item = receive().item
    story = services.take_to_draft(item=item, user=editor_user, now=NOW)
    with pytest.raises(services.TakeRefused, match=f"already taken as .* \\(story #{story.pk}\\)"):
        services.take_to_draft(item=item, user=editor_user, now=NOW)
    assert Article.objects.count() == 1


def test_a_reporter_may_read_the_queue_but_not_take_from_it(reporter_user):
    SectionFactory()
    item = receive().item
    assert reporter_user.has_perm("wire.view_wireitem")
    with pytest.raises(PermissionDenied):
        services.take_to_draft(item=item, user=reporter_user, now=NOW)
    assert not Article.objects.exists()


def test_plain_text_copy_is_taken_under_its_reporters_byline(editor_user):
    SectionFactory()
    reporter = ReporterFactory(name="Demo Correspondent", email="demo.correspondent@example.org")
    raw = "Demo City\nDemo Correspondent\ndemo.correspondent@example.org\nDemo copy, one line.\n"
    item = receive(
        format="plain-text",
        provider="Filed copy",
        uri="urn:newsroom:copy:demo",
        raw=raw,
        reporter_email=reporter.email,
    ).item
    story = services.take_to_draft(item=item, user=editor_user, now=NOW)
    assert [byline.reporter for byline in story.bylines.all()] == [reporter]
    assert story.credit == "" and story.needs_headline
    assert story.body == "<p>Demo copy, one line.</p>"


def test_a_revision_is_recorded_only_once_per_take(editor_user):
    SectionFactory()
    with reversion.create_revision():  # an outer revision block, as the admin's
        story = services.take_to_draft(item=receive().item, user=editor_user, now=NOW)
    assert Version.objects.get_for_object(story).count() == 1
