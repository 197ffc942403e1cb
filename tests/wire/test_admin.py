"""The wire queue in the admin, through the real admin with the migration-made roles: the list,
its filters and search at a fixed number of queries, an item's preview, and taking an item to a
draft story (and every refusal of it)."""

import dataclasses
import datetime as dt
import re

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.utils import timezone

from articles.models import Article
from tests.factories import SectionFactory
from wire import formats, services
from wire.models import WireItem

from .conftest import make_wire_item

pytestmark = pytest.mark.django_db

LIST_URL = "/admin/wire/wireitem/"
FRAMEWORK_WORDS = ("wire item object", "pubstatus", "Select wire item", "wireitem")
HEADLINE = "Typhoon Ragasa shuts Hong Kong container terminals"
SUMMARY = "Terminal operators halted loading as the Observatory raised the No 8 signal."


def item_url(item):
    return f"{LIST_URL}{item.pk}/change/"


def take_url(item):
    return f"{LIST_URL}{item.pk}/take/"


def page(response) -> str:
    return response.content.decode()


def visible(response) -> str:
    """The page's text without its markup, spaces squeezed: what an editor reads."""
    text = re.sub(r"<script.*?</script>|<style.*?</style>", " ", page(response), flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", text).split())


def rows(response) -> list[str]:
    """The queue's rows, as text, top to bottom."""
    body = page(response).split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in body.split("<tr")[1:]]


def headlines(response) -> list[str]:
    return re.findall(r'<span class="wire-headline">(.*?)</span>', page(response))


def assert_no_framework_words(response):
    shown = visible(response)
    for word in FRAMEWORK_WORDS:
        assert word not in shown, word


@pytest.fixture
def section(db):
    return SectionFactory(name="Business", slug="business", order=0)


@pytest.fixture
def desk_queue(section, editor_user):
    """One item in each state, newest first: new, updated, taken, withheld, killed."""
    now = timezone.now()
    at = {n: now - dt.timedelta(minutes=10 * n) for n in range(5)}
    new = make_wire_item(
        headline=HEADLINE,
        standfirst=SUMMARY,
        byline="By Jane Doe",
        versioncreated=at[0],
        embargo_until=now + dt.timedelta(hours=3),
        subjects=[("medtop:06000000", "environment"), ("medtop:17000000", "weather")],
    )
    updated = make_wire_item(
        provider="AFP",
        headline="Shenzhen metro opens its 20th line",
        version=3,
        is_update=True,
        versioncreated=at[1],
        subjects=[("medtop:20000000", "transport")],
    )
    story = Article.objects.create(
        headline="Ferry fares to rise in March", slug="ferry-fares", section=section
    )
    taken = make_wire_item(
        provider="Xinhua",
        headline="Ferry operators seek fare rise",
        versioncreated=at[2],
        story=story,
        taken_at=at[2],
        taken_by=editor_user,
    )
    withheld = make_wire_item(
        headline="Court hears harbour land case",
        pubstatus=WireItem.PubStatus.WITHHELD,
        versioncreated=at[3],
    )
    killed = make_wire_item(
        provider="AFP",
        headline="Minister resigns over bridge contract",
        pubstatus=WireItem.PubStatus.CANCELED,
        versioncreated=at[4],
    )
    return {
        "new": new,
        "updated": updated,
        "taken": taken,
        "withheld": withheld,
        "killed": killed,
        "story": story,
    }


# The list.


def test_the_queue_is_the_wire_queue_newest_first(editor, desk_queue):
    response = editor.get(LIST_URL)

    assert response.status_code == 200
    assert "<h1>Wire queue</h1>" in page(response)
    assert headlines(response) == [
        HEADLINE,
        "Shenzhen metro opens its 20th line",
        "Ferry operators seek fare rise",
        "Court hears harbour land case",
        "Minister resigns over bridge contract",
    ]
    new, updated, taken, withheld, killed = rows(response)
    assert SUMMARY in new and "Reuters" in new and "New" in new
    assert "environment, weather" in new
    embargo = timezone.localtime(desk_queue["new"].embargo_until)
    assert embargo.strftime("%-d %B %Y") in new
    assert "AFP" in updated and "3 updated" in updated and "Updated" in updated
    assert "Taken the story" in taken
    assert "Withheld" in withheld
    assert "KILLED" in killed
    assert "5 items" in visible(response)
    assert_no_framework_words(response)


def test_a_taken_items_status_links_to_its_story(editor, desk_queue):
    response = editor.get(LIST_URL)

    story = desk_queue["story"]
    assert (
        f'<a class="wire-story" href="/admin/articles/article/{story.pk}/change/" '
        f'title="{story.headline}">the story</a>' in page(response)
    )


def test_the_killed_status_is_marked_red(editor, desk_queue):
    assert '<span class="wire-status wire-status--killed">KILLED</span>' in page(
        editor.get(LIST_URL)
    )


def test_editors_have_a_take_button_on_items_they_can_take_and_reporters_none(
    editor, reporter, desk_queue
):
    as_editor = editor.get(LIST_URL)
    as_reporter = reporter.get(LIST_URL)

    buttons = re.findall(r'formaction="([^"]+)"', page(as_editor))
    assert buttons == [take_url(desk_queue["new"]), take_url(desk_queue["updated"])]
    assert (
        '<form id="wire-take" method="post" hidden><input type="hidden" name="csrfmiddlewaretoken"'
        in page(as_editor)
    )
    assert as_reporter.status_code == 200
    assert len(headlines(as_reporter)) == 5
    assert "Take to draft" not in page(as_reporter)


@pytest.mark.parametrize(
    "query, expected",
    [
        (
            {"provider": "AFP"},
            ["Shenzhen metro opens its 20th line", "Minister resigns over bridge contract"],
        ),
        ({"provider": "Xinhua"}, ["Ferry operators seek fare rise"]),
        ({"status": "new"}, [HEADLINE]),
        ({"status": "updated"}, ["Shenzhen metro opens its 20th line"]),
        ({"status": "taken"}, ["Ferry operators seek fare rise"]),
        ({"status": "withheld"}, ["Court hears harbour land case"]),
        ({"status": "killed"}, ["Minister resigns over bridge contract"]),
        ({"embargoed": "yes"}, [HEADLINE]),
        (
            {"embargoed": "no"},
            [
                "Shenzhen metro opens its 20th line",
                "Ferry operators seek fare rise",
                "Court hears harbour land case",
                "Minister resigns over bridge contract",
            ],
        ),
    ],
)
def test_the_filters(editor, desk_queue, query, expected):
    response = editor.get(LIST_URL, query)

    assert response.status_code == 200
    assert headlines(response) == expected


def test_the_filters_offer_the_agencies_subjects_and_states_in_the_queue(editor, desk_queue):
    shown = visible(editor.get(LIST_URL))

    for heading in ("By agency", "By subject", "By status", "By embargo"):
        assert heading in shown
    assert "AFP Reuters Xinhua" in shown
    assert "environment transport weather No subject" in shown
    assert "New Updated Taken Withheld Killed" in shown


def test_the_subject_filter(editor, desk_queue):
    transport = desk_queue["updated"].subjects.get()

    response = editor.get(LIST_URL, {"subjects__id__exact": transport.pk})

    assert headlines(response) == ["Shenzhen metro opens its 20th line"]


@pytest.mark.parametrize(
    "term",
    ["Ragasa", "Jane Doe", "HONG KONG", "Shipping lines added calls", "urn:newsml:example.com"],
    ids=["headline", "byline", "dateline", "body", "uri"],
)
def test_search_finds_items_by_headline_byline_dateline_body_and_identifier(editor, section, term):
    make_wire_item(
        headline=HEADLINE,
        byline="By Jane Doe",
        dateline="HONG KONG",
        body="<p>Shipping lines added calls.</p>",
        uri="urn:newsml:example.com:2026:ragasa",
    )
    make_wire_item(
        headline="Macau casino revenue climbs",
        byline="By Lee Chan",
        dateline="MACAU",
        body="<p>Gaming receipts rose.</p>",
        uri="tag:other.example:7",
    )

    response = editor.get(LIST_URL, {"q": term})

    assert headlines(response) == [HEADLINE]


def test_a_search_that_finds_nothing_says_so(editor, desk_queue):
    response = editor.get(LIST_URL, {"q": "Antarctica"})

    assert response.status_code == 200
    assert headlines(response) == []
    assert "0 items" in visible(response)


def queue_of(count, section, editor_user):
    for n in range(count):
        story = None
        if n % 3 == 0:
            story = Article.objects.create(
                headline=f"Story {n}", slug=f"story-{n}", section=section
            )
        make_wire_item(
            provider=("Reuters", "AFP", "Xinhua")[n % 3],
            story=story,
            taken_by=editor_user if story else None,
            embargo_until=timezone.now() + dt.timedelta(hours=1) if n % 2 else None,
            subjects=[f"subject {n}", f"subject {n + 1}", "economy"],
        )


# The session, the user, their own and their groups' permissions, the agencies and the subjects
# of the filters, the count of the items, the page's items with their stories, and all their
# subjects in one query.
LIST_QUERIES = 9


@pytest.mark.parametrize("count", [1, 20])
def test_the_queue_costs_the_same_queries_for_1_or_20_items(
    editor, editor_user, section, django_assert_num_queries, count
):
    queue_of(count, section, editor_user)

    with django_assert_num_queries(LIST_QUERIES):
        response = editor.get(LIST_URL)

    assert response.status_code == 200
    assert len(headlines(response)) == count


# An item's page.


def test_the_item_page_reads_as_copy(editor, desk_queue):
    item = desk_queue["new"]

    response = editor.get(item_url(item))

    assert response.status_code == 200
    shown = visible(response)
    assert f"<h1>{HEADLINE}</h1>" in page(response)
    for fact in (
        "Agency Reuters",
        "Byline By Jane Doe",
        "Dateline HONG KONG",
        "Version 1, sent",
        "Status New",
        "Subjects environment, weather",
        SUMMARY,
        "Container volumes rose. Shipping lines added calls.",
        "As received",
        f"Received in {item.filename}",
        item.uri,
    ):
        assert fact in shown, fact
    assert "Take to draft" in shown
    assert '<details class="wire-raw">' in page(response)
    assert_no_framework_words(response)


def test_an_embargo_still_holding_is_said_loudly(editor, desk_queue):
    item = desk_queue["new"]
    until = timezone.localtime(item.embargo_until)

    shown = visible(editor.get(item_url(item)))

    assert f"Embargoed until {until.strftime('%-d %B %Y, %H:%M')}" in shown
    assert "not to be published before then" in shown


def test_a_lifted_embargo_is_only_a_fact(editor, section):
    item = make_wire_item(embargo_until=timezone.now() - dt.timedelta(hours=1))

    shown = visible(editor.get(item_url(item)))

    assert "Embargo lifted" in shown
    assert "Embargoed until" not in shown


def test_the_item_page_shows_nothing_unsafe(editor, section):
    item = make_wire_item(
        headline="<script>alert('headline')</script>Port strike",
        standfirst="<img src=x onerror=alert(2)>",
        body='<p onclick="steal()">Text.</p><script>alert(3)</script>'
        '<a href="javascript:alert(4)">link</a><iframe src="https://evil.example/"></iframe>',
        raw="<newsItem><script>alert(5)</script></newsItem>",
    )

    html = page(editor.get(item_url(item)))

    assert "<script>alert" not in html
    assert "onclick" not in html and "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(2)&gt;" in html  # the summary is text, shown as sent
    assert "javascript:alert" not in html
    assert "evil.example" not in html
    assert "&lt;script&gt;alert(&#x27;headline&#x27;)&lt;/script&gt;Port strike" in html
    assert "&lt;newsItem&gt;&lt;script&gt;alert(5)&lt;/script&gt;&lt;/newsItem&gt;" in html
    assert "<p>Text.</p>" in html


@pytest.mark.parametrize(
    "state, said",
    [("killed", "The agency killed this item"), ("withheld", "The agency withheld this item")],
)
def test_a_killed_or_withheld_item_says_do_not_use_it_and_cannot_be_taken(
    editor, desk_queue, state, said
):
    item = desk_queue[state]

    response = editor.get(item_url(item))

    shown = visible(response)
    assert f"{said} on" in shown and "do not use it" in shown
    assert 'class="wire-banner wire-banner--killed" role="alert"' in page(response)
    assert "Take to draft" not in shown
    assert take_url(item) not in page(response)


def test_a_killed_item_that_was_taken_leads_to_its_story(editor, section, editor_user):
    story = Article.objects.create(headline="Bridge row deepens", slug="bridge", section=section)
    item = make_wire_item(pubstatus=WireItem.PubStatus.CANCELED, story=story, taken_by=editor_user)

    response = editor.get(item_url(item))

    assert "It was taken as “Bridge row deepens”" in visible(response)
    assert f'href="/admin/articles/article/{story.pk}/change/"' in page(response)


def test_a_taken_item_says_by_whom_and_links_the_story(editor, desk_queue):
    item = desk_queue["taken"]
    story = desk_queue["story"]
    when = timezone.localtime(item.taken_at).strftime("%-d %B %Y, %H:%M")

    response = editor.get(item_url(item))

    shown = visible(response)
    assert f"Taken as “{story.headline}” by Night Editor on {when}" in shown
    assert f'<a href="/admin/articles/article/{story.pk}/change/">“{story.headline}”</a>' in page(
        response
    )
    assert "Take to draft" not in shown


def test_a_reporter_reads_the_item_without_a_take_button(reporter, desk_queue):
    response = reporter.get(item_url(desk_queue["new"]))

    assert response.status_code == 200
    assert HEADLINE in visible(response)
    assert "Take to draft" not in visible(response)


# Taking an item to a draft story.


def test_an_editor_takes_an_item_to_a_draft_story(editor, editor_user, section):
    other = SectionFactory(name="World", slug="world", order=1)
    item = make_wire_item(
        headline=HEADLINE,
        standfirst=SUMMARY,
        byline="By Jane Doe",
        dateline="HONG KONG",
        body="<p>Loading stopped at noon.</p><script>x()</script>",
        embargo_until=timezone.now() + dt.timedelta(hours=2),
        subjects=[("medtop:17000000", "weather")],
    )

    response = editor.post(take_url(item), {"section": other.pk})

    story = Article.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/admin/articles/article/{story.pk}/change/"
    assert story.status == Article.Status.DRAFT
    assert (story.headline, story.standfirst, story.dateline) == (HEADLINE, SUMMARY, "HONG KONG")
    assert story.body == "<p>Loading stopped at noon.</p>"
    assert story.credit == "By Jane Doe, Reuters"
    assert story.section == other
    assert story.embargo_until == item.embargo_until
    assert list(story.tags.names()) == ["weather"]
    item.refresh_from_db()
    assert (item.story, item.taken_by) == (story, editor_user)
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        f"Taken to a draft story: “{HEADLINE}”, credited to Reuters. Edit it here; the "
        "agency's copy stays in the wire queue."
    ]


def test_the_story_form_opens_after_the_take_with_the_copy(editor, section):
    item = make_wire_item(headline=HEADLINE, byline="By Jane Doe")

    response = editor.post(take_url(item), follow=True)

    assert response.status_code == 200
    assert response.redirect_chain[-1][0].endswith("/change/")
    assert "Taken to a draft story" in visible(response)
    assert HEADLINE in page(response)
    assert "By Jane Doe, Reuters" in page(response)
    assert Article.objects.get().section == section  # the first section, when none was chosen
    # The story's form links the copy it came from, in the queue.
    assert re.search(
        rf'<a href="{item_url(item)}">Reuters, version 1: “{re.escape(HEADLINE)}”</a>',
        page(response),
    )


def test_an_agency_alert_links_the_agencys_copy(editor, section):
    item = make_wire_item(headline=HEADLINE)
    editor.post(take_url(item))
    story = Article.objects.get()
    services.receive(
        dataclasses.replace(formats_item(item), version=2, pubstatus="canceled"),
        filename="kill.json",
        now=timezone.now(),
    )
    html = page(editor.get(f"/admin/articles/article/{story.pk}/change/"))
    alert = html[html.index('class="agency-alert ') : html.index("</section>")]
    assert "Reuters killed the item this story was taken from" in alert
    assert f'href="{item_url(item)}">Open the agency’s copy: Reuters, version 2' in alert


def formats_item(item):
    """The queued item as a parser would give it again."""
    return formats.Item(
        format=item.format,
        provider=item.provider,
        uri=item.uri,
        version=item.version,
        versioncreated=item.versioncreated,
        pubstatus=item.pubstatus,
        embargo_until=item.embargo_until,
        headline=item.headline,
        standfirst=item.standfirst,
        byline=item.byline,
        dateline=item.dateline,
        language=item.language,
        subjects=(),
        body_html=item.body,
        raw=item.raw,
    )


def test_the_item_page_offers_the_sections_the_first_chosen(editor, section):
    SectionFactory(name="World", slug="world", order=1)
    item = make_wire_item()

    html = page(editor.get(item_url(item)))

    # The browser chooses the first: the first section in the navigation.
    assert re.search(
        rf'<select name="section" [^>]*>\s*<option value="{section.pk}">Business</option>\s*'
        r'<option value="\d+">World</option>\s*</select>',
        html,
    )
    assert f'action="{take_url(item)}"' in html


@pytest.mark.parametrize("state", ["killed", "withheld", "taken"])
def test_an_item_that_cannot_be_taken_is_refused_with_a_message_and_nothing_saved(
    editor, desk_queue, state
):
    item = desk_queue[state]
    stories = Article.objects.count()

    response = editor.post(take_url(item), follow=True)

    assert response.redirect_chain == [(item_url(item), 302)]
    errors = [str(m) for m in response.context["messages"] if m.level_tag == "error"]
    assert (
        errors
        and errors[0]
        == {
            "killed": "AFP killed this item (version 1): it cannot be used.",
            "withheld": "Reuters withheld this item (version 1): it cannot be used until the agency "
            "releases it again.",
            "taken": f"This item was already taken as “Ferry fares to rise in March” (story "
            f"#{desk_queue['story'].pk}).",
        }[state]
    )
    assert errors[0] in visible(response)
    assert Article.objects.count() == stories
    item.refresh_from_db()
    assert item.story_id == (desk_queue["story"].pk if state == "taken" else None)


def test_a_second_take_of_the_same_item_is_refused(editor, section):
    item = make_wire_item()

    editor.post(take_url(item))
    response = editor.post(take_url(item), follow=True)

    assert Article.objects.count() == 1
    assert "This item was already taken as" in visible(response)


def test_a_section_that_is_not_one_is_refused_on_the_items_page(editor, section):
    item = make_wire_item()

    response = editor.post(take_url(item), {"section": "999999"}, follow=True)

    assert response.redirect_chain == [(item_url(item), 302)]
    assert "That section is not in the list any more" in visible(response)
    assert not Article.objects.exists()


def test_a_reporter_cannot_take_an_item(reporter, section):
    item = make_wire_item()

    assert reporter.post(take_url(item)).status_code == 403
    assert not Article.objects.exists()


def test_taking_is_post_only(editor, section):
    item = make_wire_item()

    response = editor.get(take_url(item))

    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert not Article.objects.exists()


def test_taking_needs_the_csrf_token(editor_user, section):
    item = make_wire_item()
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor_user)

    assert client.post(take_url(item)).status_code == 403
    assert not Article.objects.exists()


def test_anyone_not_signed_in_is_sent_to_log_in(client, section):
    item = make_wire_item()

    for response in (client.get(LIST_URL), client.get(item_url(item)), client.post(take_url(item))):
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")
    assert not Article.objects.exists()


@pytest.mark.parametrize("object_id", ["999999", "abc", "99999999999999999999999"])
def test_taking_an_item_that_is_not_there_is_404(editor, section, object_id):
    assert editor.post(f"{LIST_URL}{object_id}/take/").status_code == 404


# Read-only: the queue is the record of what the agencies sent.


@pytest.mark.parametrize("who", ["editor", "admin_client"])
def test_nobody_adds_changes_or_deletes_an_item_here(request, who, section):
    client = request.getfixturevalue(who)
    item = make_wire_item()

    assert client.get(f"{LIST_URL}add/").status_code == 403
    assert client.post(item_url(item), {"headline": "Changed"}).status_code == 403
    assert client.get(f"{LIST_URL}{item.pk}/delete/").status_code == 403
    item.refresh_from_db()
    assert item.headline.startswith("Harbour traffic item")


def test_the_admin_lists_the_queue_as_wire_queue_under_agency_wire(editor, section):
    shown = visible(editor.get("/admin/wire/"))

    assert "Agency wire" in shown
    assert "Wire queue" in shown
    assert "Wire items" not in shown


@pytest.mark.parametrize(
    "query",
    [
        {"provider": "\x00"},
        {"status": "everything"},
        {"embargoed": "maybe"},
        {"subjects__id__exact": "abc"},
        {"subjects__id__exact": "99999999999999999999999"},
        {"version": "x"},
        {"o": "99"},
        {"p": "9999"},
    ],
)
def test_a_bad_filter_is_never_a_server_error(editor, desk_queue, query):
    response = editor.get(LIST_URL, query)

    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert response["Location"].endswith("?e=1")
